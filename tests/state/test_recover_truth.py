"""Recover never loses an acknowledged write, and every exit code says whether a change is in.

Real processes: `sudolang` runs with a file-size limit (EFBIG mid-append, a short write), against an
immutable log (chattr +i), and with its rename failing in a forked child; users try to rewrite
`revision`; a legacy log that restarted its numbering is recovered without a false "lost: nothing"."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from helpers_proc import forked, run_cli

from sudolang.errors import CORRUPT, FAILURE, USAGE, UsageError
from sudolang.state.paths import StateDir
from sudolang.state.store import COMPACT_FLOOR, read_log


@pytest.fixture
def session(tmp_path):
    sid = run_cli(tmp_path, "session", "create", "--mode", "development").stdout.strip()
    assert sid
    return tmp_path, sid, StateDir(tmp_path).session(sid)


def files(document) -> dict:
    return {p.name: p.read_bytes() for p in sorted(document.path.parent.iterdir()) if p.is_file()}


def revisions(document) -> list[int]:
    return [record["revision"] for record in read_log(document.log_path)]


# --- revision belongs to the store ------------------------------------------------------------------

REWRITES = [
    ("state", "delete", "{sid}", "revision"),
    ("state", "set", "{sid}", "revision", "1"),
    ("state", "set", "{sid}", "revision", "2.0"),
    ("state", "set", "{sid}", "$", '{"a": 1}'),
    ("state", "set", "{sid}", "$", '{"a": 1, "revision": 1}'),
    ("state", "set", "{sid}", "$..*", "0"),
    ("state", "set", "{sid}", "$['revision']", "1"),
    ("state", "merge", "{sid}", "$", '{"revision": 1}'),
]


@pytest.mark.parametrize("command", REWRITES, ids=[" ".join(c[1:2] + c[3:]) for c in REWRITES])
def test_no_command_can_rewrite_the_revision(session, command):
    root, sid, document = session
    for n in range(3):
        assert run_cli(root, "state", "set", sid, "n", str(n)).returncode == 0
    before = files(document)
    result = run_cli(root, *(part.replace("{sid}", sid) for part in command))
    assert result.returncode == USAGE, (result.stdout, result.stderr)
    assert "revision" in result.stderr and "nothing was changed" in result.stderr
    assert files(document) == before  # nothing written: not the document, not the log


def test_a_batch_removing_the_revision_is_refused_whole(session):
    root, sid, document = session
    before = files(document)
    ops = '[{"op": "set", "path": "a", "value": 1}, {"op": "delete", "path": "$.revision"}]'
    assert run_cli(root, "state", "batch", sid, "-", stdin=ops).returncode == USAGE
    assert files(document) == before


def test_replacing_the_whole_document_keeps_the_revision_and_recover_agrees(session):
    root, sid, document = session
    current = document.read()
    replaced = {**current, "a": 1}
    assert run_cli(root, "state", "set", sid, "$", json.dumps(replaced)).returncode == 0
    assert document.read()["revision"] == current["revision"] + 1
    good = document.read()
    document.path.write_bytes(b"\x00damaged")
    result = run_cli(root, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert document.read() == good
    assert "lost: nothing" in result.stdout


# --- recover checks what it claims -------------------------------------------------------------------

def test_recover_says_so_when_a_legacy_log_restarted_its_numbering(session):
    """An older sudolang let `delete revision` restart the log at 1. Recover uses the records after the
    restart and names what it left out, instead of rebuilding an old document and saying 'lost: nothing'."""
    root, sid, document = session
    for n in range(5):
        assert run_cli(root, "state", "set", sid, "n", str(n)).returncode == 0  # revisions 2..6
    lines = document.log_path.read_bytes().splitlines(keepends=True)
    restarted = {"revision": 1, "at": "2024-01-01T00:00:00Z", "ops": [{"op": "set", "path": "$.n", "value": 99}]}
    document.log_path.write_bytes(b"".join(lines) + json.dumps(restarted).encode() + b"\n")
    document.path.write_bytes(b"\x00damaged")
    document.backup_path.unlink()
    result = run_cli(root, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert "lost: nothing" not in result.stdout
    assert "lost: the event log goes back from revision 6 to 1" in result.stdout


def test_recover_names_revisions_the_damaged_file_had_beyond_the_log(session):
    root, sid, document = session
    for n in range(4):
        assert run_cli(root, "state", "set", sid, "n", str(n)).returncode == 0
    committed = document.read()  # revision 5
    lines = document.log_path.read_bytes().splitlines(keepends=True)
    document.log_path.write_bytes(b"".join(lines[:-2]))  # a log that lost its last two records (old bugs)
    document.backup_path.unlink()
    damaged = b"\x00" + document.path.read_bytes()[1:]  # garbage at the top; the tail still says revision 5
    document.path.write_bytes(damaged)
    result = run_cli(root, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert document.read()["revision"] == committed["revision"] - 2
    assert f"the damaged file says it was at revision {committed['revision']}" in result.stdout
    assert "lost: nothing" not in result.stdout


# --- a failing log append: the exit code tells the truth ------------------------------------------------

def test_a_log_append_past_the_file_size_limit_changes_nothing_and_a_retry_applies_once(session):
    root, sid, document = session
    for n in range(6):
        assert run_cli(root, "state", "set", sid, f"k{n}", "x" * 40).returncode == 0
    before = files(document)
    log_size = document.log_path.stat().st_size
    assert document.path.stat().st_size < log_size  # the temp document fits; the append does not
    # One byte of room: the append writes one byte (a short write), then fails with EFBIG.
    result = run_cli(root, "state", "batch", sid, "-", stdin='[{"op": "incr", "path": "n"}]',
                     file_size_limit=log_size + 1)
    assert result.returncode == FAILURE, (result.stdout, result.stderr)
    assert str(document.log_path) in result.stderr and "nothing was changed" in result.stderr
    assert "File too large" in result.stderr
    assert files(document) == before  # no torn line, no temp file holding disk space, no new revision
    retry = run_cli(root, "state", "batch", sid, "-", stdin='[{"op": "incr", "path": "n"}]')
    assert retry.returncode == 0, retry.stderr
    assert document.read()["n"] == 1  # applied once
    assert revisions(document) == list(range(1, document.read()["revision"] + 1))


def test_a_torn_log_tail_is_cut_before_the_next_record(session):
    root, sid, document = session
    assert run_cli(root, "state", "set", sid, "n", "1").returncode == 0
    with open(document.log_path, "ab") as log:
        log.write(b'{"revision": 3, "at": "2024-01-01T00:00:00Z", "ops": [{"op": "se')  # a killed append
    assert run_cli(root, "state", "set", sid, "n", "2").returncode == 0
    lines = document.log_path.read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)  # every line whole: the new record did not glue on
    assert revisions(document) == [1, 2, 3] and document.read()["revision"] == 3


def test_an_immutable_log_refuses_the_write_and_names_the_log(session):
    root, sid, document = session
    if subprocess.run(["chattr", "+i", str(document.log_path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        before = files(document)
        result = run_cli(root, "state", "set", sid, "n", "1")
        assert result.returncode == FAILURE
        assert str(document.log_path) in result.stderr and "nothing was changed" in result.stderr
        assert files(document) == before
    finally:
        subprocess.run(["chattr", "-i", str(document.log_path)], check=True)
    assert run_cli(root, "state", "set", sid, "n", "1").returncode == 0
    assert document.read()["n"] == 1


def test_a_failing_rename_takes_the_log_record_back(session):
    """Write-ahead: the record is in the log before the rename; when the rename fails the record is cut
    again, so the log never claims a revision the document does not have."""
    root, sid, document = session
    before = files(document)

    def work() -> None:
        def broken(*args, **kwargs):
            raise OSError(5, "Input/output error")

        os.replace = broken
        document.update(lambda doc: [{"op": "set", "path": "n", "value": 1}])

    _, status = os.waitpid(forked(work), 0)
    assert os.waitstatus_to_exitcode(status) == 1  # the child raised
    assert files(document) == before
    assert run_cli(root, "state", "set", sid, "n", "2").returncode == 0
    assert revisions(document) == [1, 2]


def test_a_record_whose_writer_died_before_the_rename_is_dropped_not_doubled(session):
    root, sid, document = session
    stale = {"revision": 2, "at": "2024-01-01T00:00:00Z", "ops": [{"op": "set", "path": "$.ghost", "value": 1}]}
    with open(document.log_path, "ab") as log:
        log.write(json.dumps(stale).encode() + b"\n")
    assert run_cli(root, "state", "set", sid, "n", "1").returncode == 0
    assert revisions(document) == [1, 2]
    assert "ghost" not in document.log_path.read_text()
    document.path.write_bytes(b"\x00")
    assert run_cli(root, "session", "recover", sid).returncode == 0
    assert "ghost" not in document.read() and document.read()["n"] == 1


# --- compaction ------------------------------------------------------------------------------------

def test_the_log_is_compacted_behind_a_checkpoint_and_recover_still_works(tmp_path):
    state = StateDir(tmp_path)
    sid = run_cli(tmp_path, "session", "create", "--mode", "development").stdout.strip()
    document = state.session(sid)
    document.update(lambda doc: [{"op": "set", "path": "$.bulk", "value": "y" * 50_000}])
    chunk = "z" * 20_000

    def work() -> None:
        for n in range(150):  # ~3 MB of records against a 70 KB document
            document.update(lambda doc, n=n: [{"op": "set", "path": "$.last", "value": f"{n}{chunk}"}])

    _, status = os.waitpid(forked(work), 0)
    assert os.waitstatus_to_exitcode(status) == 0
    size = document.log_path.stat().st_size
    print(f"\nlog after 150 writes of 20 KB on a 70 KB document: {size:,} bytes")
    assert size <= COMPACT_FLOOR + 30_000
    records = read_log(document.log_path)
    assert records[0].get("checkpoint") and records[-1]["revision"] == document.read()["revision"]
    good = document.read()
    document.path.unlink()
    document.backup_path.unlink()
    result = run_cli(tmp_path, "session", "recover", sid)
    assert result.returncode == 0, result.stderr
    assert document.read() == good and "lost: nothing" in result.stdout


# --- the tool's own files and the ids' names do not meet -----------------------------------------------

def test_project_tools_and_the_tool_registry_are_apart(tmp_path):
    registry = [{"name": "mine", "command": "x", "does": "y"}]
    (tmp_path / "tools.json").write_text(json.dumps(registry))
    created = run_cli(tmp_path, "session", "create", "--mode", "development", "--project", "tools")
    assert created.returncode == 0, created.stderr
    assert json.loads(run_cli(tmp_path, "shared", "list-tools").stdout) == registry
    result = run_cli(tmp_path, "shared", "recover", "tools")
    assert result.returncode == 0 and "intact" in result.stdout
    assert json.loads((tmp_path / "tools.json").read_text()) == registry


def test_a_legacy_registry_in_shared_is_read_and_never_recovered_as_a_project(tmp_path):
    legacy = tmp_path / "shared" / "tools.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('[{"name": "old", "command": "x", "does": "y"}]')
    assert json.loads(run_cli(tmp_path, "shared", "list-tools").stdout)[0]["name"] == "old"
    result = run_cli(tmp_path, "shared", "recover", "tools")
    assert result.returncode == USAGE and str(tmp_path / "tools.json") in result.stderr
    assert legacy.read_text().startswith("[") and not list(legacy.parent.glob("tools.json.corrupt-*"))


# --- nothing that is not JSON reaches the disk; nothing read crashes -------------------------------------

def test_nan_is_refused_before_anything_is_written(session):
    root, sid, document = session
    before = files(document)
    with pytest.raises(UsageError, match="NaN"):
        document.update(lambda doc: [{"op": "set", "path": "$.x", "value": float("nan")}])
    assert files(document) == before


def test_a_document_nested_too_deep_to_read_is_corrupt_not_a_traceback(session):
    root, sid, document = session
    document.path.write_bytes(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    result = run_cli(root, "state", "get", sid, "a")
    assert result.returncode == CORRUPT and "nested too deeply" in result.stderr
