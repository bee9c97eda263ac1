"""No cache serves a stale document (issue 15): whatever a process keeps to go faster, a read made after
another process wrote sees that write. Each test keeps one reader alive across a write made by a separate
`sudolang` process, the way two terminals or two Claude Code sessions share a project."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sudolang.runtime.context import Context

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)


def sudolang(*args: str) -> subprocess.CompletedProcess:
    """`sudolang ARGS` as its own process, in this test's state and store (the environment carries them)."""
    done = subprocess.run([sys.executable, "-m", "sudolang", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done
    return done


@pytest.fixture
def sid(state) -> str:
    return sudolang("session", "create", "--mode", "development", "--project", "myapp").stdout.strip()


def test_a_session_read_again_after_another_process_wrote_is_the_written_one(state, sid):
    session = state.session(sid)
    assert "counter" not in session.read()
    for value in ("1", "2", "3"):
        sudolang("state", "set", sid, "counter", value)
        assert session.read()["counter"] == int(value)  # the same object, the same process: read anew


@pytest.mark.files_only("restores a file's size and modification time, which only the file store has")
def test_a_file_rewritten_with_its_size_and_time_kept_is_read_anew(state, sid):
    """A cache keyed by the file's stat (as Python keys its .pyc files) would miss this write: the other
    process writes a value of the same length, and the file's size and times are put back as they were."""
    session = state.session(sid)
    sudolang("state", "set", sid, "marker", '"aaaa"')
    assert session.read()["marker"] == "aaaa"
    set_keeping_size_and_time(state, sid, "bbbb")
    assert session.read()["marker"] == "bbbb"


def set_keeping_size_and_time(state, sid: str, marker: str) -> None:
    """Another process sets `marker` to a value as long as the last; the file's times are put back."""
    path = state.root / "sessions" / f"{sid}.json"
    before = os.stat(path)
    sudolang("state", "set", sid, "marker", json.dumps(marker))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns


def test_each_screen_reads_the_project_once_and_the_next_screen_reads_it_again(state, sid):
    """A screen's views share one read of the project document (Context.reading); the next screen, drawn
    by the same process after another process moved a task, starts from a fresh read."""
    sudolang("run", "sprint_execution", "--session", sid, "/add 'Login page' 3")
    base = Context(state, sid, "myapp")
    first = base.reading()
    task = next(iter(first.read_project()["tasks"].values()))
    assert task["column"] == "backlog"
    sudolang("run", "sprint_execution", "--session", sid, f"/move {task['id']} doing")
    assert first.read_project()["tasks"][task["id"]]["column"] == "backlog"  # one screen: one read, by design
    second = base.reading()
    assert second.read_project()["tasks"][task["id"]]["column"] == "doing"


def test_a_long_lived_reader_of_the_project_sees_every_commit_of_other_processes(state, sid):
    """The project document as the hook, `run` and `shared` write it, read between each write by one
    process that never reopens the store."""
    sudolang("run", "sprint_execution", "--session", sid, "/add 'Login page' 3")
    project = Context(state, sid, "myapp").project_document()
    task_id = next(iter(project.read()["tasks"]))
    for column in ("doing", "review", "todo", "done"):
        sudolang("shared", "set", "myapp", f"tasks.{task_id}.column", json.dumps(column))
        assert project.read()["tasks"][task_id]["column"] == column


@pytest.mark.files_only("the parse of a large document is kept by the file store (sudolang.state.parsed)")
def test_a_large_document_whose_parse_is_kept_is_read_anew_after_any_write(state, sid, tmp_path, monkeypatch):
    """A session of ~700 KB, read three times (which keeps its parse in the cache, and uses it), then changed
    by another process, and by a person's editor in place, each time with its size, modification time and
    inode as they were: the next read is of the new bytes."""
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(tmp_path / "cache"))  # this process's and the others'
    session = state.session(sid)
    session.update(lambda doc: [{"op": "set", "path": "$.padding", "value": [f"line {n:05}" * 8 for n in range(7_000)]}])
    sudolang("state", "set", sid, "marker", '"aaaa"')
    for _ in range(3):
        assert session.read()["marker"] == "aaaa"
    kept = [p.read_bytes() for p in (tmp_path / "cache" / "documents").iterdir()]
    assert len(kept) == 1 and kept[0].startswith(b"sudolang parsed document 1 ")  # the third read used it
    set_keeping_size_and_time(state, sid, "bbbb")
    assert session.read()["marker"] == "bbbb"
    for _ in range(3):
        assert session.read()["marker"] == "bbbb"  # kept again, for these bytes
    path = state.root / "sessions" / f"{sid}.json"
    inode = os.stat(path).st_ino
    before = os.stat(path)
    with open(path, "r+b") as file:  # an editor that writes in place: same inode, same size
        text = file.read()
        file.seek(text.index(b'"bbbb"'))
        file.write(b'"cccc"')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_ino == inode and os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert session.read()["marker"] == "cccc"
