"""Reporters: the linter's diagnostics as text for people, JSON for tools, or GitHub annotations.

Apart from the checker (sudolang.lint) so either can change alone. Each
reporter takes the FileReports of one run and returns the whole output.
"""

from __future__ import annotations

import re

from sudolang.cells import width
from sudolang.spans import Frozen

TYPE_CHECKING = False  # annotations only
if TYPE_CHECKING:
    from sudolang.diagnostics import Diagnostic


class FileReport(Frozen):
    """One linted file: its name, its text (None when it could not be read) and what was found."""

    __slots__ = ("path", "source", "diagnostics")
    path: str
    source: str | None
    diagnostics: list[Diagnostic]

    def __init__(self, path: str, source: str | None, diagnostics: list[Diagnostic] | None = None) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "path", path)
        setattr_(self, "source", source)
        setattr_(self, "diagnostics", [] if diagnostics is None else diagnostics)


# --- text ------------------------------------------------------------------------------------------


# Lines end as the parser ends them (sudolang.nodes.Positions): \n, \r\n or a lone \r.
_LINE_END = re.compile(r"\r\n?|\n")
# Control characters (all but tab) would move the cursor or recolour the terminal; each is shown as one
# replacement character, so the caret still lines up.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A longer source line is shown as a window of this many characters around the start of the span, so
# the output stays proportional to the number of findings, not to findings times line length.
EXCERPT_WIDTH = 160


def text(reports: list[FileReport]) -> str:
    """`path:line:col: CODE message`, then the source line and a `^~~~` line under the span."""
    out: list[str] = []
    for report in reports:
        lines = _LINE_END.split(report.source) if report.source is not None else []
        for diagnostic in report.diagnostics:
            span = diagnostic.span
            out.append(_printable(f"{span.path}:{span.line}:{span.column}: {diagnostic.code} {diagnostic.message}"))
            if 0 < span.line <= len(lines):
                out.extend(_excerpt(lines[span.line - 1], diagnostic))
    return "".join(line + "\n" for line in out)


def _printable(line: str) -> str:
    return _CONTROL.sub("\ufffd", line)


def _excerpt(line: str, diagnostic: Diagnostic) -> list[str]:
    span = diagnostic.span
    number = str(span.line)
    start = min(span.column - 1, len(line))
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    end = min(max(end, start + 1), max(len(line), start + 1))
    if len(line) > EXCERPT_WIDTH:
        left = max(0, min(start - EXCERPT_WIDTH // 4, len(line) - EXCERPT_WIDTH))
        right = left + EXCERPT_WIDTH
        before, after = ("…" if left else ""), ("…" if right < len(line) else "")
        line = before + line[left:right] + after
        start, end = start - left + len(before), min(end, right) - left + len(before)
        end = max(end, start + 1)
    line = _printable(line)
    underline = "^" + "~" * max(0, width(line[start + 1:end]))
    return [f" {number} | {line}", f" {' ' * len(number)} | {_pad(line[:start])}{underline}"]


def _pad(prefix: str) -> str:
    """Blank space as wide on screen as `prefix` (tabs kept, so the caret lines up in any terminal)."""
    return "".join("\t" if c == "\t" else " " * width(c) for c in prefix)


def summary(reports: list[FileReport]) -> str:
    """`N errors, M warnings in K files` (K counts every file checked)."""
    diagnostics = [d for report in reports for d in report.diagnostics]
    errors = sum(d.is_error for d in diagnostics)
    notes = sum(d.severity == "info" for d in diagnostics)
    warnings = len(diagnostics) - errors - notes
    counted = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}" + (f", {_plural(notes, 'note')}" if notes else "")
    return f"{counted} in {_plural(len(reports), 'file')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- json ------------------------------------------------------------------------------------------


def json_(reports: list[FileReport]) -> str:
    """A pretty-printed list of {code, message, severity, filename, location, end_location}."""
    items = [
        {
            "code": d.code,
            "message": d.message,
            "severity": d.severity,
            "filename": d.span.path,
            "location": {"row": d.span.line, "column": d.span.column},
            "end_location": {"row": d.span.end_line, "column": d.span.end_column},
        }
        for report in reports
        for d in report.diagnostics
    ]
    import json  # here: the text reporter, the usual one, does without its ~3 ms of start-up

    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# --- github ----------------------------------------------------------------------------------------


def github(reports: list[FileReport]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`
    (`::warning` for a warning, `::notice` for a note)."""
    out = []
    for report in reports:
        for d in report.diagnostics:
            s = d.span
            properties = (f"file={_property(s.path)},line={s.line},col={s.column},"
                          f"endLine={s.end_line},endColumn={s.end_column},title={_property(d.code)}")
            level = "error" if d.is_error else "notice" if d.severity == "info" else "warning"
            out.append(f"::{level} {properties}::{_data(d.message)}\n")
    return "".join(out)


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS = {"text": text, "json": json_, "github": github}
