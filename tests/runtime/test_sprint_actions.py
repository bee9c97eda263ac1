"""The sprint program's actions against real state: board, add, assign, move, block, velocity and burndown."""

from __future__ import annotations

import threading

import pytest

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.runtime.actions import sprint_execution as sx
from sudolang.runtime.context import Context
from sudolang.state import sessions


@pytest.fixture
def ctx(state, monkeypatch) -> Context:
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-03T09:00:00Z")
    return Context(state, sessions.create(state, "sprint", "myapp"), "myapp")


def configure(ctx: Context, **config) -> None:
    ctx.project_document().update(lambda doc: [{"op": "merge", "path": "$.config", "value": config}])


def tasks(ctx: Context) -> dict:
    return ctx.project_document().read()["tasks"]


def test_add_starts_sprint_001_and_numbers_tasks(ctx):
    first = sx.cmd_add(ctx, "Login page", "3")
    sx.cmd_add(ctx, "Logout")
    assert first.text == "Added T-1 'Login page' (3 pts) to the backlog of sprint-001."
    doc = ctx.project_document().read()
    assert doc["sprints"]["sprint-001"]["status"] == "active"
    assert doc["sprints"]["sprint-001"]["activated_at"] == "2025-03-03T09:00:00Z"
    assert doc["counters"]["task"] == 2
    assert doc["tasks"]["T-2"] == {"id": "T-2", "title": "Logout", "points": 1, "column": "backlog",
                                   "assignee": None, "blocked": None, "sprint": "sprint-001",
                                   "created_at": "2025-03-03T09:00:00Z",
                                   "history": [{"at": "2025-03-03T09:00:00Z", "column": "backlog"}]}
    assert ctx.session().read()["active_work"]["sprint"] == "sprint-001"


@pytest.mark.parametrize("points", ["x", "-1", "2.5"])
def test_add_refuses_bad_points(ctx, points):
    with pytest.raises(UsageError, match="whole number"):
        sx.cmd_add(ctx, "Task", points)


def test_concurrent_adds_get_distinct_ids(ctx, state):
    sx.cmd_add(ctx, "first")
    other = Context(state, sessions.create(state, "sprint", "myapp"), "myapp")
    workers = [threading.Thread(target=lambda c=c: [sx.cmd_add(c, "t") for _ in range(4)]) for c in (ctx, other)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(tasks(ctx), key=lambda k: int(k[2:])) == [f"T-{n}" for n in range(1, 10)]


def test_board_lists_columns_with_wip(ctx):
    sx.cmd_add(ctx, "Login", "3")
    sx.cmd_move(ctx, "T-1", "doing")
    result = sx.cmd_board(ctx)
    assert result.text.splitlines()[:4] == ["Sprint sprint-001", "BACKLOG (0)", "TODO (0/10)", "DOING (1/3)"]
    assert "T-1      3 pts  unassigned   Login" in result.text
    assert [t["id"] for t in result.data["columns"]["doing"]] == ["T-1"]
    assert sx.view_board(ctx) == "backlog 0 | todo 0/10 | doing 1/3 | review 0/3 | done 0"


def test_move_records_history_and_accepts_short_ids(ctx, monkeypatch):
    sx.cmd_add(ctx, "Login")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T10:00:00Z")
    assert sx.cmd_move(ctx, "1", "Todo").text == "Moved T-1 from backlog to todo."
    assert tasks(ctx)["T-1"]["history"][-1] == {"at": "2025-03-04T10:00:00Z", "column": "todo"}
    assert sx.cmd_move(ctx, "t-1", "todo").text == "T-1 is already in todo."


def test_move_refusals(ctx):
    configure(ctx, settings={"wip": {"doing": 1}})
    sx.cmd_add(ctx, "a")
    sx.cmd_add(ctx, "b")
    sx.cmd_move(ctx, "T-1", "doing")
    with pytest.raises(SudolangError, match="doing is at its WIP limit of 1 \\(T-1\\)"):
        sx.cmd_move(ctx, "T-2", "doing")
    with pytest.raises(UsageError, match="unknown column 'later'"):
        sx.cmd_move(ctx, "T-2", "later")
    with pytest.raises(NotFound, match="no task 'T-9'"):
        sx.cmd_move(ctx, "T-9", "todo")
    sx.cmd_block(ctx, "T-2", "waiting")
    with pytest.raises(SudolangError, match="T-2 is blocked"):
        sx.cmd_move(ctx, "T-2", "todo")
    assert tasks(ctx)["T-2"]["column"] == "backlog"


def test_assign_picks_least_loaded_then_by_name(ctx):
    configure(ctx, agents={"carol": {"role": "dev"}, "bob": {"role": "dev"}, "alice": {"role": "qa"}})
    for title, points in (("a", "5"), ("b", "2"), ("c", "1"), ("d", "1")):
        sx.cmd_add(ctx, title, points)
    assert sx.cmd_assign(ctx, "T-1").text == "Assigned T-1 to alice (least loaded: 0 open pts)."
    sx.cmd_assign(ctx, "T-2")  # bob (0) before carol (0)
    sx.cmd_assign(ctx, "T-3")  # carol, still at 0
    assert sx.cmd_assign(ctx, "T-4").text == "Assigned T-4 to carol (least loaded: 1 open pts)."
    assert {k: t["assignee"] for k, t in tasks(ctx).items()} == {"T-1": "alice", "T-2": "bob", "T-3": "carol", "T-4": "carol"}
    assert sx.cmd_assign(ctx, "T-1", "@bob").text == "Assigned T-1 to bob."


def test_assign_refusals(ctx):
    sx.cmd_add(ctx, "a")
    with pytest.raises(SudolangError, match="add agents with the config manager"):
        sx.cmd_assign(ctx, "T-1")
    configure(ctx, agents={"alice": {}})
    with pytest.raises(NotFound, match="no agent 'zed'"):
        sx.cmd_assign(ctx, "T-1", "zed")
    with pytest.raises(NotFound):
        sx.cmd_assign(ctx, "T-2")


def test_block_and_unblock_log_session_events(ctx):
    sx.cmd_add(ctx, "a")
    assert sx.cmd_block(ctx, "T-1", "waiting on the API").text == (
        "Blocked T-1: waiting on the API\n"
        "  trigger blocker-on-dashboard: project event blocker_raised (task=T-1, reason=waiting on the API)")
    assert tasks(ctx)["T-1"]["blocked"] == "waiting on the API"
    assert ctx.project_document().read()["events"][-1] == {"at": "2025-03-03T09:00:00Z", "type": "blocker_raised",
                                                           "session": ctx.session_id, "task": "T-1",
                                                           "reason": "waiting on the API"}
    assert sx.view_blockers(ctx) == "T-1 (waiting on the API)"
    assert sx.cmd_unblock(ctx, "T-1").text == ("Unblocked T-1 (was: waiting on the API).\n"
                                               "  trigger blocker-cleared-on-dashboard: project event blocker_cleared (task=T-1)")
    assert sx.cmd_unblock(ctx, "T-1").text == "T-1 is not blocked."
    assert tasks(ctx)["T-1"]["blocked"] is None
    events = [e for e in ctx.session().read()["observability"]["events"] if e["type"].startswith("task_")]
    assert events == [{"at": "2025-03-03T09:00:00Z", "type": "task_blocked", "task": "T-1", "reason": "waiting on the API"},
                      {"at": "2025-03-03T09:00:00Z", "type": "task_unblocked", "task": "T-1"}]


def test_moving_the_last_task_to_done_completes_the_sprint_through_its_trigger(ctx):
    sx.cmd_add(ctx, "a", "5")
    sx.cmd_add(ctx, "b", "3")
    assert sx.cmd_move(ctx, "T-1", "done").text == "Moved T-1 from backlog to done."
    assert sx.cmd_move(ctx, "T-2", "done").text == ("Moved T-2 from backlog to done.\n"
                                                    "  trigger sprint-completes: sprint sprint-001 completed (2 task(s), 8 pts)")
    assert sx.velocity(ctx.project_document().read()) == [
        {"sprint": "sprint-001", "points": 8, "completed_at": "2025-03-03T09:00:00Z"}]
    assert sx.cmd_add(ctx, "c").text.endswith("to the backlog of sprint-002.")  # the next task starts the next sprint


def test_with_review_required_only_a_reviewed_task_may_be_done(ctx):
    sx.cmd_add(ctx, "a")
    configure(ctx, settings={"review": {"required": True}})
    with pytest.raises(SudolangError, match=r"T-1 must pass review first \(the setting review.required is on\): /move T-1 review"):
        sx.cmd_move(ctx, "T-1", "done")
    sx.cmd_move(ctx, "T-1", "review")
    assert sx.cmd_move(ctx, "T-1", "done").text.startswith("Moved T-1 from review to done.")


def test_velocity_over_completed_sprints(ctx):
    assert sx.cmd_velocity(ctx).text == "No completed sprint yet."
    sx.cmd_add(ctx, "a", "5")
    sx.cmd_add(ctx, "b", "3")
    sx.cmd_move(ctx, "T-1", "done")
    ctx.project_document().update(lambda doc: [{"op": "merge", "path": "$.sprints['sprint-001']",
                                                "value": {"status": "completed", "completed_at": "2025-03-10T00:00:00Z"}}])
    sx.cmd_add(ctx, "c", "8")  # starts sprint-002
    sx.cmd_move(ctx, "T-3", "done")
    ctx.project_document().update(lambda doc: [{"op": "merge", "path": "$.sprints['sprint-002']",
                                                "value": {"status": "completed", "completed_at": "2025-03-20T00:00:00Z"}}])
    result = sx.cmd_velocity(ctx)
    assert result.text.splitlines() == ["sprint         points  completed",
                                        "sprint-001          5  2025-03-10",
                                        "sprint-002          8  2025-03-20",
                                        "average: 6.5 pts per sprint over 2 sprint(s)"]
    assert result.data["average"] == 6.5
    assert sx.view_velocity(ctx) == "6.5 pts/sprint (last 8, 2 sprint(s))"


def test_burndown_day_by_day(ctx, monkeypatch):
    sx.cmd_add(ctx, "a", "3")
    sx.cmd_add(ctx, "b", "2")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T12:00:00Z")
    sx.cmd_move(ctx, "T-1", "done")
    sx.cmd_add(ctx, "c", "4")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-06T08:00:00Z")
    result = sx.cmd_burndown(ctx)
    assert [(d["date"], d["remaining"]) for d in result.data["days"]] == [
        ("2025-03-03", 5), ("2025-03-04", 6), ("2025-03-05", 6), ("2025-03-06", 6)]
    assert result.text.splitlines()[:3] == ["Burndown of sprint-001", "day         remaining", "2025-03-03      5 pts"]
    assert sx.view_burndown(ctx) == "6/9 pts left"


def test_no_active_sprint(ctx):
    assert sx.cmd_board(ctx).text.startswith("No active sprint")
    assert sx.cmd_burndown(ctx).data == {"sprint": None, "days": []}
    assert sx.view_burndown(ctx) == "no active sprint"


def test_another_session_sees_the_move(ctx, state):
    sx.cmd_add(ctx, "Login", "2")
    other = Context(state, sessions.create(state, "sprint", "myapp"), "myapp")
    sx.cmd_move(other, "T-1", "review")
    assert "REVIEW (1/3)\n  T-1" in sx.cmd_board(ctx).text
    assert other.session().read()["active_work"] == {}  # moving does not join; adding does
    sx.cmd_add(other, "Logout")
    assert state.project("myapp").read()["sprints"]["sprint-001"]["sessions"] == [ctx.session_id, other.session_id]
