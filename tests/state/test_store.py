"""The store's document files: what a person reads in them, and that they read back as written."""

from __future__ import annotations

import json

from sudolang.state import sessions
from sudolang.state.store import _damaged_revision, encode

TASK = {"id": "T-1", "title": "Ship it", "points": 2, "column": "todo", "blocked": None,
        "history": [{"at": "2026-01-01T00:00:00Z", "column": "todo"}]}


def test_each_flat_object_is_one_line_and_the_levels_above_are_indented(state):
    sid = sessions.create(state, "sprint", "demo")
    project = state.project("demo")
    project.update(lambda doc: [{"op": "set", "path": "$.tasks", "value": {"T-1": TASK, "T-2": {**TASK, "id": "T-2"}}},
                                {"op": "set", "path": "$.config.agents", "value": {"ada": {"role": "dev"}}}])
    text = project.path.read_text()
    lines = text.splitlines()
    # A task (no member of it is an object) is one line, under its id, so `grep T-1` finds all of it.
    assert f'    "T-1": {json.dumps(TASK)},' in lines
    assert '      "ada": {"role": "dev"}' in lines  # config holds objects: indented down to each agent
    assert '  "tasks": {' in lines and lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    # The top-level revision is the one line recover's _TOP_REVISION finds in a damaged file.
    assert _damaged_revision(text.encode()) == project.read()["revision"]
    assert json.loads(text) == project.read()
    session = state.session(sid).path.read_text()
    assert '      {"at": ' in session  # each event of the session's history on its own line


def test_what_the_command_line_prints_keeps_every_member_on_its_own_line(cli, state):
    sid = sessions.create(state, "sprint", "demo")
    printed = cli("state", "get", sid, "session").out
    assert '  "lifecycle": {\n    "status": "active",\n' in printed
    assert encode({"a": {"b": 1}}, flat_lines=False) == '{\n  "a": {\n    "b": 1\n  }\n}\n'
    assert encode({"a": {"b": 1}}) == '{\n  "a": {"b": 1}\n}\n'


def test_any_document_reads_back_as_it_was_written():
    values = [{}, {"a": []}, {"a": [[], {}, [1, [2, {"b": {"c": 1}}]]]}, {"é": "\u2028\x00\"\\"},
              {"deep": {"er": {"still": {"deeper": [{"x": {"y": None}}]}}}}, {"n": [1.5, -0, 10**20, True, None]}]
    for value in values:
        assert json.loads(encode(value)) == value
        assert json.loads(encode(value, flat_lines=False)) == value
