"""The four shipped programs: installed as package data, free of syntax errors, lint-clean, and complete."""

from __future__ import annotations

import re

import pytest

from sudolang import nodes as n
from sudolang import programs
from sudolang.errors import NotFound
from sudolang.lint import lint
from sudolang.parser import parse

SHIPPED = ["all-team_dashboard", "config_manager", "leadership_chat", "sprint_execution"]


def test_the_four_programs_ship():
    assert programs.names() == SHIPPED
    with pytest.raises(NotFound, match="the shipped ones are all-team_dashboard"):
        programs.source("nope")


@pytest.mark.parametrize("name", SHIPPED)
def test_each_program_is_lint_clean(name):
    program = parse(programs.source(name), f"{name}.sudo")
    assert [(d.code, d.span.line, d.message) for d in lint(program)] == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_program_names_itself_binds_its_layout_and_answers_help(name):
    program = parse(programs.source(name), f"{name}.sudo")
    [interface] = [item for item in program.items if isinstance(item, n.Block)]
    properties = {p.key: p for p in interface.body if isinstance(p, n.Property)}
    assert properties["name"].strings[0].text == name
    assert properties["description"].strings[0].text and properties["role"].strings[0].text
    [layout] = properties["layout"].strings
    bindings = next(b for b in interface.body if isinstance(b, n.Block) and b.name == "bindings")
    bound = {p.key for p in bindings.body}
    placeholders = set(re.findall(r"\{(\w+)\}", layout.text))
    assert placeholders == bound  # every placeholder bound, no binding unused
    [commands] = [c for c in interface.body if isinstance(c, n.CommandMap)]
    assert "/help" in {c.names[0] for c in commands.entries}
    assert all(c.description for c in commands.entries)
