"""Where a piece of source is: `Span` (path, 1-based lines and columns, 0-based offsets) and `Positions`,
which turns offsets of one text into spans. Apart from the AST (sudolang.nodes, which re-exports both), so
a diagnostic can be rebuilt, as a cached lint result is, without building every node class; and without
`dataclasses` (see Frozen)."""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

_LINE_END = re.compile(r"\r\n?|\n")


class Frozen:
    """Compared, hashed and shown by the fields a subclass lists in `__slots__`, and never changed after its
    `__init__` (which sets them with object.__setattr__): what a frozen, slotted dataclass gives, without
    importing `dataclasses`, ~15 ms of start-up that a lint answered from the cache would spend on nothing
    else. For the few records that path needs (Span, Diagnostic, FileReport); the AST's nodes are dataclasses."""

    __slots__: tuple[str, ...] = ()
    _fields: attrgetter[tuple]

    def __init_subclass__(cls) -> None:
        cls._fields = attrgetter(*cls.__slots__)  # a tuple of values for two fields or more, as every subclass has

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields(self) == self._fields(other)

    def __hash__(self) -> int:
        return hash(self._fields(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self.__slots__, self._fields(self)))
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return type(self), self._fields(self)


class Span(Frozen):
    __slots__ = ("path", "line", "column", "end_line", "end_column", "start", "end")
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int

    def __init__(self, path: str, line: int, column: int, end_line: int, end_column: int, start: int,
                 end: int) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "path", path)
        setattr_(self, "line", line)
        setattr_(self, "column", column)
        setattr_(self, "end_line", end_line)
        setattr_(self, "end_column", end_column)
        setattr_(self, "start", start)
        setattr_(self, "end", end)


class Positions:
    """Turns character offsets of one text into 1-based line/column spans (the parser's and lint's).
    A line ends at `\\n`, `\\r\\n` or a lone `\\r` (docs/language.md, "Limits and line endings")."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.line_starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def span(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self.line_starts, start)
        end_line = bisect.bisect_right(self.line_starts, max(start, end - 1)) if end > start else line
        end_column = end - self.line_starts[end_line - 1] + 1
        return Span(self.path, line, start - self.line_starts[line - 1] + 1, end_line, end_column, start, end)
