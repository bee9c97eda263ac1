"""Compiled SudoLang against the hand-written Python it replaced: the same commands, side by side, in one run.

Run:  git worktree add /tmp/handwritten 4bf0d0d   # the last commit with sudolang/runtime/actions/*.py
      uv run python benchmarks/bench_compiled.py --baseline /tmp/handwritten [--quick] [--json FILE]

Both sides run as whole `python -m sudolang run …` processes with this checkout's interpreter, one with
PYTHONPATH at the baseline checkout (its hand-written actions), one at this checkout (the programs'
compiled SudoLang), against copies of one seeded state (10, 1,000 and 10,000 tasks of an active sprint).
Rows are timed round-robin with `python -c pass` (the floor), after a warm-up that fills each side's
handler cache. /move alternates a task between two columns, so every run writes. Nothing passes or fails;
the ratio new/old is what issue 12 bounds (within 10%).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_runtime import Mover, seed
from timing import write_report

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SIZES = (10, 1_000, 10_000)
COMMANDS = {"sprint /move": ["sprint_execution", "/move T-5 {column}"],
            "sprint /board": ["sprint_execution", "/board"],
            "dashboard /refresh": ["all-team_dashboard", "/refresh"],
            "chat /decisions": ["leadership_chat", "/decisions"],
            "config /show": ["config_manager", "/show"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="a checkout of the hand-written version")
    parser.add_argument("--quick", action="store_true", help="5 runs per row instead of 15")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    work = Path(tempfile.mkdtemp(prefix="sudolang-bench-compiled-"))
    os.environ["SUDOLANG_CACHE_DIR"] = str(work / "cache-seed")  # seeding keeps a parse: not in the user's cache
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_NOW", "SUDOLANG_SESSION")}
    sides = {"hand-written": str(Path(args.baseline).resolve()), "compiled": str(ROOT)}
    results: dict[str, float] = {}
    floor: list[float] = []
    for size in SIZES:
        seeded = work / f"seed-{size}"
        sid = seed(seeded, size)
        rows: dict[str, list[str]] = {"floor": [PYTHON, "-c", "pass"]}
        envs = {}
        for side, path in sides.items():
            root = work / f"{side}-{size}"
            shutil.copytree(seeded, root)
            envs[side] = {**base, "PYTHONPATH": path, "SUDOLANG_CACHE_DIR": str(work / f"cache-{side}")}
            for name, (program, line) in COMMANDS.items():
                command = [PYTHON, "-m", "sudolang", "--state-dir", str(root), "run", program, line, "--session", sid]
                rows[f"{name} | {side}"] = Mover(command) if "{column}" in line else command
        samples = timed_rows_per_side(rows, envs, runs, work)
        floor += samples.pop("floor")
        for name, values in samples.items():
            results[f"{name} @ {size}"] = statistics.median(values)
    results["floor: python -c pass"] = statistics.median(floor)
    if args.json:
        write_report({"runs": runs, "medians_ms": results}, args.json)
    print("| command | tasks | hand-written ms | compiled ms | compiled / hand-written |")
    print("|---|---:|---:|---:|---:|")
    for name in COMMANDS:
        for size in SIZES:
            old, new = results[f"{name} | hand-written @ {size}"], results[f"{name} | compiled @ {size}"]
            print(f"| {name} | {size:,} | {old:.1f} | {new:.1f} | {new / old:.2f} |")
    print(f"\nfloor (python -c pass): {results['floor: python -c pass']:.1f} ms; medians of {runs} runs")
    return 0


def timed_rows_per_side(rows: dict, envs: dict, runs: int, cwd: Path) -> dict[str, list[float]]:
    """timed_rows with each row's own environment (its side's PYTHONPATH), run in `cwd`: `python -m` puts the
    current folder first on sys.path, so started in a checkout, both sides would run that checkout's code."""
    samples: dict[str, list[float]] = {}
    import subprocess
    import time

    for name, command in rows.items():
        env = envs.get(name.rpartition(" | ")[2], envs["compiled"])
        done = subprocess.run(list(command), env=env, capture_output=True, text=True, cwd=cwd)
        if done.returncode != 0:
            raise SystemExit(f"benchmark command failed ({name}): {' '.join(command)}\n{done.stderr[:500]}")
        samples[name] = []
    for _ in range(runs):
        for name, command in rows.items():
            env = envs.get(name.rpartition(" | ")[2], envs["compiled"])
            start = time.perf_counter()
            subprocess.run(list(command), env=env, stdout=subprocess.DEVNULL, check=True, cwd=cwd)
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
