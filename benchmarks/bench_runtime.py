"""Benchmark the runtime: the dashboard's /refresh, the sprint board drawn from state and a /move on it,
with 10, 1,000 and 10,000 tasks, as whole `sudolang run` processes and in-process.

Run:  uv run python benchmarks/bench_runtime.py [--quick] [--json FILE]

The project document gets `size` tasks of the active sprint (a mix of columns,
assignees and blockers), written through the state API. Each row is the median of
N timed runs after one warm-up run (which compiles the program into the handler
cache and writes .pyc files, as a user's second run would find them). The floor is
`python -c pass`, timed round-robin with the other process rows; each process row is
also given as a multiple of it. /move alternates task T-1 between todo and doing, so
every run writes the whole project document. Target: a dashboard refresh under 500 ms
(the plan). Nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import write_report

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# sudolang as the generated router and scripts run it (-P -c: no runpy, no project folder on the path).
SUDOLANG = [PYTHON, "-P", "-c", "from sudolang.cli import entry; entry()"]
SIZES = (10, 1_000, 10_000)
TARGET_MS = 500
COLUMNS = ("backlog", "todo", "doing", "review", "done")


def seed(root: Path, size: int) -> str:
    """A state directory with one session of project `bench` and `size` tasks on its active sprint."""
    sys.path.insert(0, str(ROOT))
    from sudolang.state import sessions, shared
    from sudolang.state.paths import StateDir

    state = StateDir(root)
    sid = sessions.create(state, "sprint", "bench")
    shared.activate_sprint(state, "bench", "sprint-001", sid)
    at = "2026-11-23T09:00:00Z"
    tasks = {f"T-{n}": {"id": f"T-{n}", "title": f"Task number {n} of the benchmark", "points": n % 5 + 1,
                        "column": COLUMNS[n % 5], "assignee": f"agent-{n % 7}", "sprint": "sprint-001",
                        "blocked": "waiting on review" if n % 97 == 0 else None, "created_at": at,
                        "history": [{"at": at, "column": COLUMNS[n % 5]}]}
             for n in range(1, size + 1)}
    agents = {f"agent-{n}": {"role": "dev", "team": "web" if n % 2 else "api"} for n in range(7)}
    state.project("bench").update(lambda doc: [
        {"op": "set", "path": "$.tasks", "value": tasks},
        {"op": "set", "path": "$.counters.task", "value": size},
        {"op": "set", "path": "$.config.agents", "value": agents},
        {"op": "set", "path": "$.config.settings.wip", "value": {"todo": 10_000, "doing": 10_000, "review": 10_000}},
    ])
    return sid


class Mover(list):
    """A command line whose `{column}` alternates between doing and todo on every use, so each /move moves."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self.template, self.turn = list(words), 0

    def __iter__(self):
        self.turn += 1
        column = "doing" if self.turn % 2 else "todo"
        return iter([w.replace("{column}", column) for w in self.template])


def timed_rows(rows: dict[str, list[str]], env: dict, runs: int) -> dict[str, list[float]]:
    """Milliseconds per run of each command line, round-robin so machine drift hits every row alike."""
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for name, command in rows.items():  # warm-up, and a check that the command works
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[:500]}")
    for _ in range(runs):
        for name, command in rows.items():
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def in_process_ms(root: Path, sid: str, runs: int) -> float:
    """Drawing the dashboard without process start-up: views, one document read, the layout."""
    from sudolang.compiler.cache import handler_source
    from sudolang.runtime import handler, loader
    from sudolang.runtime.context import Context
    from sudolang.state.paths import StateDir

    program = loader.program_of(loader.handler_module(*handler_source("all-team_dashboard")))
    ctx = Context(StateDir(root), sid, "bench")
    refresh = handler.match(program.commands, ["/refresh"])
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        reading = ctx.reading()  # as handler.run does: the command and the views share one read
        handler.screen(program, reading, handler.call(program, refresh, reading).text)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 runs per row instead of 15")
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON to FILE (for run_all.py)")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    work = Path(tempfile.mkdtemp(prefix="sudolang-bench-runtime-"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_NOW", "SUDOLANG_SESSION")}
    env["SUDOLANG_CACHE_DIR"] = str(work / "cache")
    os.environ["SUDOLANG_CACHE_DIR"] = env["SUDOLANG_CACHE_DIR"]  # seeding writes a parse entry: not the user's
    results: dict[str, float] = {}
    floor: list[float] = []
    for size in SIZES:
        root = work / f"state-{size}"
        sid = seed(root, size)
        run = [*SUDOLANG, "--state-dir", str(root), "run"]
        rows = {"floor": [PYTHON, "-c", "pass"],
                "dashboard /refresh, process": [*run, "all-team_dashboard", "/refresh", "--session", sid],
                "sprint /board, process": [*run, "sprint_execution", "/board", "--session", sid],
                "sprint /move, process": Mover([*run, "sprint_execution", "/move", "T-1", "{column}", "--session", sid])}
        samples = timed_rows(rows, env, runs)
        floor += samples.pop("floor")
        for name, values in samples.items():
            results[f"{name} @ {size}"] = statistics.median(values)
        results[f"dashboard /refresh, in-process @ {size}"] = in_process_ms(root, sid, runs)
    results["floor: python -c pass"] = statistics.median(floor)
    if args.json:
        write_report({"runs": runs, "medians_ms": results}, args.json)
    floor_ms = results["floor: python -c pass"]
    print(f"| what | {' | '.join(f'{s:,} tasks' for s in SIZES)} | target |")
    print(f"|---|{'---:|' * len(SIZES)}---:|")
    for what in ("dashboard /refresh, process", "sprint /board, process", "sprint /move, process",
                 "dashboard /refresh, in-process"):
        cells = " | ".join(f"{results[f'{what} @ {size}']:.1f}" + (f" ({results[f'{what} @ {size}'] / floor_ms:.1f}x)"
                                                                    if what.endswith("process") and "in-" not in what
                                                                    else "") for size in SIZES)
        print(f"| {what} | {cells} | {TARGET_MS if what.startswith('dashboard') else ''} |")
    print(f"\nfloor (python -c pass): {floor_ms:.1f} ms; medians of {runs} runs, ms (Nx: N times the floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
