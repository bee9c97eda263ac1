"""`sudolang hook` against hostile input: any command line exits 0 and is logged, a held lock cannot keep
it past its budget, and links planted in the state directory redirect none of its writes or reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sudolang.cli import namespace
from sudolang.cli.spec import resolve
from sudolang.runtime import hook as hook_module
from sudolang.runtime import triggers
from sudolang.state.paths import StateDir
from test_hook import SID, claude_input, log, run_hook

sys.path.insert(0, str(Path(__file__).parents[1] / "state"))
from helpers_proc import HOLDER, await_line, kill_all, spawn  # noqa: E402


@pytest.fixture
def root(private_state) -> Path:
    return private_state


@pytest.fixture
def started(root) -> Path:
    result = run_hook(root, claude_input("SessionStart", source="startup"))
    assert (result.returncode, result.stderr) == (0, ""), result
    return root


def one_refusal(result: subprocess.CompletedProcess, *needles: str, quiet: bool = True) -> str:
    assert result.returncode == 0 and (result.stdout == "" or not quiet), result
    assert result.stderr.startswith("sudolang hook: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


# --- any command line -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args, needle", [
    (["--timeout", "abc"], "--timeout must be a number"),
    (["--timeout", "nan"], "--timeout must be a number"),
    (["--timeout", "-1"], "--timeout must be a number"),
    (["--timeout", "inf"], "--timeout must be a number"),
    (["--timeout"], "--timeout needs a value"),
    (["--bogus"], "unknown option '--bogus'"),
    (["task_completed", "-rf", "{}"], "unknown option '-rf'"),
    (["x" * 10_000] * 3, "unknown event"),
    (["junk"] * 2_000, "unknown event 'junk'"),
    (["task_completed", SID, '{"task": NaN}'], "PAYLOAD is not valid JSON"),
    (["task_completed", SID, "[" * 70 + "]" * 70], "nested too deeply"),
])
def test_any_command_line_exits_0_with_one_stderr_line_and_is_logged(started, args, needle):
    before = StateDir(started).session(SID).read()["revision"]
    one_refusal(run_hook(started, claude_input("UserPromptSubmit", prompt="hi"), *args), needle)
    record = log(started)[-1]
    assert (record["ok"], record["error"]) == (False, "usage_error") and needle in record["message"]
    assert StateDir(started).session(SID).read()["revision"] == before  # nothing was done


def test_arguments_that_are_not_utf8_are_refused_exit_0_and_logged(started):
    child = {k: v for k, v in os.environ.items() if k != "SUDOLANG_STATE_DIR"}
    result = subprocess.run([sys.executable, "-m", "sudolang", "--state-dir", str(started), "hook", b"task_\xffcompleted",
                             SID, b'{"task": "T-\xfe"}'], input=b"", capture_output=True, env=child, timeout=30)
    assert result.returncode == 0 and result.stdout == b""
    assert result.stderr.count(b"\n") == 1 and b"not valid UTF-8" in result.stderr, result.stderr
    record = log(started)[-1]  # the log is still valid UTF-8 JSON
    assert record["error"] == "usage_error" and "argument 4 (task_\\xffcompleted)" in record["message"]


def test_hook_input_that_is_not_utf8_or_strict_json_is_refused(started):
    for raw, needle in ((b'{"session_id": "\xff", "hook_event_name": "Stop"}', "not valid UTF-8"),
                        (b'{"session_id": "s", "hook_event_name": "Stop", "n": NaN}', "NaN is not JSON"),
                        (b'{"a": ' * 100 + b"1" + b"}" * 100, "nested too deeply")):
        result = subprocess.run([sys.executable, "-m", "sudolang", "--state-dir", str(started), "hook"], input=raw,
                                capture_output=True, timeout=30)
        assert result.returncode == 0 and result.stderr.count(b"\n") == 1 and needle.encode() in result.stderr
        assert log(started)[-1]["error"] == "usage_error"


def test_help_still_prints_the_help_and_a_terminal_is_not_waited_on(root):
    result = run_hook(root, None, "--help")
    assert result.returncode == 0 and "EVENT SID PAYLOAD" in result.stdout
    parsed = namespace(["hook", "--timeout", "abc", "--bogus"])
    assert resolve(parsed.handler).__module__ == "sudolang.cli.hook" and len(parsed.problems) == 2


# --- the budget is a deadline --------------------------------------------------------------------------------


def with_lock_held(started, lock_path, hook_input: str):
    """Run the hook (budget 1.0 s) while another process holds `lock_path`; (its result, seconds taken)."""
    stop = started / "stop"
    holder = spawn(started, HOLDER, "ours", lock_path, stop)
    try:
        await_line(holder, "locked")
        begun = time.monotonic()
        result = run_hook(started, hook_input, "--timeout", "1.0")
        return result, time.monotonic() - begun
    finally:
        stop.touch()
        kill_all([holder])


def test_a_held_lock_cannot_keep_the_hook_past_its_budget(started):
    """Budget 1.0 s; the session's lock is held by another process. The hook gives up at its deadline
    (not after a fresh wait per lock), exits 0 and logs the lock timeout. The bound is a hang guard with a
    generous margin, not a speed test."""
    result, elapsed = with_lock_held(started, StateDir(started).session(SID).lock_path,
                                     claude_input("UserPromptSubmit", prompt="hi"))
    one_refusal(result, "timed out after")
    record = log(started)[-1]
    assert (record["ok"], record["error"]) == (False, "lock_timeout")
    assert record["ms"] < 1000  # measured inside the process: the waits ended before the budget did
    assert elapsed < 1.0 + 1.5


def test_a_held_board_lock_cannot_keep_a_task_event_past_its_budget(started):
    """TaskCreated runs the sprint program's function through corelib.execute: its lock waits, the
    project's here, end at the hook's deadline too. The program is compiled first (a cold cache costs a
    compile), so the budget measures the wait."""
    created = claude_input("TaskCreated", task_id="1", task_subject="warm the compiled program's cache")
    assert run_hook(started, created).stderr == ""
    result, elapsed = with_lock_held(started, StateDir(started).project("default").lock_path,
                                     claude_input("TaskCreated", task_id="2", task_subject="held"))
    one_refusal(result, "timed out after")
    record = log(started)[-1]
    assert (record["ok"], record["error"], record["event"]) == (False, "lock_timeout", "TaskCreated")
    assert record["ms"] < 1000
    assert elapsed < 1.0 + 1.5
    assert list(StateDir(started).project("default").read()["tasks"]) == ["T-1"]


def test_the_lock_wait_is_what_is_left_of_the_budget(root):
    hook = hook_module.Hook(StateDir(root), 1.0, started=time.monotonic() - 0.5)
    assert 0.2 < hook.timeout <= 0.5 - min(hook_module.START_RESERVE, 0.25)
    late = hook_module.Hook(StateDir(root), 1.0, started=time.monotonic() - 5)
    assert late.timeout == 0.0  # spent: one try, no wait
    facts = triggers.Facts(StateDir(root), "p", SID, timeout=5, deadline=time.monotonic() + 0.3)
    assert 0 < facts.timeout <= 0.3


# --- planted links ---------------------------------------------------------------------------------------


def plant(link: Path, outside: Path) -> bytes:
    outside.write_bytes(b"precious\n")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    return outside.read_bytes()


def test_a_linked_event_log_is_not_written_through(started, tmp_path):
    link = started / hook_module.LOG_NAME
    link.unlink()
    outside = tmp_path / "bashrc"
    before = plant(link, outside)
    result = run_hook(started, claude_input("UserPromptSubmit", prompt="hi"))
    assert result.returncode == 0 and result.stdout.startswith("sudolang session")  # the event still counts
    assert "not logged: refusing to append" in result.stderr and result.stderr.count("\n") == 1
    assert outside.read_bytes() == before and link.is_symlink()


def test_rotation_moves_a_link_without_following_it(root, tmp_path, monkeypatch):
    monkeypatch.setattr(hook_module, "LOG_LIMIT", 5)
    root.mkdir(parents=True)
    outside, older_outside = tmp_path / "big", tmp_path / "older"
    outside.write_bytes(b"x" * 100)
    plant(root / (hook_module.LOG_NAME + ".1"), older_outside)
    (root / hook_module.LOG_NAME).symlink_to(outside)
    hook_module.append_log(root, {"n": 1})  # the link is renamed to .1 (over the other link), never opened
    assert outside.read_bytes() == b"x" * 100 and older_outside.read_bytes() == b"precious\n"
    assert (root / (hook_module.LOG_NAME + ".1")).is_symlink()
    assert json.loads((root / hook_module.LOG_NAME).read_text()) == {"n": 1}


def test_a_linked_trigger_cache_is_replaced_not_written_through(started, tmp_path):
    cache = started / triggers.CACHE_NAME
    cache.unlink()
    outside = tmp_path / "cache-target"
    before = plant(cache, outside)
    result = run_hook(started, claude_input("UserPromptSubmit", prompt="hi"))
    assert (result.returncode, result.stderr) == (0, "")
    assert outside.read_bytes() == before
    assert not cache.is_symlink() and json.loads(cache.read_text())["version"] == triggers.CACHE_VERSION
    assert not list(started.glob(".triggers-cache*.tmp"))


def test_a_linked_override_is_refused_and_the_packaged_rules_apply(started, tmp_path):
    outside = tmp_path / "rules.toml"
    (started / triggers.OVERRIDE_NAME).symlink_to(outside)
    outside.write_text('[[rules]]\non = "*"\nwhen = "always"\nthen = { action = "record_event", type = "x" }\n')
    result = run_hook(started, claude_input("UserPromptSubmit", prompt="hi"))
    one_refusal(result, "is not used", "symbolic link", "packaged rules apply", quiet=False)
    assert result.stdout.startswith("sudolang session")  # the event itself went through
    assert triggers.load_rules(started).source == str(triggers.PACKAGED)


def test_an_oversized_or_fifo_override_is_refused(state, tmp_path):
    state.root.mkdir(parents=True, exist_ok=True)
    (state.root / triggers.OVERRIDE_NAME).write_bytes(b"#" * (triggers.OVERRIDE_LIMIT + 1))
    assert "the limit is" in triggers.load_rules(state.root).warning
    (state.root / triggers.OVERRIDE_NAME).unlink()
    os.mkfifo(state.root / triggers.OVERRIDE_NAME)
    ruleset = triggers.load_rules(state.root)  # a FIFO would hang an open(); it is refused instead
    assert "not a regular file" in ruleset.warning and ruleset.source == str(triggers.PACKAGED)


def test_stdin_that_never_ends_cannot_keep_the_hook_past_its_budget(started):
    """A writer that keeps the pipe open: the hook stops reading at its deadline (hang guard, generous margin)."""
    child = {k: v for k, v in os.environ.items() if k != "SUDOLANG_STATE_DIR"}
    process = subprocess.Popen([sys.executable, "-m", "sudolang", "--state-dir", str(started), "hook", "--timeout", "1"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child)
    try:
        process.stdin.write(b'{"session_id": ')
        process.stdin.flush()
        process.wait(timeout=1.0 + 10)  # stdin stays open all along
        err = process.stderr.read()
    finally:
        process.stdin.close()
        kill_all([process])
    assert process.returncode == 0 and b"did not end within" in err
    assert log(started)[-1]["error"] == "usage_error"
