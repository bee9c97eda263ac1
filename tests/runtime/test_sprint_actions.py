"""The sprint program (sudolang/programs/sprint_execution.sudo), run through `sudolang run` against real state:
board, add, assign, move, block, velocity and burndown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang.state import sessions

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

ROOT = Path(__file__).resolve().parents[2]
NOW = "2025-03-03T09:00:00Z"


@pytest.fixture
def sid(state, monkeypatch) -> str:
    """The session the commands run in, in project myapp."""
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    return sessions.create(state, "development", "myapp")


@pytest.fixture
def sprint(cli, sid):
    """`sprint(LINE, code=0)`: run one command of the sprint program in session `sid` (or `session`),
    asserting its exit code; returns the CliResult."""

    def run(line: str, *options: str, code: int = 0, session: str | None = None):
        result = cli("run", "sprint_execution", line, *options, "--session", session or sid)
        assert result.code == code, result
        return result

    return run


@pytest.fixture
def project(state):
    """The project document as it is now."""
    return lambda: state.project("myapp").read()


def configure(state, **config) -> None:
    state.project("myapp").update(lambda doc: [{"op": "merge", "path": "$.config", "value": config}])


def screen(out: str) -> list[str]:
    """The lines inside a drawn layout's box, without the borders."""
    return [line[2:-1].rstrip() for line in out.splitlines() if line.startswith("│")]


def views(state, sid: str) -> dict[str, str]:
    """What each placeholder of the layout shows now: the views are the program's functions board_line,
    blockers_line, velocity_line and burndown_line (sudolang.runtime.handler.binding_values)."""
    from sudolang.compiler.cache import handler_source
    from sudolang.runtime import handler, loader
    from sudolang.runtime.context import Context

    program = loader.program_of(loader.handler_module(*handler_source("sprint_execution")))
    return handler.binding_values(program, Context(state, sid, "myapp"))


def flat(out: str) -> str:
    """The box's text as one line, each run of spaces one space: what a wrapped value says."""
    return " ".join(" ".join(screen(out)).split())


def test_add_starts_sprint_001_and_numbers_tasks(sprint, project, state, sid):
    assert sprint("/add 'Login page' 3").out == "Added T-1 'Login page' (3 pts) to the backlog of sprint-001.\n"
    assert sprint("/add Logout").out == "Added T-2 'Logout' (1 pt) to the backlog of sprint-001.\n"
    doc = project()
    assert doc["sprints"]["sprint-001"] == {"status": "active", "activated_at": NOW, "sessions": [sid]}
    assert doc["counters"]["task"] == 2
    assert doc["tasks"]["T-2"] == {"id": "T-2", "title": "Logout", "points": 1, "column": "backlog",
                                   "assignee": None, "blocked": None, "sprint": "sprint-001",
                                   "created_at": NOW, "history": [{"at": NOW, "column": "backlog"}]}
    session = state.session(sid).read()
    assert session["active_work"] == {"project": "myapp", "sprint": "sprint-001"}
    activated = [e for e in session["observability"]["events"] if e["type"] == "sprint_activated"]
    assert activated == [{"at": NOW, "type": "sprint_activated", "project": "myapp", "sprint": "sprint-001"}]


def test_add_returns_the_task_as_json(sprint):
    task = json.loads(sprint("/add 'Login page' 3", "--json").out)
    assert (task["id"], task["title"], task["points"], task["column"]) == ("T-1", "Login page", 3, "backlog")


@pytest.mark.parametrize("points", ["x", "-1", "2.5"])
def test_add_refuses_bad_points_and_writes_nothing(sprint, project, points):
    result = sprint(f"/add Task {points}", code=2)
    assert f"points must be a whole number of 0 or more, got '{points}'" in result.err
    assert "tasks" not in project() and project()["sprints"] == {}


def test_add_needs_a_title(sprint):
    assert "the task needs a title" in sprint("/add ' ' 2", code=2).err


def test_concurrent_adds_get_distinct_ids(sprint, state, sid, tmp_path):
    """Eight processes of two sessions add at once: one command is one transaction, so no id is given twice."""
    sprint("/add first")
    other = sessions.create(state, "development", "myapp")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    workers = [subprocess.Popen([sys.executable, "-m", "sudolang", "run", "sprint_execution", "/add t",
                                 "--session", session], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for session in (sid, other) * 4]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    tasks = state.project("myapp").read()["tasks"]
    assert sorted(tasks, key=lambda k: int(k[2:])) == [f"T-{n}" for n in range(1, 10)]
    assert state.project("myapp").read()["counters"]["task"] == 9


def test_board_lists_columns_with_wip(sprint, state, sid):
    sprint("/add Login 3")
    sprint("/move T-1 doing")
    lines = screen(sprint("/board").out)
    start = lines.index("Sprint sprint-001")
    assert lines[start:start + 4] == ["Sprint sprint-001", "BACKLOG (0)", "TODO (0/10)", "DOING (1/3)"]
    assert "  T-1    3 pts   unassigned   Login" in lines
    board = json.loads(sprint("/board", "--json").out)
    assert [t["id"] for t in board["columns"]["doing"]] == ["T-1"]
    assert board["wip"] == {"backlog": None, "todo": 10, "doing": 3, "review": 3, "done": None}
    assert views(state, sid)["board"] == "backlog 0 | todo 0/10 | doing 1/3 | review 0/3 | done 0"


def test_move_records_history_and_accepts_short_ids(sprint, project, monkeypatch):
    sprint("/add Login")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T10:00:00Z")
    assert sprint("/move 1 Todo").out == "Moved T-1 from backlog to todo.\n"
    assert project()["tasks"]["T-1"]["history"][-1] == {"at": "2025-03-04T10:00:00Z", "column": "todo"}
    assert sprint("/move t-1 todo").out == "T-1 is already in todo.\n"
    assert len(project()["tasks"]["T-1"]["history"]) == 2


def test_move_refusals(sprint, project, state):
    configure(state, settings={"wip": {"doing": 1}})
    sprint("/add a")
    sprint("/add b")
    sprint("/move T-1 doing")
    refused = sprint("/move T-2 doing", code=1)
    assert "doing is at its WIP limit of 1 (T-1); move one of them on before adding T-2" in refused.err
    assert "unknown column 'later'; expected one of backlog, todo, doing, review, done" in sprint(
        "/move T-2 later", code=2).err
    assert "no task 'T-9'; /board lists the tasks" in sprint("/move T-9 todo", code=3).err
    sprint("/block T-2 waiting")
    assert "T-2 is blocked (waiting); /unblock it before moving it" in sprint("/move T-2 todo", code=1).err
    assert project()["tasks"]["T-2"]["column"] == "backlog"
    assert len(project()["tasks"]["T-2"]["history"]) == 1


def test_the_triggers_of_a_move_act_on_the_state_as_it_is_now(sprint, project, state, monkeypatch):
    """A move's trigger conditions read the document the move committed, not the file again; a write another
    process commits in between is still what decides, by the action's own check under the lock: the last
    task of the sprint moves to done, but a new task joined the sprint meanwhile, so it does not complete."""
    from sudolang.runtime import triggers

    sprint("/add a")
    sprint("/add b")
    sprint("/move T-1 done")
    real_fire = triggers.fire

    def fire_after_another_write(*args, **kwargs):
        late = json.dumps({"id": "T-3", "title": "late", "points": 1, "column": "todo", "sprint": "sprint-001"})
        subprocess.run([sys.executable, "-m", "sudolang", "shared", "set", "myapp", "tasks.T-3", late], check=True,
                       capture_output=True)
        return real_fire(*args, **kwargs)

    monkeypatch.setattr(triggers, "fire", fire_after_another_write)
    assert sprint("/move T-2 done").out == "Moved T-2 from backlog to done.\n"
    assert project()["sprints"]["sprint-001"]["status"] == "active" and "T-3" in project()["tasks"]
    monkeypatch.setattr(triggers, "fire", real_fire)
    assert "sprint-completes: sprint sprint-001 completed" in sprint("/move T-3 done").out


def test_assign_picks_least_loaded_then_by_name(sprint, project, state):
    configure(state, agents={"carol": {"role": "dev"}, "bob": {"role": "dev"}, "alice": {"role": "qa"}})
    for title, points in (("a", "5"), ("b", "2"), ("c", "1"), ("d", "1")):
        sprint(f"/add {title} {points}")
    assert sprint("/assign T-1").out == "Assigned T-1 to alice (least loaded: 0 open pts).\n"
    sprint("/assign T-2")  # bob (0) before carol (0)
    sprint("/assign T-3")  # carol, still at 0
    assert sprint("/assign T-4").out == "Assigned T-4 to carol (least loaded: 1 open pt).\n"
    assignees = {k: t["assignee"] for k, t in project()["tasks"].items()}
    assert assignees == {"T-1": "alice", "T-2": "bob", "T-3": "carol", "T-4": "carol"}
    assert sprint("/assign T-1 @bob").out == "Assigned T-1 to bob.\n"
    assert sprint("/assign T-1").out == "Assigned T-1 to alice (least loaded: 0 open pts).\n"


def test_reassigning_does_not_count_the_tasks_own_points(sprint, state):
    configure(state, agents={"alice": {}, "bob": {}})
    sprint("/add big 5")
    sprint("/add small 1")
    sprint("/assign T-1 alice")
    sprint("/assign T-2 bob")
    assert sprint("/assign T-1").out == "Assigned T-1 to alice (least loaded: 0 open pts).\n"
    sprint("/move T-1 done")  # done points are not open
    assert sprint("/assign T-2").out == "Assigned T-2 to alice (least loaded: 0 open pts).\n"


def test_assign_refusals(sprint, state, project):
    sprint("/add a")
    assert "no agents to assign to; add agents with the config manager (/agent <name>)" in sprint(
        "/assign T-1", code=1).err
    configure(state, agents={"alice": {}})
    assert "no agent 'zed'; add it with the config manager (/agent zed)" in sprint("/assign T-1 zed", code=3).err
    assert "no task 'T-2'" in sprint("/assign T-2", code=3).err
    assert project()["tasks"]["T-1"]["assignee"] is None


def test_block_and_unblock_log_session_events(sprint, project, state, sid):
    sprint("/add a")
    assert sprint("/block T-1 waiting on the API").out == (
        "Blocked T-1: waiting on the API\n"
        "  trigger blocker-on-dashboard: project event blocker_raised (task=T-1, reason=waiting on the API)\n")
    assert project()["tasks"]["T-1"]["blocked"] == "waiting on the API"
    assert project()["tasks"]["T-1"]["blocked_at"] == NOW
    assert project()["events"][-1] == {"at": NOW, "type": "blocker_raised", "session": sid, "task": "T-1",
                                       "reason": "waiting on the API"}
    assert "│ Blocked: T-1 (waiting on the API)" in sprint("/board").out
    assert views(state, sid)["blockers"] == "T-1 (waiting on the API)"
    assert sprint("/unblock T-1").out == ("Unblocked T-1 (was: waiting on the API).\n"
                                          "  trigger blocker-cleared-on-dashboard: project event blocker_cleared (task=T-1)\n")
    assert sprint("/unblock T-1").out == "T-1 is not blocked.\n"
    assert project()["tasks"]["T-1"]["blocked"] is None
    events = [e for e in state.session(sid).read()["observability"]["events"] if e["type"].startswith("task_")]
    assert events == [{"at": NOW, "type": "task_blocked", "task": "T-1", "reason": "waiting on the API"},
                      {"at": NOW, "type": "task_unblocked", "task": "T-1"}]


def test_block_needs_a_reason(sprint):
    sprint("/add a")
    assert "say why the task is blocked" in sprint("/block T-1 ' '", code=2).err


def test_blockers_line_names_five_then_counts(sprint, state, sid):
    for n in range(1, 9):
        sprint(f"/add t{n}")
        sprint(f"/block T-{n} r{n}")
    sprint("/unblock T-2")
    state.project("myapp").update(lambda doc: [{"op": "set", "path": "$.tasks['T-3'].column", "value": "done"}])
    assert views(state, sid)["blockers"] == "T-1 (r1), T-4 (r4), T-5 (r5), T-6 (r6), T-7 (r7), and 1 more"
    assert "Blocked: T-1 (r1), T-4 (r4), T-5 (r5), T-6 (r6), T-7 (r7), and 1 more" in flat(sprint("/board").out)


def test_moving_the_last_task_to_done_completes_the_sprint_through_its_trigger(sprint, project):
    sprint("/add a 5")
    sprint("/add b 3")
    assert sprint("/move T-1 done").out == "Moved T-1 from backlog to done.\n"
    assert sprint("/move T-2 done").out == ("Moved T-2 from backlog to done.\n"
                                            "  trigger sprint-completes: sprint sprint-001 completed (2 tasks, 8 pts)\n")
    velocity = json.loads(sprint("/velocity", "--json").out)
    assert velocity["sprints"] == [{"sprint": "sprint-001", "points": 8, "completed_at": NOW}]
    assert sprint("/add c").out.endswith("to the backlog of sprint-002.\n")  # the next task starts the next sprint


def test_with_review_required_only_a_reviewed_task_may_be_done(sprint, state):
    sprint("/add a")
    configure(state, settings={"review": {"required": True}})
    refused = sprint("/move T-1 done", code=1)
    assert "T-1 must pass review first (the setting review.required is on): /move T-1 review" in refused.err
    sprint("/move T-1 review")
    assert sprint("/move T-1 done").out.startswith("Moved T-1 from review to done.")


def test_velocity_over_completed_sprints(sprint, state, sid):
    assert sprint("/velocity").out == "No completed sprint yet.\n"

    def complete(sprint_id: str, at: str) -> None:
        state.project("myapp").update(lambda doc: [{"op": "merge", "path": f"$.sprints['{sprint_id}']",
                                                    "value": {"status": "completed", "completed_at": at}}])

    sprint("/add a 5")
    sprint("/add b 3")
    sprint("/move T-1 done")
    complete("sprint-001", "2025-03-10T00:00:00Z")
    sprint("/add c 8")  # starts sprint-002
    sprint("/move T-3 done")
    complete("sprint-002", "2025-03-20T00:00:00Z")
    assert sprint("/velocity").out.splitlines() == ["sprint         points  completed",
                                                    "sprint-001          5  2025-03-10",
                                                    "sprint-002          8  2025-03-20",
                                                    "average: 6.5 pts per sprint over 2 sprints"]
    assert json.loads(sprint("/velocity", "--json").out)["average"] == 6.5
    assert views(state, sid)["velocity"] == "6.5 pts/sprint (last 8, 2 sprints)"
    assert "│ Velocity: 6.5 pts/sprint (last 8, 2 sprints)" in sprint("/board").out


def test_burndown_day_by_day(sprint, monkeypatch, state, sid):
    sprint("/add a 3")
    sprint("/add b 2")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T12:00:00Z")
    sprint("/move T-1 done")
    sprint("/add c 4")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-06T08:00:00Z")
    result = json.loads(sprint("/burndown", "--json").out)
    assert result["sprint"] == "sprint-001"
    assert [(d["date"], d["remaining"]) for d in result["days"]] == [
        ("2025-03-03", 5), ("2025-03-04", 6), ("2025-03-05", 6), ("2025-03-06", 6)]
    assert sprint("/burndown").out.splitlines() == ["Burndown of sprint-001", "day         remaining",
                                                    "2025-03-03  5 pts", "2025-03-04  6 pts",
                                                    "2025-03-05  6 pts", "2025-03-06  6 pts"]
    assert views(state, sid)["burndown"] == "6/9 pts left"
    assert "Burndown: 6/9 pts left" in flat(sprint("/board").out)


def test_no_active_sprint(sprint, state, sid):
    assert views(state, sid) == {"sprint_name": "none", "board": "backlog 0 | todo 0/10 | doing 0/3 | review 0/3 | done 0",
                                 "blockers": "none", "velocity": "none yet (no sprint completed)",
                                 "burndown": "no active sprint"}
    board = sprint("/board").out
    assert "│ No active sprint: /add a task to start one." in board
    assert "Burndown: no active sprint" in flat(board)
    assert sprint("/burndown").out == "No active sprint: nothing to burn down.\n"
    assert json.loads(sprint("/burndown", "--json").out) == {"sprint": None, "days": []}


def test_another_session_sees_the_move(sprint, state, sid):
    sprint("/add Login 2")
    other = sessions.create(state, "development", "myapp")
    sprint("/move T-1 review", session=other)
    lines = screen(sprint("/board").out)
    assert lines[lines.index("REVIEW (1/3)") + 1].startswith("  T-1")
    assert state.session(other).read()["active_work"] == {}  # moving does not join; adding does
    sprint("/add Logout", session=other)
    assert state.project("myapp").read()["sprints"]["sprint-001"]["sessions"] == [sid, other]
    assert state.session(other).read()["active_work"] == {"project": "myapp", "sprint": "sprint-001"}
