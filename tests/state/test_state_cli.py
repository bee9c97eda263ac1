"""The state, session and shared commands as a user runs them: output, exit codes, and nothing lost on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sudolang.state import clock
from sudolang.errors import CORRUPT, FAILURE, NOT_FOUND, USAGE

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)


@pytest.fixture
def sid(cli):
    result = cli("session", "create", "--mode", "development", "--project", "myapp")
    assert result.code == 0, result
    return result.out.strip()


def test_create_prints_only_the_id_and_builds_the_plan_structure(cli, sid, state):
    document = state.session(sid).read()
    assert document["session"]["id"] == sid and document["session"]["mode"] == "development"
    assert set(document["session"]["lifecycle"]) >= {"status", "last_activity", "expiry"}
    assert document["execution"] == {"agents": {}, "tasks": {}, "workflows": {}}
    assert document["observability"]["events"][0]["type"] == "session_created"


@pytest.mark.parametrize("path, value", [
    ("session.lifecycle.status", "null"), ("session.lifecycle.last_activity", "5"), ("session.lifecycle", "[1]"),
    ("session", '"text"'), ("session.mode", '{"a": 1}'),
])
def test_listing_shows_a_session_whose_fields_a_user_rewrote(cli, sid, path, value):
    """Found by the fuzz campaign: `state list-sessions` failed with an internal error once a session's status
    was null, and sorting failed once a time was a number."""
    other = cli("session", "create", "--mode", "development").out.strip()
    assert cli("state", "set", sid, path, value).code == 0
    for command in (("state", "list-sessions"), ("session", "list"), ("session", "list", "--json")):
        listed = cli(*command)
        assert listed.code == 0 and sid in listed.out and other in listed.out, (command, listed)


def test_set_then_get_round_trips_json_and_plain_strings(cli, sid):
    assert cli("state", "set", sid, "tasks.task-001.status", "done").code == 0
    assert cli("state", "set", sid, "tasks.task-001.points", "3").code == 0
    assert json.loads(cli("state", "get", sid, "tasks.task-001").out) == {"status": "done", "points": 3}
    assert cli("state", "get", sid, "$.tasks.task-001.status", "--raw").out == "done\n"


def test_get_of_a_filter_prints_an_array_and_no_match_exits_3(cli, sid):
    cli("state", "set", sid, "l", '[{"x": 1}, {"x": 2}]')
    assert json.loads(cli("state", "get", sid, "$.l[?(@.x > 1)]").out) == [{"x": 2}]
    empty = cli("state", "get", sid, "$.l[?(@.x > 5)]")
    assert (empty.code, json.loads(empty.out)) == (NOT_FOUND, [])


def test_merge_and_delete(cli, sid):
    assert cli("state", "merge", sid, "active_work", '{"sprint": "s-1", "epic": "e"}').code == 0
    assert cli("state", "delete", sid, "active_work.epic").code == 0
    assert json.loads(cli("state", "get", sid, "active_work").out) == {"sprint": "s-1"}
    missing = cli("state", "delete", sid, "active_work.epic")
    assert missing.code == NOT_FOUND and "nothing deleted" in missing.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("state", "get", "nope", "$"), NOT_FOUND, "no session 'nope'"),
        (("state", "get", "{sid}", "missing.key"), NOT_FOUND, "nothing at 'missing.key'"),
        (("state", "get", "{sid}", "$.[["), USAGE, "invalid JSONPath '$.[['"),
        (("state", "merge", "{sid}", "a", "{not json"), USAGE, "not valid JSON"),
        (("state", "merge", "{sid}", "a", "[1]"), USAGE, "merge needs a JSON object"),
        (("state", "set", "{sid}", "session.mode.x", "1"), FAILURE, "$.session.mode is a string"),
        (("session", "create", "--mode", "party"), USAGE, "invalid choice"),
        (("session", "create", "--mode", "config", "--ttl", "0"), USAGE, "--ttl must be a positive"),
        (("shared", "get-config", "ghost"), NOT_FOUND, "no project 'ghost'"),
        (("shared", "get-sprint", "myapp", "s-404"), NOT_FOUND, "no sprint 's-404'"),
        (("shared", "update-epic", "myapp", "E-1", "--status", "shiny"), USAGE, "unknown epic status"),
        (("session", "handoff", "{sid}", "{sid}"), USAGE, "to itself"),
    ],
)
def test_errors_are_one_line_with_a_distinct_exit_code(cli, sid, args, code, message):
    result = cli(*(a.replace("{sid}", sid) for a in args))
    assert result.code == code, result
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("hostile", ["../x", "a/b", "..", ".hidden", "x" * 200, "a\nb", "a\x00b", "tab\there"])
def test_hostile_ids_are_refused_before_any_file_is_touched(cli, private_state, hostile):
    for args in (("state", "set", hostile, "a", "1"), ("session", "heartbeat", hostile),
                 ("shared", "update-epic", hostile, "E", "--status", "active"),
                 ("shared", "activate-sprint", "p", hostile, "--session", "s")):
        result = cli(*args)
        assert result.code == USAGE, (args, result)
        assert "id" in result.err
    assert not private_state.exists() or not any(private_state.rglob("*"))


def test_empty_id_is_refused(cli):
    result = cli("state", "get", "", "$")
    assert result.code == USAGE and "id is empty" in result.err


@pytest.mark.parametrize("damage", [b"", b"{\"session\": {\"id\"", b"not json at all", b"[1, 2]"])
@pytest.mark.files_only("damages the document's file")
def test_corrupt_documents_are_reported_and_never_overwritten(cli, sid, state, damage):
    path = state.session(sid).path
    path.write_bytes(damage)
    for args in (("state", "get", sid, "$"), ("state", "set", sid, "a", "1"), ("session", "heartbeat", sid)):
        result = cli(*args)
        assert result.code == CORRUPT, result
        assert str(path) in result.err and f"sudolang session recover {sid}" in result.err
    assert path.read_bytes() == damage


@pytest.mark.files_only("damages the file; the backup and the move aside are files")
def test_recover_rebuilds_from_backup_and_log_and_moves_the_damage_aside(cli, sid, state):
    for n in range(3):
        cli("state", "set", sid, "counter", str(n))
    document = state.session(sid)
    good = document.read()
    document.path.write_bytes(b"\x00garbage")
    result = cli("session", "recover", sid)
    assert result.code == 0, result
    assert "moved the corrupt file" in result.out and "lost:" in result.out
    assert document.read() == good
    aside = list(document.path.parent.glob(f"{sid}.json.corrupt-*"))
    assert [p.read_bytes() for p in aside] == [b"\x00garbage"]


@pytest.mark.files_only("removes the file and its backup")
def test_recover_from_the_log_alone_when_the_backup_is_gone(cli, sid, state):
    cli("state", "set", sid, "a", "1")
    document = state.session(sid)
    good = document.read()
    document.path.unlink()
    document.backup_path.unlink()
    result = cli("session", "recover", sid)
    assert result.code == 0 and "the event log alone" in result.out
    assert document.read() == good


@pytest.mark.files_only("compares the file's bytes")
def test_recover_of_an_intact_session_changes_nothing(cli, sid, state):
    before = state.session(sid).path.read_bytes()
    result = cli("session", "recover", sid)
    assert result.code == 0 and "intact at revision 1" in result.out
    assert state.session(sid).path.read_bytes() == before


@pytest.mark.files_only("the backup is a file")
def test_every_write_keeps_the_previous_version_as_backup(cli, sid, state):
    cli("state", "set", sid, "n", "1")
    cli("state", "set", sid, "n", "2")
    document = state.session(sid)
    assert json.loads(document.backup_path.read_text())["n"] == 1
    assert document.read()["n"] == 2


def test_batch_is_all_or_nothing(cli, sid, state, tmp_path):
    before = state.session(sid).read()
    bad = '[{"op": "set", "path": "a", "value": 1}, {"op": "set", "path": "session.mode.x", "value": 2}]'
    assert cli("state", "batch", sid, "-", stdin=bad).code == FAILURE
    assert state.session(sid).read() == before
    ops = tmp_path / "ops.json"
    ops.write_text('[{"op": "set", "path": "a", "value": 1}, {"op": "incr", "path": "n", "value": 2}]')
    result = cli("state", "batch", sid, str(ops))
    assert result.code == 0 and json.loads(result.out) == {"applied": 2, "revision": 2}
    assert state.session(sid).read()["a"] == 1


@pytest.mark.parametrize(("stdin", "message"), [("", "not valid JSON"), ("{}", "non-empty JSON array"),
                                                ('[{"op": "zap", "path": "a"}]', "unknown op")])
def test_bad_batches_are_usage_errors(cli, sid, stdin, message):
    result = cli("state", "batch", sid, "-", stdin=stdin)
    assert result.code == USAGE and message in result.err


def test_batch_file_that_cannot_be_read(cli, sid, tmp_path):
    result = cli("state", "batch", sid, str(tmp_path / "absent.json"))
    assert result.code == USAGE and "cannot read" in result.err


def test_heartbeat_pushes_expiry_and_revives_a_paused_session(cli, sid, state, monkeypatch):
    cli("state", "set", sid, "session.lifecycle.status", "paused")
    monkeypatch.setenv("SUDOLANG_NOW", "2030-01-01T00:00:00Z")
    result = cli("session", "heartbeat", sid)
    assert result.out.strip() == "2030-01-02T00:00:00Z"
    lifecycle = state.session(sid).read()["session"]["lifecycle"]
    assert lifecycle["status"] == "active" and lifecycle["last_activity"] == "2030-01-01T00:00:00Z"


def test_handoff_moves_open_work_and_completes_the_source(cli, sid, state):
    target = cli("session", "create", "--mode", "development").out.strip()
    cli("state", "set", sid, "execution.tasks.T-1", '{"status": "todo"}')
    cli("state", "set", sid, "execution.tasks.T-2", '{"status": "done"}')
    cli("state", "set", sid, "active_work.sprint", "s-1")
    result = cli("session", "handoff", sid, target)
    assert result.code == 0 and "1 open task" in result.out
    source_doc, target_doc = state.session(sid).read(), state.session(target).read()
    assert target_doc["execution"]["tasks"] == {"T-1": {"status": "todo"}}
    assert target_doc["active_work"] == {"sprint": "s-1"}
    assert source_doc["execution"]["tasks"] == {"T-2": {"status": "done"}}
    assert source_doc["session"]["lifecycle"]["status"] == "completed"
    assert source_doc["observability"]["events"][-1]["type"] == "handoff_out"
    assert target_doc["observability"]["events"][-1]["type"] == "handoff_in"


def test_receiving_a_handoff_is_activity_that_pushes_the_expiry(cli, sid, state, monkeypatch):
    monkeypatch.setenv("SUDOLANG_NOW", "2030-01-01T09:00:00Z")
    target = cli("session", "create", "--mode", "development").out.strip()
    monkeypatch.setenv("SUDOLANG_NOW", "2030-01-01T17:00:00Z")
    assert cli("session", "handoff", sid, target).code == 0
    lifecycle = state.session(target).read()["session"]["lifecycle"]
    assert (lifecycle["last_activity"], lifecycle["expiry"]) == ("2030-01-01T17:00:00Z", "2030-01-02T17:00:00Z")


def test_handoff_to_a_missing_session_writes_nothing(cli, sid, state):
    before = state.session(sid).read()
    assert cli("session", "handoff", sid, "ghost").code == NOT_FOUND
    assert state.session(sid).read() == before


def test_session_list_filters_and_json(cli, sid, monkeypatch):
    other = cli("session", "create", "--mode", "sprint", "--project", "other", "--ttl", "60").out.strip()
    rows = json.loads(cli("session", "list", "--json", "--project", "myapp").out)
    assert [r["id"] for r in rows] == [sid]
    table = cli("session", "list").out
    assert table.splitlines()[0].split()[:3] == ["ID", "MODE", "PROJECT"] and other in table
    monkeypatch.setenv("SUDOLANG_NOW", "2099-01-01T00:00:00Z")
    assert json.loads(cli("session", "list", "--active", "--json").out) == []
    assert len(json.loads(cli("state", "list-sessions", "--json").out)) == 2


def test_cleanup_archives_expired_sessions_and_keeps_them(cli, sid, state, monkeypatch, store_kind):
    live = cli("session", "create", "--mode", "config", "--ttl", str(10 * 365 * 86400)).out.strip()
    monkeypatch.setenv("SUDOLANG_NOW", clock.iso(clock.later(clock.now(), 2 * 86400)))
    dry = cli("state", "cleanup-expired", "--dry-run")
    assert dry.out.split() == ["would", "archive", sid] and state.session(sid).exists()
    assert cli("state", "cleanup-expired").out.split() == ["archived", sid]
    assert not state.session(sid).exists() and state.session(live).exists() and state.archived(sid)
    if store_kind == "files":  # kept whole, with its event log, in sessions/archive/
        archived = json.loads((state.archive / f"{sid}.json").read_text())
        assert archived["session"]["id"] == sid and (state.archive / f"{sid}.events.jsonl").exists()


@pytest.mark.files_only("damages the document's file")
def test_list_shows_a_corrupt_session_instead_of_failing(cli, sid, state):
    state.session(sid).path.write_text("{")
    rows = json.loads(cli("session", "list", "--json").out)
    assert rows[0]["id"] == sid and rows[0]["status"] == "corrupt"


def test_shared_project_commands(cli, sid):
    assert json.loads(cli("shared", "get-config", "myapp").out) == {"name": "myapp"}
    epic = json.loads(cli("shared", "update-epic", "myapp", "E-1", "--status", "completed").out)
    assert epic["status"] == "completed"
    sprint = json.loads(cli("shared", "activate-sprint", "myapp", "sprint-001", "--session", sid).out)
    assert sprint["status"] == "active" and sprint["sessions"] == [sid]
    again = json.loads(cli("shared", "activate-sprint", "myapp", "sprint-001", "--session", sid).out)
    assert again["sessions"] == [sid]
    assert [s["id"] for s in json.loads(cli("shared", "list-sprints", "myapp", "--status", "active").out)] == ["sprint-001"]
    assert json.loads(cli("shared", "list-sprints", "myapp", "--status", "completed").out) == []
    assert json.loads(cli("state", "get", sid, "active_work.sprint").out) == "sprint-001"
    tools = json.loads(cli("shared", "list-tools").out)
    assert {t["name"] for t in tools} == {"state_manager", "session_manager", "shared_state"}


@pytest.mark.files_only("damages the project's file")
def test_project_recover(cli, sid, state):
    cli("shared", "update-epic", "myapp", "E-1", "--status", "active")
    project = state.project("myapp")
    good = project.read()
    project.path.write_text("")
    assert cli("shared", "get-config", "myapp").code == CORRUPT
    assert cli("shared", "recover", "myapp").code == 0
    assert project.read() == good


@pytest.mark.files_only("looks for the documents under --state-dir")
def test_options_work_before_or_after_the_command(cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    first = cli("--state-dir", str(elsewhere), "session", "create", "--mode", "config").out.strip()
    second = cli("session", "create", "--mode", "config", "--state-dir", str(elsewhere)).out.strip()
    assert sorted(p.name for p in (elsewhere / "sessions").glob("*.json")) == sorted([f"{first}.json", f"{second}.json"])
    assert cli("state", "get", first, "session.id", "--state-dir", str(elsewhere), "--raw").out.strip() == first
    assert cli("--state-dir", str(elsewhere), "--timeout", "1", "state", "set", first, "x", "1").code == 0


@pytest.mark.parametrize("args", [
    ("state", "set", "{sid}", "n", "-5"),           # a negative number looks like an option
    ("state", "get", "{sid}", "n", "--timeout", "x"),  # a bad option value
    ("state", "get", "{sid}"),                     # too few arguments
    ("state", "set", "{sid}", "n", "1", "--raw"),   # --raw belongs to get only
])
def test_command_lines_the_fast_path_declines_still_work_through_argparse(cli, sid, args):
    result = cli(*(a.replace("{sid}", sid) for a in args))
    if args[-1] == "-5":
        assert result.code == 0 and cli("state", "get", sid, "n").out.strip() == "-5"
    else:
        assert result.code == USAGE and "usage:" in result.err


def test_help_teaches(cli):
    top = cli("--help")
    assert top.code == 0 and "exit codes:" in top.out and "state directory:" in top.out
    state_help = cli("state", "--help").out
    assert "examples:" in state_help and "batch" in state_help
    assert "JSONPath" in cli("state", "get", "--help").out


def test_state_dir_is_found_like_git_finds_dot_git(tmp_path, monkeypatch):
    from sudolang.state.paths import find_state_dir

    monkeypatch.delenv("SUDOLANG_STATE_DIR")
    project = tmp_path / "proj"
    (project / ".claude").mkdir(parents=True)
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    # Paths come back as text (the state layer does without pathlib's start-up).
    assert find_state_dir(None, deep) == str(project / ".claude" / "state")
    bare = tmp_path / "bare"
    bare.mkdir()
    assert find_state_dir(None, bare) == str(bare.resolve() / ".claude" / "state")
    monkeypatch.setenv("SUDOLANG_STATE_DIR", str(tmp_path / "env") + "/./")
    assert find_state_dir(None, deep) == str(tmp_path / "env")
    assert find_state_dir(str(tmp_path / "flag") + "//", deep) == str(tmp_path / "flag")


def test_python_dash_m_and_no_traceback_without_debug(tmp_path):
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "sudolang", "state", "get", "ghost", "$"]
    plain = subprocess.run(run, capture_output=True, text=True, env=env)
    assert plain.returncode == NOT_FOUND and plain.stderr == "sudolang: error: no session 'ghost'\n"
    debug = subprocess.run(run + ["--debug"], capture_output=True, text=True, env=env)
    assert "Traceback" in debug.stderr


def test_a_state_query_loads_no_heavy_module(sid, private_state):
    """lark, jinja2, jsonpath-ng and filelock cost 50-100 ms each to import; a plain get needs none."""
    code = (
        "import sys; from sudolang.cli import main; main(['state', 'get', sys.argv[1], 'session.mode']);"
        "print([m for m in ('lark', 'sudolang.lalr', 'jinja2', 'jsonpath_ng', 'filelock', 'argparse') if m in sys.modules])"
    )
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(private_state)}
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # under `pytest --cov` coverage itself would import modules here
    out = subprocess.run([sys.executable, "-c", code, sid], capture_output=True, text=True, env=env, check=True).stdout
    assert out.splitlines() == ['"development"', "[]"]


def test_set_help_states_when_a_value_is_json_and_when_it_is_text(cli, sid):
    text = " ".join(cli("state", "set", "--help").out.split())
    assert "must be valid JSON" in text and "stored as a string" in text and "1e999" in text
    assert cli("state", "set", sid, "v", "1e999").code == USAGE  # meant as a number: refused, not stored as text
    assert cli("state", "set", sid, "v", "1.2.3").code == 0
    assert json.loads(cli("state", "get", sid, "v").out) == "1.2.3"
