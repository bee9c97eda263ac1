"""Concurrent writers, SIGKILL mid-write, and two lock implementations racing: real processes, real files."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sudolang.errors import LOCK_TIMEOUT
from sudolang.state import sessions
from sudolang.state.paths import StateDir

PYTHON = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def spawn(code: str, *args: object, **options) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-c", code, *map(str, args)], env=ENV, text=True, **options)


def run_cli(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "sudolang", "--state-dir", str(root), *args], input=stdin,
                          capture_output=True, text=True, env=ENV)


def new_session(root: Path) -> str:
    return sessions.create(StateDir(root), "development")


# --- concurrency ---------------------------------------------------------------------------------

API_INCREMENTER = """
import sys
from sudolang.state.paths import StateDir
document = StateDir(sys.argv[1]).session(sys.argv[2])
for _ in range(int(sys.argv[3])):
    document.update(lambda doc: [{"op": "incr", "path": "$.n", "value": 1}], timeout=60)
"""

READER = """
import sys, time
from sudolang.errors import CorruptState
from sudolang.state.paths import StateDir
document = StateDir(sys.argv[1]).session(sys.argv[2])
reads = broken = 0
deadline = time.monotonic() + float(sys.argv[3])
while time.monotonic() < deadline:
    try:
        document.read()
    except CorruptState:
        broken += 1
    reads += 1
print(reads, broken)
"""


def test_eight_processes_times_a_hundred_increments_lose_nothing(tmp_path):
    sid = new_session(tmp_path)
    reader = spawn(READER, tmp_path, sid, 8, stdout=subprocess.PIPE)
    writers = [spawn(API_INCREMENTER, tmp_path, sid, 100) for _ in range(8)]
    assert [w.wait(timeout=120) for w in writers] == [0] * 8
    document = StateDir(tmp_path).session(sid)
    final = document.read()
    assert final["n"] == 800
    assert final["revision"] == 1 + 800  # creation, then one revision per increment
    assert len(document.log_path.read_text().splitlines()) == 801
    reads, broken = map(int, reader.communicate(timeout=60)[0].split())
    assert reads > 0 and broken == 0  # a reader never saw a half-written document


CLI_INCREMENTER = """
import subprocess, sys
for _ in range(int(sys.argv[3])):
    subprocess.run([sys.executable, "-m", "sudolang", "--state-dir", sys.argv[1], "--timeout", "60",
                    "state", "batch", sys.argv[2], "-"], input='[{"op": "incr", "path": "n"}]',
                   text=True, check=True, capture_output=True)
"""


def test_eight_cli_processes_incrementing_lose_nothing(tmp_path):
    # 8 x 25 whole CLI processes (each ~60 ms of interpreter start) keeps this test near 10 s on 2 cores;
    # the API test above does the full 8 x 100.
    sid = new_session(tmp_path)
    writers = [spawn(CLI_INCREMENTER, tmp_path, sid, 25) for _ in range(8)]
    assert [w.wait(timeout=300) for w in writers] == [0] * 8
    assert json.loads(run_cli(tmp_path, "state", "get", sid, "n").stdout) == 200


# --- crashes -------------------------------------------------------------------------------------

WRITER = """
import sys
from sudolang.state.paths import StateDir
document = StateDir(sys.argv[1]).session(sys.argv[2])
start = document.read().get("n", 0)
print("ready", flush=True)
for i in range(start + 1, start + 100000):
    document.update(lambda doc: [{"op": "set", "path": "$.n", "value": i},
                                 {"op": "set", "path": "$.copy_of_n", "value": i}])
"""


def test_sigkill_at_random_moments_never_leaves_a_torn_document(tmp_path):
    sid = new_session(tmp_path)
    document = StateDir(tmp_path).session(sid)
    tasks = {f"task-{i:04d}": {"title": f"Task {i}", "status": "todo", "points": i % 8} for i in range(400)}
    document.update(lambda doc: [{"op": "set", "path": "$.execution.tasks", "value": tasks}])
    rng = random.Random(7)
    kills = leftovers = 0
    last_n = 0
    while kills < 200:
        writer = spawn(WRITER, tmp_path, sid, stdout=subprocess.PIPE)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.03))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        kills += 1
        state = document.read()  # parses, every time
        assert state.get("n", 0) == state.get("copy_of_n", 0)  # both ops of one update, or neither
        assert state.get("n", 0) >= last_n and state["execution"]["tasks"] == tasks
        last_n = state.get("n", 0)
        leftovers += document.temp_path.exists()
    print(f"\n{kills} kills, {last_n} committed updates, {leftovers} left a temp file behind")
    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("*.tmp"))
    assert document.read()["n"] == last_n


def test_recover_after_kill_and_damage_rebuilds_the_last_logged_state(tmp_path):
    sid = new_session(tmp_path)
    document = StateDir(tmp_path).session(sid)
    writer = spawn(WRITER, tmp_path, sid, stdout=subprocess.PIPE)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    committed = document.read()
    logged = json.loads(document.log_path.read_text().splitlines()[-1])["revision"]
    document.path.write_bytes(document.path.read_bytes()[:40])  # then the disk tore the file
    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert len(list(document.path.parent.glob(f"{sid}.json.corrupt-*"))) == 1
    if logged == committed["revision"]:
        assert document.read() == committed
        assert "lost: nothing that reached the event log" in result.stdout
    else:  # the kill fell between the rename and the log append: exactly that revision is gone, and said
        assert logged == committed["revision"] - 1
        assert document.read()["n"] == committed["n"] - 1
        assert f"lost: revision {committed['revision']}" in result.stdout


def test_recover_names_a_revision_that_never_reached_the_log(tmp_path):
    sid = new_session(tmp_path)
    document = StateDir(tmp_path).session(sid)
    for value in (1, 2):
        document.update(lambda doc: [{"op": "set", "path": "$.n", "value": value}])
    log_lines = document.log_path.read_text().splitlines(keepends=True)
    document.log_path.write_text("".join(log_lines[:-1]))  # as if killed between rename and log append
    document.path.write_text("{")
    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0
    assert "lost: revision 3:" in result.stdout
    assert document.read()["n"] == 1 and document.read()["revision"] == 2


# --- locks ---------------------------------------------------------------------------------------

COUNTER = """
import sys, time
kind, lock_path, counter, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if kind == "filelock":
    import filelock
    make = lambda: filelock.FileLock(lock_path, timeout=60)
else:
    from sudolang.state.lock import FileLock
    make = lambda: FileLock(lock_path, timeout=60)
for _ in range(rounds):
    with make():
        value = int(open(counter).read())  # an unprotected read-modify-write: only the lock saves it
        time.sleep(0.0005)
        open(counter, "w").write(str(value + 1))
"""


def test_our_flock_and_the_filelock_package_exclude_each_other(tmp_path):
    counter, lock_path = tmp_path / "counter", tmp_path / "x.lock"
    counter.write_text("0")
    racers = [spawn(COUNTER, kind, lock_path, counter, 60) for kind in ("filelock", "ours") * 3]
    assert [r.wait(timeout=120) for r in racers] == [0] * 6
    assert counter.read_text() == str(6 * 60)


HOLDER = """
import sys, time
from sudolang.state.lock import FileLock
with FileLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_a_held_lock_times_out_naming_the_holder_and_reads_still_work(tmp_path):
    sid = new_session(tmp_path)
    document = StateDir(tmp_path).session(sid)
    before = document.path.read_bytes()
    holder = spawn(HOLDER, document.lock_path, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = run_cli(tmp_path, "state", "set", sid, "x", "1", "--timeout", "0.3")
        assert result.returncode == LOCK_TIMEOUT
        assert f"pid {holder.pid}" in result.stderr and "--timeout" in result.stderr
        assert time.monotonic() - started < 10
        assert document.path.read_bytes() == before  # nothing written
        assert run_cli(tmp_path, "state", "get", sid, "session.id", "--raw").stdout.strip() == sid
    finally:
        holder.kill()
        holder.wait()
    assert run_cli(tmp_path, "state", "set", sid, "x", "1").returncode == 0  # free again once the holder died


# --- the plan's scenarios ------------------------------------------------------------------------


def test_plan_scenario_multi_session_sprint(tmp_path):
    session_a = run_cli(tmp_path, "session", "create", "--mode", "development", "--project", "myapp").stdout.strip()
    assert run_cli(tmp_path, "shared", "activate-sprint", "myapp", "sprint-001", "--session", session_a).returncode == 0
    session_b = run_cli(tmp_path, "session", "create", "--mode", "development", "--project", "myapp").stdout.strip()
    assert run_cli(tmp_path, "state", "set", session_b, "active_work.sprint", "sprint-001").returncode == 0
    sprint = json.loads(run_cli(tmp_path, "shared", "get-sprint", "myapp", "sprint-001").stdout)
    assert sprint["status"] == "active" and session_a in sprint["sessions"]
    for session in (session_a, session_b):
        assert run_cli(tmp_path, "state", "get", session, "active_work.sprint", "--raw").stdout.strip() == "sprint-001"


def test_plan_scenario_recovery_after_kill_9(tmp_path):
    sid = run_cli(tmp_path, "session", "create", "--mode", "development").stdout.strip()
    tasks = '{"task-001": {"status": "done"}, "task-002": {"status": "todo"}}'
    assert run_cli(tmp_path, "state", "set", sid, "$.execution.tasks", tasks).returncode == 0
    writer = spawn(WRITER, tmp_path, sid, stdout=subprocess.PIPE)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.1)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert run_cli(tmp_path, "session", "recover", sid).returncode == 0
    result = run_cli(tmp_path, "state", "get", sid, "$.execution.tasks")
    assert json.loads(result.stdout) == json.loads(tasks)
