"""Parse JSONPath text (RFC 9535, plus this project's shorthand) into query nodes, checking that filters are well-typed.

A hand-written recursive-descent parser over the RFC's ABNF: every failure goes through `_Parser.fail`, so
every InvalidPath names the character (1-based) where the text stopped being a JSONPath.

The shorthand, accepted only where the standard refuses the text, so a standard query never changes meaning:
- a path that does not start with `$` is read as if it did: `tasks.x` is `$.tasks.x`, `[0]` is `$[0]`,
  `..x` is `$..x`, and the empty path is `$`;
- a member name after `.` or `..` may also contain `-` and start with a digit (`tasks.task-001`,
  `sprints.2024-q1`), but may not start with `-` nor be digits only (`$.1` stays refused: `[1]` or `['1']`).
"""

from __future__ import annotations

from sudolang.errors import SudolangError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

MAX_PATH_CHARS = 1024
MAX_PATH_STEPS = 64  # segments in one query (the main one, or one inside a filter)
MAX_NESTING = 32  # parentheses, function calls and filters inside one another
MAX_INDEX = 2**53 - 1  # I-JSON's exact integers: the RFC's bound on indices and slice bounds

_WHITESPACE = " \t\n\r"
_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\"}
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")

# Types of the RFC's function extension system (section 2.4.1).
VALUE, LOGICAL, NODES = "ValueType", "LogicalType", "NodesType"
# name -> (parameter types, result type)
FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "length": ((VALUE,), VALUE),
    "count": ((NODES,), VALUE),
    "match": ((VALUE, VALUE), LOGICAL),
    "search": ((VALUE, VALUE), LOGICAL),
    "value": ((NODES,), VALUE),
}


class InvalidPath(UsageError):
    """The text is not a JSONPath. `position` is the 1-based character where it stopped being one (None for
    a bound such as the length), `reason` the message without the path."""

    def __init__(self, message: str, position: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.reason = reason if reason is not None else message


class QueryTooLarge(SudolangError):
    """The query would select or visit more nodes than jsonpath_eval.MAX_NODES in this document (exit 1)."""


def shown(text: str) -> str:
    """The path for a message: quoted, and cut after 200 characters."""
    return repr(text) if len(text) <= 200 else repr(text[:200]) + "..."


# --- nodes ---------------------------------------------------------------------------------------------


class Query:
    """`$` or `@` followed by segments; `singular` when every segment is a child segment with one name or
    index selector (the RFC's singular query: it can name at most one node)."""

    __slots__ = ("relative", "segments", "singular")

    def __init__(self, relative: bool, segments: list[Segment]) -> None:
        self.relative = relative
        self.segments = segments
        self.singular = all(not s.descendant and len(s.selectors) == 1 and type(s.selectors[0]) in (Name, Index)
                            for s in segments)


class Segment:
    __slots__ = ("descendant", "selectors")

    def __init__(self, descendant: bool, selectors: list[Selector]) -> None:
        self.descendant = descendant
        self.selectors = selectors


class Name:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Wildcard:
    __slots__ = ()


class Index:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class Slice:
    __slots__ = ("start", "end", "step")

    def __init__(self, start: int | None, end: int | None, step: int | None) -> None:
        self.start, self.end, self.step = start, end, step


class Filter:
    __slots__ = ("expression",)

    def __init__(self, expression: Expression) -> None:
        self.expression = expression


class Literal:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class Call:
    """A function expression; `arguments` are already checked against the function's parameter types."""

    __slots__ = ("name", "arguments", "result")

    def __init__(self, name: str, arguments: list[Expression]) -> None:
        self.name = name
        self.arguments = arguments
        self.result = FUNCTIONS[name][1]


class Comparison:
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expression, right: Expression) -> None:
        self.op, self.left, self.right = op, left, right


class And:
    __slots__ = ("operands",)

    def __init__(self, operands: list[Expression]) -> None:
        self.operands = operands


class Or:
    __slots__ = ("operands",)

    def __init__(self, operands: list[Expression]) -> None:
        self.operands = operands


class Not:
    __slots__ = ("operand",)

    def __init__(self, operand: Expression) -> None:
        self.operand = operand


class Test:
    """An existence test (a query: true when it selects a node) or a LogicalType / NodesType function."""

    __slots__ = ("operand",)

    def __init__(self, operand: Query | Call) -> None:
        self.operand = operand


_LOGICAL_NODES = (Comparison, And, Or, Not, Test)


# --- the parser ----------------------------------------------------------------------------------------


def parse(text: str) -> Query:
    """The query `text` names, or InvalidPath. Bounds first: over MAX_PATH_CHARS characters is refused
    before any parsing; over MAX_PATH_STEPS segments in one query after it."""
    if not isinstance(text, str):
        raise InvalidPath(f"a JSONPath must be text, got {type(text).__name__}")
    if len(text) > MAX_PATH_CHARS:
        raise InvalidPath(f"JSONPath {text[:40]!r}... is {len(text):,} characters; the limit is {MAX_PATH_CHARS:,}")
    parser = _Parser(text)
    query = parser.path()
    if parser.most_steps > MAX_PATH_STEPS:
        raise InvalidPath(f"JSONPath {text[:40]!r}... has {parser.most_steps} steps; the limit is {MAX_PATH_STEPS} "
                          "(no document is nested deeper)")
    return query


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.most_steps = 0

    # --- helpers -----------------------------------------------------------------------------------

    def fail(self, reason: str, at: int | None = None) -> NoReturn:
        position = (self.pos if at is None else at) + 1
        raise InvalidPath(f"invalid JSONPath {shown(self.text)} at character {position}: {reason}", position, reason)

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def found(self) -> str:
        """The next character, for a message."""
        char = self.peek()
        return "the end" if not char else repr(char)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {what}, found {self.found()}")
        self.pos += 1

    def take_operator(self, operator: str) -> bool:
        """Skip whitespace and `operator` if it comes next, else move nowhere."""
        start = self.pos
        self.skip_space()
        if self.text.startswith(operator, self.pos):
            self.pos += len(operator)
            return True
        self.pos = start
        return False

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(f"nested more than {MAX_NESTING} levels deep")

    # --- queries and segments ----------------------------------------------------------------------

    def path(self) -> Query:
        text = self.text
        segments: list[Segment] = []
        if text.startswith("$"):
            self.pos = 1
        elif text and text[0] not in ".[":  # shorthand: `tasks.x` is `$.tasks.x`
            if text[0] in _WHITESPACE:
                self.fail("a JSONPath cannot start with whitespace")
            segments.append(Segment(False, [self.member("a JSONPath starts with '$' or a member name")]))
        segments += self.segments()
        self.most_steps = max(self.most_steps, len(segments))
        if self.pos < len(text):
            if not text[self.pos:].strip(_WHITESPACE):
                self.fail("a JSONPath cannot end with whitespace")
            self.fail(f"expected '.', '..' or '[', found {self.found()}")
        return Query(False, segments)

    def segments(self) -> list[Segment]:
        """*(S segment): whitespace is taken only when a segment follows it."""
        segments = []
        while True:
            start = self.pos
            self.skip_space()
            char = self.peek()
            if char == "." or char == "[":
                segments.append(self.segment())
            else:
                self.pos = start
                break
        self.most_steps = max(self.most_steps, len(segments))
        return segments

    def segment(self) -> Segment:
        if self.text.startswith("..", self.pos):
            self.pos += 2
            if self.peek() == "[":
                return Segment(True, self.bracketed())
            return Segment(True, [self.member("expected a member name, '*' or '[' after '..'")])
        if self.peek() == ".":
            self.pos += 1
            return Segment(False, [self.member("expected a member name or '*' after '.'")])
        return Segment(False, self.bracketed())

    def member(self, problem: str) -> Name | Wildcard:
        """A member name after `.` (or at the start of shorthand), or `*`."""
        if self.peek() == "*":
            self.pos += 1
            return Wildcard()
        start = self.pos
        while self.pos < len(self.text) and (_is_name_char(self.text[self.pos]) or self.text[self.pos] == "-"):
            self.pos += 1
        name = self.text[start: self.pos]
        if not name or name[0] == "-":
            if self.peek() and self.peek() in _WHITESPACE:
                self.fail(f"{problem}; no whitespace may follow '.'", start)
            self.fail(f"{problem}, found {repr(self.text[start]) if start < len(self.text) else 'the end'}", start)
        if name.isdigit():
            self.fail(f"a member name cannot be only digits: write [{name}] for an index or ['{name}'] for a key",
                      start)
        return Name(name)

    def bracketed(self) -> list[Selector]:
        self.pos += 1  # '['
        selectors = []
        while True:
            self.skip_space()
            selectors.append(self.selector())
            self.skip_space()
            if self.peek() == "]":
                self.pos += 1
                return selectors
            if self.peek() != ",":
                hint = "; compare with ==" if self.peek() == "=" and self.peek(1) != "=" else ""
                self.fail(f"expected ',' or ']' after a selector, found {self.found()}{hint}")
            self.pos += 1

    def selector(self) -> Selector:
        char = self.peek()
        if char == "'" or char == '"':
            return Name(self.string())
        if char == "*":
            self.pos += 1
            return Wildcard()
        if char == "?":
            self.pos += 1
            self.nested()
            self.skip_space()
            expression = self.logical(allow_bare=False)
            self.depth -= 1
            return Filter(expression)
        if char == ":" or char == "-" or (char and char in _DIGITS):
            return self.index_or_slice()
        hint = "; a filter starts with '?'" if char in ("@", "$", "(", "!") else ""
        self.fail(f"expected a selector (a quoted name, *, an index, a slice or a ?filter), found {self.found()}{hint}")

    def index_or_slice(self) -> Index | Slice:
        start = self.integer() if self.peek() != ":" else None
        self.skip_space()
        if self.peek() != ":":
            if start is None:
                self.fail("expected an index")
            return Index(start)
        self.pos += 1
        self.skip_space()
        end = self.integer() if self.peek() in ("-",) or (self.peek() and self.peek() in _DIGITS) else None
        self.skip_space()
        step = None
        if self.peek() == ":":
            self.pos += 1
            self.skip_space()
            step = self.integer() if self.peek() in ("-",) or (self.peek() and self.peek() in _DIGITS) else None
        return Slice(start, end, step)

    def integer(self) -> int:
        """int = "0" / ["-"] DIGIT1 *DIGIT, within +-(2^53 - 1)."""
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        digits_at = self.pos
        while self.peek() and self.peek() in _DIGITS:
            self.pos += 1
        digits = self.text[digits_at: self.pos]
        if not digits:
            self.fail(f"expected a digit, found {self.found()}")
        if digits[0] == "0" and (len(digits) > 1 or digits_at > start):
            self.fail("an integer cannot have a leading zero, nor be -0", start)
        if len(digits) > 16 or int(digits) > MAX_INDEX:
            self.fail(f"an index must be between -{MAX_INDEX:,} and {MAX_INDEX:,}", start)
        return int(self.text[start: self.pos])

    def string(self) -> str:
        """A quoted string literal, with its escapes resolved; a surrogate pair escape becomes one character."""
        quote = self.peek()
        begin = self.pos
        self.pos += 1
        parts: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                self.fail(f"unterminated string (missing {quote})", begin)
            char = text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(parts)
            if char == "\\":
                parts.append(self.escape(quote))
                continue
            if char < " ":
                self.fail(f"a control character (U+{ord(char):04X}) must be escaped in a string")
            if "\ud800" <= char <= "\udfff":
                self.fail(f"a lone surrogate (U+{ord(char):04X}) cannot be part of a string")
            parts.append(char)
            self.pos += 1

    def escape(self, quote: str) -> str:
        at = self.pos
        self.pos += 1
        char = self.peek()
        if char == quote:
            self.pos += 1
            return quote
        if char in _ESCAPES and char:
            self.pos += 1
            return _ESCAPES[char]
        if char != "u":
            self.fail(f"invalid escape \\{char}" if char else "incomplete escape", at)
        code = self.hex4(at)
        if 0xDC00 <= code <= 0xDFFF:
            self.fail("a low surrogate escape must follow a high one", at)
        if 0xD800 <= code <= 0xDBFF:
            if not self.text.startswith("\\u", self.pos):
                self.fail("a high surrogate escape must be followed by a low one (\\uDC00-\\uDFFF)", at)
            low_at = self.pos
            self.pos += 1
            low = self.hex4(low_at)
            if not 0xDC00 <= low <= 0xDFFF:
                self.fail("a high surrogate escape must be followed by a low one (\\uDC00-\\uDFFF)", low_at)
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        return chr(code)

    def hex4(self, at: int) -> int:
        """After `\\`, at `u`: the four hex digits that follow."""
        digits = self.text[self.pos + 1: self.pos + 5]
        if len(digits) != 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
            self.fail("\\u must be followed by four hex digits", at)
        self.pos += 5
        return int(digits, 16)

    # --- filter expressions --------------------------------------------------------------------------

    def logical(self, allow_bare: bool) -> Expression:
        """logical-or-expr. With `allow_bare` (a function argument) a lone literal, query or function call is
        returned as it is, for the caller to check against its parameter's type."""
        return self.chain("||", self.conjunction, Or, allow_bare)

    def conjunction(self, allow_bare: bool) -> Expression:
        return self.chain("&&", self.basic, And, allow_bare)

    def chain(self, operator: str, operand, node, allow_bare: bool) -> Expression:
        """`operand (operator operand)*`: a lone operand as it is; more become `node` of them, each a test."""
        start = self.pos
        operands = [operand(allow_bare)]
        while self.take_operator(operator):
            self.skip_space()
            operands.append(operand(False))
        if len(operands) == 1:
            return operands[0]
        operands[0] = self.as_test(operands[0], start)
        return node(operands)

    def basic(self, allow_bare: bool) -> Expression:
        start = self.pos
        char = self.peek()
        if char == "!":
            self.pos += 1
            self.skip_space()
            if self.peek() == "(":
                return Not(self.parenthesised())
            operand_at = self.pos
            operand = self.operand()
            if isinstance(operand, Literal):
                self.fail("'!' applies to a query, a function or a parenthesised expression, not a literal",
                          operand_at)
            after = self.pos
            if any(self.take_operator(op) for op in _COMPARISONS):
                self.fail("a negated test cannot be compared; put the comparison in parentheses: !(a == b)", after)
            return Not(self.as_test(operand, operand_at))
        if char == "(":
            inner = self.parenthesised()
            after = self.pos
            if any(self.take_operator(op) for op in _COMPARISONS):
                self.fail("a parenthesised expression is true or false and cannot be compared", after)
            return inner
        left = self.operand()
        after = self.pos
        self.skip_space()
        op = next((op for op in _COMPARISONS if self.text.startswith(op, self.pos)), None)
        if op is None:
            self.pos = after
            if allow_bare:
                return left
            return self.as_test(left, start)
        self.check_comparable(left, start)
        self.pos += len(op)
        self.skip_space()
        right_at = self.pos
        if not self.peek() or self.peek() in ")],|&":
            self.fail(f"expected a value to compare with after '{op}', found {self.found()}")
        right = self.operand()
        self.check_comparable(right, right_at)
        return Comparison(op, left, right)

    def parenthesised(self) -> Expression:
        self.pos += 1  # '('
        self.nested()
        self.skip_space()
        inner = self.logical(allow_bare=False)
        self.skip_space()
        self.expect(")", "')'")
        self.depth -= 1
        return inner

    def operand(self) -> Literal | Query | Call:
        """A literal, a query (`@...` or `$...`) or a function call."""
        char = self.peek()
        if char == "'" or char == '"':
            return Literal(self.string())
        if char == "-" or (char and char in _DIGITS):
            return Literal(self.number())
        if char == "@" or char == "$":
            self.pos += 1
            return Query(char == "@", self.segments())
        if char and char in _LOWER:
            return self.word()
        self.fail(f"expected a value, a query (@ or $) or a function, found {self.found()}")

    def word(self) -> Literal | Call:
        start = self.pos
        while self.peek() and (self.peek() in _LOWER or self.peek() in _DIGITS or self.peek() == "_"):
            self.pos += 1
        name = self.text[start: self.pos]
        if self.peek() == "(":
            return self.call(name, start)
        if name in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[name])
        if self.peek() and self.peek() in _WHITESPACE and name in FUNCTIONS:
            self.fail(f"no whitespace may come between {name} and '('")
        self.fail(f"unexpected {name!r}: a string needs quotes, a function call '(' right after its name", start)

    def call(self, name: str, start: int) -> Call:
        if name not in FUNCTIONS:
            self.fail(f"unknown function {name}(); the functions are {', '.join(sorted(FUNCTIONS))}", start)
        parameters = FUNCTIONS[name][0]
        self.pos += 1  # '('
        self.nested()
        self.skip_space()
        arguments: list[Expression] = []
        if self.peek() != ")":
            while True:
                at = self.pos
                argument = self.logical(allow_bare=True)
                if len(arguments) < len(parameters):
                    argument = self.check_argument(name, len(arguments), argument, at)
                arguments.append(argument)
                self.skip_space()
                if self.peek() != ",":
                    break
                self.pos += 1
                self.skip_space()
        self.expect(")", "',' or ')'")
        self.depth -= 1
        if len(arguments) != len(parameters):
            count = f"{len(parameters)} argument{'s' if len(parameters) > 1 else ''}"
            self.fail(f"{name}() takes {count}, got {len(arguments)}", start)
        return Call(name, arguments)

    # --- well-typedness (RFC 9535 section 2.4.3) ---------------------------------------------------

    def check_argument(self, name: str, index: int, argument: Expression, at: int) -> Expression:
        wanted = FUNCTIONS[name][0][index]
        where = f"argument {index + 1} of {name}()"
        if wanted == VALUE:
            if isinstance(argument, Literal) or (isinstance(argument, Query) and argument.singular) or \
                    (isinstance(argument, Call) and argument.result == VALUE):
                return argument
            self.fail(f"{where} must be one value: a literal, a singular query (names and indices only) "
                      "or a function that returns a value", at)
        if wanted == NODES:
            if isinstance(argument, Query) or (isinstance(argument, Call) and argument.result == NODES):
                return argument
            self.fail(f"{where} must be a query", at)
        if isinstance(argument, Query):
            return Test(argument)
        if isinstance(argument, _LOGICAL_NODES) or (isinstance(argument, Call) and argument.result == LOGICAL):
            return argument
        self.fail(f"{where} must be a logical expression", at)

    def check_comparable(self, operand: Expression, at: int) -> None:
        if isinstance(operand, Query) and not operand.singular:
            self.fail("only a singular query (names and indices only) can be compared; this one may select "
                      "several nodes", at)
        if isinstance(operand, Call) and operand.result != VALUE:
            self.fail(f"the result of {operand.name}() is not a value and cannot be compared", at)

    def as_test(self, operand: Expression, at: int) -> Expression:
        """`operand` standing alone in a filter: a query or a logical or nodes function; a literal or a
        value function must be compared."""
        if isinstance(operand, Query):
            return Test(operand)
        if isinstance(operand, Call):
            if operand.result == VALUE:
                self.fail(f"the result of {operand.name}() must be compared (for example {operand.name}(...) > 0)",
                          at)
            return Test(operand)
        if isinstance(operand, Literal):
            self.fail("a literal must be compared with something", at)
        return operand

    def number(self) -> int | float:
        """number = (int / "-0") [ frac ] [ exp ]"""
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        digits_at = self.pos
        while self.peek() and self.peek() in _DIGITS:
            self.pos += 1
        digits = self.text[digits_at: self.pos]
        if not digits:
            self.fail(f"expected a digit, found {self.found()}")
        if digits[0] == "0" and len(digits) > 1:
            self.fail("a number cannot have a leading zero", start)
        exact = True
        if self.peek() == ".":
            self.pos += 1
            exact = False
            self.digits("after '.'")
        if self.peek() in ("e", "E"):
            self.pos += 1
            exact = False
            if self.peek() in ("+", "-"):
                self.pos += 1
            self.digits("in the exponent")
        literal = self.text[start: self.pos]
        return int(literal) if exact else float(literal)

    def digits(self, where: str) -> None:
        start = self.pos
        while self.peek() and self.peek() in _DIGITS:
            self.pos += 1
        if start == self.pos:
            self.fail(f"expected a digit {where}, found {self.found()}")


def _is_name_char(char: str) -> bool:
    """name-first / DIGIT: ASCII letters and digits, '_', and any non-ASCII character but a surrogate."""
    if char < "\x80":
        return char.isalnum() or char == "_"
    return not "\ud800" <= char <= "\udfff"


if TYPE_CHECKING:
    Selector = Name | Wildcard | Index | Slice | Filter
    Expression = Literal | Query | Call | Comparison | And | Or | Not | Test
