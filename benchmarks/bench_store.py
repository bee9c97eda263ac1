"""The two stores side by side: `state get`, `state set`, a hook event and `msg poll` as whole processes, on the file
store and on PostgreSQL, with sessions of 10 and 10,000 tasks, in one run.

Run:  uv run python benchmarks/bench_store.py [--quick] [--json FILE]

The PostgreSQL server is a throw-away cluster started for the run (tests/pg_server.py: initdb into a
temporary folder, a Unix socket there; as root it runs as the `postgres` user) with fsync and
synchronous commit on, as a real server has them, and the file store fsyncs as always. Both stores are
seeded alike through the API: a session (project `bench`) whose document holds the tasks under
$.execution.tasks, and an empty inbox. Every row is a fresh `sudolang` process; rows are timed
round-robin with `python -c pass` (the floor), after one warm-up each, so drift on a busy machine hits
them all alike. The ratio to the floor is what to compare across machines. Nothing passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, write_report

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PYTHON, SUDOLANG = str(BIN / "python"), str(BIN / "sudolang")
SIZES = (10, 10_000)
CHILD_ENV = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_STATE_DIR", "SUDOLANG_STORE", "SUDOLANG_NOW")}
OPERATIONS = ("state get", "state set", "hook UserPromptSubmit", "msg poll (nothing waiting)")


def seed(state, size: int) -> str:
    """A session of project `bench` holding `size` tasks; returns its id."""
    from sudolang.state import sessions

    sid = sessions.create(state, "development", "bench")
    tasks = {f"task-{i:05d}": {"title": f"Implement feature {i}", "status": ("todo", "doing", "done")[i % 3],
                               "assignee": f"agent-{i % 7}", "points": i % 8 + 1} for i in range(1, size + 1)}
    state.session(sid).update(lambda doc: [{"op": "set", "path": "$.execution.tasks", "value": tasks}])
    return sid


def command(*args: str, stdin: str | None = None, expect: int = 0):
    """A callable running one `sudolang` process; the first call checks it exits `expect`."""
    checked = False

    def run() -> None:
        nonlocal checked
        done = subprocess.run([SUDOLANG, *args], input=stdin, env=CHILD_ENV, capture_output=True, text=True)
        if not checked and done.returncode != expect:
            raise SystemExit(f"benchmark command failed: sudolang {' '.join(args)}\n{done.stderr[:400]}")
        checked = True

    return run


def jobs_for(store: str, root: Path, sid: str) -> dict[str, object]:
    """The four process rows on one store and one seeded session."""
    common = ["--state-dir", str(root), "--store", store]
    hook_input = json.dumps({"session_id": sid, "hook_event_name": "UserPromptSubmit", "prompt": "go on"})
    moves = iter(["doing", "done"] * 10_000)  # every `state set` really changes the document
    setter = lambda: command(*common, "state", "set", sid, "execution.tasks.task-00005.status", next(moves))()
    return {
        "state get": command(*common, "state", "get", sid, "execution.tasks.task-00005.status"),
        "state set": setter,
        "hook UserPromptSubmit": command(*common, "hook", stdin=hook_input),
        "msg poll (nothing waiting)": command(*common, "msg", "poll", sid),
    }


def in_process_jobs(state, sid: str) -> dict[str, object]:
    """The same work through the API inside this interpreter: what the store itself costs, without start-up."""
    from sudolang.state import messages

    moves = iter(["doing", "done"] * 100_000)
    return {
        "read": lambda: state.session(sid).read(),
        "update": lambda: state.session(sid).update(
            lambda doc: [{"op": "set", "path": "$.execution.tasks['task-00005'].status", "value": next(moves)}]),
        "msg poll": lambda: messages.poll(state, sid),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 rounds instead of 15")
    parser.add_argument("--json", metavar="FILE", help="also write every sample as JSON to FILE (- for stdout)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    import pg_server
    from sudolang.state import pg
    from sudolang.state.stores import open_state

    reason = pg_server.missing_reason()
    if reason:
        raise SystemExit(f"no PostgreSQL server can be started here: {reason}")
    work = Path(tempfile.mkdtemp(prefix="sudolang-bench-store-"))
    # Seeding and the commands keep parses of large documents (sudolang.state.parsed): not in the user's cache.
    os.environ["SUDOLANG_CACHE_DIR"] = CHILD_ENV["SUDOLANG_CACHE_DIR"] = str(work / "cache")
    server = pg_server.Server(fsync=True)
    try:
        url = server.schema_url()
        jobs: dict[tuple, object] = {("floor",): command_floor()}
        calls: dict[tuple, object] = {}
        for size in SIZES:
            for store in ("files", url):
                root = work / f"{'files' if store == 'files' else 'postgresql'}-{size}"
                state = open_state(root, store)
                sid = seed(state, size)
                kind = "files" if store == "files" else "postgresql"
                jobs.update({(operation, kind, size): run for operation, run in jobs_for(store, root, sid).items()})
                calls.update({(operation, kind, size): run for operation, run in in_process_jobs(state, sid).items()})
        samples = interleaved(jobs, 5 if args.quick else 15)
        called = interleaved(calls, 21 if args.quick else 101)
        pg.close_all()
    finally:
        server.close()
    medians = {key: statistics.median(values) for key, values in samples.items()}
    floor = medians["floor",]
    print(f"floor (python -c pass): {floor:.1f} ms\n")
    print("| operation | tasks | files ms | files / floor | PostgreSQL ms | PostgreSQL / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for operation in OPERATIONS:
        for size in SIZES:
            files, postgresql = medians[operation, "files", size], medians[operation, "postgresql", size]
            print(f"| {operation} | {size:,} | {files:.1f} | {files / floor:.2f} | {postgresql:.1f} | "
                  f"{postgresql / floor:.2f} |")
    inside = {key: statistics.median(values) for key, values in called.items()}
    print("\nin-process (the API in this interpreter: no start-up, no psycopg import):\n")
    print("| call | tasks | files ms | PostgreSQL ms |\n|---|---:|---:|---:|")
    for operation in ("read", "update", "msg poll"):
        for size in SIZES:
            print(f"| {operation} | {size:,} | {inside[operation, 'files', size]:.2f} | "
                  f"{inside[operation, 'postgresql', size]:.2f} |")
    if args.json:
        write_report({"floor_ms": floor, "rows": [
            {"operation": key[0], "store": key[1], "tasks": key[2], "median_ms": medians[key],
             "ratio_to_floor": medians[key] / floor, "samples_ms": [round(s, 3) for s in samples[key]]}
            for key in samples if key != ("floor",)] + [
            {"operation": key[0], "store": key[1], "tasks": key[2], "mode": "in-process", "median_ms": inside[key]}
            for key in called]}, args.json)
    return 0


def command_floor():
    return lambda: subprocess.run([PYTHON, "-c", "pass"], env=CHILD_ENV, check=True)


if __name__ == "__main__":
    raise SystemExit(main())
