"""The plan's multi-session scenario, as a team would drive it: two Claude Code sessions whose hooks,
`sudolang run` commands and messages meet in one project's state. Every step is a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

CLAUDE_A, CLAUDE_B = str(uuid.uuid4()), str(uuid.uuid4())


class Team:
    """Runs `sudolang` processes against one state directory, as project `myapp`."""

    def __init__(self, tmp_path) -> None:
        self.env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"),
                    "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"), "SUDOLANG_PROJECT": "myapp"}
        self.env.pop("SUDOLANG_NOW", None)
        self.env.pop("SUDOLANG_SESSION", None)

    def sudolang(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "sudolang", *args], input=stdin, env=self.env,
                              capture_output=True, text=True, timeout=60)
        assert not check or done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def hook(self, event: str, session: str, **fields: object) -> subprocess.CompletedProcess:
        """A Claude Code hook event on stdin, in the shape Claude Code sends."""
        payload = {"session_id": session, "transcript_path": f"/home/u/.claude/projects/p/{session}.jsonl",
                   "cwd": "/home/u/myapp", "permission_mode": "default", "hook_event_name": event, **fields}
        done = self.sudolang("hook", stdin=json.dumps(payload))
        assert done.stderr == "", done.stderr
        return done

    def run(self, session: str, program: str, line: str) -> str:
        return self.sudolang("run", program, line, "--session", session).stdout


def test_two_sessions_share_a_sprint_agents_messages_and_survive_a_crash(tmp_path):
    team = Team(tmp_path)

    # Session A starts: its hook creates the orchestration session and tells the model where it stands.
    started = team.hook("SessionStart", CLAUDE_A, source="startup", model="claude-sonnet")
    assert CLAUDE_A[:8] in started.stdout
    team.run(CLAUDE_A, "config_manager", "/agent alice dev")
    team.run(CLAUDE_A, "sprint_execution", "/add 'Login page' 3")
    team.run(CLAUDE_A, "sprint_execution", "/add Logout 2")
    team.run(CLAUDE_A, "sprint_execution", "/assign T-1 alice")

    # Session B joins the sprint (the plan's step: set its active_work) and sees the same board.
    team.hook("SessionStart", CLAUDE_B, source="startup")
    team.sudolang("state", "set", CLAUDE_B, "active_work.sprint", "sprint-001")
    sprint = json.loads(team.sudolang("shared", "get-sprint", "myapp", "sprint-001").stdout)
    assert sprint["status"] == "active"
    board_b = team.run(CLAUDE_B, "sprint_execution", "/board")
    assert "│ Sprint: sprint-001" in board_b and "T-1    3 pts   alice" in board_b and "T-2    2 pts" in board_b

    # A spawns a reviewer; B's dashboard finds it running in A.
    team.hook("SubagentStart", CLAUDE_A, agent_id="agent-7f3", agent_type="code-reviewer")
    agent = team.run(CLAUDE_B, "all-team_dashboard", "@code-reviewer")
    assert f"session {CLAUDE_A}: running" in agent

    # B finishes T-1 through its command; A's Claude Code reports T-2 done through the explicit form.
    team.run(CLAUDE_B, "sprint_execution", "/move T-1 done")
    team.sudolang("hook", "task_completed", CLAUDE_A, '{"task": "T-2"}')
    dashboard_a = team.run(CLAUDE_A, "all-team_dashboard", "/refresh")
    assert "│ Velocity: 5.0 pts/sprint (last 5, 1 sprint)" in dashboard_a  # the trigger completed the sprint
    assert "sprint_completed sprint-001" in dashboard_a

    # A asks B for a review; B's next prompt tells its model, and B reads the message exactly once.
    team.sudolang("msg", "send", CLAUDE_A, CLAUDE_B, "please review the login page")
    prompt = team.hook("UserPromptSubmit", CLAUDE_B, prompt="what next?")
    assert f"1 unread message; read with: sudolang msg poll {CLAUDE_B}" in prompt.stdout
    assert team.sudolang("msg", "poll", CLAUDE_B).stdout.endswith(f"{CLAUDE_A}: please review the login page\n")
    assert team.sudolang("msg", "poll", CLAUDE_B).stdout == ""

    # A crash: a process writing A's state is killed mid-stream; recover, then A still works.
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, CLAUDE_A], env=team.env)
    time.sleep(1.0)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    team.sudolang("session", "recover", CLAUDE_A)
    tasks = json.loads(team.sudolang("state", "get", CLAUDE_A, "$.execution.tasks").stdout)
    assert isinstance(tasks, dict)
    assert team.sudolang("state", "get", CLAUDE_A, "session.lifecycle.status", "--raw").stdout == "active\n"
    assert "│ Velocity: 5.0 pts/sprint" in team.run(CLAUDE_A, "all-team_dashboard", "/refresh")

    # A ends; its session pauses, and B's messages to it are still accepted (paused is not gone).
    team.hook("SessionEnd", CLAUDE_A, reason="logout")
    assert team.sudolang("state", "get", CLAUDE_A, "session.lifecycle.status", "--raw").stdout == "paused\n"
    team.sudolang("msg", "send", CLAUDE_B, CLAUDE_A, "thanks, merged")
    assert "thanks, merged" in team.sudolang("msg", "list", CLAUDE_A).stdout


# Writes A's document as fast as it can until killed (a Claude Code session mid-work).
_WRITER = """
import sys
from sudolang.state.paths import find_state_dir
from sudolang.state.stores import open_state
state = open_state(find_state_dir(None))
n = 0
while True:
    n += 1
    state.session(sys.argv[1]).update(lambda doc: [{"op": "set", "path": "$.observability.metrics.writes", "value": n}])
"""
