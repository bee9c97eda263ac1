"""Benchmark the state layer against the plan's targets, as whole CLI processes and in-process.

Run: uv run python benchmarks/bench_state.py [--quick] [--json]
Sizes are session documents with 10, 1,000 and 10,000 tasks. The floor is a
bare `python -c pass` of the same interpreter, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
SIZES = (10, 1_000, 10_000)
TARGETS = {"state query": 50, "state update": 100, "session creation": 200, "file read": 10, "file write": 10}
# This machine sets PYTHONDONTWRITEBYTECODE; a user's machine caches bytecode, so the children must too.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(function, runs: int) -> float:
    function()  # warm-up (and .pyc files written)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def process(*args: str):
    return lambda: subprocess.run(list(args), env=ENV, stdout=subprocess.DEVNULL, check=True)


def seed(root: Path, size: int) -> str:
    from sudolang.state import sessions
    from sudolang.state.paths import StateDir

    state = StateDir(root)
    sid = sessions.create(state, "sprint", "bench")
    tasks = {f"task-{i:05d}": {"title": f"Implement feature {i}", "status": ("todo", "doing", "done")[i % 3],
                               "assignee": f"agent-{i % 7}", "points": i % 8 + 1} for i in range(size)}
    state.session(sid).update(lambda doc: [{"op": "set", "path": "$.execution.tasks", "value": tasks}])
    return sid


def measure(runs: int) -> list[dict]:
    from sudolang.state import sessions
    from sudolang.state.jsonpath import compile_path, find
    from sudolang.state.paths import StateDir
    from sudolang.state.store import encode, write_atomically

    rows: list[dict] = []

    def row(operation: str, size: int | str, mode: str, ms: float, target: str | None = None) -> None:
        rows.append({"operation": operation, "tasks": size, "mode": mode, "median_ms": round(ms, 2),
                     "target_ms": TARGETS.get(target or operation)})

    floor = median_ms(process(str(BIN / "python"), "-c", "pass"), runs)
    rows.append({"operation": "python -c pass (floor)", "tasks": "-", "mode": "process", "median_ms": round(floor, 2),
                 "target_ms": None})
    sudolang = str(BIN / "sudolang")
    for size in SIZES:
        root = Path(tempfile.mkdtemp(prefix="sudolang-bench-"))
        sid = seed(root, size)
        at = ["--state-dir", str(root)]
        row("state query", size, "process", median_ms(process(sudolang, *at, "state", "get", sid,
                                                               "execution.tasks.task-00005.status"), runs))
        row("state query (filter, jsonpath-ng)", size, "process", median_ms(process(
            sudolang, *at, "state", "get", sid, '$.execution.tasks[?(@.assignee == "agent-3")].title'), runs),
            "state query")
        row("state update", size, "process", median_ms(process(sudolang, *at, "state", "set", sid,
                                                                "execution.tasks.task-00005.status", "done"), runs))
        document = StateDir(root).session(sid)
        path = compile_path("execution.tasks.task-00005.status")
        row("state query", size, "in-process", median_ms(lambda: find(document.read(), path), runs * 5))
        flip = iter(range(10**9))
        row("state update", size, "in-process", median_ms(lambda: document.update(
            lambda doc: [{"op": "set", "path": "execution.tasks.task-00005.points", "value": next(flip)}]), runs * 5))
        row("file read", size, "in-process", median_ms(document.read, runs * 5))
        data = encode(document.read()).encode()
        row("file write", size, "in-process", median_ms(
            lambda: write_atomically(root / "copy.json", data, root / ".copy.json.tmp"), runs * 5))
    root = Path(tempfile.mkdtemp(prefix="sudolang-bench-"))
    row("session creation", "-", "process", median_ms(process(sudolang, "--state-dir", str(root), "session",
                                                               "create", "--mode", "development"), runs))
    row("session creation", "-", "in-process", median_ms(lambda: sessions.create(StateDir(root), "development"), runs * 5))
    for entry in rows:
        entry["ratio_to_target"] = round(entry["median_ms"] / entry["target_ms"], 2) if entry["target_ms"] else None
        entry["ratio_to_floor"] = round(entry["median_ms"] / floor, 2) if entry["mode"] == "process" else None
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| operation | tasks | mode | median ms | target ms | / target | / floor |", "|---|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        cells = [r["operation"], f"{r['tasks']:,}" if isinstance(r["tasks"], int) else r["tasks"], r["mode"],
                 f"{r['median_ms']:.1f}", r["target_ms"] or "-", r["ratio_to_target"] or "-", r["ratio_to_floor"] or "-"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true", help="5 runs per process measurement instead of 21")
    options.add_argument("--json", action="store_true", help="also print the raw rows as JSON")
    args = options.parse_args()
    rows = measure(5 if args.quick else 21)
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
