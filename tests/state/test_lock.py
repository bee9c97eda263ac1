"""Our flock lock excludes filelock and itself across processes, times out naming its holder, and survives an unlinked lock file."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from helpers_proc import (
    COUNTER,
    EXCLUSIVE,
    HOLDER,
    PYTHON,
    await_line,
    child_env,
    finish,
    has_open,
    kill_all,
    run_cli,
    spawn,
    wait_until,
)

from sudolang.errors import LOCK_TIMEOUT, NOT_FOUND
from sudolang.state import sessions
from sudolang.state.paths import StateDir


def count_with(root: Path, kinds: list[str], rounds: int) -> tuple[int, list[str], list[dict]]:
    """Run one COUNTER child per kind on one lock and one counter file; return the count, journal and reports."""
    counter, journal, go, lock_path = root / "counter", root / "journal", root / "go", root / "x.lock"
    counter.write_text("0")
    children = [spawn(root, COUNTER, kind, lock_path, counter, journal, rounds, go) for kind in kinds]
    try:
        for child in children:
            await_line(child, "ready")
        go.touch()  # all start together, so the critical sections really contend
        reports = [finish(child) for child in children]
    finally:
        kill_all(children)
    return int(counter.read_text()), journal.read_text().split(), reports


def test_our_lock_and_the_filelock_package_exclude_each_other(tmp_path):
    kinds = ["ours", "filelock"] * 4
    total, journal, reports = count_with(tmp_path, kinds, rounds=100)
    assert total == 8 * 100  # an unprotected read-modify-write lost nothing: the two locks excluded each other
    assert all(r["torn"] == 0 for r in reports)  # no one ever read the counter mid-write
    switches = sum(a != b for a, b in zip(journal, journal[1:]))
    # The implementations took turns throughout, rather than one side running after the other.
    assert journal.count("ours") == journal.count("filelock") == 400 and switches >= 50
    print(f"\n800 critical sections, the lock changed hands between implementations {switches} times")


def test_without_a_lock_the_same_counter_comes_out_wrong(tmp_path):
    # The control: the race above is tight enough that no exclusion would show as a wrong count. Usually
    # updates are lost (a short count); sometimes two unlocked writers glue their digits ("10" over "99"
    # leaves "109"), which overshoots: either way not the 400 that exclusion gives.
    total, _, _ = count_with(tmp_path, ["none"] * 4, rounds=100)
    assert total != 4 * 100
    print(f"\nunlocked: {total} of 400 increments survived")


def session_with_holder(root: Path, kind: str = "ours"):
    """A session and a child process holding its lock; returns (sid, holder, stop-file)."""
    sid = sessions.create(StateDir(root), "development")
    StateDir(root).session(sid).update(lambda doc: [{"op": "set", "path": "$.x", "value": 0}])
    stop = root / f"stop-{kind}"
    holder = spawn(root, HOLDER, kind, StateDir(root).session(sid).lock_path, stop)
    await_line(holder, "locked")
    return sid, holder, stop


def files_of(root: Path) -> dict[str, bytes]:
    """Every state file except lock files (whose holder note changes): what a refused write must not touch."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix != ".lock" and "stop" not in p.name}


WRITES = {
    "set": (["state", "set", "{sid}", "x", "1"], None),
    "merge": (["state", "merge", "{sid}", "active_work", '{"sprint": "s-1"}'], None),
    "delete": (["state", "delete", "{sid}", "x"], None),
    "batch": (["state", "batch", "{sid}", "-"], '[{"op": "incr", "path": "x"}]'),
    "heartbeat": (["session", "heartbeat", "{sid}"], None),
    "recover": (["session", "recover", "{sid}"], None),
    "handoff": (["session", "handoff", "{other}", "{sid}"], None),
}


@pytest.mark.parametrize("command", list(WRITES))
def test_every_write_times_out_with_exit_4_naming_the_holder_while_reads_go_on(tmp_path, command):
    sid, holder, stop = session_with_holder(tmp_path)
    other = sessions.create(StateDir(tmp_path), "development")
    args, stdin = WRITES[command]
    args = [{"{sid}": sid, "{other}": other}.get(a, a) for a in args] + ["--timeout", "0.3"]
    try:
        before = files_of(tmp_path)
        started = time.monotonic()
        result = run_cli(tmp_path, *args, stdin=stdin)
        elapsed = time.monotonic() - started
        assert result.returncode == LOCK_TIMEOUT, result
        assert f"held by pid {holder.pid}" in result.stderr and "--timeout" in result.stderr
        # It waited the 0.3 s it was given, not the 5 s default (4 s leaves room for a slow interpreter start).
        assert 0.3 <= elapsed < 4
        assert files_of(tmp_path) == before  # nothing written: no document, backup or log line changed
        # Reads never take the lock, so they go on while it is held.
        read = run_cli(tmp_path, "state", "get", sid, "session.id", "--raw")
        assert (read.returncode, read.stdout.strip()) == (0, sid)
        listed = run_cli(tmp_path, "session", "list", "--json")
        assert listed.returncode == 0 and sid in {row["id"] for row in json.loads(listed.stdout)}
    finally:
        stop.touch()
        kill_all([holder])
    assert run_cli(tmp_path, *args, stdin=stdin).returncode == 0  # released: the same command now succeeds


def test_a_filelock_holder_blocks_cli_writes_too(tmp_path):
    sid, holder, stop = session_with_holder(tmp_path, kind="filelock")
    try:
        before = files_of(tmp_path)
        result = run_cli(tmp_path, "state", "set", sid, "x", "1", "--timeout", "0.3")
        assert result.returncode == LOCK_TIMEOUT, result
        assert files_of(tmp_path) == before
    finally:
        stop.touch()
        kill_all([holder])


def test_a_sigkilled_holder_leaves_no_stale_lock_and_no_stale_name(tmp_path):
    sid, first, _ = session_with_holder(tmp_path)
    first.kill()  # SIGKILL: no `with` exit runs, so only the kernel can release the flock
    first.wait()
    result = run_cli(tmp_path, "state", "set", sid, "x", "1", "--timeout", "0.3")
    assert result.returncode == 0, result.stderr
    assert StateDir(tmp_path).session(sid).read()["x"] == 1
    # The dead holder's note is still in the lock file; a timeout must name the live holder instead.
    stop = tmp_path / "stop-second"
    second = spawn(tmp_path, HOLDER, "ours", StateDir(tmp_path).session(sid).lock_path, stop)
    try:
        await_line(second, "locked")
        refused = run_cli(tmp_path, "state", "set", sid, "x", "2", "--timeout", "0.3")
        assert refused.returncode == LOCK_TIMEOUT
        assert f"pid {second.pid}" in refused.stderr and f"pid {first.pid}:" not in refused.stderr
    finally:
        stop.touch()
        kill_all([second])


def test_a_waiter_on_an_unlinked_lock_file_moves_to_the_new_one(tmp_path):
    # Archiving unlinks a lock file while holding it. A waiter that opened the old file must not take
    # the orphaned inode's lock while a newcomer locks the file now at that path: both would "hold" it.
    lock_path, marker, stop = tmp_path / "s.lock", tmp_path / "inside", tmp_path / "stop"
    archiver = spawn(tmp_path, HOLDER, "ours", lock_path, stop, "unlink")
    children = [archiver]
    try:
        await_line(archiver, "locked")
        waiter = spawn(tmp_path, EXCLUSIVE, "ours", lock_path, marker, 0.5)
        children.append(waiter)
        wait_until(lambda: has_open(waiter.pid, lock_path), what="the waiter to open the old lock file")
        stop.touch()
        await_line(archiver, "released")  # the old file is unlinked and its lock let go
        newcomers = [spawn(tmp_path, EXCLUSIVE, kind, lock_path, marker, 0.5) for kind in ("ours", "filelock")]
        children += newcomers
        reports = [finish(child) for child in (waiter, *newcomers)]
    finally:
        kill_all(children)
    assert reports == [{"overlap": False}] * 3  # never two holders at once
    assert lock_path.exists()  # recreated at the path, where every later locker will find it


def test_a_writer_waiting_while_its_session_is_archived_does_not_resurrect_it(tmp_path):
    state = StateDir(tmp_path)
    sid = sessions.create(state, "development", ttl=60)
    document = state.session(sid)
    stop = tmp_path / "stop"
    holder = spawn(tmp_path, HOLDER, "ours", document.lock_path, stop)
    children = [holder]
    try:
        await_line(holder, "locked")
        env = child_env(tmp_path)
        writer = subprocess.Popen([PYTHON, "-m", "sudolang", "--timeout", "20", "state", "set", sid, "x", "1"],
                                  env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The archiver sees the session as expired: its clock is a day ahead.
        archiver = subprocess.Popen([PYTHON, "-m", "sudolang", "--timeout", "20", "state", "cleanup-expired"],
                                    env={**env, "SUDOLANG_NOW": "2999-01-01T00:00:00Z"}, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        children += [writer, archiver]
        for child in (writer, archiver):
            wait_until(lambda child=child: has_open(child.pid, document.lock_path), what="both to wait on the lock")
        stop.touch()
        written, archived = writer.wait(timeout=30), archiver.wait(timeout=30)
    finally:
        kill_all(children)
    assert archived == 0
    assert not document.path.exists()  # archived, and the waiting writer did not bring it back
    kept = json.loads((state.archive / f"{sid}.json").read_text())
    # Either the write went first and was archived with the session, or it found the session gone (exit 3).
    assert (written, kept.get("x")) in ((0, 1), (NOT_FOUND, None))
    print(f"\nwriter exited {written} ({'before' if written == 0 else 'after'} the archive)")
