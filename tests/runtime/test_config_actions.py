"""Config manager actions against real state: validation, versions, history, diff and rollback."""

from __future__ import annotations

import re

import pytest

from sudolang.errors import NotFound, UsageError
from sudolang.runtime.actions import config_manager as cm
from sudolang.runtime.context import Context
from sudolang.state import sessions
from sudolang.state.paths import StateDir

NOW = "2025-03-01T09:00:00Z"


@pytest.fixture
def ctx(tmp_path, monkeypatch) -> Context:
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    state = StateDir(tmp_path)
    return Context(state, sessions.create(state, "config", "myapp"), "myapp", actor="alice")


def config(ctx: Context) -> dict:
    return ctx.project_document().read()["config"]


def test_set_parses_types_and_makes_a_version(ctx):
    result = cm.cmd_set(ctx, "wip.doing", "5")
    assert result.text == "version 1 by alice: set wip.doing = 5\n  settings.wip.doing: (none) -> 5"
    cm.cmd_set(ctx, "review.required", "off")
    assert config(ctx)["settings"] == {"wip": {"doing": 5}, "review": {"required": False}}
    assert config(ctx)["version"] == 2


@pytest.mark.parametrize("key, value, message", [
    ("wip.doing", "25", "wip.doing must be from 1 to 20, got 25"),
    ("wip.doing", "three", "wip.doing must be a whole number from 1 to 20, got 'three'"),
    ("dashboard.refresh_seconds", "4", "must be from 5 to 3600"),
    ("review.required", "maybe", "review.required must be true or false"),
    ("wip.nope", "1", "unknown setting 'wip.nope'; the settings are dashboard.refresh_seconds, leadership.quorum"),
])
def test_set_refuses_bad_values_and_writes_nothing(ctx, key, value, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        cm.cmd_set(ctx, key, value)
    assert "version" not in config(ctx)


def test_show_merges_defaults_with_set_values(ctx):
    cm.cmd_agent(ctx, "bob", "reviewer")
    cm.cmd_team(ctx, "core", "bob")
    cm.cmd_set(ctx, "wip.todo", "20")
    text = cm.cmd_show(ctx).text
    assert text.splitlines()[0] == "version 3"
    assert "  wip.doing                  3      (default)" in text
    assert "  review.required            false  (default)" in text
    assert "  wip.todo                   20\n" in text
    assert "teams:\n  core  bob\nagents:\n  bob  reviewer  core" in text
    assert cm.cmd_show(ctx).data["settings"]["wip.todo"] == 20


def test_team_needs_known_agents_and_moves_them(ctx):
    with pytest.raises(NotFound, match="unknown agent 'ghost'"):
        cm.cmd_team(ctx, "core", "ghost")
    cm.cmd_agent(ctx, "bob")
    cm.cmd_agent(ctx, "carol")
    cm.cmd_team(ctx, "core", "bob,carol")
    cm.cmd_team(ctx, "ops", "carol")
    teams, agents = config(ctx)["teams"], config(ctx)["agents"]
    assert teams == {"core": {"members": ["bob"]}, "ops": {"members": ["carol"]}}
    assert agents["carol"] == {"role": "developer", "team": "ops"}
    cm.cmd_team(ctx, "core", "")  # empties the team: bob has none
    assert config(ctx)["agents"]["bob"]["team"] is None


def test_an_unchanged_config_makes_no_version(ctx):
    cm.cmd_agent(ctx, "bob")
    result = cm.cmd_agent(ctx, "bob")
    assert result.text == "no change (agent bob (developer)); still version 1"
    assert config(ctx)["version"] == 1


def test_history_lists_newest_first(ctx):
    assert cm.cmd_history(ctx).text == "no changes yet (version 0)"
    cm.cmd_agent(ctx, "bob")
    cm.cmd_set(ctx, "wip.doing", "4")
    assert cm.cmd_history(ctx).text == (f"v2  {NOW}  alice  set wip.doing = 4\n"
                                        f"v1  {NOW}  alice  agent bob (developer)")


def test_diff_between_versions(ctx):
    cm.cmd_set(ctx, "wip.doing", "4")
    cm.cmd_set(ctx, "wip.doing", "6")
    cm.cmd_agent(ctx, "bob")
    assert cm.cmd_diff(ctx, "1").text == (
        "version 1 -> 3:\n  agents.bob.role: (none) -> developer\n  agents.bob.team: (none) -> -\n"
        "  settings.wip.doing: 4 -> 6")
    assert cm.cmd_diff(ctx, "0", "2").data["diff"] == ["settings.wip.doing: (none) -> 6"]
    assert cm.cmd_diff(ctx, "2", "2").text == "no differences between version 2 and version 2"
    with pytest.raises(NotFound, match="no version 9; the versions are 0 to 3"):
        cm.cmd_diff(ctx, "9")
    with pytest.raises(UsageError, match="expected a version number"):
        cm.cmd_diff(ctx, "latest")


def test_rollback_restores_as_a_new_version_keeping_history(ctx):
    cm.cmd_set(ctx, "wip.doing", "4")
    cm.cmd_agent(ctx, "bob")
    cm.cmd_set(ctx, "wip.doing", "9")
    result = cm.cmd_rollback(ctx, "1")
    assert result.text.splitlines()[0] == "version 4 by alice: rollback to version 1"
    assert "  settings.wip.doing: 9 -> 4" in result.text
    document = ctx.project_document().read()
    assert document["config"]["agents"] == {} and document["config"]["settings"] == {"wip": {"doing": 4}}
    assert [e["version"] for e in document["config_history"]] == [1, 2, 3, 4]
    assert document["config_history"][-1]["config"] == document["config_history"][0]["config"]
    with pytest.raises(NotFound):
        cm.cmd_rollback(ctx, "7")


def test_views(ctx):
    assert cm.view_version(ctx) == "0"
    cm.cmd_agent(ctx, "bob", "lead")
    cm.cmd_team(ctx, "core", "bob")
    assert cm.VIEWS["config.version"](ctx) == f"2 (team core: bob, by alice at {NOW})"
    assert cm.VIEWS["config.teams"](ctx) == "core (1)"
    assert cm.VIEWS["config.agents"](ctx) == "bob (lead, core)"
    assert "wip.doing=3" in cm.VIEWS["config.settings"](ctx)
