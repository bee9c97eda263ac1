"""State triggers in-process: the packaged rules, the user's override file, and how rules are read and run."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from sudolang.runtime import triggers
from sudolang.state import sessions, shared

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

PROJECT = "myapp"
T0 = "2025-03-03T09:00:00Z"


@pytest.fixture
def sid(state, monkeypatch) -> str:
    monkeypatch.setenv("SUDOLANG_NOW", T0)
    return sessions.create(state, "development", PROJECT)


def board(state, tasks: dict, sprint: str = "sprint-001", **extra) -> None:
    full = {tid: {"id": tid, "title": tid, "points": 2, "column": "todo", "sprint": sprint, **task}
            for tid, task in tasks.items()}
    ops = [{"op": "set", "path": "$.tasks", "value": full},
           {"op": "set", "path": f"$.sprints['{sprint}']", "value": {"status": "active", "activated_at": T0}}]
    ops += [{"op": "set", "path": f"$.{key}", "value": value} for key, value in extra.items()]
    state.project(PROJECT).update(lambda doc: ops)


def move(state, task: str, column: str) -> None:
    state.project(PROJECT).update(lambda doc: [{"op": "set", "path": f"$.tasks['{task}'].column", "value": column}])


def project(state) -> dict:
    return state.project(PROJECT).read()


def fire(state, sid, event: str, **payload) -> list[str]:
    return triggers.fire(state, PROJECT, sid, event, payload)


def override(state, text: str) -> None:
    state.root.mkdir(parents=True, exist_ok=True)
    (state.root / triggers.OVERRIDE_NAME).write_text(text)


BLOCKER_ONLY = """
[[rules]]
name = "custom-blocker"
description = "A blocked task becomes an alarm."
enabled = ENABLED
on = "task_blocked"
when = "always"
then = { action = "record_event", type = "alarm", fields = ["task"] }
"""


# --- the packaged rules --------------------------------------------------------------------------------


def test_the_packaged_rules_parse_the_four_the_plan_asks_for_and_a_cleared_blocker(state):
    ruleset = triggers.load_rules(state.root)
    assert ruleset.source == str(triggers.PACKAGED) and ruleset.warning is None
    assert [r.name for r in ruleset.rules] == ["sprint-completes", "epic-follows-tasks", "stale-agents",
                                                "blocker-on-dashboard", "blocker-cleared-on-dashboard"]
    assert all(r.enabled and r.description for r in ruleset.rules)


def test_a_sprint_completes_when_its_last_task_is_done(state, sid, cli):
    board(state, {"T-1": {"column": "done"}, "T-2": {"column": "doing"}})
    assert fire(state, sid, "task_completed", task="T-1") == []
    move(state, "T-2", "done")
    assert fire(state, sid, "task_completed", task="t-2") == [
        "sprint-completes: sprint sprint-001 completed (2 tasks, 4 pts)"]
    doc = project(state)
    assert doc["sprints"]["sprint-001"] == {"status": "completed", "activated_at": T0, "completed_at": T0}
    velocity = cli("run", "sprint_execution", "/velocity", "--json", "--session", sid)
    assert json.loads(velocity.out)["sprints"] == [{"sprint": "sprint-001", "points": 4, "completed_at": T0}]
    assert doc["events"] == [{"at": T0, "type": "sprint_completed", "session": sid, "sprint": "sprint-001",
                              "points": 4, "tasks": 2}]
    assert fire(state, sid, "task_completed", task="T-2") == []  # completed once, not again


def test_a_cancelled_sprint_stays_cancelled(state, sid):
    board(state, {"T-1": {"column": "done"}})
    state.project(PROJECT).update(lambda doc: [{"op": "set", "path": "$.sprints['sprint-001'].status",
                                                "value": "cancelled"}])
    assert fire(state, sid, "task_completed", task="T-1") == []


def test_an_epic_follows_its_tasks(state, sid):
    board(state, {"T-1": {"epic": "E-1"}, "T-2": {"epic": "E-1"}, "T-3": {}},
          epics={"E-1": {"id": "E-1", "status": "planned"}})
    assert fire(state, sid, "task_moved", task="T-3", column="doing") == []  # no epic
    move(state, "T-1", "doing")
    assert fire(state, sid, "task_moved", task="T-1", column="doing") == ["epic-follows-tasks: epic E-1 is active"]
    move(state, "T-1", "done")
    move(state, "T-2", "done")
    assert fire(state, sid, "task_completed", task="T-2") == ["epic-follows-tasks: epic E-1 is completed"]
    doc = project(state)
    assert doc["epics"]["E-1"] == {"id": "E-1", "status": "completed", "updated_at": T0}
    assert [e["type"] for e in doc["events"]] == ["epic_updated", "epic_updated"]


def test_an_epic_a_person_blocked_is_left_alone(state, sid):
    board(state, {"T-1": {"epic": "E-1", "column": "done"}}, epics={"E-1": {"id": "E-1", "status": "blocked"}})
    assert fire(state, sid, "task_completed", task="T-1") == ["sprint-completes: sprint sprint-001 completed "
                                                               "(1 task, 2 pts)"]
    assert project(state)["epics"]["E-1"]["status"] == "blocked"


def test_a_silent_agent_turns_stale_after_the_declared_time(state, sid, monkeypatch):
    agent = {"type": "tester", "status": "running", "started_at": T0, "last_heartbeat": T0}
    state.session(sid).update(lambda doc: [{"op": "set", "path": "$.execution.agents.tester", "value": agent}])
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-03T09:14:59Z")
    assert fire(state, sid, "heartbeat") == []
    monkeypatch.setenv("SUDOLANG_NOW", "2025-03-03T09:15:01Z")
    assert fire(state, sid, "task_created", task="T-9") == [
        f"stale-agents: agent tester is stale (last heartbeat {T0})"]
    doc = state.session(sid).read()
    assert doc["execution"]["agents"]["tester"]["status"] == "stale"
    assert doc["observability"]["events"][-1] == {"at": "2025-03-03T09:15:01Z", "type": "agent_stale",
                                                  "agent": "tester", "last_heartbeat": T0}


def test_a_blocker_is_raised_on_the_project_and_events_stay_bounded(state, sid):
    shared.ensure_project(state, PROJECT)
    assert fire(state, sid, "task_blocked", task="T-1", reason="API down") == [
        "blocker-on-dashboard: project event blocker_raised (task=T-1, reason=API down)"]
    assert project(state)["events"] == [{"at": T0, "type": "blocker_raised", "session": sid, "task": "T-1",
                                         "reason": "API down"}]
    for number in range(60):
        fire(state, sid, "task_blocked", task=f"T-{number}", reason="x")
    events = project(state)["events"]
    assert len(events) == triggers.EVENT_LIMIT and events[-1]["task"] == "T-59"


def test_an_event_without_a_project_document_changes_nothing(state, sid):
    assert fire(state, sid, "task_completed", task="T-1") == []
    assert not state.project("nobody").exists()


# --- the user's override file ---------------------------------------------------------------------------


def test_an_override_file_replaces_the_packaged_rules(state, sid):
    override(state, BLOCKER_ONLY.replace("ENABLED", "true"))
    assert fire(state, sid, "task_blocked", task="T-1", reason="API down") == [
        "custom-blocker: project event alarm (task=T-1)"]
    assert [e["type"] for e in project(state)["events"]] == ["alarm"]  # no blocker_raised: replaced whole
    text = triggers.describe(state.root)
    assert text.startswith(f"Trigger rules from the state directory's override: {state.root / 'triggers.toml'}")
    assert "custom-blocker: on task_blocked; when always; then record_event type='alarm'" in text


def test_a_disabled_rule_does_not_fire(state, sid):
    override(state, BLOCKER_ONLY.replace("ENABLED", "false"))
    shared.ensure_project(state, PROJECT)
    assert fire(state, sid, "task_blocked", task="T-1", reason="API down") == []
    assert "events" not in project(state)
    assert "\noff  custom-blocker" in triggers.describe(state.root)


@pytest.mark.parametrize("text, reason", [
    ("[[rules]\nname = ", "Expected ']]'"),
    (BLOCKER_ONLY.replace('"always"', '"sometimes"'), "`when` must name a condition"),
    (BLOCKER_ONLY.replace('"record_event"', '"launch"'), "`then` must name a action"),
    (BLOCKER_ONLY.replace("ENABLED", '"yes"'), "`enabled` must be true or false"),
])
def test_a_malformed_override_is_reported_in_one_line_and_the_packaged_rules_apply(state, sid, capsys, text, reason):
    override(state, text.replace("ENABLED", "true"))
    shared.ensure_project(state, PROJECT)
    lines = fire(state, sid, "task_blocked", task="T-1", reason="API down")
    assert lines == ["blocker-on-dashboard: project event blocker_raised (task=T-1, reason=API down)"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err, err
    assert err.startswith(f"sudolang: triggers: {state.root / 'triggers.toml'} is not used (")
    assert err.rstrip().endswith("the packaged rules apply")


def test_a_malformed_override_is_one_stderr_line_of_the_hook_too(state, sid):
    override(state, "not toml at all [")
    env_hook = [sys.executable, "-m", "sudolang", "--state-dir", str(state.root), "hook"]
    result = subprocess.run(env_hook + ["agent_spawned", sid, '{"agent": "reviewer-1"}'],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr.count("\n") == 1
    assert "triggers.toml is not used" in result.stderr
    assert state.session(sid).read()["execution"]["agents"]["reviewer-1"]["status"] == "running"


@pytest.mark.parametrize("rule, message", [
    ({"on": "x", "when": "always", "then": "complete_sprint", "colour": "red"}, "unknown field(s) colour"),
    ({"when": "always", "then": "complete_sprint"}, "`on` must be an event name"),
    ({"on": [], "when": "always", "then": "complete_sprint"}, "`on` must be an event name"),
    ({"on": "x", "when": {"condition": "agents_silent", "stale_after_seconds": "soon"}, "then": "mark_agents_stale"},
     "parameter stale_after_seconds has the wrong type"),
    ({"on": "x", "when": {"condition": "always", "limit": 3}, "then": "complete_sprint"},
     "condition always has no parameter 'limit'"),
    ({"on": "x", "when": "always", "then": "record_event"}, "action record_event needs type"),
])
def test_rules_are_checked_when_read(rule, message):
    with pytest.raises(triggers.RuleError, match=re.escape(message)):
        triggers.parse_rules({"rules": [rule]})


def test_parameters_take_their_defaults():
    [rule] = triggers.parse_rules({"rules": [{"on": "*", "when": "agents_silent", "then": "mark_agents_stale"}]})
    assert (rule.name, rule.when, rule.on) == ("rule-1", {"stale_after_seconds": 900}, ["*"])


# --- the cache ---------------------------------------------------------------------------------------------


def test_parsed_rules_are_cached_until_a_file_changes(state, sid, monkeypatch):
    override(state, BLOCKER_ONLY.replace("ENABLED", "true"))
    assert [r.name for r in triggers.load_rules(state.root).rules] == ["custom-blocker"]
    assert (state.root / triggers.CACHE_NAME).exists()

    def no_parsing(path):
        raise AssertionError("parsed although nothing changed")

    monkeypatch.setattr(triggers, "_parse_file", no_parsing)
    assert [r.name for r in triggers.load_rules(state.root).rules] == ["custom-blocker"]
    monkeypatch.undo()
    monkeypatch.setenv("SUDOLANG_NOW", T0)
    override(state, BLOCKER_ONLY.replace("ENABLED", "true").replace("custom-blocker", "renamed-blocker-rule"))
    assert [r.name for r in triggers.load_rules(state.root).rules] == ["renamed-blocker-rule"]
    (state.root / triggers.OVERRIDE_NAME).unlink()
    assert triggers.load_rules(state.root).source == str(triggers.PACKAGED)


def test_a_damaged_cache_is_parsed_again(state):
    state.root.mkdir(parents=True)
    (state.root / triggers.CACHE_NAME).write_text("{ torn")
    assert len(triggers.load_rules(state.root).rules) == len(triggers._parse_file(triggers.PACKAGED))


# --- running -----------------------------------------------------------------------------------------------


def test_a_recorded_event_keeps_its_own_type_and_session(state, sid):
    override(state, '[[rules]]\non = "note"\nwhen = "always"\nthen = { action = "record_event", type = "noted" }\n')
    fire(state, sid, "note", type="x", session="someone-else", at="yesterday", text="hello")
    assert project(state)["events"] == [{"at": T0, "type": "noted", "session": sid, "text": "hello"}]


def test_rules_feeding_each_other_stop(state, sid):
    override(state, '[[rules]]\non = "*"\nwhen = "always"\nthen = { action = "record_event", type = "echo" }\n')
    lines = fire(state, sid, "ping")
    assert len(lines) == triggers.MAX_EVENTS + 1
    assert lines[-1].startswith(f"stopped after {triggers.MAX_EVENTS} events")


@pytest.mark.files_only("tears the session's file")
def test_a_failing_rule_is_reported_in_its_line_and_the_others_still_run(state, sid):
    board(state, {"T-1": {"column": "done"}})
    state.session(sid).path.write_text("{ torn")  # the stale-agents rule reads the session
    lines = fire(state, sid, "task_completed", task="T-1")
    assert lines[0] == "sprint-completes: sprint sprint-001 completed (1 task, 2 pts)"
    assert lines[1].startswith("stale-agents: failed: ") and "is corrupt" in lines[1]
    assert triggers.failed(lines) == [lines[1]]  # once, not again for the sprint_completed it emitted
