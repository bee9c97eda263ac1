"""Leadership chat actions against real state: threads, votes and quorum, allocation and the plan."""

from __future__ import annotations

import pytest

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.runtime.actions import config_manager as cm
from sudolang.runtime.actions import leadership_chat as lc
from sudolang.runtime.context import Context
from sudolang.state import sessions
from sudolang.state.paths import StateDir

NOW = "2025-03-01T09:00:00Z"


@pytest.fixture
def ctx(tmp_path, monkeypatch) -> Context:
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    state = StateDir(tmp_path)
    return Context(state, sessions.create(state, "leadership", "myapp"), "myapp", actor="alice")


def as_(ctx: Context, who: str) -> Context:
    return Context(ctx.state, ctx.session_id, ctx.project, actor=who)


def leadership(ctx: Context) -> dict:
    return ctx.project_document().read()["leadership"]


def test_threads_and_messages(ctx):
    assert lc.cmd_thread(ctx, "Roadmap").text == "opened TH-1: Roadmap\npost with /say TH-1 <message>"
    lc.cmd_thread(ctx, "Hiring")
    result = lc.cmd_say(as_(ctx, "bob"), "th-1", "ship the API first")
    assert result.text == "TH-1 (Roadmap) bob: ship the API first\n1 message(s) in the thread"
    lc.cmd_say(ctx, "1", "agreed")
    thread = leadership(ctx)["threads"]["TH-1"]
    assert thread["opened_by"] == "alice" and thread["at"] == NOW
    assert [(m["by"], m["text"]) for m in thread["messages"]] == [("bob", "ship the API first"), ("alice", "agreed")]
    assert lc.VIEWS["leadership.threads"](ctx) == "TH-1 Roadmap (2); TH-2 Hiring (0)"
    with pytest.raises(NotFound, match="no thread TH-9"):
        lc.cmd_say(ctx, "TH-9", "hello")
    with pytest.raises(UsageError):
        lc.cmd_thread(ctx, "  ")


def test_propose_validates_quorum_and_defaults_to_the_setting(ctx):
    assert lc.cmd_propose(ctx, "Adopt Rust").data["quorum"] == 3
    cm.cmd_set(ctx, "leadership.quorum", "5")
    assert lc.cmd_propose(ctx, "Adopt Go").data["quorum"] == 5
    assert lc.cmd_propose(ctx, "Adopt Zig", "2").data["id"] == "D-3"
    for bad in ("0", "51", "many"):
        with pytest.raises(UsageError, match="quorum must be"):
            lc.cmd_propose(ctx, "Nope", bad)


def test_one_vote_per_voter_a_repeat_replaces(ctx):
    lc.cmd_propose(ctx, "Adopt Rust", "2")
    lc.cmd_vote(ctx, "D-1", "yes")
    result = lc.cmd_vote(ctx, "d-1", "no")
    assert result.text == "alice changed the vote on D-1 from yes to no\nD-1 open: 0 yes, 1 no (quorum 2)"
    assert leadership(ctx)["decisions"]["D-1"]["votes"] == {"alice": "no"}
    with pytest.raises(UsageError, match="choice must be yes or no"):
        lc.cmd_vote(ctx, "D-1", "maybe")
    with pytest.raises(NotFound, match="no decision D-7"):
        lc.cmd_vote(ctx, "D-7", "yes")


@pytest.mark.parametrize("votes, outcome", [
    (["yes", "yes", "no"], "accepted"),
    (["no", "no", "yes"], "rejected"),
    (["yes", "no"], "rejected"),  # a tie is rejected
])
def test_quorum_closes_with_the_majority(ctx, votes, outcome):
    lc.cmd_propose(ctx, "Adopt Rust", str(len(votes)))
    for voter, choice in zip(["alice", "bob", "carol"], votes):
        result = lc.cmd_vote(as_(ctx, voter), "D-1", choice)
    assert result.text.splitlines()[-1].startswith(f"D-1 {outcome}: ")
    decision = leadership(ctx)["decisions"]["D-1"]
    assert decision["status"] == outcome and decision["closed_at"] == NOW
    event = ctx.session().read()["observability"]["events"][-1]
    assert event["type"] == "decision_closed" and event["outcome"] == outcome
    with pytest.raises(SudolangError, match="D-1 is closed"):
        lc.cmd_vote(as_(ctx, "dave"), "D-1", "yes")


def test_decisions_list_votes_and_outcomes(ctx):
    assert lc.cmd_decisions(ctx).text.startswith("no decisions yet")
    lc.cmd_propose(ctx, "Adopt Rust", "1")
    lc.cmd_propose(ctx, "Hire", "3")
    lc.cmd_vote(as_(ctx, "bob"), "D-1", "yes")
    lc.cmd_vote(ctx, "D-2", "no")
    assert lc.cmd_decisions(ctx).text == (
        "D-1  accepted  1 yes  0 no  1/1  Adopt Rust\n    bob yes\n"
        "D-2  open      0 yes  1 no  1/3  Hire\n    alice no")
    assert lc.VIEWS["leadership.open_decisions"](ctx) == "D-2 Hire 1/3"


def test_allocate_moves_an_agent_and_makes_a_config_version(ctx):
    cm.cmd_agent(ctx, "bob")
    cm.cmd_team(ctx, "core", "bob")
    result = lc.cmd_allocate(ctx, "bob", "ops")
    assert result.text == ("version 3 by alice: allocate bob to team ops\n  agents.bob.team: core -> ops\n"
                           "  teams.core.members: [bob] -> []\n  teams.ops.members: (none) -> [bob]")
    config = ctx.project_document().read()["config"]
    assert config["teams"] == {"core": {"members": []}, "ops": {"members": ["bob"]}}
    assert config["version"] == 3
    assert lc.VIEWS["leadership.allocation"](ctx) == "core: -; ops: bob"
    assert lc.cmd_allocate(ctx, "bob", "ops").text.startswith("no change")
    with pytest.raises(NotFound, match="unknown agent 'ghost'"):
        lc.cmd_allocate(ctx, "ghost", "ops")


def test_plan_items_get_ids(ctx):
    assert lc.cmd_plan(ctx, "Ship v1").text == "added P-1: Ship v1\n1 item(s) in the plan"
    lc.cmd_plan(as_(ctx, "bob"), "Hire two reviewers")
    assert [(p["id"], p["by"]) for p in leadership(ctx)["plan"]] == [("P-1", "alice"), ("P-2", "bob")]
    assert lc.VIEWS["leadership.plan"](ctx) == "P-1 Ship v1; P-2 Hire two reviewers"
