"""Issue 13, items 17 and 18, from the tool run as a process: a project's document is read and changed by
JSONPath as a session's is (`shared get/set/merge/delete/batch`), `shared update-epic` takes the hook's status
words, and the corpus check fails loudly in CI when ../shared is not beside the checkout. (The README's own
blocks and figures are checked in tests/test_readme.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_daily_use import ROOT, sudolang  # `python -m sudolang ARGS` with a private state dir and handler cache

from sudolang.state.paths import StateDir
from sudolang.state.shared import EPIC_STATUS_ALIASES


def new_session(tmp_path: Path, project: str = "myapp") -> str:
    done = sudolang(tmp_path, "session", "create", "--mode", "development", "--project", project)
    assert done.returncode == 0, done
    return done.stdout.strip()


def log_records(tmp_path: Path, project: str) -> list[dict]:
    text = (tmp_path / "state" / "shared" / f"{project}.events.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_18_a_board_task_is_read_and_changed_by_path_in_the_project_document(tmp_path):
    sid = new_session(tmp_path)
    assert sudolang(tmp_path, "run", "sprint_execution", '/add "Login form" 3', "--session", sid).returncode == 0

    task = sudolang(tmp_path, "shared", "get", "myapp", '$.tasks["T-1"]')
    assert task.returncode == 0, task
    assert json.loads(task.stdout)["title"] == "Login form"
    assert sudolang(tmp_path, "shared", "get", "myapp", "tasks.T-1.title", "--raw").stdout == "Login form\n"
    found = sudolang(tmp_path, "shared", "get", "myapp", '$.tasks[?(@.column == "backlog")].id')
    assert (found.returncode, json.loads(found.stdout)) == (0, ["T-1"])

    before = log_records(tmp_path, "myapp")[-1]["revision"]
    assert sudolang(tmp_path, "shared", "set", "myapp", "tasks.T-1.assignee", "alice").returncode == 0
    assert sudolang(tmp_path, "shared", "merge", "myapp", "tasks.T-1", '{"points": 5}').returncode == 0
    batch = sudolang(tmp_path, "shared", "batch", "myapp", "-", stdin=json.dumps([
        {"op": "incr", "path": "tasks.T-1.points"}, {"op": "set", "path": "tasks.T-1.note", "value": "x"}]))
    assert batch.returncode == 0, batch
    assert json.loads(batch.stdout) == {"applied": 2, "revision": before + 3}
    assert sudolang(tmp_path, "shared", "delete", "myapp", "tasks.T-1.note").returncode == 0

    # One locked write each, logged in the project's event log as `state` logs a session's.
    records = log_records(tmp_path, "myapp")[-4:]
    assert [r["revision"] for r in records] == [before + 1, before + 2, before + 3, before + 4]
    assert [[op["op"] for op in r["ops"]] for r in records] == [["set"], ["merge"], ["incr", "set"], ["delete"]]
    # The sprint program reads the same document.
    board = sudolang(tmp_path, "run", "sprint_execution", "--json", "/board", "--session", sid)
    assert board.returncode == 0, board
    task = json.loads(sudolang(tmp_path, "shared", "get", "myapp", "tasks.T-1").stdout)
    assert (task["assignee"], task["points"], "note" in task) == ("alice", 6, False)


def test_18_a_missing_project_is_not_found_by_every_path_command_and_nothing_is_created(tmp_path):
    new_session(tmp_path)  # another project exists: the state directory is there
    for words, stdin in ((["get", "nope", "tasks"], None), (["set", "nope", "a.b", "1"], None),
                         (["merge", "nope", "a", "{}"], None), (["delete", "nope", "a"], None),
                         (["batch", "nope", "-"], '[{"op": "set", "path": "a", "value": 1}]')):
        done = sudolang(tmp_path, "shared", *words, stdin=stdin)
        assert done.returncode == 3, (words, done)
        assert done.stderr == "sudolang: error: no project 'nope' (a session created with --project nope makes one)\n"
    assert sorted(p.name for p in (tmp_path / "state" / "shared").iterdir() if "nope" in p.name) == []


def test_18_shared_and_state_path_commands_answer_alike(tmp_path):
    """The same command lines on a session's document and on a project's: the same exit code and message."""
    sid = new_session(tmp_path)
    cases = [
        (["get", "{doc}", "nothing.here"], None),                       # 3: nothing at the path
        (["get", "{doc}", "$.tasks[?(@.x == 1)]"], None),                # 3: a filter that matches nothing
        (["get", "{doc}", "$.tasks["], None),                            # 2: not a JSONPath
        (["set", "{doc}", "k", "{bad json"], None),                      # 2: meant as JSON, is not
        (["set", "{doc}", "k", "1"], None),                              # 0
        (["set", "{doc}", "k.deeper", "1"], None),                       # 1: k is a number
        (["set", "{doc}", "revision", "99"], None),                      # 2: revision is sudolang's
        (["merge", "{doc}", "k", "[1]"], None),                          # merge of a list
        (["delete", "{doc}", "missing"], None),                          # 3
        (["batch", "{doc}", "-"], "[]"),                                 # 2: an empty batch
        (["batch", "{doc}", "-"], '[{"op": "incr", "path": "k", "value": 2}]'),
        (["get", "{doc}", "k"], None),                                   # 3, written by both
    ]
    for words, stdin in cases:
        as_session = sudolang(tmp_path, "state", *(w.replace("{doc}", sid) for w in words), stdin=stdin)
        as_project = sudolang(tmp_path, "shared", *(w.replace("{doc}", "myapp") for w in words), stdin=stdin)
        assert as_project.returncode == as_session.returncode, (words, as_session, as_project)
        assert as_project.stderr == as_session.stderr.replace(f"session {sid!r}", "project 'myapp'"), words
        if "revision" not in as_session.stdout:
            assert as_project.stdout == as_session.stdout, words
    assert sudolang(tmp_path, "shared", "get", "myapp", "k").stdout == "3\n"


def test_18_a_held_project_lock_is_a_lock_timeout_and_nothing_is_written(tmp_path):
    new_session(tmp_path)
    project = StateDir(tmp_path / "state").project("myapp")
    before = project.read()
    with project.lock(timeout=5):
        done = sudolang(tmp_path, "--timeout", "0.2", "shared", "set", "myapp", "k", "1")
    assert done.returncode == 4, done
    assert "timed out after 0.2s waiting for the lock" in done.stderr
    assert project.read() == before


def test_18_the_shared_help_shows_the_path_commands_on_the_project_document(tmp_path):
    text = sudolang(tmp_path, "shared", "--help").stdout
    for action in ("get", "set", "merge", "delete", "batch"):
        assert f"\n    {action} " in text, action
    assert """sudolang shared get default '$.tasks["T-1"]'""" in text
    assert "JSONPath" in sudolang(tmp_path, "shared", "get", "--help").stdout


def test_17_update_epic_takes_the_hooks_status_words_and_stores_the_status_they_mean(tmp_path):
    sid = new_session(tmp_path)
    for number, (word, meant) in enumerate(EPIC_STATUS_ALIASES.items()):
        done = sudolang(tmp_path, "shared", "update-epic", "myapp", f"E-{number}", "--status", word)
        assert done.returncode == 0, (word, done)
        assert json.loads(done.stdout)["status"] == meant
        hooked = sudolang(tmp_path, "hook", "epic_updated", sid, json.dumps({"epic": f"H-{number}", "status": word}))
        assert hooked.stderr == "", hooked
        assert json.loads(sudolang(tmp_path, "shared", "get", "myapp", f"epics.H-{number}.status").stdout) == meant
    refused = sudolang(tmp_path, "shared", "update-epic", "myapp", "E-9", "--status", "finished")
    assert refused.returncode == 2 and "in_progress = active" in refused.stderr
    helped = " ".join(sudolang(tmp_path, "shared", "update-epic", "--help").stdout.split())
    assert all(word in helped for word in EPIC_STATUS_ALIASES), helped


def corpus_check(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    """tests/language/test_corpus.py's presence check, run by pytest with the corpus somewhere it is not."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "COVERAGE_PROCESS_CONFIG", "PYTEST_ADDOPTS")}
    env["SUDOLANG_CORPUS"] = str(tmp_path / "no-shared" / "corpus" / "sudolang")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs",
                           "tests/language/test_corpus.py::test_the_corpus_is_all_there"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_17_without_the_corpus_its_check_fails_in_ci_and_skips_with_the_reason_elsewhere(tmp_path):
    in_ci = corpus_check(tmp_path, "true")
    assert in_ci.returncode == 1, in_ci.stdout
    assert "CI is set, and CI must run the corpus tests" in in_ci.stdout and "1 failed" in in_ci.stdout
    away = corpus_check(tmp_path, None)
    assert away.returncode == 0, away.stdout
    assert "1 skipped" in away.stdout and "the corpus is not here" in away.stdout
