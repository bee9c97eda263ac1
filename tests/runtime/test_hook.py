"""`sudolang hook` as Claude Code runs it: a process per event, the input shaped as Claude Code sends it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sudolang.cli import namespace
from sudolang.cli import spec as cli_spec
from sudolang.compiler.init_project import HOOK_EVENTS, ROUTER, init_project
from sudolang.runtime import hook as hook_module
from sudolang.runtime.context import DEFAULT_PROJECT
from sudolang.state import shared
from sudolang.state.stores import open_state

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

SID = "6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f"
T0 = "2025-03-03T09:00:00Z"


def claude_input(event: str, session_id: str | None = SID, **fields) -> str:
    """A hook input as REFERENCE.md §3 shows it: the common fields, then the event's own."""
    common = {"session_id": session_id, "transcript_path": f"/home/u/.claude/projects/proj/{session_id}.jsonl",
              "cwd": "/home/u/proj", "permission_mode": "default", "hook_event_name": event}
    if session_id is None:
        del common["session_id"]
    return json.dumps({**common, **fields})


def run_hook(root: Path, stdin: str | None = "", *args: str, now: str | None = T0,
             env: dict | None = None) -> subprocess.CompletedProcess:
    child = {k: v for k, v in os.environ.items()
             if k not in ("SUDOLANG_NOW", "SUDOLANG_PROJECT", "CLAUDE_ENV_FILE", "SUDOLANG_STATE_DIR")}
    child.update({"SUDOLANG_NOW": now} if now else {})
    child.update(env or {})
    return subprocess.run([sys.executable, "-m", "sudolang", "--state-dir", str(root), "hook", *args],
                          input=stdin, capture_output=True, text=True, env=child, timeout=30)


def session(root: Path, sid: str = SID) -> dict:
    return open_state(root).session(sid).read()


def project(root: Path, name: str = DEFAULT_PROJECT) -> dict:
    return open_state(root).project(name).read()


def velocity(cli) -> list[dict]:
    """The completed sprints, as the sprint program's /velocity reports them."""
    result = cli("run", "sprint_execution", "/velocity", "--json", "--session", SID)
    assert result.code == 0, result
    return json.loads(result.out)["sprints"]


def log(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / hook_module.LOG_NAME).read_text().splitlines()]


def event_types(document: dict) -> list[str]:
    return [e["type"] for e in document["observability"]["events"]]


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert (result.returncode, result.stderr) == (0, ""), result
    return result


@pytest.fixture
def root(private_state) -> Path:
    return private_state


@pytest.fixture
def started(root) -> Path:
    ok(run_hook(root, claude_input("SessionStart", source="startup", model="claude-sonnet-4-5")))
    return root


def seed_board(root: Path, tasks: dict, sprint: str = "sprint-001", **extra) -> None:
    """Tasks on the default project's board, in an active sprint, as the sprint program makes them."""
    state = open_state(root)
    shared.ensure_project(state, DEFAULT_PROJECT)
    full = {tid: {"id": tid, "title": tid, "points": 1, "column": "todo", "assignee": None, "blocked": None,
                  "sprint": sprint, "created_at": T0, "history": [{"at": T0, "column": "todo"}], **task}
            for tid, task in tasks.items()}
    ops = [{"op": "set", "path": "$.tasks", "value": full},
           {"op": "set", "path": "$.counters", "value": {"task": len(tasks)}},
           {"op": "set", "path": f"$.sprints['{sprint}']", "value": {"status": "active", "activated_at": T0}}]
    ops += [{"op": "set", "path": f"$.{key}", "value": value} for key, value in extra.items()]
    state.project(DEFAULT_PROJECT).update(lambda doc: ops)


# --- SessionStart and UserPromptSubmit --------------------------------------------------------------


def test_session_start_creates_the_session_and_prints_a_summary(root):
    result = ok(run_hook(root, claude_input("SessionStart", source="startup")))
    doc = session(root)
    assert doc["session"]["id"] == doc["session"]["claude_session_id"] == SID
    assert (doc["session"]["mode"], doc["session"]["project"]) == ("development", DEFAULT_PROJECT)
    assert doc["session"]["lifecycle"]["status"] == "active"
    assert result.stdout.startswith(f"sudolang session {SID} (development, project default, active)\n")
    assert not result.stdout.startswith("{")  # Claude Code would parse it as JSON
    [record] = log(root)
    assert (record["event"], record["session"], record["ok"]) == ("SessionStart", SID, True)
    assert "created session (project default)" in record["did"] and record["ms"] >= 0


def test_session_start_resume_attaches_without_duplicating(started):
    ok(run_hook(started, claude_input("SessionStart", source="resume")))
    assert open_state(started).session_ids() == [SID]
    assert event_types(session(started)) == ["session_created", "session_attached"]
    assert log(started)[-1]["did"][0] == "attached (resume)"


def test_session_start_takes_the_project_from_the_environment(root):
    ok(run_hook(root, claude_input("SessionStart", source="startup"), env={"SUDOLANG_PROJECT": "myapp"}))
    assert session(root)["session"]["project"] == "myapp"
    assert project(root, "myapp")["project"]["id"] == "myapp"


def test_session_start_exports_the_session_once_to_claude_env_file(root, tmp_path):
    env_file = tmp_path / "claude-env.sh"
    env_file.write_text("export OTHER=1\n")
    for source in ("startup", "resume"):
        ok(run_hook(root, claude_input("SessionStart", source=source), env={"CLAUDE_ENV_FILE": str(env_file)}))
    assert env_file.read_text() == f"export OTHER=1\nexport SUDOLANG_SESSION={SID}\n"


def test_user_prompt_submit_prints_the_summary_and_heartbeats(started):
    seed_board(started, {"T-1": {"column": "done", "points": 3}, "T-2": {"column": "doing", "points": 2},
                         "T-3": {"blocked": "waiting on the API"}})
    result = ok(run_hook(started, claude_input("UserPromptSubmit", prompt="what next?"), now="2025-03-03T10:00:00Z"))
    assert result.stdout.splitlines() == [
        f"sudolang session {SID} (development, project default, active)",
        "Sprint sprint-001: 3/6 pts done, 3 tasks",
        "Board: backlog 0 | todo 1 | doing 1 | review 0 | done 1",
        "Blocked (1): T-3 (waiting on the API)",
    ]
    lifecycle = session(started)["session"]["lifecycle"]
    assert (lifecycle["last_activity"], lifecycle["expiry"]) == ("2025-03-03T10:00:00Z", "2025-03-04T10:00:00Z")


def test_the_summary_stays_bounded_with_10000_tasks(started):
    columns = ("backlog", "todo", "doing", "review", "done")
    tasks = {f"T-{n}": {"column": columns[n % 5], "blocked": f"reason {n} " + "x" * 100 if n % 20 == 1 else None}
             for n in range(1, 10_001)}
    seed_board(started, tasks)
    result = ok(run_hook(started, claude_input("UserPromptSubmit", prompt="status?")))
    lines = result.stdout.splitlines()
    assert len(result.stdout) <= hook_module.SUMMARY_CHARS and len(lines) <= hook_module.SUMMARY_LINES
    assert all(len(line) <= hook_module.LINE_CHARS for line in lines)
    blocked = next(line for line in lines if line.startswith("Blocked"))
    assert blocked.startswith("Blocked (500): T-1 (reason 1 xxx") and blocked.endswith("…); +497 more")


def test_the_summary_counts_unread_messages_and_says_how_to_read_them(started, monkeypatch):
    from sudolang.state import messages, sessions

    monkeypatch.setenv("SUDOLANG_NOW", T0)  # the session's clock, so it is live for the sender
    state = open_state(started)
    messages.send(state, sessions.create(state, "development"), SID, "hello")
    summary = ok(run_hook(started, claude_input("UserPromptSubmit", prompt="hi"))).stdout
    assert f"Messages: 1 unread message; read with: sudolang msg poll {SID}" in summary


# --- agents --------------------------------------------------------------------------------------------


def test_subagent_start_and_stop_track_the_agent_under_its_type(started):
    ok(run_hook(started, claude_input("SubagentStart", agent_id="agent-a1", agent_type="code-reviewer")))
    ok(run_hook(started, claude_input("SubagentStart", agent_id="agent-a2", agent_type="code-reviewer")))
    agents = session(started)["execution"]["agents"]
    assert agents["code-reviewer"] == {"type": "code-reviewer", "status": "running", "started_at": T0,
                                       "last_heartbeat": T0, "source": "SubagentStart", "claude_agent_id": "agent-a1"}
    assert agents["code-reviewer-2"]["claude_agent_id"] == "agent-a2"  # a second one running at once
    stop = claude_input("SubagentStop", agent_id="agent-a1", agent_type="code-reviewer", stop_hook_active=False,
                        agent_transcript_path="/home/u/.claude/a1.jsonl", last_assistant_message="LGTM")
    assert ok(run_hook(started, stop, now="2025-03-03T09:05:00Z")).stdout == ""
    agents = session(started)["execution"]["agents"]
    assert (agents["code-reviewer"]["status"], agents["code-reviewer"]["ended_at"]) == ("done", "2025-03-03T09:05:00Z")
    assert agents["code-reviewer-2"]["status"] == "running"
    assert event_types(session(started)).count("agent_spawned") == 2


def test_the_dashboard_finds_a_hook_registered_agent(started, cli):
    ok(run_hook(started, claude_input("SubagentStart", agent_id="agent-a1", agent_type="code-reviewer")))
    result = cli("run", "all-team_dashboard", "@code-reviewer", "--json", "--session", SID)
    assert result.code == 0, result
    assert json.loads(result.out)["sessions"] == [{"session": SID, "status": "running", "last_heartbeat": T0}]


def test_older_claude_code_task_tool_registers_the_agent_once(started):
    task_call = claude_input("PreToolUse", tool_name="Task", tool_use_id="toolu_01",
                             tool_input={"subagent_type": "Explore", "description": "Find the auth code",
                                         "prompt": "Look for..."})
    ok(run_hook(started, task_call))
    ok(run_hook(started, claude_input("SubagentStart", agent_id="agent-x", agent_type="Explore")))
    agents = session(started)["execution"]["agents"]
    assert list(agents) == ["Explore"]  # newer Claude Code sends both; still one agent
    assert agents["Explore"]["description"] == "Find the auth code"
    assert agents["Explore"]["claude_agent_id"] == "agent-x"
    ok(run_hook(started, claude_input("SubagentStop", stop_hook_active=False)))  # older: no agent_id at all
    assert session(started)["execution"]["agents"]["Explore"]["status"] == "done"


def test_an_agent_without_a_heartbeat_turns_stale_and_an_event_from_it_revives_it(started):
    ok(run_hook(started, claude_input("SubagentStart", agent_id="agent-a1", agent_type="tester")))
    quiet = ok(run_hook(started, claude_input("UserPromptSubmit", prompt="?"), now="2025-03-03T09:10:00Z"))
    assert "Agents running (1): tester" in quiet.stdout
    late = ok(run_hook(started, claude_input("UserPromptSubmit", prompt="?"), now="2025-03-03T09:20:00Z"))
    agent = session(started)["execution"]["agents"]["tester"]
    assert (agent["status"], agent["stale_at"]) == ("stale", "2025-03-03T09:20:00Z")
    assert "Agents stale (1): tester" in late.stdout
    assert "agent_stale" in event_types(session(started))
    inside = claude_input("PreToolUse", agent_id="agent-a1", agent_type="tester", tool_name="Bash",
                          tool_use_id="toolu_9", tool_input={"command": "pytest"})
    ok(run_hook(started, inside, now="2025-03-03T09:21:00Z"))
    agent = session(started)["execution"]["agents"]["tester"]
    assert (agent["status"], agent["last_heartbeat"]) == ("running", "2025-03-03T09:21:00Z")


# --- tasks ---------------------------------------------------------------------------------------------


def test_task_created_and_completed_sync_the_board(started):
    created = claude_input("TaskCreated", task_id="1", task_subject="Write the login form",
                           task_description="With validation", teammate_name="frontend", team_name="web")
    ok(run_hook(started, created))
    ok(run_hook(started, created))  # the same Claude task again: still one board task
    board = project(started)
    assert list(board["tasks"]) == ["T-1"]
    task = board["tasks"]["T-1"]
    assert (task["title"], task["column"], task["sprint"], task["assignee"]) == (
        "Write the login form", "todo", "sprint-001", "frontend")
    assert (task["claude_task_id"], task["claude_task_list"]) == ("1", SID)  # team_name (deprecated) is not used
    doc = session(started)
    assert doc["execution"]["tasks"]["T-1"] == {"status": "todo", "title": "Write the login form", "claude_task_id": "1"}
    assert doc["active_work"] == {"project": DEFAULT_PROJECT, "sprint": "sprint-001"}

    ok(run_hook(started, claude_input("TaskCompleted", task_id="1", task_subject="Write the login form",
                                      team_name="web"), now="2025-03-04T09:00:00Z"))
    task = project(started)["tasks"]["T-1"]
    assert task["column"] == "done" and task["history"][-1] == {"at": "2025-03-04T09:00:00Z", "column": "done"}
    assert session(started)["execution"]["tasks"]["T-1"]["status"] == "done"
    assert event_types(session(started)).count("task_completed") == 1


def test_a_task_created_event_and_add_make_their_tasks_with_one_function(started, cli, monkeypatch):
    """The hook's TaskCreated and the sprint program's /add both run the program's new_task: the same task
    shape, the same sprint, the same counter; the hook adds only Claude's ids (and its column, todo)."""
    from sudolang.runtime import loader

    made: list[tuple[str, dict]] = []
    load = loader.handler_module

    def spied(path: str, text: str, code=None):
        module = load(path, text, code)
        real = module.f_new_task

        def new_task(run, title, points, column, fields):
            task = real(run, title, points, column, fields)
            made.append((run.ctx.session_id, task))
            return task

        module.f_new_task = new_task  # the generated functions call it by this global name
        return module

    monkeypatch.setattr(loader, "handler_module", spied)
    monkeypatch.setenv("SUDOLANG_NOW", T0)
    hooked = cli("hook", stdin=claude_input("TaskCreated", task_id="1", task_subject="Write the login form"))
    assert (hooked.code, hooked.out, hooked.err) == (0, "", "")
    added = cli("run", "sprint_execution", "/add 'Write the docs' 3", "--session", SID)
    assert added.code == 0 and added.out.startswith("Added T-2 'Write the docs' (3 pts) to the backlog of sprint-001.")
    tasks = project(started)["tasks"]
    assert made == [(SID, tasks["T-1"]), (SID, tasks["T-2"])]
    common = {"assignee": None, "blocked": None, "sprint": "sprint-001", "created_at": T0}
    assert tasks["T-2"] == {"id": "T-2", "title": "Write the docs", "points": 3, "column": "backlog", **common,
                            "history": [{"at": T0, "column": "backlog"}]}
    assert tasks["T-1"] == {"id": "T-1", "title": "Write the login form", "points": 1, "column": "todo", **common,
                            "history": [{"at": T0, "column": "todo"}], "claude_task_id": "1", "claude_task_list": SID}
    assert list(tasks["T-1"]) == list(tasks["T-2"]) + ["claude_task_id", "claude_task_list"]


def test_a_task_completed_without_created_is_added_done(started):
    ok(run_hook(started, claude_input("TaskCompleted", task_id="7")))  # no subject, no team: tolerated
    task = project(started)["tasks"]["T-1"]
    assert (task["title"], task["column"], task["claude_task_list"]) == ("Claude task 7", "done", SID)


def test_the_sprint_whose_last_task_completes_becomes_completed(started, cli):
    for number in ("1", "2"):
        ok(run_hook(started, claude_input("TaskCreated", task_id=number, task_subject=f"task {number}")))
    ok(run_hook(started, claude_input("TaskCompleted", task_id="1")))
    assert project(started)["sprints"]["sprint-001"]["status"] == "active"
    assert velocity(cli) == []
    ok(run_hook(started, claude_input("TaskCompleted", task_id="2"), now="2025-03-05T12:00:00Z"))
    board = project(started)
    assert board["sprints"]["sprint-001"]["status"] == "completed"
    assert velocity(cli) == [{"sprint": "sprint-001", "points": 2, "completed_at": "2025-03-05T12:00:00Z"}]
    assert board["events"][-1]["type"] == "sprint_completed"
    assert "sprint-completes: sprint sprint-001 completed (2 tasks, 2 pts)" in log(started)[-1]["did"]


def test_todo_write_syncs_by_content_and_completes_once(started):
    def todo_write(*statuses: str) -> str:
        todos = [{"content": name, "status": status, "activeForm": f"Doing {name}"}
                 for name, status in zip(("Write tests", "Fix bug"), statuses)]
        return claude_input("PreToolUse", tool_name="TodoWrite", tool_use_id="toolu_02", tool_input={"todos": todos})

    ok(run_hook(started, todo_write("pending", "pending")))
    ok(run_hook(started, todo_write("in_progress", "pending")))
    columns = {t["title"]: t["column"] for t in project(started)["tasks"].values()}
    assert columns == {"Write tests": "doing", "Fix bug": "todo"}
    ok(run_hook(started, todo_write("completed", "pending")))
    ok(run_hook(started, todo_write("completed", "pending")))  # the same list again: nothing new
    board = project(started)
    assert len(board["tasks"]) == 2 and board["tasks"]["T-1"]["column"] == "done"
    assert [h["column"] for h in board["tasks"]["T-1"]["history"]] == ["todo", "doing", "done"]
    assert event_types(session(started)).count("task_completed") == 1
    assert [r["did"][0] for r in log(started)[-3:]] == ["T-1 todo -> doing", "T-1 doing -> done", "heartbeat"]


def test_a_tool_call_other_than_task_or_todo_write_is_only_a_heartbeat(started):
    bash = claude_input("PreToolUse", tool_name="Bash", tool_use_id="toolu_01",
                        tool_input={"command": "npm test", "description": "Run tests"})
    assert ok(run_hook(started, bash, now="2025-03-03T11:00:00Z")).stdout == ""
    assert session(started)["session"]["lifecycle"]["last_activity"] == "2025-03-03T11:00:00Z"
    assert log(started)[-1]["did"] == ["heartbeat"]


# --- SessionEnd -------------------------------------------------------------------------------------------


def test_session_end_pauses_and_the_next_event_reactivates(started):
    ok(run_hook(started, claude_input("SessionEnd", reason="logout")))
    assert session(started)["session"]["lifecycle"]["status"] == "paused"
    assert event_types(session(started))[-1] == "session_paused"
    ok(run_hook(started, claude_input("SessionStart", source="resume")))
    assert session(started)["session"]["lifecycle"]["status"] == "active"


# --- the explicit form --------------------------------------------------------------------------------------


def test_explicit_task_completed_moves_the_task_and_the_epic_follows(started):
    seed_board(started, {"T-1": {"epic": "E-1", "column": "done"}, "T-2": {"epic": "E-1"}, "T-3": {}},
               epics={"E-1": {"id": "E-1", "status": "planned"}})
    ok(run_hook(started, None, "task_completed", SID, '{"task": "t-2"}'))
    board = project(started)
    assert board["tasks"]["T-2"]["column"] == "done"
    assert board["epics"]["E-1"]["status"] == "completed"
    assert board["sprints"]["sprint-001"]["status"] == "active"  # T-3 is still open
    assert session(started)["execution"]["tasks"]["T-2"]["status"] == "done"
    ok(run_hook(started, None, "task_completed", SID, '{"task": "T-2"}'))  # already done: fine
    assert log(started)[-1]["did"][0] == "T-2 already done"


def test_explicit_agent_spawned_registers_the_named_agent(started):
    ok(run_hook(started, None, "agent_spawned", SID, '{"agent": "reviewer-1", "type": "code-reviewer"}'))
    agent = session(started)["execution"]["agents"]["reviewer-1"]
    assert (agent["type"], agent["status"], agent["source"]) == ("code-reviewer", "running", "explicit")


def test_explicit_epic_updated_sets_the_epic(started):
    ok(run_hook(started, None, "epic_updated", SID, '{"epic": "E-1", "status": "in_progress"}'))
    assert project(started)["epics"]["E-1"]["status"] == "active"
    assert event_types(session(started))[-1] == "epic_updated"


def test_explicit_task_blocked_raises_a_blocker_on_the_project(started):
    seed_board(started, {"T-1": {}})
    ok(run_hook(started, None, "task_blocked", SID, '{"task": "T-1", "reason": "waiting on the API"}'))
    board = project(started)
    assert board["tasks"]["T-1"]["blocked"] == "waiting on the API"
    assert board["events"][-1] == {"at": T0, "type": "blocker_raised", "session": SID,
                                   "task": "T-1", "reason": "waiting on the API"}


@pytest.mark.parametrize("args, message", [
    (("task_completed", SID, "{not json"), "PAYLOAD is not valid JSON"),
    (("task_completed", SID, "[1]"), "PAYLOAD must be a JSON object"),
    (("task_completed", SID, "{}"), "the payload needs 'task'"),
    (("task_completed", SID, '{"task": "T-99"}'), "no task 'T-99'; /board lists the tasks"),
    (("task_completed", SID), "usage: sudolang hook task_completed SID PAYLOAD"),
    (("task_completed", "ghost", '{"task": "T-1"}'), "no session 'ghost'"),
    (("epic_updated", SID, '{"epic": "E-1", "status": "sideways"}'), "unknown epic status"),
    (("launch_rockets", SID, "{}"), "unknown event 'launch_rockets'"),
])
def test_a_bad_explicit_event_exits_0_with_one_line_and_a_log_record(started, args, message):
    result = run_hook(started, None, *args)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    record = log(started)[-1]
    assert (record["ok"], record["event"]) == (False, args[0]) and message in record["message"]


# --- never blocks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stdin, kind, message", [
    ("", "usage_error", "empty hook input"),
    ("not json", "usage_error", "hook input is not valid JSON"),
    ("[]", "usage_error", "not a JSON object (got list)"),
    ("{}", "usage_error", "no hook_event_name"),
    (claude_input("BrandNewEvent"), "usage_error", "unknown hook event 'BrandNewEvent'"),
    (claude_input("UserPromptSubmit", session_id=None, prompt="hi"), "usage_error", "no session_id"),
    (claude_input("SessionStart", session_id="../../etc/passwd", source="startup"), "usage_error", "not allowed"),
])
def test_bad_input_exits_0_with_one_stderr_line_and_a_log_record(root, stdin, kind, message):
    result = run_hook(root, stdin)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith("sudolang hook: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    [record] = log(root)
    assert (record["ok"], record["error"]) == (False, kind) and message in record["message"]
    assert not (root / "sessions").exists() or open_state(root).session_ids() == []


@pytest.mark.files_only("tears the session's file")
def test_a_corrupt_session_file_exits_0_and_names_the_recover_command(started):
    (started / "sessions" / f"{SID}.json").write_text("{ torn")
    result = run_hook(started, claude_input("UserPromptSubmit", prompt="hi"))
    assert result.returncode == 0 and result.stdout == ""
    assert f"run `sudolang session recover {SID}`" in result.stderr and result.stderr.count("\n") == 1
    assert log(started)[-1]["error"] == "corrupt_state"


def test_a_held_lock_times_out_quickly_exits_0_and_is_logged(started):
    assert hook_module.HOOK_TIMEOUT <= 2.0 < 10  # 10 s: the timeout `sudolang init` gives the hook
    document = open_state(started).session(SID)
    with document.lock(timeout=1):  # the lock file's flock, or the row held FOR UPDATE in PostgreSQL
        begun = time.monotonic()
        result = run_hook(started, claude_input("UserPromptSubmit", prompt="hi"), "--timeout", "0.3")
        elapsed = time.monotonic() - begun
    assert result.returncode == 0 and result.stdout == ""
    # What was left of the 0.3 s budget after start-up: "0.1s", or "0s" when a loaded machine (a CI run under
    # coverage) spent it all before the lock was tried; never more than the budget.
    assert re.search(r"timed out after 0(\.\d+)?s ", result.stderr) and result.stderr.count("\n") == 1
    assert elapsed < 5
    record = log(started)[-1]
    assert (record["ok"], record["error"], record["event"]) == (False, "lock_timeout", "UserPromptSubmit")


def test_the_default_lock_timeout_is_the_hooks_own():
    parsed = namespace(["--state-dir", "s", "hook"])
    assert (parsed.timeout, parsed.state_dir, parsed.event) == (hook_module.HOOK_TIMEOUT, "s", None)
    assert cli_spec.HOOK_TIMEOUT == hook_module.HOOK_TIMEOUT  # the command line's default is the hook's budget


def test_an_unexpected_error_still_exits_0(root, monkeypatch, cli):
    monkeypatch.setattr(hook_module, "claude_event", lambda hook, data: 1 / 0)
    result = cli("hook", stdin=claude_input("UserPromptSubmit", prompt="hi"))
    assert result.code == 0 and result.err == "sudolang hook: ZeroDivisionError: division by zero\n"
    assert log(root)[-1]["error"] == "internal"


def test_the_event_log_rotates_past_its_limit(root, monkeypatch):
    monkeypatch.setattr(hook_module, "LOG_LIMIT", 300)
    for number in range(10):
        hook_module.append_log(root, {"n": number, "padding": "x" * 50})
    current, older = root / hook_module.LOG_NAME, root / (hook_module.LOG_NAME + ".1")
    assert current.stat().st_size < 300 + 100 and older.exists()
    numbers = [json.loads(line)["n"] for path in (older, current) for line in path.read_text().splitlines()]
    assert numbers == sorted(numbers) and numbers[-1] == 9


# --- the command line and its cost ------------------------------------------------------------------------------


def test_help_goes_through_argparse_and_documents_the_log_and_the_triggers(cli):
    assert namespace(["hook", "--help"]).handler == "sudolang.cli:print_help"
    result = cli("hook", "--help")
    assert result.code == 0
    for needle in ("EVENT SID PAYLOAD", "hook-events.jsonl", "triggers.toml", "--list-triggers", "task_completed"):
        assert needle in result.out, needle


def test_plain_command_lines_skip_argparse():
    parsed = namespace(["hook", "task_completed", SID, '{"task": "T-1"}', "--timeout", "1"])
    assert (parsed.event, parsed.sid, parsed.payload, parsed.timeout) == ("task_completed", SID, '{"task": "T-1"}', 1.0)
    assert namespace(["hook", "--list-triggers"]).list_triggers is True
    assert namespace(["hook", "--bogus"]).problems == ["unknown option '--bogus'"]  # exit 0, logged


def test_list_triggers_names_the_rules_and_their_file(root):
    result = ok(run_hook(root, None, "--list-triggers"))
    assert "packaged file" in result.stdout and "sprint-completes" in result.stdout
    assert not (root / hook_module.LOG_NAME).exists()  # not an event


@pytest.mark.files_only("the file store's start-up; a PostgreSQL store loads psycopg, and what it needs")
def test_the_hook_path_imports_nothing_heavy(started):
    """lark, jinja2, jsonpath-ng and filelock cost 50-100 ms each; argparse, dataclasses and tomllib ~10 ms:
    the hook needs none of them (tomllib only when triggers.toml changed, and the fixture parsed it)."""
    code = ("import sys; from sudolang.cli import main; main(sys.argv[1:]);"
            "print([m for m in ('lark', 'sudolang.lalr', 'jinja2', 'jsonpath_ng', 'filelock', 'argparse', 'dataclasses', 'tomllib')"
            " if m in sys.modules], file=sys.stderr)")
    env = {**os.environ, "SUDOLANG_NOW": T0}
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # under `pytest --cov` coverage itself imports tomllib and dataclasses
    result = subprocess.run([sys.executable, "-c", code, "--state-dir", str(started), "hook"], env=env,
                            input=claude_input("UserPromptSubmit", prompt="hi"), capture_output=True, text=True)
    assert result.stderr == "[]\n" and result.stdout.startswith("sudolang session")


def test_the_summarys_board_facts_are_the_sprint_programs(root):
    """The summary restates the program's columns and active_sprint() (loading the program would cost every
    SessionStart and UserPromptSubmit); here they are held to the compiled program's own."""
    from sudolang.cli.hook import compiled
    from sudolang.runtime import corelib
    from sudolang.runtime.context import Context
    from sudolang.state import sessions

    path, active_sprint = compiled("sprint_execution", "active_sprint")
    generated = getattr(active_sprint, "__wrapped__", active_sprint)  # a pure function is remembered (corelib)
    assert list(hook_module.COLUMNS) == generated.__globals__["C_columns"]
    assert hook_module.DEFAULT_PROJECT == DEFAULT_PROJECT
    state = open_state(root)
    ctx = Context(state, sessions.create(state, "development", DEFAULT_PROJECT), DEFAULT_PROJECT)
    sprints = {"a": {"status": "active", "activated_at": "2025-01-02T00:00:00Z"},
               "b": {"status": "active", "activated_at": "2025-01-03T00:00:00Z"},
               "b2": {"status": "active", "activated_at": "2025-01-03T00:00:00Z"},
               "c": {"status": "completed", "activated_at": "2025-01-04T00:00:00Z"}, "d": {"status": "active"}}
    for value in (sprints, {}, {"x": {"status": "planned"}}):
        state.project(DEFAULT_PROJECT).update(lambda doc: [{"op": "set", "path": "$.sprints", "value": value}])
        assert hook_module.active_sprint({"sprints": value}) == corelib.execute(ctx, path, active_sprint, [], frozenset())[0]


# --- through the router that `sudolang init` writes ---------------------------------------------------------------


def test_the_generated_router_routes_claude_code_events(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    init_project(folder)
    assert "SessionStart" in HOOK_EVENTS and "PreToolUse" in HOOK_EVENTS
    env = {k: v for k, v in os.environ.items() if k not in ("SUDOLANG_STATE_DIR", "SUDOLANG_NOW")}
    router = str(folder / ".claude" / ROUTER)
    started = subprocess.run([router], input=claude_input("SessionStart", source="startup"), cwd=folder, env=env,
                             capture_output=True, text=True, timeout=30)
    assert (started.returncode, started.stderr) == (0, "")
    assert started.stdout.startswith(f"sudolang session {SID}")
    state = folder / ".claude" / "state"
    assert session(state)["session"]["claude_session_id"] == SID
    broken = subprocess.run([router], input="not json", cwd=folder, env=env, capture_output=True, text=True)
    assert broken.returncode == 0 and "hook input is not valid JSON" in broken.stderr
    assert [r["ok"] for r in log(state)] == [True, False]
