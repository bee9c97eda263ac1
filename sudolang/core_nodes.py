"""SudoLang Core as typed nodes: the statements and expressions of functions that run (docs/language.md §8).

sudolang.core parses a function's text into these; the compiler turns them into Python. Every node
carries the Span of its source (absolute lines and offsets in the program's file), so a run-time error
names the program's own line. Pipes are not a node: `a |> f(x)` is read as the Call `f(a, x)`.
"""

from __future__ import annotations

from sudolang.nodes import Node, node

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# --- expressions ----------------------------------------------------------------------------------


@node
class Literal(Node):
    """A number (int or float), `true`, `false` or `null` (None)."""

    value: object


@node
class Template(Node):
    """A `"…"` or `\"\"\"…\"\"\"` string: literal text (escapes already decoded) and inserted expressions, in order.
    A string with no insertion has one str part (or none when empty)."""

    parts: tuple  # of str | Expression


@node
class Shell(Node):
    """A backtick shell call. `words` are the argv words as split once from the source; each word is a tuple
    of parts (str | Expression) joined into one argument at run time."""

    words: tuple  # of tuple[str | Expression, ...]


@node
class Name(Node):
    name: str


@node
class Spread(Node):
    """`...value` inside an array or object literal."""

    value: "Expression"


@node
class Array(Node):
    items: tuple  # of Expression | Spread


@node
class Entry(Node):
    """`key: value` of an object literal (the shorthand `d` is Entry('d', Name('d')))."""

    key: str
    value: "Expression"


@node
class Object(Node):
    entries: tuple  # of Entry | Spread


@node
class Member(Node):
    """`subject.name`."""

    subject: "Expression"
    name: str


@node
class Index(Node):
    """`subject[index]`."""

    subject: "Expression"
    index: "Expression"


@node
class Modifier(Node):
    """`:name=value` after a call; a flag `:name` has value None."""

    name: str
    value: "Expression | None"


@node
class Call(Node):
    """`function(args)` with optional modifiers; `function` is usually a Name."""

    function: "Expression"
    args: tuple  # of Expression
    modifiers: tuple  # of Modifier


@node
class Unary(Node):
    """`!operand` or `-operand`."""

    op: str
    operand: "Expression"


@node
class Binary(Node):
    """`left op right`: op is one of + - * / % ^ == != < <= > >= in .. && ||."""

    op: str
    left: "Expression"
    right: "Expression"


@node
class Arrow(Node):
    """`x => body` or `(a, b) => body`."""

    params: tuple  # of str
    body: "Expression"


@node
class IfExpression(Node):
    """`if (condition) then else orelse` used as a value."""

    condition: "Expression"
    then: "Expression"
    orelse: "Expression"


@node
class Arm(Node):
    """`case p1 | p2 => body` (patterns) or `default => body` (patterns is empty). body is an Expression,
    or a tuple of statements for a `{ … }` block."""

    patterns: tuple  # of Expression
    body: object  # Expression | tuple[Statement, ...]


@node
class Match(Node):
    subject: "Expression"
    arms: tuple  # of Arm


if TYPE_CHECKING:
    # One of Literal, Template, Shell, Name, Array, Object, Member, Index, Call, Unary, Binary, Arrow,
    # IfExpression, Match. Typed loosely: the checker and the code generator dispatch on the node's class,
    # and a Union would make mypy refuse every field read that follows an isinstance() test on another name.
    Expression = Any


# --- statements -----------------------------------------------------------------------------------


@node
class Assign(Node):
    """`target op value`: op is = += -= *= /=; target is a Name, Member or Index. `let`/`const` are kept in
    `keyword` (None without)."""

    target: "Expression"
    op: str
    value: "Expression"
    keyword: str | None = None


@node
class ExpressionStatement(Node):
    expression: "Expression"


@node
class If(Node):
    """`if (c) { body } else { orelse }`; `else if` is an orelse holding one If."""

    condition: "Expression"
    body: tuple  # of Statement
    orelse: tuple  # of Statement


@node
class ForEach(Node):
    """`for each x in iterable { … }` (names ('x',)) or `for each (k, v) in iterable { … }`."""

    names: tuple  # of str
    iterable: "Expression"
    body: tuple  # of Statement


@node
class While(Node):
    condition: "Expression"
    body: tuple  # of Statement


@node
class Break(Node):
    pass


@node
class Continue(Node):
    pass


@node
class Return(Node):
    value: "Expression | None"


@node
class Throw(Node):
    value: "Expression"


@node
class Require(Node):
    """`require condition, message` or `warn condition, message` (kind 'require' or 'warn')."""

    kind: str
    condition: "Expression"
    message: "Expression | None"


@node
class Delete(Node):
    target: "Expression"


# --- functions ------------------------------------------------------------------------------------


@node
class Parameter(Node):
    """`name`, `name?`, `name: type`, `name = default`, `name: type = default`."""

    name: str
    type: str | None
    default: "Expression | None"
    optional: bool


@node
class Function(Node):
    """A function whose whole body is Core."""

    name: str
    params: tuple  # of Parameter
    body: tuple  # of Statement


@node
class NotCore(Node):
    """Why a function is not Core: the first line that is not (`span` covers it) and a short reason."""

    name: str
    reason: str
