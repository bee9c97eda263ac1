"""The PostgreSQL store's own behaviour, against a real server (tests/pg_server.py): choosing it, its migrations,
copying a project between stores, its lock timeouts and lost connections, and live change.

What both stores share (every state, session, shared, message, hook and run command) is tested by those
suites on both stores (the both_stores modules); this module holds what only a server has.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_proc import child_env

from sudolang.errors import CORRUPT, FAILURE, LOCK_TIMEOUT, STORE_UNAVAILABLE, USAGE
from sudolang.state import messages, pg, sessions, stores
from sudolang.state.paths import StateDir
from sudolang.state.store import replay
from sudolang.state.stores import open_state


@pytest.fixture
def url(postgresql_server) -> str:
    """A PostgreSQL store of this test's own (a fresh schema, migrated)."""
    yield postgresql_server.schema_url()
    pg.close_all()


def sudolang(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sudolang", *args], capture_output=True, text=True,
                          env={**child_env(root), **(env or {})}, timeout=120)


# --- choosing the store --------------------------------------------------------------------------------


def test_the_store_is_the_option_else_the_environment_else_the_projects_config_else_files(tmp_path, monkeypatch):
    state = tmp_path / ".claude" / "state"
    assert stores.choose(None, state) == "files"
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "sudolang.json").write_text('{"store": "postgresql://config.example/db"}')
    assert stores.choose(None, state) == "postgresql://config.example/db"
    assert stores.choose(None, tmp_path / "elsewhere") == "files"  # only beside the project's own .claude/state
    monkeypatch.setenv("SUDOLANG_STORE", "postgresql://env.example/db")
    assert stores.choose(None, state) == "postgresql://env.example/db"
    assert stores.choose("files", state) == "files"


@pytest.mark.parametrize(("config", "code"), [('{"store": 5}', CORRUPT), ("{nope", CORRUPT),
                                               ('{"store": "mysql://x"}', USAGE)])
def test_a_bad_store_is_an_error_naming_where_it_came_from(cli, tmp_path, monkeypatch, config, code):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "sudolang.json").write_text(config)
    monkeypatch.setenv("SUDOLANG_STATE_DIR", str(tmp_path / ".claude" / "state"))
    result = cli("session", "list")
    assert result.code == code and "sudolang.json" in result.err and "Traceback" not in result.err
    assert cli("--store", "redis://x", "session", "list").err.startswith("sudolang: error: --store: 'redis://x'")


def test_a_plain_state_get_on_files_never_imports_psycopg(tmp_path, cli):
    sid = cli("session", "create", "--mode", "sprint").out.strip()
    code = "import sys; from sudolang.cli import main; main(sys.argv[1:]); print('psycopg' in sys.modules)"
    env = {k: v for k, v in child_env(tmp_path).items() if k != "COVERAGE_PROCESS_CONFIG"}
    env["SUDOLANG_STATE_DIR"] = os.environ["SUDOLANG_STATE_DIR"]
    done = subprocess.run([sys.executable, "-c", code, "state", "get", sid, "session.mode"], capture_output=True,
                          text=True, env=env, check=True)
    assert done.stdout.splitlines() == ['"sprint"', "False"]


def test_init_records_the_store_without_a_password_and_the_project_then_uses_it(url, tmp_path, monkeypatch, cli):
    project = tmp_path / "project"
    project.mkdir()
    refused = cli("init", "--dir", str(project), "--store", "postgresql://me:secret@db.example/team")
    assert refused.code == USAGE and "PGPASSWORD" in refused.err and "secret" not in refused.err
    assert not (project / ".claude").exists()  # refused before anything was written
    made = cli("init", "--dir", str(project), "--store", url)
    assert made.code == 0 and f"created   .claude/sudolang.json (store: {url})" in made.out
    assert json.loads((project / ".claude" / "sudolang.json").read_text()) == {"store": url}
    assert "unchanged .claude/sudolang.json" in cli("init", "--dir", str(project), "--store", url).out
    monkeypatch.delenv("SUDOLANG_STATE_DIR")
    monkeypatch.chdir(project)
    sid = cli("session", "create", "--mode", "sprint").out.strip()
    assert open_state(Path(".claude/state"), url).session(sid).read()["session"]["mode"] == "sprint"
    assert not (project / ".claude" / "state" / "sessions" / f"{sid}.json").exists()  # in the database, not here


def test_a_password_in_a_url_never_reaches_a_message():
    assert stores.redact("postgresql://me:s3cret@db.example:5432/team?sslmode=require") == \
        "postgresql://me:***@db.example:5432/team?sslmode=require"
    assert stores.redact("postgresql://db.example/team?password=s3cret&sslmode=require") == \
        "postgresql://db.example/team?password=***&sslmode=require"
    assert stores.redact("postgresql://me@db.example/team") == "postgresql://me@db.example/team"


# --- migrations ----------------------------------------------------------------------------------------


def test_migrate_creates_the_tables_once_and_a_store_without_them_says_what_to_run(postgresql_server, cli):
    postgresql_server.sql("CREATE SCHEMA bare")
    bare = f"{postgresql_server.url}&options=-csearch_path%3Dbare"
    result = cli("--store", bare, "session", "list")
    assert result.code == FAILURE and "store migrate" in result.err and "schema version 0" in result.err
    first, again = cli("store", "migrate", bare), cli("store", "migrate", bare)
    assert first.code == again.code == 0
    assert first.out.splitlines() == ["applied schema version 1", f"{bare} is at schema version 1"]
    assert again.out.splitlines() == [f"{bare} is at schema version 1 (nothing to do)"]
    assert cli("--store", bare, "session", "list").code == 0
    postgresql_server.sql("INSERT INTO bare.sudolang_schema (version) VALUES (99)")
    pg.close_all()  # the schema is checked once per connection: as a new process would connect
    newer = cli("--store", bare, "session", "list")
    assert newer.code == FAILURE and "upgrade sudolang" in newer.err
    assert cli("store", "migrate", "files").code == USAGE


# --- copying a project between stores ---------------------------------------------------------------------


def test_copy_moves_documents_logs_and_unread_messages_there_and_back_checked(url, cli, tmp_path):
    files = StateDir(Path(os.environ["SUDOLANG_STATE_DIR"]))
    lead = sessions.create(files, "sprint", "web")
    dev = sessions.create(files, "development", "web")
    for n in range(3):
        files.session(dev).update(lambda doc, n=n: [{"op": "set", "path": "$.work", "value": n}])
    messages.send(files, dev, lead, "T-3 is ready")
    messages.send(files, dev, lead, payload={"task": "T-4"})
    messages.poll(files, lead)
    messages.send(files, lead, dev, "thanks")
    there = cli("store", "copy", "--from", "files", "--to", url)
    assert there.code == 0, there.err
    assert "copied session" in there.out and there.out.splitlines()[-1].startswith("checked: 3 document(s) and 1 unread")
    database = open_state(tmp_path, url)
    assert database.session(dev).read() == files.session(dev).read()
    assert database.session(dev).read()["revision"] == 4 and len(database.session(dev).events()) == 4
    assert [m["text"] for m in messages.poll(database, dev)] == ["thanks"]
    assert messages.send(database, dev, lead, "next")["seq"] == 3  # the numbering goes on where it was
    again = cli("store", "copy", "--from", "files", "--to", url)
    assert again.code == FAILURE and "nothing was copied" in again.err
    back = tmp_path / "back"
    result = cli("--state-dir", str(back), "store", "copy", "--from", url, "--to", "files")
    assert result.code == 0, result.err
    returned = StateDir(back)
    assert returned.session(dev).read() == database.session(dev).read()
    for copied in (database, returned):  # each copy's event log replays to its document
        assert replay(None, copied.session(dev).events())[0] == copied.session(dev).read()
    assert [m["text"] for m in messages.poll(returned, lead)] == ["next"]


# --- locks, lost connections -------------------------------------------------------------------------------


def test_a_held_row_lock_is_the_same_lock_timeout_as_with_files(url, tmp_path):
    state = open_state(tmp_path, url)
    sid = sessions.create(state, "sprint")
    with state.session(sid).lock(timeout=5):  # this process holds the row FOR UPDATE
        held = sudolang(tmp_path, "--store", url, "--timeout", "0.2", "state", "set", sid, "x", "1")
    assert held.returncode == LOCK_TIMEOUT
    assert held.stderr.startswith(f"sudolang: error: timed out after 0.2s waiting for the lock on session {sid!r} in "
                                  f"the PostgreSQL store {url}; retry, or raise --timeout")
    assert "x" not in state.session(sid).read() and state.session(sid).read()["revision"] == 1
    assert sudolang(tmp_path, "--store", url, "state", "set", sid, "x", "1").returncode == 0


@pytest.mark.parametrize("where", ["a closed port", "a missing socket folder"])
def test_an_unreachable_server_is_one_clear_line_and_exit_6(tmp_path, where):
    url = ("postgresql://sudolang@127.0.0.1:1/none" if where == "a closed port"
           else f"postgresql:///none?host={tmp_path / 'no-server'}")
    for args in (["state", "get", "s-1", "$"], ["msg", "poll", "s-1"], ["session", "create", "--mode", "sprint"]):
        done = sudolang(tmp_path, "--store", url, *args)
        assert done.returncode == STORE_UNAVAILABLE
        assert done.stderr.startswith(f"sudolang: error: cannot reach the PostgreSQL store {url}: ")
        assert done.stderr.rstrip().endswith("nothing was changed") and done.stderr.count("\n") == 1
    hook = sudolang(tmp_path, "--store", url, "hook", "task_completed", "s-1", '{"task": "T-1"}')
    assert hook.returncode == 0 and "cannot reach the PostgreSQL store" in hook.stderr  # the hook never blocks
    record = json.loads((tmp_path / "hook-events.jsonl").read_text().splitlines()[-1])
    assert record["error"] == "store_unavailable"


def test_a_connection_the_server_ended_is_replaced_before_the_next_transaction(url, tmp_path, postgresql_server):
    state = open_state(tmp_path, url)
    sid = sessions.create(state, "sprint")
    postgresql_server.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                          "'sudolang' AND pid <> pg_backend_pid()")
    assert sessions.heartbeat(state, sid)["revision"] == 2  # BEGIN found it dead: a new connection, once
    with pytest.raises(Exception) as lost:
        with state.session(sid).lock(timeout=5):
            postgresql_server.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                  "application_name = 'sudolang' AND pid <> pg_backend_pid()")
            state.session(sid).update_locked(lambda doc: [{"op": "set", "path": "$.x", "value": 1}])
    assert lost.value.exit_code == STORE_UNAVAILABLE and "nothing was changed" in lost.value.message
    assert "x" not in state.session(sid).read() and state.session(sid).read()["revision"] == 2


def test_one_run_over_tcp_on_127_0_0_1(postgresql_server, cli, tmp_path):
    postgresql_server.sql("CREATE SCHEMA tcp")
    url = f"{postgresql_server.tcp_url}?options=-csearch_path%3Dtcp"
    assert cli("store", "migrate", url).code == 0
    sid = cli("--store", url, "session", "create", "--mode", "sprint").out.strip()
    assert cli("--store", url, "msg", "send", sid, sid, "over TCP").code == 0
    assert cli("--store", url, "msg", "poll", sid).out.endswith(f"{sid}: over TCP\n")
    assert cli("--store", url, "state", "get", sid, "session.mode").out == '"sprint"\n'
    pg.close_all()


# --- live change -----------------------------------------------------------------------------------------


def test_wait_for_change_wakes_on_a_commit_from_another_process(url, tmp_path):
    state = open_state(tmp_path, url)
    sid = sessions.create(state, "sprint")
    seen = {("session", sid): state.session(sid).read()["revision"]}
    assert state.wait_for_change(seen, timeout=0.2) is False  # nothing changed: it waited, then said so
    writer = subprocess.Popen([sys.executable, "-m", "sudolang", "--store", url, "session", "heartbeat", sid],
                              env=child_env(tmp_path), stdout=subprocess.DEVNULL)
    try:
        assert state.wait_for_change(seen, timeout=60) is True  # woken by the NOTIFY of that commit
    finally:
        writer.wait()
    assert state.wait_for_change(seen, timeout=0) is True  # a change made before the wait is seen at once


def test_the_file_store_polls_for_the_same_answer(tmp_path):
    state = StateDir(tmp_path)
    sid = sessions.create(state, "sprint")
    seen = {("session", sid): 1}
    assert state.wait_for_change(seen, timeout=0.1) is False
    writer = subprocess.Popen([sys.executable, "-m", "sudolang", "--state-dir", str(tmp_path), "session",
                               "heartbeat", sid], env=child_env(tmp_path), stdout=subprocess.DEVNULL)
    try:
        assert state.wait_for_change(seen, timeout=60) is True
    finally:
        writer.wait()


def test_the_demo_keeps_to_its_own_files_whatever_the_store_variable_says(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SUDOLANG_STORE", "postgresql://sudolang@127.0.0.1:1/never-reached")
    result = cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.code == 0, result.err
    assert list((tmp_path / "demo" / ".claude" / "state" / "sessions").glob("*.json"))


def test_the_hook_waits_for_a_silent_server_only_within_its_budget(tmp_path):
    import socket

    assert stores.open_postgresql(tmp_path, "postgresql://h/db", 0.3).db.connect_timeout == 2  # libpq's least
    assert stores.open_postgresql(tmp_path, "postgresql://h/db", 7.2).db.connect_timeout == 8
    with socket.socket() as silent:  # accepts connections in the kernel, and never answers one
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"postgresql://sudolang@127.0.0.1:{silent.getsockname()[1]}/none"
        hook = sudolang(tmp_path, "--store", url, "hook", "task_completed", "s-1", '{"task": "T-1"}')
    assert hook.returncode == 0 and "timeout expired" in hook.stderr
    record = json.loads((tmp_path / "hook-events.jsonl").read_text().splitlines()[-1])
    assert record["error"] == "store_unavailable"
