"""The dashboard, the compiled program, against real project state written by the sprint program.

Every command runs as `sudolang run …` in-process; the layout's six views are read from the data of
the view command (`/refresh --json`) and from what it draws.
"""

from __future__ import annotations

import json

import pytest

from sudolang.state import sessions

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

PROJECT = "myapp"
CONFIG = {"agents": {"alice": {"role": "dev", "team": "web"}, "bob": {"role": "qa", "team": "web"},
                     "carl": {"role": "ops", "team": "infra"}},
          "teams": {"web": {"members": ["alice", "bob"]}, "infra": {"members": ["carl"]}}}


class Project:
    """One session of the project: `dash(…)` and `sprint(…)` run a command line of each program in it."""

    def __init__(self, cli, state, session_id: str) -> None:
        self.cli, self.state, self.session_id = cli, state, session_id

    def run(self, program: str, *words: str, code: int = 0, session: str | None = None):
        result = self.cli("run", program, *words, "--session", session or self.session_id)
        assert result.code == code, result
        return result

    def dash(self, *words: str, **options):
        return self.run("all-team_dashboard", *words, **options)

    def sprint(self, *words: str, **options):
        return self.run("sprint_execution", *words, **options)

    def views(self, session: str | None = None) -> dict:
        """The six views, as /refresh returns them for --json (the main area under `main`)."""
        return json.loads(self.dash("/refresh", "--json", session=session).out)

    def update(self, *ops: dict) -> None:
        self.state.project(PROJECT).update(lambda doc: list(ops))


@pytest.fixture
def project(cli, state, monkeypatch) -> Project:
    """Two teams, three agents and four tasks: T-1 done, T-2 doing, T-3 blocked, T-4 backlog."""
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-03T09:00:00Z")
    work = Project(cli, state, sessions.create(state, "sprint", PROJECT))
    work.update({"op": "merge", "path": "$.config", "value": CONFIG})
    for number, (title, points, agent) in enumerate(
            (("Login", "3", "alice"), ("Logout", "2", "alice"), ("Tests", "5", "bob"), ("Deploy", "1", None)), 1):
        work.sprint("/add", title, points)
        if agent:
            work.sprint("/assign", f"T-{number}", agent)
    work.sprint("/move T-1 done")
    work.sprint("/move T-2 doing")
    work.sprint("/block T-3 flaky CI")
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-04T15:00:00Z")
    return work


def test_team_lists_members_with_open_work(project):
    assert project.dash("/team web").out.splitlines() == ["Team web: 2 members, 7 open pts",
                                                          "member         role           open pts  tasks",
                                                          "alice          dev                   2  T-2",
                                                          "bob            qa                    5  T-3"]
    data = json.loads(project.dash("/team web", "--json").out)
    assert data["members"][1] == {"name": "bob", "role": "qa", "open_points": 5, "tasks": ["T-3"]}
    missing = project.dash("/team ops", code=3)
    assert missing.err.startswith("error: no team 'ops'; the teams are infra, web")


def test_a_project_without_teams_says_how_to_make_one(cli, state):
    work = Project(cli, state, sessions.create(state, "sprint", PROJECT))
    missing = work.dash("/team web", code=3)
    assert missing.err.startswith("error: no team 'web'; create one with the config manager (/team <name> <members>)")


def test_sprint_is_the_board(project):
    assert project.dash("/sprint").out.splitlines() == [
        "Sprint sprint-001",
        "BACKLOG (2)", "  T-3    5 pts   bob          Tests  BLOCKED: flaky CI", "  T-4    1 pt    unassigned   Deploy",
        "TODO (0/10)",
        "DOING (1/3)", "  T-2    2 pts   alice        Logout",
        "REVIEW (0/3)",
        "DONE (1)", "  T-1    3 pts   alice        Login"]
    data = json.loads(project.dash("/sprint", "--json").out)
    assert data == json.loads(project.sprint("/board", "--json").out)  # the sprint program's own board
    assert data["sprint"] == "sprint-001" and data["wip"] == {"backlog": None, "todo": 10, "doing": 3, "review": 3,
                                                              "done": None}
    assert [t["id"] for t in data["columns"]["backlog"]] == ["T-3", "T-4"]


def test_metrics(project):
    project.update({"op": "merge", "path": "$.sprints['sprint-001']",
                    "value": {"status": "completed", "completed_at": "2025-03-04T12:00:00Z"}})
    result = project.dash("/metrics")
    assert result.out.splitlines() == ["sprint         points  completed",
                                       "sprint-001          3  2025-03-04",
                                       "average: 3.0 pts per sprint over 1 sprint",
                                       "throughput: 1 task done (0 in the active sprint)",
                                       "blocked: 1 task, longest T-3 for 30.0h"]
    data = json.loads(project.dash("/metrics", "--json").out)
    assert data["blocked"] == [{"id": "T-3", "reason": "flaky CI", "hours": 30.0}]
    assert data["throughput"] == {"done": 1, "active_sprint": 0} and data["average"] == 3.0


def test_agent_shows_tasks_and_session_status(project):
    assert project.dash("@alice").out.splitlines() == ["Agent alice: role dev, team web", "2 tasks, 2 open pts",
                                                       "  T-1    3 pts   done     Login",
                                                       "  T-2    2 pts   doing    Logout",
                                                       "not running in any session"]
    project.state.session(project.session_id).update(lambda doc: [
        {"op": "set", "path": "$.execution.agents.alice",
         "value": {"status": "working", "last_heartbeat": "2025-03-04T14:59:00Z"}}])
    assert project.dash("@alice").out.endswith(
        f"session {project.session_id}: working, last heartbeat 2025-03-04T14:59:00Z\n")
    assert project.dash("@bob").out.splitlines()[2] == "  T-3    5 pts   backlog  Tests  BLOCKED: flaky CI"
    missing = project.dash("@zed", code=3)
    assert missing.err.startswith("error: no agent 'zed'; the agents are alice, bob, carl")


def test_views_and_refresh(project):
    views = project.views()
    assert views["teams"] == "infra (1 member, 0 open pts), web (2 members, 7 open pts)"
    assert views["tasks"] == "4 in sprint-001; 1 blocked"
    assert views["sprint"] == "sprint-001 3/11 pts (27%)"
    assert views["velocity"] == "none yet (no sprint completed)"
    assert views["main"] == "backlog 2 | todo 0/10 | doing 1/3 | review 0/3 | done 1\nBlocked: T-3 (flaky CI)"
    assert views["activity"] == "09:00 blocker_raised T-3 flaky CI, 09:00 sprint_activated sprint-001, 09:00 session_created"
    drawn = project.dash("/refresh").out  # the overview in the layout's main area, under the header views
    assert "│ backlog 2 | todo 0/10 | doing 1/3 | review 0/3 | done 1  │\n│ Blocked: T-3 (flaky CI)" in drawn
    assert "│ Teams: infra (1 member, 0 open pts), web (2 members, 7" in drawn
    assert "(no view" not in drawn and "│ Sprint: sprint-001 3/11 pts (27%)" in drawn


def test_an_empty_project_has_a_view_for_each_placeholder(cli, state):
    work = Project(cli, state, sessions.create(state, "sprint", PROJECT))
    views = work.views()
    assert {k: v for k, v in views.items() if k != "activity"} == {
        "teams": "no teams yet", "tasks": "no tasks yet", "sprint": "no active sprint",
        "velocity": "none yet (no sprint completed)",
        "main": "backlog 0 | todo 0/10 | doing 0/3 | review 0/3 | done 0\nBlocked: none"}
    assert views["activity"].endswith("session_created")
    assert work.dash("/sprint").out == "No active sprint: /add a task to start one.\n"


def test_dashboard_of_another_session_sees_sprint_changes(project, state):
    viewer = sessions.create(state, "development", PROJECT)
    project.sprint("/move T-2 review")
    assert "review 1/3" in project.views(session=viewer)["main"]
