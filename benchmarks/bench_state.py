"""Benchmark the state layer against the plan's targets, as whole CLI processes and in-process.

Run:  uv run python benchmarks/bench_state.py [--quick] [--json [FILE]] [--keep]

Session documents hold 10, 1,000 and 10,000 tasks under $.execution.tasks, built
through the API (one `set` of the whole task map). Every measurement runs once
as a warm-up (which also writes the .pyc files a user's machine would have) and
then reports the median of N timed runs. The floor is a bare `python -c pass` of
the same venv interpreter, timed round-robin with the CLI rows in the same run, so
drift on a busy machine moves the floor and the rows together.
Speed is never asserted; this prints numbers, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import interleaved, write_report

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
SUDOLANG = str(BIN / "sudolang")
SIZES = (10, 1_000, 10_000)
# The plan's targets, in milliseconds.
TARGETS = {"query": 50, "update": 100, "create": 200, "file": 10}
SIMPLE_PATH = "execution.tasks.task-00005.status"
# RFC 9535: a filter on an object tests its member values, so `tasks[?(...)]` matches tasks, while
# `tasks.*[?(...)]` filters inside each task and matches nothing.
FILTER_PATH = '$.execution.tasks[?(@.status == "done")].title'
STATUSES = ("todo", "doing", "blocked", "done")

# This machine sets PYTHONDONTWRITEBYTECODE; a user's machine caches bytecode, so the children must too.
# The state directory is always passed with --state-dir; no inherited variable may redirect or fix it.
CHILD_ENV = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_STATE_DIR", "SUDOLANG_NOW")}
# The user's cache is not the benchmark's: the compiled handlers and the parses of large documents it keeps
# (sudolang.state.parsed) go to a folder of this run's, in-process rows included, removed at the end.
CACHE = tempfile.mkdtemp(prefix="sudolang-bench-cache-")
atexit.register(shutil.rmtree, CACHE, True)
os.environ["SUDOLANG_CACHE_DIR"] = CHILD_ENV["SUDOLANG_CACHE_DIR"] = CACHE


# --- timing ----------------------------------------------------------------------------------------


def sample(function, runs: int) -> list[float]:
    """Milliseconds of `runs` timed calls, after one untimed warm-up call."""
    function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def process(*args: str, expect: str | None = None):
    """A callable running one CLI process; the warm-up call checks its output contains `expect`."""
    checked = False

    def run() -> None:
        nonlocal checked
        if checked:
            subprocess.run(args, env=CHILD_ENV, stdout=subprocess.DEVNULL, check=True)
            return
        done = subprocess.run(args, env=CHILD_ENV, capture_output=True, text=True)
        if done.returncode != 0 or (expect is not None and expect not in done.stdout):
            raise SystemExit(f"benchmark command failed: {' '.join(args)}\n"
                             f"exit {done.returncode}\nstdout: {done.stdout[:300]}\nstderr: {done.stderr[:300]}")
        checked = True

    return run


# --- documents -------------------------------------------------------------------------------------


def tasks(size: int) -> dict:
    return {f"task-{i:05d}": {"title": f"Implement feature {i}", "status": STATUSES[i % len(STATUSES)],
                              "assignee": f"agent-{i % 7}", "points": i % 8 + 1} for i in range(1, size + 1)}


def seed(root: Path, size: int) -> str:
    """A session (of project `bench`) whose document holds `size` tasks; returns its id."""
    from sudolang.state import sessions
    from sudolang.state.paths import StateDir

    state = StateDir(root)
    sid = sessions.create(state, "development", "bench")
    value = tasks(size)
    state.session(sid).update(lambda doc: [{"op": "set", "path": "$.execution.tasks", "value": value}])
    return sid


# --- the measurements ------------------------------------------------------------------------------


def row(operation: str, size: int | None, mode: str, target: str | None, samples: list[float], **extra) -> dict:
    return {"operation": operation, "tasks": size, "mode": mode, "target_ms": TARGETS[target] if target else None,
            "median_ms": statistics.median(samples), "min_ms": min(samples), "max_ms": max(samples),
            "runs": len(samples), "samples_ms": [round(s, 3) for s in samples], **extra}


def measure(process_runs: int, call_runs: int, workdir: Path) -> tuple[list[dict], dict]:
    from sudolang.state import sessions
    from sudolang.jsonpath import compile_path, find
    from sudolang.state.paths import StateDir
    from sudolang.state.store import encode, write_atomically

    roots = {size: workdir / f"tasks-{size}" for size in SIZES}
    sids = {size: seed(roots[size], size) for size in SIZES}
    created = workdir / "created"

    # Whole CLI processes, the floor among them.
    jobs: dict[tuple, object] = {("floor",): process(PYTHON, "-c", "pass"),
                                 ("imports",): process(PYTHON, "-c", "import json, pathlib")}
    for size in SIZES:
        at, sid = ("--state-dir", str(roots[size])), sids[size]
        jobs["query", size] = process(SUDOLANG, *at, "state", "get", sid, SIMPLE_PATH, expect='"doing"')
        jobs["filter", size] = process(SUDOLANG, *at, "state", "get", sid, FILTER_PATH, expect="Implement feature")
        jobs["update", size] = process(SUDOLANG, *at, "state", "set", sid, SIMPLE_PATH, "done")
    create = (SUDOLANG, "--state-dir", str(created), "session", "create", "--mode", "development")
    jobs["create", None] = process(*create)
    jobs["create project", None] = process(*create, "--project", "P")
    timed = interleaved(jobs, process_runs)
    floor = statistics.median(timed["floor",])

    rows = [row("python -c pass (floor)", None, "process", None, timed["floor",]),
            # What any command reading a JSON file at a path loads before its own code: the part of a
            # `state get` above the floor that sudolang cannot shorten by its own imports.
            row("python -c 'import json, pathlib' (reference)", None, "process", None, timed["imports",])]
    for size in SIZES:
        root, sid = roots[size], sids[size]
        document = StateDir(root).session(sid)
        rows.append(row("state query", size, "process", "query", timed["query", size]))
        rows.append(row("state query", size, "in-process", "query", sample(
            lambda: find(StateDir(root).session(sid).read(), compile_path(SIMPLE_PATH)), call_runs)))
        rows.append(row("state query, filter", size, "process", "query", timed["filter", size]))
        rows.append(row("state query, filter", size, "in-process", "query", sample(
            lambda: find(StateDir(root).session(sid).read(), compile_path(FILTER_PATH)), call_runs)))
        rows.append(row("state update", size, "process", "update", timed["update", size]))
        values = iter(range(10**9))
        rows.append(row("state update", size, "in-process", "update", sample(
            lambda: StateDir(root).session(sid).update(
                lambda doc: [{"op": "set", "path": SIMPLE_PATH, "value": STATUSES[next(values) % 2]}]), call_runs)))
        os.environ["SUDOLANG_CACHE_DIR"] = os.devnull + "/sudolang-cache"  # nothing kept: every read parses
        rows.append(row("file read (read + json parse)", size, "in-process", "file",
                        sample(document.read, call_runs), file_bytes=document.path.stat().st_size))
        os.environ["SUDOLANG_CACHE_DIR"] = CACHE  # a large document's parse kept (sudolang.state.parsed)
        rows.append(row("file read (the parse kept)", size, "in-process", "file",
                        sample(document.read, call_runs), file_bytes=document.path.stat().st_size))
        data = encode(document.read()).encode()
        target = root / "copy.json"
        rows.append(row("file write (write_atomically)", size, "in-process", "file",
                        sample(lambda: write_atomically(target, data), call_runs), file_bytes=len(data)))
        print(f"  in-process rows for {size:,} tasks done", file=sys.stderr, flush=True)

    # Session creation does not depend on any document's size.
    rows.append(row("session creation", None, "process", "create", timed["create", None]))
    rows.append(row("session creation", None, "in-process", "create",
                    sample(lambda: sessions.create(StateDir(created), "development"), call_runs)))
    rows.append(row("session creation --project P", None, "process", "create", timed["create project", None]))
    rows.append(row("session creation --project P", None, "in-process", "create",
                    sample(lambda: sessions.create(StateDir(created), "development", "P"), call_runs)))

    for entry in rows:
        entry["ratio_to_target"] = entry["median_ms"] / entry["target_ms"] if entry["target_ms"] else None
        entry["ratio_to_floor"] = entry["median_ms"] / floor if entry["mode"] == "process" else None
        entry["above_floor_ms"] = entry["median_ms"] - floor if entry["mode"] == "process" else None
    return rows, {"floor_ms": floor}


# --- output ----------------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    lines = ["| operation | size (tasks) | mode | median ms | target ms | ratio to target | ratio to floor |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        miss = " **miss**" if r["ratio_to_target"] is not None and r["ratio_to_target"] > 1 else ""
        cells = [r["operation"], f"{r['tasks']:,}" if r["tasks"] is not None else "-", r["mode"],
                 f"{r['median_ms']:.1f}", r["target_ms"] or "-",
                 f"{r['ratio_to_target']:.2f}{miss}" if r["ratio_to_target"] is not None else "-",
                 f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] is not None else "-"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true",
                         help="7 runs per process row and 21 per in-process row, instead of 21 and 101")
    options.add_argument("--json", nargs="?", const="-", metavar="FILE",
                         help="also write every sample as JSON, to FILE or (without it) to standard output")
    options.add_argument("--keep", action="store_true", help="keep the temporary state directory and name it")
    args = options.parse_args()
    process_runs, call_runs = (7, 21) if args.quick else (21, 101)

    workdir = Path(tempfile.mkdtemp(prefix="sudolang-bench-state-"))
    print(f"state directory {workdir}; {process_runs} runs per process row, {call_runs} per in-process row",
          file=sys.stderr)
    try:
        rows, summary = measure(process_runs, call_runs, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    if args.json:
        report = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
                  "process_runs": process_runs, "call_runs": call_runs, **summary, "rows": rows}
        write_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
