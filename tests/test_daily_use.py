"""Issue 13, "safe to use every day": each mistake a user makes gets a clear answer with its documented
exit code, from the tool run as a process. (The issue's numbered items are named in each test.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sudolang(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sudolang", *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_7_recovering_a_session_that_does_not_exist_is_not_found_and_creates_nothing(tmp_path):
    done = sudolang(tmp_path, "session", "recover", "nope")
    assert done.returncode == 3, done
    assert done.stderr == ("sudolang: error: no session 'nope': nothing to recover (no document, backup or event "
                           "log)\n")
    assert not (tmp_path / "state").exists()


def test_9_an_unclosed_quote_in_a_command_line_is_a_usage_error(tmp_path):
    done = sudolang(tmp_path, "run", "sprint_execution", "/add 'unterminated 3")
    assert done.returncode == 2, done
    assert done.stderr == ("sudolang: error: no closing quotation in \"/add 'unterminated 3\": close the quote, or "
                           "write the words apart without one\n")
    assert not (tmp_path / "state").exists()  # refused before a session was made


def test_12_output_into_a_closed_pipe_stops_quietly_as_standard_tools_do(tmp_path):
    """A reader that has gone (`| head -1` after its line): exit 141, as a shell reports a tool that SIGPIPE
    stopped, and nothing on stderr, no traceback. The hook, whose exit status Claude Code reads, exits 0."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    for args, expected in ((["compile", "sprint_execution", "--emit", "python"], 141),
                           (["run", "sprint_execution", "--json", "/board"], 141),
                           (["hook", "--list-triggers"], 0)):
        read_end, write_end = os.pipe()
        os.close(read_end)  # every write now fails with EPIPE, however small
        try:
            done = subprocess.run([sys.executable, "-m", "sudolang", *args], stdout=write_end, stderr=subprocess.PIPE,
                                  env=env, text=True, timeout=120)
        finally:
            os.close(write_end)
        assert done.returncode == expected, (args, done.stderr)
        assert done.stderr == "" or done.stderr.startswith("sudolang: no active session; created "), (args, done.stderr)


def test_13_run_without_a_program_asks_only_for_the_program(tmp_path):
    done = sudolang(tmp_path, "run")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("usage: sudolang run ")
    assert done.stderr.splitlines()[-1] == "sudolang run: error: the following arguments are required: PROGRAM"


def test_13_an_unknown_option_is_refused_with_its_own_commands_usage(tmp_path):
    for words, usage in ((["lint", "--bogus", "x.sudo"], "usage: sudolang lint "),
                         (["session", "list", "--bogus"], "usage: sudolang session list "),
                         (["run", "--bogus", "sprint_execution", "/board"], "usage: sudolang run ")):
        done = sudolang(tmp_path, *words)
        assert done.returncode == 2, (words, done)
        assert done.stderr.startswith(usage), (words, done.stderr)
        assert done.stderr.splitlines()[-1].endswith("error: unrecognized arguments: --bogus"), (words, done.stderr)


def test_8_a_value_that_starts_like_json_must_be_json_and_the_error_says_how_to_store_text(tmp_path):
    sid = sudolang(tmp_path, "session", "create", "--mode", "development").stdout.split()[-1]
    done = sudolang(tmp_path, "state", "set", sid, "k", "{bad json")
    assert done.returncode == 2 and 'to store it as text, give it as a JSON string: "{bad json"' in done.stderr
    assert sudolang(tmp_path, "state", "get", sid, "k").returncode == 3  # nothing was stored
    assert sudolang(tmp_path, "state", "set", sid, "k", '"{bad json"').returncode == 0
    assert sudolang(tmp_path, "state", "get", sid, "k").stdout == '"{bad json"\n'


def test_10_a_mistyped_program_or_command_is_not_found_with_the_closest_name(tmp_path):
    for typed, meant in (("all_team_dashboard", "all-team_dashboard"), ("all-team-dashboard", "all-team_dashboard"),
                         ("sprint", "sprint_execution")):
        done = sudolang(tmp_path, "run", typed, "/help")
        assert done.returncode == 3, done
        assert f"no program {typed!r}: not a shipped program nor a file; did you mean {meant}?" in done.stderr
    done = sudolang(tmp_path, "run", "sprint_execution", "/mov", "T-1", "doing")
    assert done.returncode == 2 and "unknown command '/mov'; did you mean /move?" in done.stderr


def test_6_a_completed_session_stays_closed(tmp_path):
    first = sudolang(tmp_path, "session", "create", "--mode", "development", "--project", "p").stdout.split()[-1]
    second = sudolang(tmp_path, "session", "create", "--mode", "development", "--project", "p").stdout.split()[-1]
    assert sudolang(tmp_path, "session", "handoff", first, second).returncode == 0
    again = sudolang(tmp_path, "session", "handoff", first, second)
    assert again.returncode == 1 and f"the source session {first} is completed" in again.stderr
    back = sudolang(tmp_path, "session", "handoff", second, first)
    assert back.returncode == 1 and f"the target session {first} is completed" in back.stderr
    added = sudolang(tmp_path, "run", "sprint_execution", "/add Late 1", "--session", first)
    assert added.returncode == 1 and "stays closed" in added.stderr
    assert sudolang(tmp_path, "run", "sprint_execution", "/add Ontime 1", "--session", second).returncode == 0
