"""Benchmark `sudolang hook`: the latency of one Claude Code hook event as a whole process, per event kind.

Run:  uv run python benchmarks/bench_hook.py [--quick] [--json [FILE]] [--keep]

Each row runs `python -P -c 'from sudolang.cli import entry; entry()' --state-dir DIR hook`
(what router.sh runs) with
Claude Code's input on stdin, as a fresh process; one row goes through the
generated router.sh itself. The floor (`python -c pass`) and `sudolang state get`
run in the same round-robin loop, so drift on a busy machine moves them all
alike. Every row runs once as a warm-up (which checks the exit code and stderr,
and writes the .pyc files a user's machine would have), then N timed runs;
the median is reported. Inputs that change state are built per run (a new task
id, alternating todo statuses, start then stop of an agent), so every run does
the real work. Speed is never asserted; this prints numbers.
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, write_report

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# sudolang as the generated router and scripts run it (-P -c: no runpy, no project folder on the path).
SUDOLANG = [PYTHON, "-P", "-c", "from sudolang.cli import entry; entry()"]
TARGET_MS = 50  # the aim for one hook event as a process
SID = "0b6c1f9e-5d2a-4e7b-9c3d-8a1f2e4b6c70"
BIG_SID = "0b6c1f9e-5d2a-4e7b-9c3d-8a1f2e4b6c71"
BIG_PROJECT_TASKS = 10_000

# This machine sets PYTHONDONTWRITEBYTECODE; a user's machine caches bytecode, so the children must too.
# No inherited variable may redirect the state, fix the clock, pick a project or an env file.
CHILD_ENV = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONDONTWRITEBYTECODE", "SUDOLANG_STATE_DIR", "SUDOLANG_NOW", "SUDOLANG_PROJECT",
                          "CLAUDE_ENV_FILE", "SUDOLANG_SESSION")}
# The user's cache is not the benchmark's: the compiled handlers and the parses of large documents it keeps
# (sudolang.state.parsed) go to a folder of this run's, in-process rows included, removed at the end.
CACHE = tempfile.mkdtemp(prefix="sudolang-bench-cache-")
atexit.register(shutil.rmtree, CACHE, True)
os.environ["SUDOLANG_CACHE_DIR"] = CHILD_ENV["SUDOLANG_CACHE_DIR"] = CACHE


def claude_input(event: str, session_id: str = SID, **fields) -> str:
    return json.dumps({"session_id": session_id, "transcript_path": f"/home/u/.claude/projects/p/{session_id}.jsonl",
                       "cwd": "/home/u/proj", "permission_mode": "default", "hook_event_name": event, **fields})


# --- timing ------------------------------------------------------------------------------------------


def process(args: list[str], make_input=None, expect_stderr: str = ""):
    """A callable running one process with `make_input()` on stdin; the warm-up checks exit 0 and stderr."""
    checked = False

    def run() -> None:
        nonlocal checked
        stdin = make_input() if make_input else None
        if checked:
            subprocess.run(args, env=CHILD_ENV, input=stdin, text=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            return
        done = subprocess.run(args, env=CHILD_ENV, input=stdin, text=True, capture_output=True)
        if done.returncode != 0 or expect_stderr not in done.stderr or (not expect_stderr and done.stderr):
            raise SystemExit(f"benchmark command failed: {' '.join(args)}\nexit {done.returncode}\n"
                             f"stdout: {done.stdout[:300]}\nstderr: {done.stderr[:300]}")
        checked = True

    return run


# --- the state the events act on ------------------------------------------------------------------------


def seed(root: Path) -> None:
    """The session (by a first SessionStart) and, for BIG_SID's project, a board of 10,000 tasks."""
    hook = [*SUDOLANG, "--state-dir", str(root), "hook"]
    subprocess.run(hook, input=claude_input("SessionStart", source="startup"), text=True, env=CHILD_ENV,
                   check=True, capture_output=True)
    big_env = {**CHILD_ENV, "SUDOLANG_PROJECT": "big"}
    subprocess.run(hook, input=claude_input("SessionStart", BIG_SID, source="startup"), text=True, env=big_env,
                   check=True, capture_output=True)
    sys.path.insert(0, str(ROOT))
    from sudolang.state.paths import StateDir

    columns = ("backlog", "todo", "doing", "review", "done")
    tasks = {f"T-{n}": {"id": f"T-{n}", "title": f"Task {n}", "points": n % 8 + 1, "column": columns[n % 5],
                        "assignee": None, "blocked": "waiting" if n % 20 == 1 else None, "sprint": "sprint-001"}
             for n in range(1, BIG_PROJECT_TASKS + 1)}
    StateDir(root).project("big").update(lambda doc: [
        {"op": "set", "path": "$.tasks", "value": tasks},
        {"op": "set", "path": "$.counters", "value": {"task": BIG_PROJECT_TASKS}},
        {"op": "set", "path": "$.sprints", "value": {"sprint-001": {"status": "active", "activated_at": "2025-01-01T00:00:00Z"}}},
    ])


def router_project(workdir: Path) -> Path:
    """A project set up by `sudolang init`; returns its router.sh."""
    sys.path.insert(0, str(ROOT))
    from sudolang.compiler.init_project import ROUTER, init_project

    folder = workdir / "project"
    folder.mkdir()
    init_project(folder)
    return folder / ".claude" / ROUTER


def jobs(workdir: Path) -> dict[str, object]:
    root = workdir / "state"
    seed(root)
    hook = [*SUDOLANG, "--state-dir", str(root), "hook"]
    task_numbers, todo_turns = itertools.count(1), itertools.cycle(("in_progress", "pending"))
    current = {"task": 0}

    def task_created() -> str:
        current["task"] = next(task_numbers)
        return claude_input("TaskCreated", task_id=str(current["task"]), task_subject=f"Bench task {current['task']}")

    def todo_write() -> str:
        todos = [{"content": "Write the benchmark", "status": next(todo_turns), "activeForm": "Writing it"},
                 {"content": "Read the numbers", "status": "pending", "activeForm": "Reading them"}]
        return claude_input("PreToolUse", tool_name="TodoWrite", tool_use_id="toolu_02", tool_input={"todos": todos})

    bash_call = claude_input("PreToolUse", tool_name="Bash", tool_use_id="toolu_01",
                             tool_input={"command": "npm test", "description": "Run tests"})
    return {
        "python -c pass (floor)": process([PYTHON, "-c", "pass"]),
        "sudolang state get (reference)": process([*SUDOLANG, "--state-dir", str(root), "state", "get",
                                                   SID, "session.mode"]),
        "SessionStart (resume) + summary": process(hook, lambda: claude_input("SessionStart", source="resume")),
        "UserPromptSubmit + summary": process(hook, lambda: claude_input("UserPromptSubmit", prompt="next?")),
        f"UserPromptSubmit + summary, {BIG_PROJECT_TASKS:,} tasks": process(
            hook, lambda: claude_input("UserPromptSubmit", BIG_SID, prompt="next?")),
        "PreToolUse Bash (heartbeat only)": process(hook, lambda: bash_call),
        "SubagentStart": process(hook, lambda: claude_input("SubagentStart", agent_id="agent-b1",
                                                            agent_type="code-reviewer")),
        "SubagentStop": process(hook, lambda: claude_input("SubagentStop", agent_id="agent-b1", agent_type="code-reviewer",
                                                           stop_hook_active=False)),
        "TaskCreated (new board task)": process(hook, task_created),
        "TaskCompleted (+ sprint completes)": process(hook, lambda: claude_input("TaskCompleted",
                                                                                 task_id=str(current["task"]))),
        "PreToolUse TodoWrite (a task moves)": process(hook, todo_write),
        "explicit task_completed T-1": process(hook + ["task_completed", SID, '{"task": "T-1"}']),
        "SessionEnd (pause)": process(hook, lambda: claude_input("SessionEnd", reason="other")),
        "malformed stdin (error path)": process(hook, lambda: "not json", expect_stderr="hook input is not valid JSON"),
        "SessionStart through router.sh": process([str(router_project(workdir))],
                                                  lambda: claude_input("SessionStart", source="resume")),
    }


# --- output ------------------------------------------------------------------------------------------------


def rows(samples: dict[str, list[float]]) -> list[dict]:
    floor = statistics.median(samples["python -c pass (floor)"])
    result = []
    for name, values in samples.items():
        median = statistics.median(values)
        is_hook = not name.startswith(("python -c", "sudolang state"))
        result.append({"event": name, "median_ms": median, "min_ms": min(values), "max_ms": max(values),
                       "runs": len(values), "target_ms": TARGET_MS if is_hook else None,
                       "ratio_to_target": median / TARGET_MS if is_hook else None,
                       "ratio_to_floor": median / floor, "above_floor_ms": median - floor,
                       "samples_ms": [round(v, 3) for v in values]})
    return result


def table(entries: list[dict]) -> str:
    lines = ["| event (one process each) | median ms | min ms | max ms | target ms | ratio to target | ratio to floor | above floor ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in entries:
        miss = " **miss**" if r["ratio_to_target"] is not None and r["ratio_to_target"] > 1 else ""
        cells = [r["event"], f"{r['median_ms']:.1f}", f"{r['min_ms']:.1f}", f"{r['max_ms']:.1f}", r["target_ms"] or "-",
                 f"{r['ratio_to_target']:.2f}{miss}" if r["ratio_to_target"] is not None else "-",
                 f"{r['ratio_to_floor']:.2f}", f"{r['above_floor_ms']:.1f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--quick", action="store_true", help="7 runs per row instead of 21")
    options.add_argument("--json", nargs="?", const="-", metavar="FILE",
                         help="also write every sample as JSON, to FILE or (without it) to standard output")
    options.add_argument("--keep", action="store_true", help="keep the temporary state directory and name it")
    args = options.parse_args()
    runs = 7 if args.quick else 21

    workdir = Path(tempfile.mkdtemp(prefix="sudolang-bench-hook-"))
    print(f"work directory {workdir}; {runs} runs per row", file=sys.stderr)
    try:
        entries = rows(interleaved(jobs(workdir), runs))
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(entries))
    if args.json:
        report = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
                  "runs": runs, "floor_ms": entries[0]["median_ms"], "rows": entries}
        write_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
