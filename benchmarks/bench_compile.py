"""Benchmark `sudolang compile`: each shipped program and all four, as whole processes and in-process.

Run: uv run python benchmarks/bench_compile.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from timing import median_ms, write_report

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users cache bytecode


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--quick", action="store_true", help="5 runs instead of 15")
    options.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE (for benchmarks/run_all.py)")
    args = options.parse_args()
    runs = 5 if args.quick else 15
    from sudolang import compiler, programs

    out = tempfile.mkdtemp(prefix="sudolang-compile-")
    names = programs.names()
    process = lambda *args: lambda: subprocess.run([str(BIN / "sudolang"), "compile", *args, "--out", out],
                                                   env=ENV, stdout=subprocess.DEVNULL, check=True)
    rows = [("python -c pass (floor)", median_ms(lambda: subprocess.run([str(BIN / "python"), "-c", "pass"]), runs))]
    rows += [(f"compile {name}, process", median_ms(process(name), runs)) for name in names]
    rows.append(("compile all four, process", median_ms(process(*names), runs)))
    rows.append(("compile all four, in-process", median_ms(lambda: compiler.compile_programs(names), runs)))
    if args.json:
        write_report({"rows": [
            {"what": what.rsplit(", ", 1)[0], "mode": what.rsplit(", ", 1)[-1] if ", " in what else "process",
             "median_ms": ms} for what, ms in rows]}, args.json)
    print("| what | median ms |\n|---|---:|")
    for what, ms in rows:
        print(f"| {what} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
