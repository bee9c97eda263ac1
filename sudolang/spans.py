"""Where a piece of source is: `Span` (path, 1-based lines and columns, 0-based offsets) and `Positions`,
which turns offsets of one text into spans. Apart from the AST (sudolang.nodes, which re-exports both), so
a diagnostic can be rebuilt, as a cached lint result is, without building every node class.

Here too are sudolang's frozen records, which do without `dataclasses`: `Frozen`, whose subclasses list their
fields in `__slots__` and write their `__init__` (Span, Diagnostic, FileReport), and `record()`, which makes
a Frozen class from annotations as `@dataclass(frozen=True, slots=True)` would (the AST's nodes, the program
model). dataclasses takes ~0.4 ms to build a class, and a parse needs ~70 of them."""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    RecordClass = TypeVar("RecordClass", bound=type)

_LINE_END = re.compile(r"\r\n?|\n")


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple]:
    """The values of `names` of an object, as a tuple (attrgetter gives a tuple for two names or more)."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda item: tuple(getattr(item, name) for name in names)


class Frozen:
    """Compared, hashed and shown by its fields, and never changed after its `__init__` (which sets them with
    object.__setattr__): what a frozen, slotted dataclass gives. A subclass written by hand lists its fields in
    `__slots__`; record() sets `_names`, `_fields` and `_compared` for the classes it makes."""

    __slots__: tuple[str, ...] = ()
    if TYPE_CHECKING:
        _names: ClassVar[tuple[str, ...]]  # every field, in order
        _fields: ClassVar[Callable[[object], tuple]]  # their values
        _compared: ClassVar[Callable[[object], tuple]]  # the values == and hash() look at

    def __init_subclass__(cls) -> None:
        cls._names = cls.__slots__
        cls._fields = cls._compared = _getter(cls.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return type(self)._compared(self) == type(self)._compared(other)

    def __hash__(self) -> int:
        return hash(type(self)._compared(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(type(self)._names, type(self)._fields(self)))
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:  # copy and pickle make it again through __init__
        return type(self), type(self)._fields(self)


class _Field:
    """A field's default, or the function that makes one, and whether == and hash() look at it."""

    __slots__ = ("default", "factory", "compare")

    def __init__(self, default: object, factory: Callable[[], object] | None, compare: bool) -> None:
        self.default, self.factory, self.compare = default, factory, compare


_NO_DEFAULT = object()


def field(*, default: Any = _NO_DEFAULT, default_factory: Callable[[], Any] | None = None, compare: bool = True) -> Any:
    """A field's default (`default_factory()` for a new list or dict each time), and whether it is compared:
    as dataclasses.field."""
    return _Field(default, default_factory, compare)


def _record(cls: type) -> type:
    """The class, a subclass of Frozen, as @dataclass(frozen=True, slots=True) makes it: its annotated names
    (after its bases') are its fields, in `__slots__` and `__match_args__`, set by an `__init__` that takes them
    in order or by name. A value in the class body is the field's default; `field()` gives a factory or
    leaves the field out of == and hash(). ~0.07 ms a class."""
    own = tuple(cls.__dict__.get("__annotations__", {}))
    names = getattr(cls, "__match_args__", ()) + own
    fields = {**getattr(cls, "_record_fields", {})}
    for name in own:
        given = cls.__dict__.get(name, _NO_DEFAULT)
        fields[name] = given if isinstance(given, _Field) else _Field(given, None, True)
    body = {key: value for key, value in cls.__dict__.items() if key not in own and key not in ("__dict__", "__weakref__")}
    made = type(cls)(cls.__name__, cls.__bases__, {**body, "__slots__": own, "__match_args__": names,
                                                    "_record_fields": fields})
    assert issubclass(made, Frozen), f"{cls.__qualname__}: a record is a subclass of Frozen"
    made._names, made._fields = names, _getter(names)
    made._compared = _getter(tuple(name for name in names if fields[name].compare))
    # __init__ is written out, as dataclasses writes it, so that making a record costs one plain call.
    scope: dict[str, object] = {"_set": object.__setattr__, "_NO_DEFAULT": _NO_DEFAULT}
    parameters, lines = [], []
    for name in names:  # the names are the class's own identifiers (annotations of sudolang's source)
        spec = fields[name]
        value = name
        if spec.factory is not None:
            scope[f"_make_{name}"] = spec.factory
            parameters.append(f"{name}=_NO_DEFAULT")
            value = f"_make_{name}() if {name} is _NO_DEFAULT else {name}"
        elif spec.default is not _NO_DEFAULT:
            scope[f"_default_{name}"] = spec.default
            parameters.append(f"{name}=_default_{name}")
        else:
            parameters.append(name)
        lines.append(f"\n    _set(self, {name!r}, {value})")
    exec(f"def __init__(self, {', '.join(parameters)}):{''.join(lines)}", scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    setattr(made, "__init__", init)
    return made


if TYPE_CHECKING:
    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def record(cls: RecordClass) -> RecordClass:  # what record() makes, as a type checker should read it
        ...
else:
    record = _record


def replace(item: Any, **changes: Any) -> Any:
    """A copy of the record with `changes` (as dataclasses.replace)."""
    return type(item)(**{**dict(zip(type(item)._names, type(item)._fields(item))), **changes})


def field_names(item: Frozen) -> tuple[str, ...]:
    """A record's fields, in order."""
    return type(item)._names


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
