"""The README's set-up block is what CI runs: its test command is the last line of .ci/run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set up.*?```sh\n(.*?)```", readme, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_sets_up_with_two_commands_and_ci_runs_its_test_command():
    main_job, tests = setup_commands()
    assert main_job == "uv run sudolang demo"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == tests == "uv run pytest --cov"


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_lint_example_is_a_file_of_the_repository_and_prints_what_the_readme_shows():
    """Issue 13, item 17: the block's command, run from the repository's root, prints the block's lines."""
    import os
    import subprocess
    import sys

    block = re.search(r"## Lint a program\n\n```console\n(.*?)```", readme(), re.S).group(1)
    command, *shown = block.splitlines()
    program = command.removeprefix("$ uv run sudolang lint ")
    assert (ROOT / program).is_file(), program
    done = subprocess.run([sys.executable, "-m", "sudolang", "lint", program], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0  # warnings only
    assert (done.stdout + done.stderr).splitlines() == shown


def benchmark_table() -> dict[tuple[str, str, str, str], tuple[float, float | None]]:
    """The README's benchmark table: (benchmark, what, tasks, mode) -> (median ms, ratio to the floor)."""
    rows = {}
    for line in readme().split("## Benchmarks", 1)[1].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and re.fullmatch(r"[\d.]+", cells[4]):
            rows[tuple(cells[:4])] = (float(cells[4]), float(cells[7]) if cells[7] != "-" else None)
    return rows


def test_the_readme_figures_agree_with_its_benchmark_table():
    """Issue 13, item 17: every timing the README's prose states is what its one-run table says."""
    text, rows = " ".join(readme().split()), benchmark_table()
    compiles = [ms for (bench, what, _, mode), (ms, _) in rows.items()
                if bench == "compile" and mode == "process" and "all four" not in what]
    about, low, high, four, four_in = re.search(r"Compiling one program takes (?:about (\d+)|(\d+)–(\d+)) ms as a "
                                                r"process, and all four together (\d+) ms \((\d+) ms in-process",
                                                text).groups()
    low, high, four, four_in = (int(about or low), int(about or high), int(four), int(four_in))
    assert (low, high) == (round(min(compiles), -1), round(max(compiles), -1)), compiles  # to the nearest 10 ms
    assert round(rows["compile", "compile all four", "-", "process"][0], -1) == four
    assert round(rows["compile", "compile all four", "-", "in-process"][0]) == four_in
    uncached = int(re.search(r"with nothing cached, all four take ([\d,]+) ms", text).group(1).replace(",", ""))
    assert round(rows["compile", "compile all four, no cache", "-", "process"][0], -1) == uncached

    hook = {what: ratio for (bench, what, _, _), (_, ratio) in rows.items() if bench == "hook"}
    events = [ratio for what, ratio in hook.items() if not re.search(r"reference|malformed|10,000", what)]
    get, low_ratio, high_ratio, big = map(float, re.search(
        r"`sudolang state get` does \(([\d.]+) times the floor\) plus one locked write: ([\d.]+)–([\d.]+) times the "
        r"floor, ([\d.]+) for a summary of 10,000 tasks", text).groups())
    assert get == round(hook["sudolang state get (reference)"], 1)
    assert (low_ratio, high_ratio) == (round(min(events), 1), round(max(events), 1)), events
    assert big == round(hook["UserPromptSubmit + summary, 10,000 tasks"], 1)

    loads = int(re.search(r"`json.loads` alone takes about (\d+) ms", text).group(1))
    assert round(rows["state", "file read (read + json parse)", "10,000", "in-process"][0]) == loads
    imports, get = map(float, re.search(r"`python -c 'import json, pathlib'` alone takes ([\d.]+) times the floor "
                                        r".*? A `state get` of a small session takes ([\d.]+) times the floor",
                                        text).groups())
    assert imports == round(rows["state", "python -c 'import json, pathlib' (reference)", "-", "process"][1], 1)
    assert get == round(rows["state", "state query", "10", "process"][1], 1)
    corpus = int(re.search(r"All (\d+) programs of the public corpus", text).group(1))
    assert ("language", f"parse whole corpus ({corpus} files)", "-", "in-process") in rows
