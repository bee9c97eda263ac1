"""Child-process plumbing for the concurrency, crash, lock and scenario tests: real interpreters, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable


def forked(work) -> int:
    """Run `work()` in a forked child and return its pid. A fork costs ~2 ms against ~100 ms for a
    fresh interpreter importing sudolang, which makes hundreds of kills affordable; the child is
    still a separate process that can die mid-syscall."""
    import traceback

    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            work()
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    return pid


def child_env(root: Path) -> dict[str, str]:
    """The parent's environment with the state directory pinned to `root` and no fixed clock.

    PYTHONDONTWRITEBYTECODE is dropped so the hundreds of short-lived children reuse cached bytecode."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_NOW")}
    env["SUDOLANG_STATE_DIR"] = str(root)
    return env


def run_cli(root: Path, *args: str, stdin: str | None = None, timeout: float = 60, env: dict | None = None,
            file_size_limit: int | None = None) -> subprocess.CompletedProcess:
    """`sudolang ARGS...` as its own process, finding its state directory through $SUDOLANG_STATE_DIR.

    `env` adds variables; `file_size_limit` sets RLIMIT_FSIZE in the child, so any write past that many
    bytes fails with EFBIG (Python ignores SIGXFSZ): a real failing write, even for root."""
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([PYTHON, "-m", "sudolang", *args], input=stdin, capture_output=True, text=True,
                          env={**child_env(root), **(env or {})}, timeout=timeout,
                          preexec_fn=limit if file_size_limit is not None else None)


def spawn(root: Path, script: str, *args: object, **options) -> subprocess.Popen:
    """`python -c SCRIPT ARGS...` with text pipes for stdout and stderr unless told otherwise."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([PYTHON, "-c", script, *map(str, args)], env=child_env(root), text=True, **options)


def await_line(process: subprocess.Popen, expected: str) -> str:
    """The child's next stdout line, which must start with `expected` (a child that died shows its stderr).
    Read from the pipe a byte at a time: readline() would buffer what follows the line, where finish()'s
    communicate(), which reads the pipe itself, never sees it (a child that printed its result before this
    read lost it so)."""
    received = b""
    while not received.endswith(b"\n"):
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            break
        received += byte
    line = received.decode("utf-8")
    if not line.startswith(expected):
        process.kill()
        raise AssertionError(f"child said {line!r}, not {expected!r}; stderr: {process.stderr.read()}")
    return line.strip()


def finish(process: subprocess.Popen, timeout: float = 120) -> object:
    """Wait for a child, require exit 0, and return the JSON it printed last."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"child exited {process.returncode}: {err}"
    return json.loads(out.strip().splitlines()[-1])


def kill_all(processes: list[subprocess.Popen]) -> None:
    """SIGKILL whatever is still running (a failing test must not leave children behind)."""
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_until(predicate, timeout: float = 30, what: str = "condition") -> None:
    """Poll `predicate` until true; fail (naming `what`) after `timeout` seconds. Synchronisation, not timing."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def has_open(pid: int, path: Path) -> bool:
    """Whether process `pid` holds a descriptor on `path` (Linux /proc), e.g. a lock waiter's open lock file."""
    target = str(path)
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    for name in names:
        try:
            if os.readlink(f"/proc/{pid}/fd/{name}").removesuffix(" (deleted)") == target:
                return True
        except OSError:
            continue
    return False


# --- child scripts ---------------------------------------------------------------------------------
# Each starts with GO: the child prints "ready" and waits for a go-file, so all children contend at
# once instead of racing their own interpreter start-up.

GO = """
import json, os, sys, time
def ready_then_wait(go):
    print("ready", os.getpid(), flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
"""

# argv: root sid count go -> prints the revisions its updates produced, and its longest single update.
API_INCREMENTER = GO + """
from sudolang.state.stores import open_state  # the file store, or $SUDOLANG_STORE
root, sid, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
document = open_state(root).session(sid)
ready_then_wait(go)
revisions, slowest = [], 0.0
for _ in range(count):
    started = time.monotonic()
    revisions.append(document.update(lambda doc: [{"op": "incr", "path": "$.n", "value": 1}], timeout=30)["revision"])
    slowest = max(slowest, time.monotonic() - started)
print(json.dumps({"revisions": revisions, "slowest": slowest}))
"""

# argv: root sid count go -> each increment is a whole `sudolang state batch SID -` process.
CLI_INCREMENTER = GO + """
import subprocess
root, sid, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ready_then_wait(go)
revisions = []
for _ in range(count):
    done = subprocess.run([sys.executable, "-m", "sudolang", "--timeout", "30", "state", "batch", sid, "-"],
                          input='[{"op":"incr","path":"n"}]', capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"batch exited {done.returncode}: {done.stderr}")
    revisions.append(json.loads(done.stdout)["revision"])
print(json.dumps({"revisions": revisions}))
"""

# argv: root sid stop base -> polls read() until the stop-file appears; every document it sees must
# parse, exist, and satisfy n == revision - base (each increment is exactly one revision).
API_READER = """
import json, os, sys
from sudolang.errors import CorruptState, NotFound
from sudolang.state.stores import open_state  # the file store, or $SUDOLANG_STORE
root, sid, stop, base = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
document = open_state(root).session(sid)
seen = {"reads": 0, "corrupt": 0, "missing": 0, "inconsistent": 0, "backwards": 0, "revisions": 0}
last = base
print("ready", flush=True)
while not os.path.exists(stop):
    seen["reads"] += 1
    try:
        doc = document.read()
    except CorruptState:
        seen["corrupt"] += 1
        continue
    except NotFound:
        seen["missing"] += 1
        continue
    seen["inconsistent"] += doc.get("n", 0) != doc["revision"] - base
    seen["backwards"] += doc["revision"] < last
    seen["revisions"] += doc["revision"] != last
    last = doc["revision"]
print(json.dumps(seen))
"""

# argv: root sid stop -> `sudolang state get SID revision` in a loop; counts runs that did not exit 0.
CLI_READER = """
import json, os, subprocess, sys
root, sid, stop = sys.argv[1], sys.argv[2], sys.argv[3]
seen = {"reads": 0, "failed": 0, "errors": []}
print("ready", flush=True)
while not os.path.exists(stop):
    done = subprocess.run([sys.executable, "-m", "sudolang", "state", "get", sid, "revision"],
                          capture_output=True, text=True)
    seen["reads"] += 1
    if done.returncode != 0:
        seen["failed"] += 1
        seen["errors"].append(done.stderr[-200:])
print(json.dumps(seen))
"""

# argv: kind lock_path stop [unlink] -> takes the lock ("ours" or "filelock"), says so, holds it until
# the stop-file appears; with "unlink" it removes the lock file while holding it, as archiving does.
HOLDER = """
import os, sys, time
kind, lock_path, stop = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "filelock":
    import filelock
    lock = filelock.FileLock(lock_path, timeout=10)
else:
    from sudolang.state.lock import FileLock
    lock = FileLock(lock_path, timeout=10)
with lock:
    print("locked", os.getpid(), flush=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        time.sleep(0.002)
    if sys.argv[4:] == ["unlink"]:
        os.unlink(lock_path)
print("released", flush=True)
"""

# argv: kind lock_path counter journal rounds go -> an unprotected read-modify-write of a plain counter
# file, made safe only by the lock ("ours", "filelock", or "none" for the control). Inside the lock it
# also journals its kind, so the test can see the two implementations really interleaved.
COUNTER = GO + """
import contextlib
kind, lock_path, counter, journal, rounds, go = sys.argv[1:7]
if kind == "filelock":
    import filelock
    lock = filelock.FileLock(lock_path, timeout=60)
    locked = lambda: lock.acquire(poll_interval=0.001)  # filelock polls every 50 ms by default: too gentle a race
elif kind == "ours":
    from sudolang.state.lock import FileLock
    locked = lambda: FileLock(lock_path, timeout=60)
else:
    locked = contextlib.nullcontext
ready_then_wait(go)
torn = 0
for _ in range(int(rounds)):
    with locked():
        text = open(counter).read()
        while not text:  # only the unlocked control can catch the file between truncate and write
            torn += 1
            text = open(counter).read()
        time.sleep(0.0002)
        with open(counter, "w") as out:
            out.write(str(int(text) + 1))
        with open(journal, "a") as out:
            out.write(kind + "\\n")
    time.sleep(0.0005)  # work between writes; without it the releaser re-takes the lock before any waiter wakes
print(json.dumps({"torn": torn}))
"""

# argv: root sid -> updates the session forever (until killed), ticking a metric and its twin in one
# update; prints "writing" once its first update is committed.
TICKER = """
import sys
from sudolang.state.stores import open_state  # the file store, or $SUDOLANG_STORE
document = open_state(sys.argv[1]).session(sys.argv[2])
def tick(doc):
    n = doc["observability"]["metrics"].get("ticks", 0) + 1
    return [{"op": "set", "path": "$.observability.metrics.ticks", "value": n},
            {"op": "set", "path": "$.observability.metrics.ticks_copy", "value": n}]
document.update(tick)
print("writing", flush=True)
while True:
    document.update(tick)
"""

# argv: kind lock_path marker hold -> takes the lock, then claims `marker` with O_EXCL: if another
# holder already has it, two processes hold "the" lock at once. Prints whether that happened.
EXCLUSIVE = """
import json, os, sys, time
kind, lock_path, marker, hold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
if kind == "filelock":
    import filelock
    lock = filelock.FileLock(lock_path, timeout=30)
else:
    from sudolang.state.lock import FileLock
    lock = FileLock(lock_path, timeout=30)
print("waiting", flush=True)
with lock:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        overlap = False
    except FileExistsError:
        overlap = True
    time.sleep(hold)
    if not overlap:
        os.unlink(marker)
print(json.dumps({"overlap": overlap}))
"""
