"""Timing shared by the benchmark scripts (run as scripts, so `import timing` finds this file beside them)."""

from __future__ import annotations

import sys
import time


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
