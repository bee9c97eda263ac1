"""Diagnostics: what the parser and the lint rules report, each kind a small class with a stable code."""

from __future__ import annotations

from sudolang.errors import PositionedError
from sudolang.spans import Frozen, Span

ERROR = "error"
WARNING = "warning"
INFO = "info"  # what the checks found out, not a problem: which commands run locally and which in the model


class Diagnostic(Frozen):
    __slots__ = ("code", "severity", "message", "span")
    code: str
    severity: str
    message: str
    span: Span

    def __init__(self, code: str, severity: str, message: str, span: Span) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "code", code)
        setattr_(self, "severity", severity)
        setattr_(self, "message", message)
        setattr_(self, "span", span)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class Message:
    """A kind of diagnostic: subclasses set `code`, `severity` and a `template` for str.format."""

    code = ""
    severity = WARNING
    template = ""

    @classmethod
    def at(cls, span: Span, **arguments: object) -> Diagnostic:
        return Diagnostic(cls.code, cls.severity, cls.template.format(**arguments), span)


# --- syntax errors (SL0xx): only structure can fail to parse; everything else is prose ------------


class UnclosedBracket(Message):
    """An opening bracket that is never closed; reported where it opens."""

    code = "SL001"
    severity = ERROR
    template = "unclosed '{opener}': no matching '{closer}' {before}"


class StrayCloser(Message):
    """A closing bracket with no opening bracket to match."""

    code = "SL002"
    severity = ERROR
    template = "stray '{closer}' with no matching '{opener}'{inside}"


class UnterminatedString(Message):
    """A `"` or backtick whose string never ends (strings do not continue past a blank line)."""

    code = "SL003"
    severity = ERROR
    template = "unterminated string: this {quote} is never closed"


class UnterminatedTripleString(Message):
    """A `\"\"\"` with no closing `\"\"\"`."""

    code = "SL004"
    severity = ERROR
    template = 'unterminated """ string: no closing """ before the end of the file'


class UnterminatedFence(Message):
    """A markdown code fence that is never closed."""

    code = "SL005"
    severity = ERROR
    template = "unterminated ``` fence: no closing ``` before the end of the file"


class UnterminatedComment(Message):
    """A `/*` with no closing `*/`: the comment runs to the end of the file, so nothing after it is checked."""

    code = "SL006"
    severity = ERROR
    template = "unterminated block comment: no closing */ before the end of the file"


class NestingTooDeep(Message):
    """Brackets nested deeper than the limit (sudolang.parser.MAX_DEPTH, 100 levels of `{`, `(` and `[`
    together); reported at the opener that goes one level too deep. Everything inside it, up to its
    matching closer, is read as plain text, so a hostile file cannot exhaust the parser's stack."""

    code = "SL007"
    severity = ERROR
    template = "nesting too deep: this '{opener}' opens level {depth}; the limit is {limit}"


class UnreadableFile(Message):
    """A file that cannot be read or decoded."""

    code = "SL009"
    severity = ERROR
    template = "cannot read file: {reason}"


SYNTAX_MESSAGES = (UnclosedBracket, StrayCloser, UnterminatedString, UnterminatedTripleString,
                   UnterminatedFence, UnterminatedComment, NestingTooDeep, UnreadableFile)


class SudoLangSyntaxError(PositionedError):
    """Raised by a fail-fast parse; carries every syntax diagnostic found, and the first one's place
    (path, line, column) and message. A SudolangError, so the CLI prints it as one line (exit 1)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        super().__init__(f"{first.code} {first.message}", first.span.path, first.span.line, first.span.column)
        self.diagnostics = diagnostics
        self.span = first.span
