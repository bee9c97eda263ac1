"""`sudolang run PROGRAM` with no command: the interactive loop, through a pipe and through a real terminal (tmux)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time

import pytest


def environment(tmp_path) -> dict[str, str]:
    return {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"),
            "SUDOLANG_NOW": "2026-11-23T09:00:00Z", "SUDOLANG_ACTOR": "lead"}


def test_piped_commands_redraw_the_view_after_each_and_end_at_eof(tmp_path):
    lines = "/add 'Login page' 3\n/move T-1 doing\nwhat now?\n/nope\n/board\n"
    done = subprocess.run([sys.executable, "-m", "sudolang", "run", "sprint_execution"], input=lines,
                          env=environment(tmp_path), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    screens = done.stdout.split("sprint_execution> ")
    assert len(screens) == 7  # the first view, one per input line, and the last prompt answered by EOF
    assert "│ Sprint: none" in screens[0] and "No active sprint" in screens[0]
    assert "│ Added T-1 'Login page' (3 pts) to the backlog of" in screens[1]  # wrapped in the box
    assert "│ Sprint: sprint-001" in screens[1]  # the header is redrawn from state after the command
    assert "│ Moved T-1 from backlog to doing." in screens[2] and "doing 1/3" not in screens[2]
    assert "Commands start with / or @" in screens[3]
    assert "error: unknown command '/nope'" in screens[4]
    assert "│ DOING (1/3)" in screens[5] and "│   T-1    3 pts   unassigned   Login page" in screens[5]
    assert screens[6] == ""
    assert done.stderr.startswith("sudolang: no active session; created ")  # once, for the whole loop
    assert done.stderr.count("created") == 1


def test_quit_leaves_and_help_shows_the_commands(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sudolang", "run", "all-team_dashboard"], input="/help\n/quit\n/refresh\n",
                          env=environment(tmp_path), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    screens = done.stdout.split("all-team_dashboard> ")
    assert len(screens) == 3  # nothing after /quit runs
    assert "│   @<agent>" in screens[1] and "│   /quit  Leave (or Ctrl-D)" in screens[1]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed; the terminal test needs it")
def test_a_real_terminal_session_navigates_and_leaves_with_ctrl_d(tmp_path):
    socket = f"sudolang-test-{os.getpid()}"
    env = environment(tmp_path)
    subprocess.run([sys.executable, "-m", "sudolang", "run", "config_manager", "/agent alice dev"], env=env, check=True,
                   capture_output=True)
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.startswith("SUDOLANG_"))
    command = f"env {exports} {shlex.quote(sys.executable)} -m sudolang run all-team_dashboard; echo exit=$?; sleep 30"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "t", "-x", "100", "-y", "40", command], check=True)
    try:
        pane = wait_for(tmux, "all-team_dashboard>")
        assert "╭─ ORCHESTRATION DASHBOARD" in pane and "│ Teams: no teams yet" in pane
        keys(tmux, "@alice", "Enter")
        pane = wait_for(tmux, "Agent alice: role dev")
        assert pane.count("╭─ ORCHESTRATION DASHBOARD") == 1  # the screen was cleared and redrawn, not appended
        keys(tmux, "/refresh", "Enter")
        wait_for(tmux, "│ backlog 0 | todo 0/10", gone="Agent alice")  # the overview is back in the main area
        keys(tmux, "C-d")
        assert "exit=0" in wait_for(tmux, "exit=0")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def keys(tmux: list[str], *sent: str) -> None:
    subprocess.run([*tmux, "send-keys", "-t", "t", *sent], check=True)


def wait_for(tmux: list[str], text: str, gone: str | None = None, seconds: float = 15) -> str:
    """The pane's text once it shows `text` (and no longer shows `gone`)."""
    deadline = time.monotonic() + seconds
    pane = ""
    while time.monotonic() < deadline:
        pane = subprocess.run([*tmux, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True).stdout
        if text in pane and (gone is None or gone not in pane):
            return pane
        time.sleep(0.05)
    raise AssertionError(f"the terminal never showed {text!r}:\n{pane}")


def test_a_command_runs_without_the_cyclic_collector_and_the_prompt_with_it(tmp_path):
    """sudolang.cli.entry turns the collector off for a command that runs once; the prompt, which runs on,
    turns it back on. Each probe is the real entry in a real process, with one function swapped for a print."""
    command = "import gc, sudolang.cli as c; c.main = lambda: print(gc.isenabled()) or 0; c.entry()"
    prompt = ("import gc, sys; from sudolang.runtime import interactive as i; "
              "i.converse = lambda screen, stdin: print(gc.isenabled()) or 0; "
              "sys.argv = ['sudolang', 'run', 'sprint_execution']; from sudolang.cli import entry; entry()")
    seen = [subprocess.run([sys.executable, "-c", probe], env=environment(tmp_path), capture_output=True, text=True,
                           timeout=30).stdout.splitlines()[-1] for probe in (command, prompt)]
    assert seen == ["False", "True"]
