"""Benchmark the language front end: parse and lint of the whole corpus in-process, and `sudolang lint` of one
program as a whole process (55, 25 and 606 lines), answered from the cache and with nothing cached, round-robin
with the floor.

Also prints the share of corpus lines the parser reads as code versus prose, and the time to parse
and lint hostile input (issue 10: before the fix, 20 bytes of `{` took 10 s and the 87-byte sample
240 s; each row must stay roughly proportional to its size).
Run: uv run python benchmarks/bench_language.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

from timing import interleaved, median_ms, write_report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SUDOLANG_CORPUS", ROOT.parent / "shared" / "corpus" / "sudolang"))
PROSE_KINDS = {"Prose", "Heading", "ListItem", "Rule", "Comment", "FrontMatter", "Fence"}


def corpus_sources() -> list[tuple[str, str]]:
    return [(str(p), p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.sudo"))]


def line_shares(sources: list[tuple[str, str]]) -> dict[str, int]:
    """Each non-blank line counted once, by the innermost node that starts on it."""
    from sudolang.parser import parse

    counts = {"code": 0, "prose": 0}
    for path, text in sources:
        owner: dict[int, str] = {}
        for node in parse(text, path).walk():
            kind = type(node).__name__
            if kind in ("Program", "StringLit", "Interpolation", "Modifier", "Param"):
                continue
            for line in range(node.span.line, node.span.end_line + 1):
                if kind in ("Block", "SudoFence", "Function", "Conditional", "Loop", "Match", "Requirement",
                            "CommandMap", "Property") and line != node.span.line:
                    continue  # a block's body lines belong to the nodes inside it
                owner[line] = "prose" if kind in PROSE_KINDS else "code"
        lines = text.splitlines()
        for number, content in enumerate(lines, 1):
            if content.strip():
                counts[owner.get(number, "code")] += 1  # closing braces and string bodies are code
    return counts


def hostile_inputs() -> list[tuple[str, str]]:
    """(label, text) of input built to be slow: the two samples of issue 10, random brackets, 1 MB."""
    rng = random.Random(10)
    everything = '{}[]()"`\n \r/*#|>-:=ab\\'
    return [
        ("20 bytes of `{` (issue 10)", "{" * 20),
        ("the 87-byte Bot sample (issue 10)", 'interface Bot {\n  commands {\n    "/x <a>": "d"\n' + "b {\n" * 22),
        ("10,000 random brackets", "".join(rng.choice("{}[]()") for _ in range(10_000))),
        ("100,000 nested `{`", "{" * 100_000),
        ("1 MB of random program characters", "".join(rng.choice(everything) for _ in range(1_000_000))),
    ]


def lint_rows(programs: dict[str, str], runs: int) -> dict[str, float]:
    """Median ms of `sudolang lint PROGRAM` as a whole process, each program twice: `cached` (the second and
    later runs of an unchanged file are answered from the cache, in a cache folder of this run's own) and
    `no cache` ($SUDOLANG_CACHE_DIR where nothing can be kept: every run parses and lints, as the first run of
    an edited file does), round-robin with the floor `python -c pass`."""
    import statistics
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users cache bytecode
    cached = {**env, "SUDOLANG_CACHE_DIR": tempfile.mkdtemp(prefix="sudolang-bench-cache-")}
    nothing = {**env, "SUDOLANG_CACHE_DIR": os.devnull + "/sudolang-cache"}  # not a folder: nothing is kept
    sudolang, python = str(ROOT / ".venv" / "bin" / "sudolang"), str(ROOT / ".venv" / "bin" / "python")
    run = lambda command, env: lambda: subprocess.run(command, capture_output=True, env=env)
    jobs = {"python -c pass (floor)": run([python, "-c", "pass"], env)}
    for label, path in programs.items():
        jobs[f"sudolang lint {label}, cached"] = run([sudolang, "lint", path], cached)
        jobs[f"sudolang lint {label}, no cache"] = run([sudolang, "lint", path], nothing)
    return {what: statistics.median(samples) for what, samples in interleaved(jobs, runs).items()}


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--quick", action="store_true", help="fewer repetitions")
    options.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE (for benchmarks/run_all.py)")
    args = options.parse_args()
    quick = args.quick
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}; set SUDOLANG_CORPUS", file=sys.stderr)
        return 2
    from sudolang.lint import lint
    from sudolang.parser import grammar, parse

    sources = corpus_sources()
    grammar()
    runs = 3 if quick else 9
    total_lines = sum(text.count("\n") + 1 for _, text in sources)
    parse_all = median_ms(lambda: [parse(t, p) for p, t in sources], runs, warm_up=False)
    lint_all = median_ms(lambda: [lint(parse(t, p)) for p, t in sources], runs, warm_up=False)
    programs = {"one program (55 lines)": str(CORPUS / "paralleldrive__sudolang-llm-support__examples__ai-friend.sudo"),
                "examples/lint/dashboard.sudo (25 lines)": str(ROOT / "examples" / "lint" / "dashboard.sudo"),
                "sprint_execution.sudo (606 lines)": str(ROOT / "sudolang" / "programs" / "sprint_execution.sudo")}
    processes = lint_rows(programs, runs * 2)
    floor = processes["python -c pass (floor)"]
    shares = line_shares(sources)
    share_total = shares["code"] + shares["prose"]
    print(f"corpus: {len(sources)} files, {total_lines} lines\n")
    print("| what | median ms | / floor |")
    print("|---|---|---|")
    print(f"| parse whole corpus, in-process | {parse_all:.1f} | - |")
    print(f"| parse + lint whole corpus, in-process | {lint_all:.1f} | - |")
    for what, ms in processes.items():
        print(f"| `{what}`, process | {ms:.1f} | {ms / floor:.2f} |")
    if args.json:
        rows = [{"what": f"parse whole corpus ({len(sources)} files)", "mode": "in-process", "median_ms": parse_all},
                {"what": "parse + lint whole corpus", "mode": "in-process", "median_ms": lint_all}]
        rows += [{"what": what, "mode": "process", "median_ms": ms} for what, ms in processes.items()]
    print("\n| hostile input: parse + lint, in-process | median ms |")
    print("|---|---|")
    for label, text in hostile_inputs():
        small = len(text) <= 100_000
        ms = median_ms(lambda text=text: lint(parse(text, "hostile.sudo")), runs if small else 1, warm_up=small)
        print(f"| {label} | {ms:.1f} |")
        if args.json:
            rows.append({"what": f"hostile: {label}", "mode": "in-process", "median_ms": ms})
    if args.json:
        write_report({"rows": rows}, args.json)
    print(f"\nnon-blank corpus lines read as code: {shares['code']} ({100 * shares['code'] / share_total:.0f}%), "
          f"as prose/markdown/comments: {shares['prose']} ({100 * shares['prose'] / share_total:.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
