"""The Python a program's Core functions compile to: readable, pinned by snapshots, the same on every compile,
and every statement marked with the program line it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sudolang import compiler

WRITTEN = Path(__file__).resolve().parents[1] / "programs" / "written"
PROGRAMS = sorted(WRITTEN.glob("*.sudo"))


def handler(path: Path) -> str:
    label = f"tests/programs/written/{path.name}"
    files = compiler.compile_program(path.read_text(encoding="utf-8"), label)
    return next(text for name, text in files.items() if name.startswith("scripts/handlers/"))


def functions_part(text: str) -> str:
    return text[text.index("# --- the program's functions"):]


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_the_compiled_functions_match_their_snapshot(path, snapshot):
    assert functions_part(handler(path)) == snapshot


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_compiling_twice_gives_the_same_text(path):
    assert handler(path) == handler(path)


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_every_function_names_its_source_line_and_every_statement_its_line(path):
    text = functions_part(handler(path))
    text = text[text.index("\n# tests/programs/written/"):text.index("\n# function: (the Python function")]  # the functions
    source = path.read_text(encoding="utf-8").splitlines()
    for header, name in re.findall(r"# (tests/programs/written/\S+:\d+)\ndef f_(\w+)\(", text):
        line = int(header.rpartition(":")[2])
        assert re.match(rf"(fn )?{name}\(", source[line - 1].strip()), (header, name)
    body_lines = [line for line in text.splitlines() if line.startswith("    ") and not line.strip().startswith("_std_")]
    statements = [line for line in body_lines if line.strip() not in ("else:", "pass")]
    assert statements and all(re.search(r"  # line \d+$", line) for line in statements)


def test_a_pure_function_is_remembered_only_when_it_may_do_more_than_a_look_up_costs():
    source = '''interface T {
  name = "t"
  commands = {
    "/show": "Show"
  }
}

fn show() {
  return join(map(values(get(project, "tasks", {})), t => line(t)), ", ") + total([1, 2]) + len(ids(["a"]))
}

fn line(t) {
  return pad(get(t, "id", "?"), 6) + plural(get(t, "points", 0), "pt")
}

fn total(xs) {
  n = 0
  for each x in xs {
    n += x
  }
  return text(n)
}

fn ids(tasks) {
  return line({ id: "T-1" }) + upper("x")
}

fn open_points(task) {
  seen = filter(get(task, "history", []), h => h.column != "done")
  return if (len(seen) > 0) task.points else 0
}

fn has_points(task) {
  return if (has(task, "points")) len(filter(task.history, h => h)) else 0
}
'''
    text = compiler.compile_program(source, "t.sudo")["scripts/handlers/t.py"]
    wrapped = set(re.findall(r"^f_(\w+) = _rt\.remembered", text, re.MULTILINE))
    # line() only pads and counts: computing it costs less than remembering it. show() walks the tasks, total()
    # loops, ids() calls a program function. open_points() and has_points() filter, but read their parameter
    # as an object (get(task, …), has(task, …), task.points): they take one item, with an object, which
    # remembered() would compute afresh every time anyway.
    assert wrapped == {"show", "total", "ids"}
