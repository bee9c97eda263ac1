"""The config manager (sudolang/programs/config_manager.sudo), run through `sudolang run` against real state:
validation, versions, history, diff and rollback."""

from __future__ import annotations

import json

import pytest

from sudolang.state import sessions

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

NOW = "2025-03-01T09:00:00Z"


@pytest.fixture
def config_manager(cli, state, monkeypatch):
    """`config_manager(LINE, code=0)`: run one command as alice in a session of project myapp, asserting
    its exit code; returns the CliResult."""
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    monkeypatch.setenv("SUDOLANG_ACTOR", "alice")
    sid = sessions.create(state, "development", "myapp")

    def run(line: str, *options: str, code: int = 0):
        result = cli("run", "config_manager", line, *options, "--session", sid)
        assert result.code == code, result
        return result

    return run


@pytest.fixture
def config(state):
    """The project's configuration as it is now."""
    return lambda: state.project("myapp").read()["config"]


def screen(out: str) -> list[str]:
    """The lines inside a drawn layout's box, without the borders."""
    return [line[2:-1].rstrip() for line in out.splitlines() if line.startswith("│")]


def views(state) -> dict[str, str]:
    """What each placeholder of the layout shows now: the views are the program's functions version_line,
    teams_line, agents_line and settings_line (sudolang.runtime.handler.binding_values)."""
    from sudolang.compiler.cache import handler_source
    from sudolang.runtime import handler, loader
    from sudolang.runtime.context import Context

    program = loader.program_of(loader.handler_module(*handler_source("config_manager")))
    return handler.binding_values(program, Context(state, sessions.create(state, "development", "myapp"), "myapp"))


def flat(out: str) -> str:
    """The box's text as one line, each run of spaces one space: what a wrapped value says."""
    return " ".join(" ".join(screen(out)).split())


def test_set_parses_types_and_makes_a_version(config_manager, config):
    assert config_manager("/set wip.doing 5").out == "version 1 by alice: set wip.doing = 5\n  settings.wip.doing: (none) -> 5\n"
    assert config_manager("/set review.required off").out.startswith("version 2 by alice: set review.required = false\n")
    assert config()["settings"] == {"wip": {"doing": 5}, "review": {"required": False}}
    assert config()["version"] == 2
    data = json.loads(config_manager("/set wip.doing 6", "--json").out)
    assert data == {"version": 3, "change": "set wip.doing = 6", "diff": ["settings.wip.doing: 5 -> 6"], "changed": True}


@pytest.mark.parametrize("key, value, message", [
    ("wip.doing", "25", "wip.doing must be from 1 to 20, got 25"),
    ("wip.doing", "three", "wip.doing must be a whole number from 1 to 20, got 'three'"),
    ("wip.doing", "2.0", "wip.doing must be a whole number from 1 to 20, got '2.0'"),
    ("dashboard.refresh_seconds", "4", "must be from 5 to 3600"),
    ("review.required", "maybe", "review.required must be true or false (or yes/no, on/off), got 'maybe'"),
    ("wip.nope", "1", "unknown setting 'wip.nope'; the settings are dashboard.refresh_seconds, leadership.quorum"),
])
def test_set_refuses_bad_values_and_writes_nothing(config_manager, config, key, value, message):
    assert message in config_manager(f"/set {key} {value}", code=2).err
    assert "version" not in config()


def test_show_merges_defaults_with_set_values(config_manager):
    config_manager("/agent bob reviewer")
    config_manager("/team core bob")
    config_manager("/set wip.todo 20")
    lines = screen(config_manager("/show").out)
    start = lines.index("version 3")
    assert lines[start:] == [
        "version 3",
        "settings:",
        "  dashboard.refresh_seconds  30     (default)",
        "  leadership.quorum          3      (default)",
        "  review.required            false  (default)",
        "  sprint.length_days         10     (default)",
        "  wip.doing                  3      (default)",
        "  wip.review                 3      (default)",
        "  wip.todo                   20",
        "teams:",
        "  core  bob",
        "agents:",
        "  bob  reviewer  core",
    ]
    data = json.loads(config_manager("/show", "--json").out)
    assert data["settings"]["wip.todo"] == 20 and data["settings"]["review.required"] is False
    assert data["teams"] == {"core": {"members": ["bob"]}}


def test_show_with_nothing_configured(config_manager):
    lines = screen(config_manager("/show").out)
    assert lines[lines.index("version 0"):][-2:] == ["teams: none", "agents: none"]


def test_team_needs_known_agents_and_moves_them(config_manager, config):
    assert "unknown agent 'ghost'; add it with /agent ghost" in config_manager("/team core ghost", code=3).err
    config_manager("/agent bob")
    config_manager("/agent carol")
    assert config_manager("/team core bob,carol").out == (
        "version 3 by alice: team core: bob, carol\n"
        "  agents.bob.team: - -> core\n"
        "  agents.carol.team: - -> core\n"
        "  teams.core.members: (none) -> [bob, carol]\n")
    config_manager("/team ops carol")
    assert config()["teams"] == {"core": {"members": ["bob"]}, "ops": {"members": ["carol"]}}
    assert config()["agents"]["carol"] == {"role": "developer", "team": "ops"}
    config_manager("/team core ,")  # no names: empties the team, and bob has none
    assert config()["agents"]["bob"]["team"] is None
    assert config()["teams"]["core"] == {"members": []}


def test_team_without_members_only_creates_it(config_manager, config):
    assert config_manager("/team core").out == "version 1 by alice: team core\n  teams.core.members: (none) -> []\n"
    assert config_manager("/team core").out == "no change (team core); still version 1\n"


@pytest.mark.parametrize("line, message", [
    ("/agent .bob", "agent id '.bob' is not allowed: use letters, digits, '.', '-' and '_', starting with a letter or digit"),
    ("/agent a..b", "agent id 'a..b' is not allowed"),
    ("/team 'two words'", "team id 'two words' is not allowed"),
    ("/agent " + "a" * 129, "agent id is 129 characters long; the limit is 128"),
])
def test_names_must_be_safe_ids(config_manager, config, line, message):
    assert message in config_manager(line, code=2).err
    assert "version" not in config()


def test_agent_role_defaults_and_changes(config_manager, config):
    assert config_manager("/agent bob").out == ("version 1 by alice: agent bob (developer)\n"
                                                "  agents.bob.role: (none) -> developer\n"
                                                "  agents.bob.team: (none) -> -\n")
    assert config_manager("/agent bob lead").out == "version 2 by alice: agent bob (lead)\n  agents.bob.role: developer -> lead\n"
    config_manager("/agent bob")  # no role given: the role stays
    assert config()["agents"]["bob"] == {"role": "lead", "team": None}


def test_an_unchanged_config_makes_no_version(config_manager, config):
    config_manager("/agent bob")
    assert config_manager("/agent bob").out == "no change (agent bob (developer)); still version 1\n"
    assert config()["version"] == 1
    data = json.loads(config_manager("/agent bob", "--json").out)
    assert data == {"version": 1, "change": "agent bob (developer)", "diff": [], "changed": False}


def test_history_lists_newest_first(config_manager):
    assert config_manager("/history").out == "no changes yet (version 0)\n"
    config_manager("/agent bob")
    config_manager("/set wip.doing 4")
    assert config_manager("/history").out == (f"v2  {NOW}  alice  set wip.doing = 4\n"
                                              f"v1  {NOW}  alice  agent bob (developer)\n")
    assert json.loads(config_manager("/history", "--json").out)[0] == {
        "version": 2, "at": NOW, "by": "alice", "change": "set wip.doing = 4"}


def test_diff_between_versions(config_manager):
    config_manager("/set wip.doing 4")
    config_manager("/set wip.doing 6")
    config_manager("/agent bob")
    assert config_manager("/diff 1").out == (
        "version 1 -> 3:\n  agents.bob.role: (none) -> developer\n  agents.bob.team: (none) -> -\n"
        "  settings.wip.doing: 4 -> 6\n")
    assert json.loads(config_manager("/diff 0 v2", "--json").out) == {
        "from": 0, "to": 2, "diff": ["settings.wip.doing: (none) -> 6"]}
    assert config_manager("/diff 2 2").out == "no differences between version 2 and version 2\n"
    assert "no version 9; the versions are 0 to 3" in config_manager("/diff 9", code=3).err
    assert "expected a version number (0, 1, 2, ...), got 'latest'" in config_manager("/diff latest", code=2).err
    assert "versions start at 0, got -1" in config_manager("/diff -1", code=2).err


def test_rollback_restores_as_a_new_version_keeping_history(config_manager, state):
    config_manager("/set wip.doing 4")
    config_manager("/agent bob")
    config_manager("/set wip.doing 9")
    out = config_manager("/rollback 1").out
    assert out.splitlines()[0] == "version 4 by alice: rollback to version 1"
    assert "  settings.wip.doing: 9 -> 4" in out
    document = state.project("myapp").read()
    assert document["config"]["agents"] == {} and document["config"]["settings"] == {"wip": {"doing": 4}}
    assert [e["version"] for e in document["config_history"]] == [1, 2, 3, 4]
    assert document["config_history"][-1]["config"] == document["config_history"][0]["config"]
    assert "no version 7; the versions are 0 to 4" in config_manager("/rollback 7", code=3).err
    assert config_manager("/rollback 0").out.startswith("version 5 by alice: rollback to version 0\n")
    assert state.project("myapp").read()["config"]["settings"] == {}


def test_views(config_manager, state):
    assert views(state) == {"version": "0", "teams": "none", "agent_pool": "none", "settings": (
        "dashboard.refresh_seconds=30, leadership.quorum=3, review.required=false, sprint.length_days=10, "
        "wip.doing=3, wip.review=3, wip.todo=10")}
    assert "Teams: none Agents: none" in flat(config_manager("/show").out)
    config_manager("/agent bob lead")
    config_manager("/team core bob")
    config_manager("/set review.required yes")
    assert views(state) == {"version": f"3 (set review.required = true, by alice at {NOW})", "teams": "core (1 member)",
                            "agent_pool": "bob (lead, core)", "settings": (
        "dashboard.refresh_seconds=30, leadership.quorum=3, review.required=true, sprint.length_days=10, "
        "wip.doing=3, wip.review=3, wip.todo=10")}
    config_manager("/rollback 2")
    shown = flat(config_manager("/show").out)
    assert f"Version: 4 (rollback to version 2, by alice at {NOW})" in shown
    assert "Teams: core (1 member)" in shown
    assert "Agents: bob (lead, core)" in shown
