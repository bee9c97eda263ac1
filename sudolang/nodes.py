"""The SudoLang AST: frozen, slotted node classes, each carrying the span of source it came from.

Positions are 1-based lines and columns (as editors and `path:line:col`
diagnostics count them) plus 0-based character offsets, so
`program.source[node.span.start:node.span.end]` is always the node's exact text.
"""

from __future__ import annotations

from sudolang.spans import Frozen, Positions as Positions, Span as Span  # Positions, Span: re-exported
from sudolang.spans import field_names as field_names, record as node  # node(): a node class, made by record()

TYPE_CHECKING = False  # annotations only: `typing` costs ~5 ms of start-up
if TYPE_CHECKING:
    from collections.abc import Iterator


@node
class Node(Frozen):
    """A node of the tree: its `span`, and the fields its class adds (each class is made by node(),
    sudolang.spans.record: frozen, slotted, compared and hashed by its fields, as a dataclass)."""

    span: Span

    def children(self) -> list[Node]:
        """Direct child nodes, in source order."""
        found: list[Node] = []
        for value in type(self)._fields(self)[1:]:  # every field's value in one call; the span is first
            if isinstance(value, Node):
                found.append(value)
            elif isinstance(value, tuple):
                found += [item for item in value if isinstance(item, Node)]
        return found

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first. A stack, not recursion: a long
        `else if` chain nests Conditionals as deep as it is long. (children() makes a list, not a generator:
        compiling the four programs walks 46,000 nodes.)"""
        stack: list[Node] = [self]
        while stack:
            current = stack.pop()
            yield current
            below = current.children()
            below.reverse()
            stack += below


# --- strings ---------------------------------------------------------------------------------------


@node
class Interpolation(Node):
    """`$name`, `$a.b`, `$fn()` or `${ anything }` inside a string."""

    expression: str


@node
class StringLit(Node):
    """A `"…"`, `` `…` `` or `\"\"\"…\"\"\"` string; `text` is the content between the quotes."""

    quote: str
    text: str
    interpolations: tuple[Interpolation, ...]


@node
class Expr(Node):
    """A piece of code kept as its source text: a property's value, one call argument, a condition, a
    loop's iterable, a pipe stage, a match arm's pattern or result, a block's header. `text` is exactly
    `source[span.start:span.end]` (no surrounding blanks); `strings` are the string literals inside it,
    each with its interpolations. Expressions are not parsed further yet: many are prose."""

    text: str
    strings: tuple[StringLit, ...]


# --- markdown container ----------------------------------------------------------------------------


@node
class FrontMatter(Node):
    text: str


@node
class Heading(Node):
    level: int
    title: str


@node
class Rule(Node):
    """A markdown horizontal rule (`---`)."""


@node
class ListItem(Node):
    marker: str
    text: str
    strings: tuple[StringLit, ...]


@node
class Fence(Node):
    """A fenced block in another language (or untagged): kept verbatim, never parsed. A fence may be
    indented and may follow a list marker (`* ```js`), at the top level or inside a `{ … }` body; the
    node's span then starts at the marker. `text` is the content between the fence lines, and `content`
    where it lies in the source."""

    language: str
    text: str
    content: Span


@node
class SudoFence(Node):
    """A ```sudo / ```sudolang fenced block, whose content is parsed."""

    language: str
    items: tuple[Node, ...]


@node
class Comment(Node):
    text: str


@node
class Prose(Node):
    """A line (or lines) of natural language, kept verbatim; the strings inside are still parsed."""

    text: str
    strings: tuple[StringLit, ...]


# --- declarations ----------------------------------------------------------------------------------


@node
class Modifier(Node):
    """`:name=value` or a flag `:name` after a call or block."""

    name: str
    value: str | None


@node
class Block(Node):
    """`Header { … }`: kind is the header's keyword (interface, constraint, type, constraints,
    commands, options, state) or 'block'; name is the rest of the header. A property's block value
    (`x = { … }`) is a Block with no header."""

    kind: str
    header: Expr | None
    name: str
    body: tuple[Node, ...]
    modifiers: tuple[Modifier, ...]


@node
class Property(Node):
    """`name = value`, `key: value`, `Score => expr`, or a bare `over13` (value None); a block value is
    in `block` (value None). With `=`, `+=`, `-=`, `*=` or `/=` it is an assignment, and the key may be a
    member or index target: `game.superBats[0].current = 3` has key `game.superBats[0].current`."""

    key: str
    operator: str | None
    value: Expr | None
    block: Block | None

    @property
    def strings(self) -> tuple[StringLit, ...]:
        """The strings of the value (none for a bare name or a block value)."""
        return self.value.strings if self.value is not None else ()


@node
class Param(Node):
    """A command parameter, `<name>` (required) or `[name]` (optional), or a function parameter: `name`
    (required), `name?` or `name = default` (optional), `...rest`; each name of a destructured
    `{ a, b }` is a Param of its own. The span is the parameter's text."""

    name: str
    required: bool


@node
class Command(Node):
    """A command: `/name [arg] - description` (form 'line') or a `commands = {…}` entry (form 'map').
    `names` holds the aliases (`/l | learn` gives ('/l', '/learn')); an alias list that repeats the
    parameters, `/summarize [title] | /sum [title]`, is one command with both names and the parameters
    of the first alias (aliases whose parameters differ are a problem)."""

    form: str
    signature: str
    names: tuple[str, ...]
    params: tuple[Param, ...]
    description: str | None
    problems: tuple[str, ...]


@node
class CommandMap(Node):
    """`commands = { "/team <name>": "Show team details", … }`."""

    key: str
    entries: tuple[Command, ...]


@node
class Function(Node):
    """`fn name(params) { … }`, `function name;` or `name(params) { … }`; body is None for a declaration."""

    keyword: str | None
    name: str
    params: tuple[Param, ...]
    body: tuple[Node, ...] | None
    modifiers: tuple[Modifier, ...]


@node
class Import(Node):
    target: str


@node
class Requirement(Node):
    """`require …` / `warn …` / `constraint: …`, as a sentence or with a block body."""

    kind: str
    text: str
    body: tuple[Node, ...]


# --- statements ------------------------------------------------------------------------------------


@node
class Call(Node):
    """`name(args)` with optional `:modifiers`; one Expr per argument, split at top-level commas
    (arguments are often prose, kept as text)."""

    name: str
    args: tuple[Expr, ...]
    modifiers: tuple[Modifier, ...]

    @property
    def strings(self) -> tuple[StringLit, ...]:
        """The strings of every argument."""
        return tuple(string for arg in self.args for string in arg.strings)


@node
class CommandCall(Node):
    """A bare `/command` line that invokes an already declared command (usually the initializer)."""

    name: str


@node
class Conditional(Node):
    """`if (c) { … } else { … }`; keyword is 'if' or 'else'; condition may be prose."""

    keyword: str
    condition: Expr | None
    body: tuple[Node, ...]
    orelse: tuple[Node, ...]


@node
class Loop(Node):
    """`for each x in xs { … }`, `while (c) { … }`, `loop { … }`, or a `for each x in xs:` line whose
    body is the lines indented below it. kind is 'for each', 'while' or 'loop'. A for loop's
    `variables` are the names it binds (`(key, value)` gives two) and `subject` its iterable; a while
    loop's `subject` is its condition; a header that reads as neither keeps the rest as `subject`."""

    kind: str
    variables: tuple[Expr, ...]
    subject: Expr | None
    body: tuple[Node, ...]


@node
class MatchArm(Node):
    """`case pattern => result`, `default => result`, or a semantic `(prose) => result`."""

    pattern: Expr
    result: Expr | None


@node
class Match(Node):
    subject: Expr | None
    arms: tuple[Node, ...]


@node
class Pipe(Node):
    """`a |> b(x) |> /save`: stages as text (they may be prose or emoji-labelled). `result = a |> b`
    assigns the pipe: `target` is `result` and the first stage `a`."""

    target: Expr | None
    stages: tuple[Expr, ...]


@node
class Program(Node):
    """A parsed file; `errors` holds its syntax diagnostics (the tree is complete regardless)."""

    path: str
    source: str
    items: tuple[Node, ...]
    errors: tuple  # of sudolang.diagnostics.Diagnostic


def dump(node: Node, depth: int = 0) -> str:
    """The tree as text, one node per line, indented by depth: `line:column Type field=value …` with
    each node's plain fields (not its span, source, tuples or child nodes; at most 120 characters of
    them). This is what `sudolang compile FILE --emit ast` prints."""
    lines: list[str] = []
    stack: list[tuple[Node, int]] = [(node, depth)]
    while stack:  # a stack, not recursion: a long `else if` chain nests as deep as it is long
        current, level = stack.pop()
        scalars = {name: getattr(current, name) for name in field_names(current)
                   if name not in ("span", "source") and not isinstance(getattr(current, name), (tuple, Node, Span))}
        shown = " ".join(f"{k}={v!r}" for k, v in scalars.items() if v not in (None, ""))[:120]
        lines.append(f"{'  ' * level}{current.span.line}:{current.span.column} {type(current).__name__} {shown}".rstrip())
        stack.extend((child, level + 1) for child in reversed(tuple(current.children())))
    return "\n".join(lines)
