"""Every benchmark of the project in one run, and one table against the plan's targets.

Run:  uv run python benchmarks/run_all.py [--quick] [--json FILE]

Runs bench_state, bench_runtime, bench_hook, bench_compile and bench_language one
after another (each times its own rows round-robin with a bare `python -c pass`,
the floor), then prints one table: each row's median, the plan's target where it
has one (state query < 50 ms, update < 100 ms, dashboard refresh < 500 ms,
session creation < 200 ms, file operations < 10 ms), the ratio to it, and the
ratio to the floor its own script measured. Nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_state", "bench_runtime", "bench_hook", "bench_compile", "bench_language")
# Issue 15's targets, as its table names them: (row, benchmark, what, tasks, target, unit), where the unit
# is "x" for a ratio to the floor of the same run and "ms" for milliseconds.
ISSUE_15 = (
    ("`state get` one value, small session", "state", "state query", 10, 2.0, "x"),
    ("`state get` one value, 10,000 tasks", "state", "state query", 10_000, 2.5, "x"),
    ("`state get` with a filter, 10,000 tasks", "state", "state query, filter", 10_000, 3.0, "x"),
    ("`state set`, small session", "state", "state update", 10, 2.5, "x"),
    ("`state set`, 10,000 tasks", "state", "state update", 10_000, 5.0, "x"),
    ("`session create`", "state", "session creation", None, 2.5, "x"),
    ("`hook` (UserPromptSubmit)", "hook", "UserPromptSubmit + summary", None, 2.5, "x"),
    ("`run all-team_dashboard /refresh`, small", "runtime", "dashboard /refresh", 10, 3.0, "x"),
    ("`run all-team_dashboard /refresh`, 10,000 tasks", "runtime", "dashboard /refresh", 10_000, 100, "ms"),
    ("`run sprint_execution /move`, 10 board tasks", "runtime", "sprint /move", 10, 3.0, "x"),
    ("`run sprint_execution /move`, 10,000 board tasks (Taskwarrior: 166 ms)", "runtime", "sprint /move",
     10_000, 166, "ms"),
    ("`run sprint_execution /board`, 10,000 tasks", "runtime", "sprint /board", 10_000, 8.0, "x"),
    ("`lint` of one program (55 lines), cached", "language", "sudolang lint one program (55 lines), cached", None,
     4.0, "x"),
    ("`lint` of one program (55 lines), no cache", "language", "sudolang lint one program (55 lines), no cache",
     None, 4.0, "x"),
    ("`compile --check` of the four programs, cached", "compile", "compile --check all four after init", None,
     250, "ms"),
    ("`compile --check` of the four programs, no cache", "compile",
     "compile --check all four after init, no cache", None, 250, "ms"),
)
TARGETS = {"state query": 50, "state update": 100, "dashboard refresh": 500, "session creation": 200,
           "file operation": 10, "hook event": 50}


def run_script(name: str, quick: bool, folder: Path) -> dict:
    out = folder / f"{name}.json"
    command = [sys.executable, str(HERE / f"{name}.py"), "--json", str(out), *(["--quick"] if quick else [])]
    print(f"running {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL)
    if done.returncode != 0 or not out.exists():
        print(f"  {name} failed (exit {done.returncode}); its rows are missing", file=sys.stderr)
        return {}
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(out.read_text())


# --- each script's report as rows: (benchmark, what, tasks, mode, median ms, target kind, floor ms) ---


def state_rows(report: dict) -> list[tuple]:
    floor = next(r["median_ms"] for r in report["rows"] if r["operation"].startswith("python -c pass"))
    kinds = {"state query": "state query", "state update": "state update", "session creation": "session creation",
             "file read": "file operation", "file write": "file operation"}
    rows = []
    for r in report["rows"]:
        if r["operation"].startswith("python -c pass"):
            continue
        kind = next((k for prefix, k in kinds.items() if r["operation"].startswith(prefix)), None)
        target = kind if kind and (r["mode"] == "process" or kind == "file operation") else None
        rows.append(("state", r["operation"], r["tasks"], r["mode"], r["median_ms"], target, floor))
    return [("state", "python -c pass (floor)", None, "process", floor, None, floor)] + rows


def runtime_rows(report: dict) -> list[tuple]:
    medians = report["medians_ms"]
    floor = medians["floor: python -c pass"]
    rows = []
    for key, ms in medians.items():
        if key.startswith("floor"):
            continue
        what, size = key.rsplit(" @ ", 1)
        name, mode = what.rsplit(", ", 1)
        target = "dashboard refresh" if name.startswith("dashboard") else None
        rows.append(("runtime", name, int(size), mode, ms, target, floor))
    return rows


def hook_rows(report: dict) -> list[tuple]:
    floor = report["floor_ms"]
    return [("hook", r["event"], None, "process", r["median_ms"], "hook event" if r["target_ms"] else None, floor)
            for r in report["rows"] if not r["event"].startswith("python -c")]


def simple_rows(benchmark: str, report: dict) -> list[tuple]:
    floor = next((r["median_ms"] for r in report["rows"] if r["what"].startswith("python -c")), None)
    return [(benchmark, r["what"], None, r["mode"], r["median_ms"], None, floor)
            for r in report["rows"] if not r["what"].startswith("python -c")]


def table(rows: list[tuple]) -> str:
    lines = ["| benchmark | what | tasks | mode | median ms | target ms | / target | / floor |",
             "|---|---|---:|---|---:|---:|---:|---:|"]
    for benchmark, what, tasks, mode, ms, kind, floor in rows:
        target = TARGETS.get(kind) if kind else None
        ratio = f"{ms / target:.2f}" + (" **miss**" if ms > target else "") if target else "-"
        lines.append(f"| {benchmark} | {what} | {f'{tasks:,}' if tasks else '-'} | {mode} | {ms:.1f} | "
                     f"{target or '-'} | {ratio} | {f'{ms / floor:.2f}' if floor and mode == 'process' else '-'} |")
    return "\n".join(lines)


def issue_15_table(rows: list[tuple]) -> str:
    """Issue 15's rows: each median, its ratio to the floor of its own script's run, the target, met or not."""
    found = {(benchmark, what, tasks): (ms, floor) for benchmark, what, tasks, mode, ms, _, floor in rows
             if mode == "process"}
    lines = ["| command | median ms | / floor | target | met |", "|---|---:|---:|---:|---|"]
    for label, benchmark, what, tasks, target, unit in ISSUE_15:
        if (benchmark, what, tasks) not in found:
            lines.append(f"| {label} | - | - | - | not measured |")
            continue
        ms, floor = found[benchmark, what, tasks]
        value = ms / floor if unit == "x" else ms
        shown = f"≤ {target:.1f}×" if unit == "x" else f"≤ {target:g} ms"
        lines.append(f"| {label} | {ms:.1f} | {ms / floor:.2f} | {shown} | {'yes' if value <= target else '**no**'} |")
    return "\n".join(lines)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true", help="fewer runs per row in every script")
    options.add_argument("--json", metavar="FILE", help="also write every script's report to FILE")
    args = options.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sudolang-bench-all-"))
    reports = {name: run_script(name, args.quick, folder) for name in SCRIPTS}
    rows: list[tuple] = []
    rows += state_rows(reports["bench_state"]) if reports["bench_state"] else []
    rows += runtime_rows(reports["bench_runtime"]) if reports["bench_runtime"] else []
    rows += hook_rows(reports["bench_hook"]) if reports["bench_hook"] else []
    rows += simple_rows("compile", reports["bench_compile"]) if reports["bench_compile"] else []
    rows += simple_rows("language", reports["bench_language"]) if reports["bench_language"] else []
    print(f"{platform.platform()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          f"{'--quick' if args.quick else 'full'} run; medians in ms; / floor is against the floor its script "
          f"measured in the same run\n")
    print(table(rows))
    print("\nIssue 15's targets (ratios against the floor of the same script's run):\n")
    print(issue_15_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n")
    return 0 if all(reports.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
