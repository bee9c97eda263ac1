"""Bad command-line input to every state command, as processes: one clear line on stderr, the documented
exit code (2 for bad input), no traceback, nothing written and no message sequence number used up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang.errors import USAGE
from sudolang.state.paths import StateDir

sys.path.insert(0, str(Path(__file__).parent / "state"))
from helpers_proc import child_env  # noqa: E402

PYTHON = sys.executable


def run(root: Path, *args: str | bytes, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`sudolang ARGS...` as a process; arguments may be bytes (not UTF-8), output is decoded leniently."""
    done = subprocess.run([PYTHON, "-m", "sudolang", *args], input=stdin, capture_output=True, env=child_env(root),
                          timeout=60)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(errors="replace"),
                                       done.stderr.decode(errors="replace"))


def refused(result: subprocess.CompletedProcess, *needles: str, code: int = USAGE) -> None:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines and lines[-1].startswith(("sudolang: error: ", "sudolang ")), result.stderr
    if not result.stderr.startswith("usage:"):  # argparse's form is its usage line, then the error
        assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.fixture
def sid(private_state) -> str:
    result = run(private_state, "session", "create", "--mode", "development", "--project", "p")
    assert result.returncode == 0, result
    return result.stdout.strip()


def revision(root: Path, sid: str) -> int:
    return StateDir(root).session(sid).read()["revision"]


# --- values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, needle", [
    ("1e999", "too large for JSON readers"),
    ("NaN", "NaN is not JSON"),
    ("Infinity", "Infinity is not JSON"),
    ("-Infinity", "-Infinity is not JSON"),
    ("9" * 5000, "more than 4,300 digits"),
    ('{"a": NaN}', "NaN is not JSON"),
    ('{"a": 1', "not valid JSON"),
    ('"unterminated', "not valid JSON"),
    ("[" * 60_000 + "]" * 60_000, "nested too deeply"),
    ('"\\ud800"', "lone surrogate"),
])
def test_a_value_meant_as_json_that_is_not_valid_is_refused_not_stored_as_a_string(private_state, sid, value, needle):
    before = revision(private_state, sid)
    refused(run(private_state, "state", "set", sid, "v", value), needle)
    refused(run(private_state, "state", "merge", sid, "m", value if value.startswith("{") else f'{{"x": {value}}}'))
    assert revision(private_state, sid) == before


@pytest.mark.parametrize("value, stored", [
    ("done", "done"), ("007", "007"), ("1.2.3", "1.2.3"), ("2025-03-01", "2025-03-01"), ("inf", "inf"),
    ("-5", -5), ("1e3", 1000.0), ("true", True), ('"quoted"', "quoted"), ("[1, 2]", [1, 2]),
])
def test_bare_words_stay_strings_and_json_stays_json(private_state, sid, value, stored):
    assert run(private_state, "state", "set", sid, "v", value).returncode == 0
    assert json.loads(run(private_state, "state", "get", sid, "v").stdout) == stored


@pytest.mark.parametrize("batch, needle", [
    ('[{"op": "append", "path": "l", "value": 1, "limit": "x"}]', "limit"),
    ('[{"op": "append", "path": "l", "value": 1, "limit": -1}]', "limit"),
    ('[{"op": "append", "path": "l", "value": 1, "limit": 0}]', "limit"),
    ('[{"op": "append", "path": "l", "value": 1, "limit": true}]', "limit"),
    ('[{"op": "incr", "path": "n", "value": 1e999}]', "too large"),
    ('[{"op": "incr", "path": "n", "value": "1"}]', "incr needs a finite number"),
    ('[{"op": "set", "path": "n", "value": Infinity}]', "Infinity is not JSON"),
    ('[{"op": "set", "path": "' + "$" + ".a" * 50_000 + '", "value": 1}]', "the limit is 1,024"),
    ("[" * 70 + "]" * 70, "nested too deeply"),
])
def test_bad_batches_are_refused_before_the_lock(private_state, sid, batch, needle):
    run(private_state, "state", "set", sid, "l", "[1, 2, 3]")
    before = revision(private_state, sid)
    refused(run(private_state, "state", "batch", sid, "-", stdin=batch.encode()), needle)
    assert revision(private_state, sid) == before
    assert json.loads(run(private_state, "state", "get", sid, "l").stdout) == [1, 2, 3]


def test_batch_input_that_is_not_utf8_a_device_or_missing_is_refused(private_state, sid):
    refused(run(private_state, "state", "batch", sid, "-", stdin=b'[{"op": "set", "path": "a", "value": "\xff"}]'),
            "not valid UTF-8")
    refused(run(private_state, "state", "batch", sid, "/dev/zero"), "not a regular file")
    refused(run(private_state, "state", "batch", sid, str(private_state / "nope.json")), "cannot read")


def test_a_100kb_path_is_refused_at_once_without_waiting_for_the_lock(private_state, sid):
    """Held lock + long path: refused with exit 2 (not a lock timeout, exit 4), so it never queued for it."""
    from sudolang.state.lock import FileLock

    with FileLock(StateDir(private_state).session(sid).lock_path, timeout=1):
        refused(run(private_state, "--timeout", "30", "state", "set", sid, "$" + ".a" * 50_000, "1"),
                "100,001 characters")
        refused(run(private_state, "state", "get", sid, "$" + ".a" * 65), "65 steps")


# --- arguments that are not UTF-8 ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("state", "set", "{sid}", b"k\xff", "1"),
    ("state", "set", "{sid}", "k", b"v\xff"),
    ("state", "get", b"\xfe", "k"),
    ("session", "heartbeat", b"s\xff"),
    ("shared", "update-epic", "p", b"E-\xff", "--status", "active"),
    ("msg", "send", "{sid}", "{sid}", b"hello \xff"),
    ("run", "sprint_execution", b"/add caf\xe9 3"),
    ("run", b"sprint\xff", "/board"),
])
def test_arguments_that_are_not_utf8_are_one_usage_error_and_nothing_is_written(private_state, sid, args):
    argv = [a.replace("{sid}", sid) if isinstance(a, str) else a for a in args]
    before = sorted(p.name for p in (private_state / "sessions").glob("*.json"))
    refused(run(private_state, *argv), "is not valid UTF-8")
    assert sorted(p.name for p in (private_state / "sessions").glob("*.json")) == before  # no session created
    assert revision(private_state, sid) == 1
    assert not (private_state / "messages").exists() or not list((private_state / "messages").rglob("*.json"))


# --- --timeout ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc", "-inf", ""])
@pytest.mark.parametrize("command", [
    ("state", "get", "{sid}", "session"), ("state", "set", "{sid}", "x", "1"), ("session", "heartbeat", "{sid}"),
    ("shared", "list-tools"), ("msg", "poll", "{sid}"), ("run", "sprint_execution", "/board"),
])
def test_a_bad_timeout_is_a_usage_error_for_every_command(private_state, sid, command, value):
    argv = [a.replace("{sid}", sid) for a in command]
    if command[0] != "run":  # after `run PROGRAM` every word is the program's (its handler takes no --timeout)
        refused(run(private_state, *argv, "--timeout", value), "--timeout")
    refused(run(private_state, "--timeout", value, *argv), "--timeout")
    assert revision(private_state, sid) == 1


# --- messages ----------------------------------------------------------------------------------------------


def test_a_refused_message_uses_up_no_sequence_number(private_state, sid):
    refused(run(private_state, "msg", "send", sid, sid, "--json", '{"n": NaN}'), "NaN is not JSON")
    refused(run(private_state, "msg", "send", sid, sid, "--json", "[" * 100 + "]" * 100), "nested too deeply")
    refused(run(private_state, "msg", "send", sid, sid, "--json", "1e999"), "too large")
    refused(run(private_state, "msg", "send", sid, sid, b"caf\xe9"), "not valid UTF-8")
    sent = run(private_state, "msg", "send", sid, sid, "good")
    assert (sent.returncode, sent.stdout) == (0, f"sent 1 to {sid}\n"), sent


# --- other commands ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, needle", [
    (("session", "create", "--mode", "config", "--ttl", "9" * 30), "--ttl must be at most"),
    (("session", "create", "--mode", "config", "--ttl", "x"), "--ttl must be a whole number"),
    (("state", "get", "{sid}", "$[?(@.a == " + "(" * 400 + "1" + ")" * 400 + ")]"), "JSONPath"),
])
def test_other_bad_arguments_are_clear_usage_errors(private_state, sid, args, needle):
    refused(run(private_state, *(a.replace("{sid}", sid) for a in args)), needle)
