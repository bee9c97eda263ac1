"""The plan's multi-session and crash-recovery scenarios, run step by step as real `sudolang` processes."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from helpers_proc import TICKER, await_line, kill_all, run_cli, spawn, wait_until

from sudolang.errors import CORRUPT
from sudolang.state.stores import open_state

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

TASKS = {
    "task-001": {"title": "Write the parser", "status": "done"},
    "task-002": {"title": "Lint the programs", "status": "in_progress"},
    "task-003": {"title": "Ship it", "status": "todo"},
}


def sudolang(root: Path, *args: str, stdin: str | None = None) -> str:
    """Run one command, require exit 0, return its stdout."""
    result = run_cli(root, *args, stdin=stdin)
    assert result.returncode == 0, f"sudolang {' '.join(args)} exited {result.returncode}: {result.stderr}"
    return result.stdout


def create_session(root: Path, *extra: str) -> str:
    sid = sudolang(root, "session", "create", "--mode", "development", *extra).strip()
    assert sid and "\n" not in sid  # `SID=$(sudolang session create ...)` captures exactly the id
    return sid


def session_with_tasks(root: Path) -> str:
    sid = create_session(root)
    for task_id, task in TASKS.items():
        sudolang(root, "state", "set", sid, f"execution.tasks.{task_id}", json.dumps(task))
    return sid


def kill_writer_mid_run(root: Path, sid: str) -> int:
    """Start a process updating the session in a loop, let it commit a while, then `kill -9` it."""
    writer = spawn(root, TICKER, root, sid)
    try:
        await_line(writer, "writing")
        document = open_state(root).session(sid)
        start = document.read()["revision"]
        wait_until(lambda: document.read()["revision"] >= start + 20, what="the writer to commit 20 updates")
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.wait() == -signal.SIGKILL
    finally:
        kill_all([writer])
    return document.read()["revision"]


def test_multi_session_sprint_coordination(tmp_path):
    session_a = create_session(tmp_path, "--project", "myapp")
    activated = json.loads(sudolang(tmp_path, "shared", "activate-sprint", "myapp", "sprint-001", "--session", session_a))
    assert activated["status"] == "active" and activated["sessions"] == [session_a]
    session_b = create_session(tmp_path, "--project", "myapp")
    sudolang(tmp_path, "state", "set", session_b, "active_work.sprint", "sprint-001")

    sprint = json.loads(sudolang(tmp_path, "shared", "get-sprint", "myapp", "sprint-001"))
    assert sprint["id"] == "sprint-001" and sprint["status"] == "active"
    for sid in (session_a, session_b):
        assert sudolang(tmp_path, "state", "get", sid, "active_work.sprint", "--raw") == "sprint-001\n"
    # Both sessions belong to the project and are live; the sprint is listed as the project's active one.
    listed = json.loads(sudolang(tmp_path, "session", "list", "--project", "myapp", "--active", "--json"))
    assert {row["id"] for row in listed} == {session_a, session_b}
    active = json.loads(sudolang(tmp_path, "shared", "list-sprints", "myapp", "--status", "active"))
    assert [s["id"] for s in active] == ["sprint-001"]


def test_state_recovery_after_kill_9(tmp_path):
    sid = session_with_tasks(tmp_path)
    committed = kill_writer_mid_run(tmp_path, sid)

    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert json.loads(sudolang(tmp_path, "state", "get", sid, "$.execution.tasks")) == TASKS
    # The writer's own updates survived too, whole: both halves of its last update agree.
    metrics = json.loads(sudolang(tmp_path, "state", "get", sid, "observability.metrics"))
    assert metrics["ticks"] == metrics["ticks_copy"] >= 20
    assert json.loads(sudolang(tmp_path, "state", "get", sid, "revision")) == committed
    assert not list(tmp_path.rglob("*.tmp"))  # recover swept any write the kill interrupted


@pytest.mark.files_only("tears the document's file")
def test_state_recovery_after_kill_9_that_damaged_the_file(tmp_path):
    sid = session_with_tasks(tmp_path)
    kill_writer_mid_run(tmp_path, sid)
    document = open_state(tmp_path).session(sid)
    document.path.write_bytes(document.path.read_bytes()[:100])  # the crash tore the file

    refused = run_cli(tmp_path, "state", "get", sid, "$.execution.tasks")
    assert refused.returncode == CORRUPT and f"sudolang session recover {sid}" in refused.stderr
    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert "moved the corrupt file to" in result.stdout and "lost: " in result.stdout
    assert json.loads(sudolang(tmp_path, "state", "get", sid, "$.execution.tasks")) == TASKS
    metrics = json.loads(sudolang(tmp_path, "state", "get", sid, "observability.metrics"))
    assert metrics["ticks"] == metrics["ticks_copy"] >= 20


def test_a_crashed_sessions_open_work_can_be_recovered_and_handed_off(tmp_path):
    crashed = session_with_tasks(tmp_path)
    sudolang(tmp_path, "state", "merge", crashed, "active_work", '{"sprint": "sprint-001"}')
    kill_writer_mid_run(tmp_path, crashed)
    sudolang(tmp_path, "session", "recover", crashed)
    successor = create_session(tmp_path)

    sudolang(tmp_path, "session", "handoff", crashed, successor)
    open_tasks = {k: v for k, v in TASKS.items() if v["status"] != "done"}
    assert json.loads(sudolang(tmp_path, "state", "get", successor, "execution.tasks")) == open_tasks
    assert json.loads(sudolang(tmp_path, "state", "get", successor, "active_work")) == {"sprint": "sprint-001"}
    assert json.loads(sudolang(tmp_path, "state", "get", crashed, "execution.tasks")) == {"task-001": TASKS["task-001"]}
    assert sudolang(tmp_path, "state", "get", crashed, "session.lifecycle.status", "--raw") == "completed\n"
