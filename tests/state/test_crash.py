"""A writer SIGKILLed at random moments leaves a committed document, and `session recover` repairs whatever it left."""

from __future__ import annotations

import copy
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers_proc import forked, run_cli

from sudolang.errors import CORRUPT, NOT_FOUND, CorruptState, NotFound
from sudolang.state import sessions
from sudolang.state.paths import StateDir, key_path
from sudolang.state.store import Document, read_log

TASKS = 300  # ~22 KB of JSON: each write (with its fsyncs) takes a few ms, so kills land inside writes


def task_for(n: int) -> str:
    return f"task-{n % TASKS:03d}"


def advance(document: dict) -> list[dict]:
    """One update: n, a task touched by n, and copy_of_n, in that order. A torn write would split them."""
    n = document.get("n", 0) + 1
    return [{"op": "set", "path": "$.n", "value": n},
            {"op": "set", "path": key_path("execution", "tasks", task_for(n), "last"), "value": n},
            {"op": "set", "path": "$.copy_of_n", "value": n}]


def expected_state(start: dict, n: int) -> dict:
    """The document exactly as committed after `n` updates from `start`: the only states allowed on disk."""
    state = copy.deepcopy(start)
    if n:
        state.update(n=n, copy_of_n=n, revision=start["revision"] + n)
    for k in range(max(1, n - TASKS + 1), n + 1):
        state["execution"]["tasks"][task_for(k)]["last"] = k
    return state


def seeded_session(root: Path) -> tuple[Document, dict]:
    state = StateDir(root)
    document = state.session(sessions.create(state, "development"))
    tasks = {task_for(i): {"title": f"Task {i}", "status": "todo", "points": i % 8} for i in range(TASKS)}
    return document, document.update(lambda doc: [{"op": "set", "path": "$.execution.tasks", "value": tasks}])


def fork_and_kill(work, rng: random.Random, longest: float = 0.03) -> None:
    """Run `work()` in a forked child, SIGKILL it after a random 0..`longest` s, and reap it."""
    pid = forked(work)
    time.sleep(rng.uniform(0, longest))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) in (-signal.SIGKILL, 0)  # killed, or finished first; never failed


def write_forever(document: Document):
    def work() -> None:
        while True:
            document.update(advance)
    return work


def last_logged_revision(document: Document) -> int:
    return read_log(document.log_path)[-1]["revision"]


def leftovers(root: Path) -> list[Path]:
    return sorted(root.rglob("*.tmp"))  # pathlib's glob matches the hidden .SID.json.<hex>.tmp too


def test_300_sigkills_mid_write_always_leave_a_committed_state(tmp_path):
    document, start = seeded_session(tmp_path)
    rng = random.Random(20240607)
    kills = temp_left = backup_temp_left = ahead = backup_shares_inode = 0
    n = 0
    # At least 300 kills, and on until one leaves a temp file, so the final recover has something to sweep.
    while kills < 300 or not leftovers(tmp_path):
        fork_and_kill(write_forever(document), rng)
        kills += 1
        state = document.read()  # parses, after every single kill
        assert state.get("n", 0) >= n  # nothing committed is ever lost
        n = state.get("n", 0)
        assert state == expected_state(start, n)  # whole: n, its task and copy_of_n agree
        # Write-ahead: every committed revision is in the log, in order, once; the log may be one record
        # ahead (a writer killed between its append and its rename, which never reported success).
        logged = [record["revision"] for record in read_log(document.log_path)]
        assert logged == list(range(logged[0], logged[0] + len(logged)))
        assert logged[-1] - state["revision"] in (0, 1)
        ahead += logged[-1] > state["revision"]
        temps = [p.name for p in leftovers(tmp_path)]
        if any(".bak." not in name for name in temps):
            temp_left += 1
            backup_shares_inode += document.backup_path.stat().st_ino == document.path.stat().st_ino
        backup_temp_left += any(".bak." in name for name in temps)
    print(f"\n{kills} SIGKILLs, {n} updates committed; {temp_left} left a temp file behind "
          f"({backup_shares_inode} of them with the backup linked to the live document), "
          f"{backup_temp_left} left a backup link temp, {ahead} died between log append and rename")
    assert n > 0  # the writers really wrote

    swept = [p.name for p in leftovers(tmp_path)]
    result = run_cli(tmp_path, "session", "recover", document.path.stem)
    assert result.returncode == 0, result.stderr
    assert "is intact at revision" in result.stdout
    assert all(f"removed {name}" in result.stdout for name in swept)
    assert leftovers(tmp_path) == []
    assert document.read() == expected_state(start, n)
    logged = [record["revision"] for record in read_log(document.log_path)]
    assert logged[-1] == n + start["revision"]  # recover dropped a record its writer never committed


def test_the_next_writer_sweeps_what_a_killed_writer_left(tmp_path):
    """A writer killed inside the lock leaves its note in the lock file; the next lock holder sees it and
    removes the dead writer's temp files at once, instead of leaving a document-sized file until a recover."""
    document, _ = seeded_session(tmp_path)
    rng = random.Random(5)
    for _ in range(200):
        fork_and_kill(write_forever(document), rng)
        if leftovers(tmp_path):
            break
    left = leftovers(tmp_path)
    assert left, "no kill landed inside a write"
    assert document.lock_path.read_bytes()  # the dead holder's note
    document.update(advance)
    assert leftovers(tmp_path) == []


def corrupt(path: Path, how: str, rng: random.Random) -> bytes | None:
    """Damage the document in place as a crash, a full disk or a stray editor might; returns the bytes left."""
    if how == "deleted":
        path.unlink()
        return None
    if how == "garbage":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(64)) + b"\x00 not json")
    elif how == "truncated":
        os.truncate(path, rng.randrange(1, path.stat().st_size // 2))
    elif how == "empty":
        os.truncate(path, 0)
    elif how == "not-an-object":
        path.write_bytes(b'["a", "list"]\n')
    return path.read_bytes()


@pytest.mark.parametrize("how", ["garbage", "truncated", "empty", "not-an-object", "deleted"])
def test_recover_rebuilds_a_document_damaged_after_a_crash(tmp_path, how):
    document, start = seeded_session(tmp_path)
    sid = document.path.stem
    rng = random.Random(how)
    origins, rolled_forward = [], 0
    for _ in range(6):  # each round: crash, damage, recover, and the next writer carries on from there
        fork_and_kill(write_forever(document), rng)
        committed = document.read()
        logged = last_logged_revision(document)
        damaged = corrupt(document.path, how, rng)

        refused = run_cli(tmp_path, "state", "get", sid, "n")
        assert refused.returncode == (NOT_FOUND if damaged is None else CORRUPT)
        if damaged is not None:
            assert f"sudolang session recover {sid}" in refused.stderr  # the message says what to run

        result = run_cli(tmp_path, "session", "recover", sid)
        assert result.returncode == 0, result.stderr
        restored = document.read()
        n = committed.get("n", 0)
        # Write-ahead: every committed change is in the log, so nothing is lost, and the report says so.
        assert "lost: nothing: every logged change was replayed" in result.stdout, result.stdout
        if logged == committed["revision"]:
            assert restored == committed
        else:  # killed between its log append and its rename: that logged change is rolled forward
            assert logged == committed["revision"] + 1
            rolled_forward += 1
            assert restored == expected_state(start, n + 1)
        assert leftovers(tmp_path) == []
        if damaged is not None:
            assert "moved the corrupt file to" in result.stdout
            aside = [p.read_bytes() for p in document.path.parent.glob(f"{sid}.json.corrupt-*")]
            assert damaged in aside  # the damaged bytes are kept for inspection, not destroyed
        origins.append(result.stdout.split("restored revision", 1)[1].split(" and ")[0].strip())
    print(f"\n{how}: restored {origins}; {rolled_forward} logged change(s) rolled forward")


def test_recover_killed_midway_can_simply_be_run_again(tmp_path):
    document, start = seeded_session(tmp_path)
    for _ in range(5):
        document.update(advance)
    expected = document.read()
    rng = random.Random(99)
    outcomes, outcome = Counter(), "whole"
    for _ in range(40):
        if outcome == "whole":  # damage it again, so every kill lands in a recover with work to do
            corrupt(document.path, "truncated", rng)
        fork_and_kill(lambda: document.recover(), rng, longest=0.012)
        # Whatever instant it died at, the document is still damaged, missing, or whole again: never wrong.
        try:
            assert document.read() == expected
            outcome = "whole"
        except CorruptState:
            outcome = "still damaged"
        except NotFound:
            outcome = "moved aside, not yet rebuilt"
        outcomes[outcome] += 1
    print(f"\nrecover killed 40 times: {dict(outcomes)}")
    result = run_cli(tmp_path, "session", "recover", document.path.stem)
    assert result.returncode == 0, result.stderr
    assert document.read() == expected == expected_state(start, 5)
    assert leftovers(tmp_path) == []
