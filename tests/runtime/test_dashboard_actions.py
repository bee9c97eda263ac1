"""The dashboard program's actions and views against real project state written by the sprint actions."""

from __future__ import annotations

import pytest

from sudolang.errors import NotFound
from sudolang.runtime.actions import all_team_dashboard as dash
from sudolang.runtime.actions import sprint_execution as sx
from sudolang.runtime.context import Context
from sudolang.state import sessions


@pytest.fixture
def ctx(state, monkeypatch) -> Context:
    """A project with two teams, three agents and four tasks: T-1 done, T-2 doing, T-3 blocked, T-4 backlog."""
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-03T09:00:00Z")
    context = Context(state, sessions.create(state, "sprint", "myapp"), "myapp")
    config = {"agents": {"alice": {"role": "dev", "team": "web"}, "bob": {"role": "qa", "team": "web"},
                         "carl": {"role": "ops", "team": "infra"}},
              "teams": {"web": {"members": ["alice", "bob"]}, "infra": {"members": ["carl"]}}}
    context.project_document().update(lambda doc: [{"op": "merge", "path": "$.config", "value": config}])
    for title, points, agent in (("Login", "3", "alice"), ("Logout", "2", "alice"), ("Tests", "5", "bob"), ("Deploy", "1", None)):
        sx.cmd_add(context, title, points)
        if agent:
            sx.cmd_assign(context, f"T-{sx.read(context)['counters']['task']}", agent)
    sx.cmd_move(context, "T-1", "done")
    sx.cmd_move(context, "T-2", "doing")
    sx.cmd_block(context, "T-3", "flaky CI")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T15:00:00Z")
    return context


def test_team_lists_members_with_open_work(ctx):
    result = dash.cmd_team(ctx, "web")
    assert result.text.splitlines() == ["Team web: 2 member(s), 7 open pts",
                                        "member         role           open pts  tasks",
                                        "alice          dev                   2  T-2",
                                        "bob            qa                    5  T-3"]
    assert result.data["members"][1] == {"name": "bob", "role": "qa", "open_points": 5, "tasks": ["T-3"]}
    with pytest.raises(NotFound, match="no team 'ops'; the teams are infra, web"):
        dash.cmd_team(ctx, "ops")


def test_sprint_is_the_board(ctx):
    assert dash.cmd_sprint(ctx).text == sx.cmd_board(ctx).text


def test_metrics(ctx):
    ctx.project_document().update(lambda doc: [{"op": "merge", "path": "$.sprints['sprint-001']",
                                                "value": {"status": "completed", "completed_at": "2025-03-04T12:00:00Z"}}])
    result = dash.cmd_metrics(ctx)
    assert result.text.splitlines()[-3:] == ["average: 3.0 pts per sprint over 1 sprint(s)",
                                             "throughput: 1 task(s) done (0 in the active sprint)",
                                             "blocked: 1 task(s), longest T-3 for 30.0h"]
    assert result.data["blocked"] == [{"id": "T-3", "reason": "flaky CI", "hours": 30.0}]


def test_agent_shows_tasks_and_session_status(ctx):
    result = dash.cmd_agent(ctx, "@alice")
    assert result.text.splitlines() == ["Agent alice: role dev, team web", "2 task(s), 2 open pts",
                                        "  T-1      3 pts  done     Login", "  T-2      2 pts  doing    Logout",
                                        "not running in any session"]
    ctx.session().update(lambda doc: [{"op": "set", "path": "$.execution.agents.alice",
                                       "value": {"status": "working", "last_heartbeat": "2025-03-04T14:59:00Z"}}])
    assert dash.cmd_agent(ctx, "alice").text.endswith(f"session {ctx.session_id}: working, last heartbeat 2025-03-04T14:59:00Z")
    with pytest.raises(NotFound, match="no agent 'zed'; the agents are alice, bob, carl"):
        dash.cmd_agent(ctx, "zed")


def test_views_and_refresh(ctx):
    assert dash.view_teams(ctx) == "infra 1 (0 open pts), web 2 (7 open pts)"
    assert dash.view_tasks(ctx) == "4 tasks: 2 backlog, 1 doing, 1 done; 1 blocked"
    assert dash.view_progress(ctx) == "sprint-001 3/11 pts (27%)"
    assert dash.view_main(ctx) == "backlog 2 | todo 0/10 | doing 1/3 | review 0/3 | done 1\nBlocked: T-3 (flaky CI)"
    refresh = dash.cmd_refresh(ctx)  # the overview, for the layout's main area (the header has the rest)
    assert refresh.text == dash.view_main(ctx)
    assert refresh.data["teams"] == dash.view_teams(ctx) and refresh.data["velocity"] == "none yet (no sprint completed)"
    assert dash.view_activity(ctx) == "09:00 blocker_raised T-3 flaky CI, 09:00 sprint_activated sprint-001, 09:00 session_created"
    assert set(dash.VIEWS) == {"teams.status", "tasks.summary", "sprint.progress", "sprint.velocity", "dashboard.main",
                               "activity.recent"}


def test_dashboard_of_another_session_sees_sprint_changes(ctx, state):
    viewer = Context(state, sessions.create(state, "development", "myapp"), "myapp")
    sx.cmd_move(ctx, "T-2", "review")
    assert "review 1/3" in dash.view_main(viewer)
