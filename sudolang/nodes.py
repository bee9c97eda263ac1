"""The SudoLang AST: frozen dataclasses, each carrying the span of source it came from.

Positions are 1-based lines and columns (as editors and `path:line:col`
diagnostics count them) plus 0-based character offsets, so
`program.source[node.span.start:node.span.end]` is always the node's exact text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, fields
from typing import Iterator


_LINE_END = re.compile(r"\r\n?|\n")


@dataclass(frozen=True, slots=True)
class Span:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int


class Positions:
    """Turns character offsets of one text into 1-based line/column spans (the parser's and lint's).
    A line ends at `\n`, `\r\n` or a lone `\r` (docs/language.md, "Limits and line endings")."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.line_starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def span(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self.line_starts, start)
        end_line = bisect.bisect_right(self.line_starts, max(start, end - 1)) if end > start else line
        end_column = end - self.line_starts[end_line - 1] + 1
        return Span(self.path, line, start - self.line_starts[line - 1] + 1, end_line, end_column, start, end)


@dataclass(frozen=True, slots=True)
class Node:
    span: Span

    def children(self) -> Iterator["Node"]:
        """Direct child nodes, in source order."""
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                yield from (item for item in value if isinstance(item, Node))

    def walk(self) -> Iterator["Node"]:
        """This node and every node below it, depth first. A stack, not recursion: a long
        `else if` chain nests Conditionals as deep as it is long."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(tuple(node.children())))


# --- strings ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interpolation(Node):
    """`$name`, `$a.b`, `$fn()` or `${ anything }` inside a string."""

    expression: str


@dataclass(frozen=True, slots=True)
class StringLit(Node):
    """A `"…"`, `` `…` `` or `\"\"\"…\"\"\"` string; `text` is the content between the quotes."""

    quote: str
    text: str
    interpolations: tuple[Interpolation, ...]


# --- markdown container ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrontMatter(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Heading(Node):
    level: int
    title: str


@dataclass(frozen=True, slots=True)
class Rule(Node):
    """A markdown horizontal rule (`---`)."""


@dataclass(frozen=True, slots=True)
class ListItem(Node):
    marker: str
    text: str
    strings: tuple[StringLit, ...]


@dataclass(frozen=True, slots=True)
class Fence(Node):
    """A fenced block in another language (or untagged): kept verbatim, never parsed."""

    language: str
    text: str


@dataclass(frozen=True, slots=True)
class SudoFence(Node):
    """A ```sudo / ```sudolang fenced block, whose content is parsed."""

    language: str
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Comment(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Prose(Node):
    """A line (or lines) of natural language, kept verbatim; the strings inside are still parsed."""

    text: str
    strings: tuple[StringLit, ...]


# --- declarations ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Modifier(Node):
    """`:name=value` or a flag `:name` after a call or block."""

    name: str
    value: str | None


@dataclass(frozen=True, slots=True)
class Block(Node):
    """`Header { … }`: kind is the header's keyword (interface, constraint, type, constraints,
    commands, options, state) or 'block'; name is the rest of the header."""

    kind: str
    header: str
    name: str
    body: tuple[Node, ...]
    modifiers: tuple[Modifier, ...]


@dataclass(frozen=True, slots=True)
class Property(Node):
    """`name = value`, `key: value`, `Score => expr`, or a bare `over13`; a block value is in `block`."""

    key: str
    operator: str | None
    value: str
    strings: tuple[StringLit, ...]
    block: Block | None


@dataclass(frozen=True, slots=True)
class Param(Node):
    """A command parameter: `<name>` (required) or `[name]` (optional)."""

    name: str
    required: bool


@dataclass(frozen=True, slots=True)
class Command(Node):
    """A command: `/name [arg] - description` (form 'line') or a `commands = {…}` entry (form 'map').
    `names` holds the aliases (`/l | learn` gives ('/l', '/learn'))."""

    form: str
    signature: str
    names: tuple[str, ...]
    params: tuple[Param, ...]
    description: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommandMap(Node):
    """`commands = { "/team <name>": "Show team details", … }`."""

    key: str
    entries: tuple[Command, ...]


@dataclass(frozen=True, slots=True)
class Function(Node):
    """`fn name(params) { … }`, `function name;` or `name(params) { … }`; body is None for a declaration."""

    keyword: str | None
    name: str
    params: str
    body: tuple[Node, ...] | None
    modifiers: tuple[Modifier, ...]


@dataclass(frozen=True, slots=True)
class Import(Node):
    target: str


@dataclass(frozen=True, slots=True)
class Requirement(Node):
    """`require …` / `warn …` / `constraint: …`, as a sentence or with a block body."""

    kind: str
    text: str
    body: tuple[Node, ...]


# --- statements ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call(Node):
    """`name(args)` with optional `:modifiers`; args are kept as text (they are often prose)."""

    name: str
    args: str
    modifiers: tuple[Modifier, ...]
    strings: tuple[StringLit, ...]


@dataclass(frozen=True, slots=True)
class CommandCall(Node):
    """A bare `/command` line that invokes an already declared command (usually the initializer)."""

    name: str


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    """`if (c) { … } else { … }`; keyword is 'if' or 'else'; condition may be prose."""

    keyword: str
    condition: str
    body: tuple[Node, ...]
    orelse: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Loop(Node):
    """`for each x in xs { … }`, `while (c) { … }`, `loop { … }`."""

    kind: str
    header: str
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MatchArm(Node):
    """`case pattern => result`, `default => result`, or a semantic `(prose) => result`."""

    pattern: str
    result: str


@dataclass(frozen=True, slots=True)
class Match(Node):
    subject: str
    arms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Pipe(Node):
    """`a |> b(x) |> /save`: stages as text (they may be prose or emoji-labelled)."""

    stages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Program(Node):
    """A parsed file; `errors` holds its syntax diagnostics (the tree is complete regardless)."""

    path: str
    source: str
    items: tuple[Node, ...]
    errors: tuple  # of sudolang.diagnostics.Diagnostic
