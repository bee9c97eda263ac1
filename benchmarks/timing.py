"""Timing and reporting shared by the benchmark scripts (run as scripts, so `import timing` finds
this file beside them)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def median_ms(function, runs: int, warm_up: bool = True) -> float:
    """The median milliseconds of `runs` calls, after one untimed call unless `warm_up` is false."""
    if warm_up:
        function()  # .pyc files and the loaded parse tables and templates, as on a user's second run
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def write_report(report: dict, destination: str) -> None:
    """A script's --json report: to standard output for `-`, else to the file `destination`."""
    text = json.dumps(report, indent=2)
    if destination == "-":
        print(text)
    else:
        Path(destination).write_text(text + "\n")


def interleaved(jobs: dict, runs: int) -> dict:
    """Milliseconds of `runs` calls of each job, round-robin after one warm-up call each, so drift on a
    busy machine hits every row alike (the floor among them)."""
    for run in jobs.values():
        run()
    samples: dict = {key: [] for key in jobs}
    for round_number in range(runs):
        for key, run in jobs.items():
            start = time.perf_counter()
            run()
            samples[key].append((time.perf_counter() - start) * 1000)
        if sys.stderr.isatty():
            print(f"\r  round {round_number + 1}/{runs}", end="", file=sys.stderr, flush=True)
    print(f"\r  {len(jobs)} rows x {runs} rounds done", file=sys.stderr, flush=True)
    return samples
