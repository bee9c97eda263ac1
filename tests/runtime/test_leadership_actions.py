"""Leadership chat, the compiled program against real state: threads, votes and quorum, allocation and the plan.

Every command runs as `sudolang run leadership_chat …` in-process; the layout's views are read from what
the view command (/decisions) draws.
"""

from __future__ import annotations

import itertools
import json

import pytest

from sudolang.state import sessions

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

NOW = "2025-03-01T09:00:00Z"
PROJECT = "myapp"


@pytest.fixture
def lead(cli, state, monkeypatch):
    """`lead(LINE, who=…, code=…)`: one command line of leadership_chat in one session of the project,
    run by `who` ($SUDOLANG_ACTOR); fails the test unless it exits with `code`."""
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    session_id = sessions.create(state, "leadership", PROJECT)

    def run(line: str, *options: str, who: str = "alice", code: int = 0, program: str = "leadership_chat"):
        monkeypatch.setenv("SUDOLANG_ACTOR", who)
        result = cli("run", program, line, "--session", session_id, *options)
        assert result.code == code, result
        return result

    run.session_id = session_id
    return run


def leadership(state) -> dict:
    return state.project(PROJECT).read()["leadership"]


def view(lead, label: str) -> str:
    """The value the layout shows after `label:`, as /decisions draws it (wrapped lines continue under it)."""
    lines = lead("/decisions").out.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(f"│ {label}: "):
            under = "│ " + " " * (len(label) + 2)
            more = [part.strip("│ ") for part in itertools.takewhile(lambda part: part.startswith(under), lines[index + 1:])]
            return " ".join([line.removeprefix(f"│ {label}: ").rstrip("│ "), *more])
    raise AssertionError(f"no {label} line in the layout")


def test_threads_and_messages(lead, state):
    assert lead("/thread Roadmap").out == "opened TH-1: Roadmap\npost with /say TH-1 <message>\n"
    lead("/thread Hiring")
    result = lead("/say th-1 ship the API first", who="bob")
    assert result.out == "TH-1 (Roadmap) bob: ship the API first\n1 message in the thread\n"
    lead("/say 1 agreed")
    thread = leadership(state)["threads"]["TH-1"]
    assert thread["opened_by"] == "alice" and thread["at"] == NOW
    assert [(m["by"], m["text"]) for m in thread["messages"]] == [("bob", "ship the API first"), ("alice", "agreed")]
    assert view(lead, "Threads") == "TH-1 Roadmap (2 messages); TH-2 Hiring (0 messages)"
    missing = lead("/say TH-9 hello", code=3)
    assert missing.err.startswith("error: no thread TH-9; open one with /thread <topic>")
    blank = lead("/thread '  '", code=2)
    assert blank.err.startswith("error: expected a topic, got nothing")
    assert leadership(state)["threads"].keys() == {"TH-1", "TH-2"}  # a refused command writes nothing


def test_propose_validates_quorum_and_defaults_to_the_setting(lead):
    assert "(closes after 3 votes)" in lead("/propose 'Adopt Rust'").out
    lead("/set leadership.quorum 5", program="config_manager")
    assert lead("/propose 'Adopt Go'").out == "proposed D-2: Adopt Go (closes after 5 votes)\nvote with /vote D-2 yes|no\n"
    assert lead("/propose 'Adopt Zig' 2").out.startswith("proposed D-3: Adopt Zig (closes after 2 votes)")
    for bad, message in (("0", "quorum must be from 1 to 50, got 0"), ("51", "quorum must be from 1 to 50, got 51"),
                         ("many", "quorum must be a whole number from 1 to 50, got 'many'")):
        result = lead(f"/propose Nope {bad}", code=2)
        assert result.err.startswith(f"error: {message}")


def test_propose_returns_the_decision_as_data(lead):
    made = json.loads(lead("/propose 'Adopt Rust' 2", "--json").out)
    assert made == {"id": "D-1", "title": "Adopt Rust", "quorum": 2, "proposed_by": "alice", "at": NOW,
                    "votes": {}, "status": "open", "closed_at": None}


def test_one_vote_per_voter_a_repeat_replaces(lead, state):
    lead("/propose 'Adopt Rust' 2")
    assert lead("/vote D-1 yes").out == "alice voted yes on D-1\nD-1 open: 1 yes, 0 no (quorum 2)\n"
    result = lead("/vote d-1 no")
    assert result.out == "alice changed the vote on D-1 from yes to no\nD-1 open: 0 yes, 1 no (quorum 2)\n"
    assert leadership(state)["decisions"]["D-1"]["votes"] == {"alice": "no"}
    assert lead("/vote D-1 maybe", code=2).err.startswith("error: choice must be yes or no, got 'maybe'")
    assert lead("/vote D-7 yes", code=3).err.startswith("error: no decision D-7; see /decisions")


@pytest.mark.parametrize("votes, outcome", [
    (["yes", "yes", "no"], "accepted"),
    (["no", "no", "yes"], "rejected"),
    (["yes", "no"], "rejected"),  # a tie is rejected
])
def test_quorum_closes_with_the_majority(lead, state, votes, outcome):
    lead(f"/propose 'Adopt Rust' {len(votes)}")
    for voter, choice in zip(["alice", "bob", "carol"], votes):
        result = lead(f"/vote D-1 {choice}", who=voter)
    yes, no = votes.count("yes"), votes.count("no")
    assert result.out.splitlines()[-1] == f"D-1 {outcome}: {yes} yes, {no} no (quorum {len(votes)})"
    decision = leadership(state)["decisions"]["D-1"]
    assert decision["status"] == outcome and decision["closed_at"] == NOW
    event = state.session(lead.session_id).read()["observability"]["events"][-1]
    assert event == {"at": NOW, "type": "decision_closed", "decision": "D-1", "outcome": outcome, "yes": yes, "no": no}
    closed = lead("/vote D-1 yes", who="dave", code=1)
    assert closed.err.startswith(f"error: D-1 is closed ({outcome} at {NOW}); votes are no longer taken")
    assert "dave" not in leadership(state)["decisions"]["D-1"]["votes"]


def test_decisions_list_votes_and_outcomes(lead):
    assert lead("/decisions").out.endswith("no decisions yet; propose one with /propose <title> [quorum]\n")
    lead("/propose 'Adopt Rust' 1")
    lead("/propose Hire 3")
    lead("/vote D-1 yes", who="bob")
    lead("/vote D-2 no")
    assert lead("/decisions").out.endswith(
        "D-1  accepted  1 yes  0 no  1/1  Adopt Rust\n    bob yes\n"
        "D-2  open      0 yes  1 no  1/3  Hire\n    alice no\n")
    assert view(lead, "Open decisions") == "D-2 Hire 1/3"


def test_allocate_moves_an_agent_and_makes_a_config_version(lead, state):
    lead("/agent bob", program="config_manager")
    lead("/team core bob", program="config_manager")
    result = lead("/allocate bob ops")
    assert result.out == ("version 3 by alice: allocate bob to team ops\n  agents.bob.team: core -> ops\n"
                          "  teams.core.members: [bob] -> []\n  teams.ops.members: (none) -> [bob]\n")
    config = state.project(PROJECT).read()["config"]
    assert config["teams"] == {"core": {"members": []}, "ops": {"members": ["bob"]}}
    assert config["version"] == 3
    assert config["agents"]["bob"]["team"] == "ops"
    assert [entry["change"] for entry in state.project(PROJECT).read()["config_history"]][-1] == "allocate bob to team ops"
    assert view(lead, "Allocation") == "core: -; ops: bob"
    assert lead("/allocate bob ops").out == "no change (allocate bob to team ops); still version 3\n"
    assert lead("/allocate ghost ops", code=3).err.startswith("error: unknown agent 'ghost'; add it with the config manager (/agent ghost)")
    refused = lead("/allocate bob ../ops", code=2)
    assert refused.err.startswith("error: team id '../ops' is not allowed")
    assert state.project(PROJECT).read()["config"]["version"] == 3


def test_plan_items_get_ids(lead, state):
    assert lead("/plan Ship v1").out == "added P-1: Ship v1\n1 item in the plan\n"
    lead("/plan Hire two reviewers", who="bob")
    assert [(p["id"], p["by"]) for p in leadership(state)["plan"]] == [("P-1", "alice"), ("P-2", "bob")]
    assert view(lead, "Plan") == "P-1 Ship v1; P-2 Hire two reviewers"


def test_an_empty_project_draws_every_view_as_none(lead):
    drawn = lead("/decisions").out
    for label in ("Threads", "Open decisions", "Allocation", "Plan"):
        assert view(lead, label) == "none"
    assert "(no view" not in drawn
