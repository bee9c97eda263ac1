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
    return sorted(root.rglob("*.tmp"))  # pathlib's glob matches the hidden .SID.json.tmp too


def test_300_sigkills_mid_write_always_leave_a_committed_state(tmp_path):
    document, start = seeded_session(tmp_path)
    rng = random.Random(20240607)
    backup_temp = document.path.with_name(f".{document.path.name}.bak.tmp")
    kills = temp_left = backup_temp_left = unlogged = backup_shares_inode = 0
    n = 0
    # At least 300 kills, and on until one leaves a temp file, so the final recover has something to sweep.
    while kills < 300 or not document.temp_path.exists():
        fork_and_kill(write_forever(document), rng)
        kills += 1
        state = document.read()  # parses, after every single kill
        assert state.get("n", 0) >= n  # nothing committed is ever lost
        n = state.get("n", 0)
        assert state == expected_state(start, n)  # whole: n, its task and copy_of_n agree
        # A killed writer can leave at most its own last revision out of the log (died between rename and
        # append); the log never holds a revision twice, nor one the document does not have.
        logged = [record["revision"] for record in read_log(document.log_path)]
        assert logged == sorted(set(logged)) and logged[-1] <= state["revision"]
        missing = state["revision"] - len(logged)
        assert missing - unlogged in (0, 1)
        unlogged = missing
        if document.temp_path.exists():
            temp_left += 1
            backup_shares_inode += document.backup_path.stat().st_ino == document.path.stat().st_ino
        backup_temp_left += backup_temp.exists()
    print(f"\n{kills} SIGKILLs, {n} updates committed; {temp_left} left {document.temp_path.name} behind "
          f"({backup_shares_inode} of them with the backup linked to the live document), "
          f"{backup_temp_left} left {backup_temp.name}, {unlogged} died between rename and log append")
    assert n > 0  # the writers really wrote

    result = run_cli(tmp_path, "session", "recover", document.path.stem)
    assert result.returncode == 0, result.stderr
    assert f"removed {document.temp_path.name}" in result.stdout and "is intact at revision" in result.stdout
    assert leftovers(tmp_path) == []
    assert document.read() == expected_state(start, n)


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
    origins, false_alarms = [], 0
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
        assert "lost: " in result.stdout  # the report always says what, if anything, was lost
        if logged == committed["revision"]:  # the crash's last change reached the log: nothing is lost
            assert restored == committed
            # Not asserted: "lost: nothing ...". When the backup holds the document's own revision (a kill
            # between linking the backup and the rename, or an earlier rebuild from the backup), recover
            # wrongly reports revision N+1 lost; counted here and described in the bug report.
            false_alarms += "lost: nothing that reached the event log" not in result.stdout
        else:  # killed between rename and log append: exactly that one revision is gone, and named
            assert logged == committed["revision"] - 1
            assert restored == expected_state(start, n - 1)
            assert f"lost: at most revision {committed['revision']}," in result.stdout
        assert leftovers(tmp_path) == []
        if damaged is not None:
            assert "moved the corrupt file to" in result.stdout
            aside = [p.read_bytes() for p in document.path.parent.glob(f"{sid}.json.corrupt-*")]
            assert damaged in aside  # the damaged bytes are kept for inspection, not destroyed
        origins.append(result.stdout.split("restored revision", 1)[1].split(" and ")[0].strip())
    print(f"\n{how}: restored {origins}; {false_alarms} report(s) named a lost revision when none was")


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
