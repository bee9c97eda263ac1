"""docs/lint-rules.md: every code has a failing and a passing example, each does what the page says, and the page is current."""

from __future__ import annotations

import json
from pathlib import Path

import importlib.util
import sys

import pytest

from sudolang.diagnostics import SYNTAX_MESSAGES
from sudolang.lint import RULES, lint
from sudolang.parser import parse

PAGE = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
_TOOL = importlib.util.spec_from_file_location("lint_docs", Path(__file__).resolve().parents[2] / "tools" / "lint_docs.py")
lint_docs = importlib.util.module_from_spec(_TOOL)  # a tool of the repository (tools/), not a module of the package
sys.modules.setdefault("lint_docs", lint_docs)  # its dataclasses look their module up there
_TOOL.loader.exec_module(lint_docs)
ENTRIES = lint_docs.entries()


@pytest.fixture
def codes_of(cli, tmp_path):
    """The codes `source` reports: parsed and linted in-process, or, for bytes (SL009 is about a file's
    bytes), through `sudolang lint --format json` on a file."""

    def codes(source: str | bytes) -> list[str]:
        if isinstance(source, str):
            return [d.code for d in lint(parse(source, "example.sudo"))]
        path = tmp_path / "example.sudo"
        path.write_bytes(source)
        return [d["code"] for d in json.loads(cli("lint", "--format", "json", str(path)).out)]

    return codes


def test_every_rule_class_and_syntax_code_has_both_examples():
    expected = sorted([m.code for m in SYNTAX_MESSAGES] + [r.code for r in RULES] + list(lint_docs.MODEL_EXAMPLES))
    assert [entry.code for entry in ENTRIES] == expected
    for rule in RULES:  # on the class itself, not the empty default of the base class
        assert {"example_fails", "example_passes"} <= set(vars(type(rule))), rule.code
    assert set(lint_docs.SYNTAX_EXAMPLES) == {m.code for m in SYNTAX_MESSAGES}
    for entry in ENTRIES:
        assert entry.fails and entry.passes, entry.code
        assert entry.fails != entry.passes, entry.code


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.code for entry in ENTRIES])
def test_the_failing_example_reports_only_its_code(entry, codes_of):
    found = codes_of(entry.fails)
    assert found and set(found) == {entry.code}, found


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.code for entry in ENTRIES])
def test_the_passing_example_reports_nothing(entry, codes_of):
    assert codes_of(entry.passes) == []


def test_the_page_is_what_the_generator_writes_now():
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    assert current == lint_docs.render(), (
        f"{PAGE} is stale: regenerate it with `{lint_docs.COMMAND}` and commit the result")


def test_markdown_helpers_survive_backticks():
    assert lint_docs.code_span("a ``` b") == "`a ``` b`"
    assert lint_docs.code_span("x ` y") == "``x ` y``"
    assert lint_docs.fenced("```sudo\nA {\n", "sudo") == "````sudo\n```sudo\nA {\n````"
    assert lint_docs.readable("placeholder '{{{name}}}' at {line}") == "placeholder '{<name>}' at <line>"
