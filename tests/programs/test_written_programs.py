"""Two programs written from docs/language.md alone (tests/programs/written/): every local command runs
through `sudolang run`, through its generated handler as a process, and through the interactive loop."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang import compiler

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = Path(__file__).resolve().parent / "written"
INCIDENTS = str(WRITTEN / "incident_log.sudo")
REVIEWS = str(WRITTEN / "review_queue.sudo")

INCIDENT_SCRIPT = [
    (["/page", "ada", "db is down"], 0, "Paged ada for INC-1: db is down"),
    (["/page bob 'disk full'"], 0, "Paged bob for INC-2: disk full"),
    (["/sev inc-1 SEV1"], 0, "INC-1 is now sev1"),
    (["/sev INC-2 sev9"], 1, "unknown severity sev9; expected sev1, sev2, sev3"),
    (["/note", "inc-1", "restarted", "the", "primary"], 0, "Noted on INC-1 (1 notes)"),
    (["/note INC-1 'still slow'"], 0, "Noted on INC-1 (2 notes)"),
    (["/open"], 0, "INC-1   sev1  ada: db is down\nINC-2   sev3  bob: disk full"),
    (["/resolve inc-1"], 0, "Resolved INC-1 after 2 notes"),
    (["/resolve inc-1"], 0, "INC-1 was already resolved"),
    (["/resolve inc-7"], 3, "no incident inc-7; /open lists them"),
]

REVIEW_SCRIPT = [
    ("ada", ["/submit 'Fix login' 3"], 0, "Submitted CR-1: Fix login"),
    ("ada", ["/submit Typos"], 0, "Submitted CR-2: Typos"),
    ("ada", ["/submit Big zero"], 2, "<size> must be a whole number"),
    ("ada", ["/claim 1"], 1, "you cannot review your own change"),
    ("bob", ["/claim cr-1"], 0, "bob reviews CR-1"),
    ("bob", ["/claim 1"], 1, "CR-1 is in review"),
    ("bob", ["/claim 2"], 0, "bob reviews CR-2"),
    ("ada", ["/approve 1"], 1, "CR-1 is reviewed by bob, not you"),
    ("bob", ["/approve 1"], 0, "Approved CR-1"),
    ("bob", ["/reject 2 needs a test"], 0, "Rejected CR-2: needs a test"),
    ("bob", ["/queue"], 0, "approved: CR-1\nrejected: CR-2"),
]


def test_the_incident_log_runs_every_command_through_sudolang_run(cli):
    sid = cli("session", "create", "--mode", "development", "--project", "ops").out.split()[-1]
    for words, code, expected in INCIDENT_SCRIPT:
        done = cli("run", INCIDENTS, *words, "--session", sid)
        assert done.code == code, (words, done)
        shown = done.out if code == 0 else done.err
        assert expected in shown, (words, done)


def test_the_review_queue_runs_every_command_through_its_generated_handler(tmp_path):
    out = tmp_path / ".claude"
    compiler.write_files(out, compiler.compile_programs([REVIEWS]))
    handler = out / "scripts" / "handlers" / "review_queue.py"
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(ROOT)}
    for actor, words, code, expected in REVIEW_SCRIPT:
        done = subprocess.run([sys.executable, str(handler), *words], capture_output=True, text=True,
                              env={**env, "SUDOLANG_ACTOR": actor}, timeout=60)
        assert done.returncode == code, (words, done.stdout, done.stderr)
        assert expected in (done.stdout if code == 0 else done.stderr), (words, done.stdout, done.stderr)
    claude = subprocess.run([sys.executable, str(handler), "--claude", "/claim 9"], capture_output=True, text=True,
                            env={**env, "SUDOLANG_ACTOR": "bob"}, timeout=60)
    assert claude.returncode == 0 and claude.stdout.startswith("error: no change 9 (")  # the model sees it


def test_the_incident_log_runs_in_the_interactive_loop(tmp_path):
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "c"),
           "PYTHONPATH": str(ROOT)}
    lines = "/page ada 'db is down'\n/sev inc-1 sev2\n/note inc-1 looking\n/resolve inc-1\n/open\n"
    done = subprocess.run([sys.executable, "-m", "sudolang", "run", INCIDENTS], input=lines, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    screens = done.stdout.split("incident_log> ")
    assert "│ Open: none" in screens[0]  # the view, drawn from state before any command
    assert "Paged ada for INC-1: db is down" in screens[1] and "│ Open: 1 (worst sev3)" in screens[1]
    assert "INC-1 is now sev2" in screens[2]
    assert "Noted on INC-1 (1 notes)" in screens[3]
    assert "Resolved INC-1 after 1 notes" in screens[4] and "│ Open: none" in screens[4]
    assert "No open incident." in screens[5]


@pytest.mark.parametrize("program", [INCIDENTS, REVIEWS])
def test_lint_says_every_command_runs_locally(cli, program):
    done = cli("lint", "--notes", program)
    assert done.code == 0 and "SL511" not in done.out
    commands = [line for line in Path(program).read_text().splitlines() if line.strip().startswith('"/') and "/help" not in line]
    assert done.out.count("SL510") == len(commands)
