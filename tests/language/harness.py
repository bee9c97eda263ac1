"""Lint SudoLang source text and compare what is found as (code, line, column) tuples, never wording
(as pyflakes' test harness compares message types)."""

from __future__ import annotations

from textwrap import dedent

from sudolang.lint import lint
from sudolang.parser import parse


def source_of(text: str) -> str:
    """The test's source: dedented, without the newline after the opening quotes (so line 1 is line 1)."""
    text = dedent(text)
    return text[1:] if text.startswith("\n") else text


def found(text: str, select: list[str] | None = None) -> list[tuple[str, int, int]]:
    """Every diagnostic of `text` (syntax errors included), as (code, line, column)."""
    program = parse(source_of(text), "t.sudo")
    return [(d.code, d.span.line, d.span.column) for d in lint(program, select=select)]


def check(text: str, *expected: tuple[str, int, int], select: list[str] | None = None) -> None:
    """Assert that linting `text` finds exactly `expected`, in order."""
    actual = found(text, select)
    assert actual == list(expected), f"found {actual}, expected {list(expected)}"
