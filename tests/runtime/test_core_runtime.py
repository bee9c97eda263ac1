"""A compiled Core command at run time: one transaction, clear errors with the program's line, a step budget,
shell calls that take values as arguments, typed parameters, and commands that belong to the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = '''\
interface Counter {
  name = "counter"
  commands = {
    "/bump [by]": "Add to the counter",
    "/bump-then-fail": "Write, then fail a requirement",
    "/bump-then-crash": "Write, then read a member that is not there",
    "/both": "Write the project and the session",
    "/spin": "A loop that never ends",
    "/grow": "A text that doubles in a loop",
    "/widen": "A text that doubles in a loop, in a template of five parts",
    "/deep [n]": "Recursion without end",
    "/echo <text>": "Pass a text to a program as one argument",
    "/flag <on>": "A typed boolean parameter",
    "/explain <topic>": "Explained by the model",
    "/divide <a> <b>": "Divide two numbers"
  }
}

fn bump(by: integer = 1) {
  project.counters.hits += by
  return "hits: ${project.counters.hits}"
}

fn bump_then_fail() {
  project.counters.hits += 1
  require false, "refused after a write"
}

fn bump_then_crash() {
  project.counters.hits += 1
  return project.nothing.here
}

fn both() {
  project.counters.hits += 1
  session.notes.last = "both"
  record("bumped", { by: 1 })
  return "ok"
}

fn spin() {
  n = 0
  while (true) {
    n += 1
  }
}

fn grow() {
  s = "x"
  for each n in 1..40 {
    s = "${s}${s}"
  }
  return len(s)
}

fn widen() {
  s = "x"
  for each n in 1..40 {
    s = "<${s}|${s}>"
  }
  return len(s)
}

fn deep(n: integer = 0) {
  return deep(n + 1)
}

fn echo(text) {
  return `printf %s|%s $text second`
}

fn flag(on: boolean) {
  return if (on) "on" else "off"
}

fn explain(topic) {
  Explain $topic to the user in two sentences.
}

fn divide(a: number, b: number) {
  return a / b
}
'''


@pytest.fixture
def program(tmp_path) -> str:
    path = tmp_path / "counter.sudo"
    path.write_text(PROGRAM, encoding="utf-8")
    return str(path)


@pytest.fixture
def sid(cli) -> str:
    done = cli("session", "create", "--mode", "development", "--project", "p")
    assert done.code == 0, done
    return done.out.strip().split()[-1]


def project(state) -> dict:
    return state.project("p").read()


def test_a_command_runs_and_commits(cli, program, sid, state):
    assert cli("run", program, "/bump 2", "--session", sid).out == "hits: 2\n"
    assert cli("run", program, "/bump", "--session", sid).out == "hits: 3\n"
    assert project(state)["counters"]["hits"] == 3


def test_a_failed_require_writes_nothing(cli, program, sid, state):
    cli("run", program, "/bump", "--session", sid)
    revision = project(state)["revision"]
    done = cli("run", program, "/bump-then-fail", "--session", sid)
    assert done.code == 1
    line = PROGRAM.splitlines().index('  require false, "refused after a write"') + 1
    assert done.err == f"error: refused after a write ({program}:{line})\n"
    assert project(state)["revision"] == revision and project(state)["counters"]["hits"] == 1


def test_a_run_time_error_names_the_line_and_writes_nothing(cli, program, sid, state):
    cli("run", program, "/bump", "--session", sid)
    done = cli("run", program, "/bump-then-crash", "--session", sid)
    line = PROGRAM.splitlines().index("  return project.nothing.here") + 1
    assert done.code == 1 and "Traceback" not in done.err
    assert done.err.startswith("error: no member 'nothing'") and done.err.endswith(f"({program}:{line})\n")
    assert project(state)["counters"]["hits"] == 1


def test_project_and_session_writes_commit_together(cli, program, sid, state):
    assert cli("run", program, "/both", "--session", sid).code == 0
    session = state.session(sid).read()
    assert session["notes"] == {"last": "both"}
    assert session["observability"]["events"][-1]["type"] == "bumped"
    assert project(state)["counters"]["hits"] == 1


def test_a_runaway_loop_stops_at_the_step_budget(cli, program, sid):
    done = cli("run", program, "/spin", "--session", sid)
    assert done.code == 1 and "stopped after 1,000,000 steps" in done.err and "Traceback" not in done.err


@pytest.mark.parametrize("command, template", [("/grow", "${s}${s}"), ("/widen", "<${s}|${s}>")])
def test_a_template_that_doubles_a_text_stops_at_the_longest_text(cli, program, sid, command, template):
    """A template joins its parts as `+` does, to at most MAX_LENGTH characters: 24 doublings, long before
    the step budget, and not the machine's memory (40 doublings are a terabyte). Compiled code joins two
    parts with `+` and five with str.join: both stop there."""
    done = cli("run", program, command, "--session", sid)
    line = PROGRAM.splitlines().index(f'    s = "{template}"') + 1
    assert done.code == 1 and done.err == f"error: text too long (more than 10,000,000 characters) ({program}:{line})\n"


def test_endless_recursion_is_a_clear_error(cli, program, sid):
    done = cli("run", program, "/deep", "--session", sid)
    assert done.code == 1 and done.err.startswith("error: ") and "Traceback" not in done.err


@pytest.mark.parametrize("text", ["it's", "$(touch PWNED)", "`touch PWNED`", "a; touch PWNED", "x | y & z #c", "two words"])
def test_a_value_is_one_argument_never_shell_syntax(cli, program, sid, text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = cli("run", program, "/echo", text, "--session", sid)
    assert done.code == 0, done
    assert done.out == f"{text}|second\n"
    assert not (tmp_path / "PWNED").exists()


def test_typed_parameters_refuse_a_wrong_word_with_the_signature(cli, program, sid):
    assert cli("run", program, "/flag yes", "--session", sid).out == "on\n"
    done = cli("run", program, "/flag maybe", "--session", sid)
    assert done.code == 2 and "usage: /flag <on>" in done.err
    done = cli("run", program, "/bump 1.5", "--session", sid)
    assert done.code == 2 and "<by> must be a whole number" in done.err
    assert cli("run", program, "/divide 7 2", "--session", sid).out == "3.5\n"


def test_division_by_zero_is_a_clear_error(cli, program, sid):
    done = cli("run", program, "/divide 1 0", "--session", sid)
    assert done.code == 1 and "division by zero" in done.err and "counter.sudo:" in done.err


def test_a_model_command_says_so_and_why(cli, program, sid):
    done = cli("run", program, "/explain lists", "--session", sid)
    assert done.code == 1
    assert "carried out by the model" in done.err and "no runtime actions" not in done.err
    line = PROGRAM.splitlines().index("  Explain $topic to the user in two sentences.") + 1
    notes = cli("lint", "--notes", program)
    assert f"{program}:{line}:3: SL511 command /explain runs in the model" in notes.out
    assert "SL510 command /bump runs locally" in notes.out


def test_a_demanded_local_command_that_is_not_is_an_error(cli, tmp_path):
    path = tmp_path / "demand.sudo"
    path.write_text(PROGRAM.replace('  name = "counter"', '  name = "counter"\n  local = ["/explain"]'), encoding="utf-8")
    done = cli("lint", str(path))
    assert done.code == 1 and "SL512 command /explain must run locally" in done.out


def test_concurrent_processes_lose_no_increment(program, sid, private_state, tmp_path):
    """16 processes x 10 bumps, each a transaction under the project lock: exactly 160."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(private_state), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "sudolang", "run", program, "/bump", "--session", sid], env=env, check=True,
                   capture_output=True)  # compile once into the cache
    script = f"for i in range(10):\n import subprocess, sys\n subprocess.run([sys.executable, '-m', 'sudolang', 'run', {program!r}, '/bump', '--session', {sid!r}], check=True, capture_output=True)"
    workers = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(16)]
    assert [w.wait(timeout=300) for w in workers] == [0] * 16
    from sudolang.state.stores import open_state

    assert open_state(private_state).project("p").read()["counters"]["hits"] == 161


VALUES = '''\
interface Values {
  name = "values"
  commands = {
    "/nested": "A change deep in a copy leaves the original",
    "/alias": "A name bound to a local that changes keeps what it had",
    "/loop": "Changing a loop's item changes neither the list nor the state",
    "/stored": "A value stored in the state, then changed locally, stays as stored"
  }
}

fn nested() {
  a = { b: [{ c: 1 }] }
  copy = a
  copy.b[0].c = 2
  append(copy.b, { c: 3 })
  return [a, copy]
}

fn alias() {
  a = { k: 0 }
  b = a
  a.k = 1
  return [a.k, b.k]
}

fn loop() {
  project.items = [{ n: 1 }, { n: 2 }]
  items = project.items
  for each item in items {
    item.n = item.n * 10
  }
  return [items, project.items]
}

fn stored() {
  local = { tags: ["a"] }
  project.thing = local
  append(local.tags, "b")
  local.more = true
  return [project.thing, local]
}
'''


@pytest.mark.parametrize(("command", "expected"), [
    ("/nested", [{"b": [{"c": 1}]}, {"b": [{"c": 2}, {"c": 3}]}]),
    ("/alias", [1, 0]),
    ("/loop", [[{"n": 1}, {"n": 2}], [{"n": 1}, {"n": 2}]]),
    ("/stored", [{"tags": ["a"]}, {"tags": ["a", "b"], "more": True}]),
])
def test_arrays_and_objects_are_values_not_references(cli, tmp_path, sid, state, command, expected):
    path = tmp_path / "values.sudo"
    path.write_text(VALUES, encoding="utf-8")
    done = cli("run", str(path), command, "--session", sid)
    assert done.code == 0, done
    assert json.loads(done.out) == expected
    if command == "/stored":
        assert state.project("p").read()["thing"] == {"tags": ["a"]}


def test_a_pure_function_is_remembered_per_text_number_and_array_but_not_per_object():
    """corelib.remembered: one result per arguments while the state stays (texts and numbers by value and kind,
    arrays by identity); a call given an object (one task) is computed each time."""
    from types import SimpleNamespace

    from sudolang.runtime import corelib

    calls: list = []

    def pure(run, *arguments):
        calls.append(arguments)
        return len(calls)

    remembered = corelib.remembered(pure)
    run = SimpleNamespace(memo={})
    tasks = [{"id": "T-1"}]
    assert remembered(run, "todo", tasks) == remembered(run, "todo", tasks) == 1
    assert remembered(run, "todo", [{"id": "T-1"}]) == 2  # an equal array, but another one
    assert [remembered(run, 1), remembered(run, 1.0), remembered(run, True), remembered(run, 1)] == [3, 4, 5, 3]
    assert [remembered(run, tasks[0]), remembered(run, tasks[0])] == [6, 7]
    run.memo.clear()  # what a write does
    assert remembered(run, "todo", tasks) == 8
