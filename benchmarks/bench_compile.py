"""Benchmark `sudolang compile`: each shipped program and all four, and `compile --check` of the four in a
project made by `sudolang init`, as whole processes round-robin with the floor (answered from the cache, and
with nothing cached), and all four in-process.

Run: uv run python benchmarks/bench_compile.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from timing import interleaved, median_ms, write_report

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users cache bytecode
# The cache of this run's own (a second run of the same program is answered from it, as on a user's machine),
# and one where nothing can be kept (not a folder): every run parses, lints and renders, as a first run does.
CACHED = {**ENV, "SUDOLANG_CACHE_DIR": tempfile.mkdtemp(prefix="sudolang-bench-cache-")}
NO_CACHE = {**ENV, "SUDOLANG_CACHE_DIR": os.devnull + "/sudolang-cache"}


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--quick", action="store_true", help="5 runs instead of 15")
    options.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE (for benchmarks/run_all.py)")
    args = options.parse_args()
    runs = 5 if args.quick else 15
    os.environ["SUDOLANG_CACHE_DIR"] = CACHED["SUDOLANG_CACHE_DIR"]  # the in-process row: not the user's cache
    from sudolang import compiler, programs

    out = tempfile.mkdtemp(prefix="sudolang-compile-")
    project = tempfile.mkdtemp(prefix="sudolang-project-")
    names = programs.names()
    sudolang = str(BIN / "sudolang")
    subprocess.run([sudolang, "init", "--dir", project], env=CACHED, stdout=subprocess.DEVNULL, check=True)
    run = lambda env, *args: lambda: subprocess.run([sudolang, *args], env=env, stdout=subprocess.DEVNULL, check=True)
    check = ("compile", *names, "--check", "--out", os.path.join(project, ".claude"))
    jobs = {"python -c pass (floor)": lambda: subprocess.run([str(BIN / "python"), "-c", "pass"])}
    jobs.update({f"compile {name}": run(CACHED, "compile", name, "--out", out) for name in names})
    jobs["compile all four"] = run(CACHED, "compile", *names, "--out", out)
    jobs["compile all four, no cache"] = run(NO_CACHE, "compile", *names, "--out", out)
    jobs["compile --check all four after init"] = run(CACHED, *check)
    jobs["compile --check all four after init, no cache"] = run(NO_CACHE, *check)
    rows = [(what, "process", statistics.median(samples)) for what, samples in interleaved(jobs, runs).items()]
    rows.append(("compile all four", "in-process", median_ms(lambda: compiler.compile_programs(names), runs)))
    if args.json:
        write_report({"rows": [{"what": what, "mode": mode, "median_ms": ms} for what, mode, ms in rows]}, args.json)
    floor = rows[0][2]
    print("| what | mode | median ms | / floor |\n|---|---|---:|---:|")
    for what, mode, ms in rows:
        print(f"| {what} | {mode} | {ms:.1f} | {f'{ms / floor:.2f}' if mode == 'process' else '-'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
