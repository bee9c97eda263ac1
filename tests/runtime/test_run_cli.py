"""`sudolang run`: every program's commands against real state, with the views drawn from it (snapshots)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sudolang.runtime import layout
from sudolang.state.paths import StateDir

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

NOW = "2026-11-23T09:00:00Z"


@pytest.fixture
def run(cli, monkeypatch):
    """`sudolang run PROGRAM WORDS...` in-process at a fixed time; fails the test on a non-zero exit
    unless `code` says otherwise."""
    monkeypatch.setenv("SUDOLANG_NOW", NOW)
    monkeypatch.setenv("SUDOLANG_ACTOR", "lead")  # who votes and changes settings (else the random session id)

    def go(program: str, *words: str, code: int = 0):
        result = cli("run", program, *words)
        assert result.code == code, result
        return result

    return go


def a_day_of_work(run) -> None:
    """Agents and a team configured, three tasks on the board, a decision under vote."""
    for line in ("/agent alice dev", "/agent bob reviewer", "/team web alice,bob", "/set wip.review 2"):
        run("config_manager", line)
    for line in ("/add 'Login page' 3", "/add Logout 2", "/add 'Audit log' 5", "/assign T-1 alice", "/assign T-2",
                 "/move T-1 doing", "/move T-2 review", "/block T-3 waiting on the API"):
        run("sprint_execution", line)
    for line in ("/thread 'Q3 roadmap'", "/say TH-1 Trunk-based development, please", "/propose 'Adopt trunk-based' 2",
                 "/vote D-1 yes", "/plan Ship the audit log"):
        run("leadership_chat", line)


@pytest.mark.parametrize(("program", "view"), [
    ("all-team_dashboard", "/refresh"), ("sprint_execution", "/board"),
    ("config_manager", "/show"), ("leadership_chat", "/decisions"),
])
def test_each_program_draws_its_layout_from_state(run, program, view, snapshot):
    a_day_of_work(run)
    drawn = run(program, view).out
    assert drawn == snapshot
    box = [line for line in drawn.splitlines() if line[:1] in "╭│├╰"]
    assert len({layout.width(line) for line in box}) == 1  # every border in the same column


def test_a_task_moved_on_the_sprint_board_shows_on_the_dashboard(run):
    a_day_of_work(run)
    assert "review 1/2" in run("all-team_dashboard", "/refresh").out
    run("sprint_execution", "/move T-2 done")
    drawn = run("all-team_dashboard", "/refresh").out
    assert "review 0/2" in drawn and "done 1" in drawn
    assert "Tasks: 3 in sprint-001; 1 blocked" in drawn


def test_a_config_rollback_changes_what_the_dashboard_reads(run):
    a_day_of_work(run)  # config version 4 set the review limit to 2
    run("config_manager", "/set wip.review 5")
    assert "review 1/5" in run("all-team_dashboard", "/refresh").out
    run("config_manager", "/rollback 3")
    assert "review 1/3" in run("all-team_dashboard", "/refresh").out  # version 3: the default limit
    assert "web (2 members, 5 open pts)" in run("all-team_dashboard", "/refresh").out  # the team survived the rollback


def test_an_agent_is_reachable_with_at(run):
    a_day_of_work(run)
    out = run("all-team_dashboard", "@alice").out
    assert out.startswith("Agent alice: role dev, team web\n1 task, 3 open pts")


def test_words_may_come_quoted_as_one_line_or_as_separate_arguments(run):
    run("sprint_execution", "/add", "Login page", "3")
    run("sprint_execution", "/add 'Sign up' 2")
    board = json.loads(run("sprint_execution", "/board", "--json").out)
    assert [(t["title"], t["points"]) for t in board["columns"]["backlog"]] == [("Login page", 3), ("Sign up", 2)]


def test_a_wrong_argument_prints_the_signature_and_description(run):
    result = run("sprint_execution", "/move T-1", code=2)
    assert result.err == "error: missing <column>; usage: /move <task> <column> - Move a task to a column, within its WIP limit\n"
    result = run("sprint_execution", "/board everything", code=2)
    assert "too many arguments" in result.err and "/board - Show the kanban board" in result.err


def test_an_unknown_command_lists_the_programs_commands(run):
    result = run("all-team_dashboard", "/nope", code=2)
    assert result.err == ("error: unknown command '/nope'; the commands are /team, /sprint, /metrics, @<agent>, "
                          "/refresh, /help\n")


def test_help_lists_every_command_with_its_signature(run):
    out = run("leadership_chat", "/help").out
    assert "/vote <decision> <choice>  Vote yes or no on an open decision, once per voter" in out
    assert run("sprint_execution", "help").out.startswith("sprint_execution commands:\n  /board")


def test_an_unknown_program_names_the_shipped_ones(run):
    result = run("no_such_program", "/help", code=3)  # not found (issue 13, item 10)
    assert "shipped programs: all-team_dashboard, config_manager, leadership_chat, sprint_execution" in result.err


def test_a_program_with_lint_errors_is_refused_with_its_diagnostics(run, tmp_path):
    broken = tmp_path / "broken.sudo"
    broken.write_text('interface Broken {\n  name = "broken"\n  commands = {\n    "/go <x": "Go"\n  }\n}\n')
    result = run(str(broken), "/go", code=1)
    assert f"{broken}:4:" in result.out and "nothing was written" in result.err


def test_options_may_stand_anywhere_after_the_program(run):
    run("sprint_execution", "/add", "Login page")
    assert json.loads(run("sprint_execution", "--json", "/board").out)["sprint"] == "sprint-001"
    assert json.loads(run("sprint_execution", "/board", "--json").out)["sprint"] == "sprint-001"


def test_a_command_of_your_own_without_a_function_is_the_models_and_says_so(run, tmp_path, state):
    mine = tmp_path / "mine.sudo"
    mine.write_text('interface Mine {\n  name = "mine"\n  commands = {\n    "/go": "Go",\n    "/stay": "Stay"\n  }\n}\n\n'
                    'fn stay() {\n  Tell the user to stay where they are.\n}\n')
    result = run(str(mine), "/go", code=1)
    assert result.err == ("error: /go is carried out by the model, not run here: the program has no function go() for "
                          "it. In Claude Code, the command asks the model to do it\n")
    result = run(str(mine), "/stay", code=1)
    assert "the model, not run here: line 10 is prose" in result.err and "no runtime actions" not in result.err
    assert state.session_ids() == []  # no session was created for nothing


def test_a_program_of_your_own_runs_its_functions(run, tmp_path, state):
    mine = tmp_path / "mine.sudo"
    mine.write_text('interface Mine {\n  name = "mine"\n  commands = {\n    "/go <where>": "Go"\n  }\n}\n\n'
                    'fn go(where) {\n  session.went = where\n  return "Went to $where."\n}\n')
    result = run(str(mine), "/go", "home")
    assert result.out == "Went to home.\n"
    assert state.session(state.session_ids()[0]).read()["went"] == "home"


def test_the_first_run_creates_a_session_and_says_so_then_reuses_it_and_says_which(run, state):
    first = run("sprint_execution", "/board")
    assert first.err.startswith("sudolang: no active session; created ")
    second = run("sprint_execution", "/board")
    [only] = state.session_ids()
    assert second.err == f"sudolang: session {only} (the only active one; --session SID to choose)\n"


def test_a_session_is_chosen_by_option_then_environment(run, state, monkeypatch):
    from sudolang.state import sessions

    mine, other = sessions.create(state, "sprint"), sessions.create(state, "sprint")
    run("sprint_execution", "/add A", "--session", mine)
    assert state.session(mine).read()["active_work"]["sprint"] == "sprint-001"
    monkeypatch.setenv("SUDOLANG_SESSION", other)
    run("sprint_execution", "/add B")
    assert state.session(other).read()["active_work"]["sprint"] == "sprint-001"
    assert run("sprint_execution", "/board", "--session", "no-such-session", code=3).err == "error: no session 'no-such-session'\n"


def test_json_prints_the_data_of_a_view(run):
    a_day_of_work(run)
    data = json.loads(run("all-team_dashboard", "/refresh", "--json").out)
    assert data["tasks"] == "3 in sprint-001; 1 blocked"
    assert data["activity"].startswith("09:00 blocker_raised T-3 waiting on the API")


def test_run_as_a_process_compiles_once_then_uses_the_cache(tmp_path):
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "sudolang", "run", "sprint_execution"]
    added = subprocess.run([*command, "/add 'Login page' 3"], env=env, capture_output=True, text=True, check=True)
    assert added.stdout == "Added T-1 'Login page' (3 pts) to the backlog of sprint-001.\n"
    cached = list((tmp_path / "cache").glob("sprint_execution-*.py"))
    assert len(cached) == 1
    board = subprocess.run([*command, "/board"], env=env, capture_output=True, text=True, check=True)
    assert "│   T-1    3 pts   unassigned   Login page" in board.stdout
    assert list((tmp_path / "cache").glob("sprint_execution-*.py")) == cached


@pytest.mark.files_only("psycopg, which every PostgreSQL command imports, loads dataclasses, typing and the rest")
def test_a_cached_run_loads_neither_the_compiler_nor_what_it_can_do_without(tmp_path):
    """Start-up is most of a small command's time: a cached `sudolang run` imports none of these."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # under `pytest --cov` coverage itself imports dataclasses and the rest
    command = [sys.executable, "-m", "sudolang", "run", "sprint_execution"]
    for line in ("/add 'Login page' 3", "/move T-1 todo"):  # compiles, and caches the parsed trigger rules
        subprocess.run([*command, line], env=env, capture_output=True, text=True, check=True)
    probe = ("import sys\nfrom sudolang.cli import main\nmain(sys.argv[1:])\nheavy = ('lark', 'jinja2', "
             "'sudolang.parser', 'argparse', 'dataclasses', 'typing', 'hashlib', 'shutil', 'decimal', 'linecache', "
             "'re', 'datetime', 'sudolang.jsonpath')\nprint([m for m in heavy if m in sys.modules], file=sys.stderr)")
    [session_id] = StateDir(tmp_path / "state").session_ids()
    session = ["--session", session_id]  # as a hook or a script gives it: no search among the sessions
    # A screen (its board's sprint started on a day, `date()` of a stamp) needs neither re nor datetime, and
    # writes nothing (JSONPath applies writes); /move fires the program's triggers, which read the clock.
    for program, line, needs in (("sprint_execution", "/move T-1 doing", ["re", "datetime", "sudolang.jsonpath"]),
                                 ("sprint_execution", "/board", []), ("all-team_dashboard", "/refresh", [])):
        subprocess.run([*command[:-1], program, "/help"], env=env, capture_output=True, check=True)  # compiled
        done = subprocess.run([sys.executable, "-c", probe, "run", program, line, *session], env=env,
                              capture_output=True, text=True, check=True)
        assert done.stderr.splitlines()[-1] == str(needs), done.stderr


@pytest.mark.parametrize("argv", [
    ["run", "sprint_execution", "/move", "T-2", "doing", "--session", "S"], ["run", "p"], ["run", "p", "-h"],
    ["--state-dir", "d", "run", "--json", "p", "/refresh", "--session", "S"], ["run", "p", "--bogus", "x"],
    ["run", "--timeout", "2", "p", "/x", "--timeout", "3"], ["--debug", "run", "p", "@ada"], ["run", "p", "--session"],
])
def test_the_fast_path_reads_a_run_command_line_as_argparse_does(argv):
    from sudolang.cli import build_parser, fastpath

    assert vars(fastpath.parse(argv).namespace) == vars(build_parser(argv).parse_args(argv))


@pytest.mark.parametrize("argv", [["run"], ["run", "--help"], ["run", "-h", "p"], ["run", "--bogus", "p"],
                                  ["run", "p", "/x", "--", "--json"]])
def test_other_run_command_lines_are_left_to_argparse(argv):
    from sudolang.cli import fastpath

    assert fastpath.parse(argv).namespace is None


def test_a_link_planted_in_the_cache_is_neither_run_nor_written_through(tmp_path):
    """The cache folder is the user's; the files in it are ours: a link at a handler's name (to code
    elsewhere, or to a file it would overwrite) is replaced by a fresh compile, its target untouched."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "sudolang", "run", "sprint_execution"]
    subprocess.run([*command, "/board"], env=env, capture_output=True, text=True, check=True)
    [cached] = (tmp_path / "cache").glob("sprint_execution-*.py")
    cached.unlink()
    outside = tmp_path / "evil.py"
    outside.write_text("import sys\nprint('planted code ran')\nsys.exit(7)\n")
    before = outside.read_bytes()
    cached.symlink_to(outside)
    board = subprocess.run([*command, "/board"], env=env, capture_output=True, text=True)
    assert board.returncode == 0 and "planted code ran" not in board.stdout, board
    assert outside.read_bytes() == before
    assert not cached.is_symlink() and "PROGRAM = " in cached.read_text()
    assert not list((tmp_path / "cache").glob(".*.tmp"))


def test_the_cached_code_is_used_only_for_its_own_text_and_never_through_a_link(tmp_path):
    """The handler's compiled code is kept beside it (`….code`: the text's digest, then marshalled code).
    Code whose digest is not the handler's is compiled afresh; a link there is replaced, its target untouched."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "sudolang", "run", "sprint_execution"]
    first = subprocess.run([*command, "/board"], env=env, capture_output=True, text=True, check=True)
    [code] = (tmp_path / "cache").glob("sprint_execution-*.code")
    import marshal

    planted = compile("print('planted code ran')", "x", "exec")
    code.write_bytes(b"0" * 64 + b"\n" + marshal.dumps(planted))  # another text's digest
    again = subprocess.run([*command, "/board"], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == first.stdout and "planted" not in again.stdout
    outside = tmp_path / "elsewhere"
    outside.write_bytes(b"untouched")
    code.unlink()
    code.symlink_to(outside)
    third = subprocess.run([*command, "/board"], env=env, capture_output=True, text=True)
    assert third.returncode == 0 and third.stdout == first.stdout
    assert outside.read_bytes() == b"untouched" and not code.is_symlink()


def test_arguments_that_are_not_utf8_are_refused_before_a_session_is_made(tmp_path):
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "sudolang", "run", "sprint_execution", b"/add caf\xe9 3"],
                            env=env, capture_output=True)
    assert result.returncode == 2 and result.stderr.count(b"\n") == 1 and b"not valid UTF-8" in result.stderr
    assert not (tmp_path / "state").exists()


def test_two_copies_of_a_program_in_different_folders_each_name_their_own_file(run, tmp_path):
    """The handler cache is keyed by the program's path too: a run-time error names the file that was run."""
    source = 'interface T {\n  name = "t"\n  commands = {\n    "/fail": "Fail"\n  }\n}\n\nfn fail() {\n  throw "no"\n}\n'
    for folder in ("one", "two"):
        path = tmp_path / folder / "t.sudo"
        path.parent.mkdir()
        path.write_text(source)
        result = run(str(path), "/fail", code=1)
        assert result.err.splitlines()[-1] == f"error: no ({path}:9)"


def test_a_handler_that_could_not_be_cached_still_names_the_program_line(run, tmp_path, monkeypatch):
    """With no cache file to read lines from (the cache folder cannot be made), the error's `(file:LINE)`
    comes from the text the handler was loaded from, which linecache reads through the module's loader."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(blocked / "cache"))
    path = tmp_path / "t.sudo"
    path.write_text('interface T {\n  name = "t"\n  commands = {\n    "/fail": "Fail"\n  }\n}\n\nfn fail() {\n'
                    '  x = 1\n  throw "no $x"\n}\n')
    assert run(str(path), "/fail", code=1).err.splitlines()[-1] == f"error: no 1 ({path}:10)"
    assert not (blocked / "cache").exists()


def test_the_quick_exit_writes_all_the_output_and_keeps_the_exit_code(cli, tmp_path):
    """`python -m sudolang` ends with os._exit once the output is flushed (sudolang.cli.entry): a long output
    arrives whole through a pipe, and an error keeps its exit code and its line."""
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    words = ["compile", "sprint_execution", "--emit", "python"]
    piped = subprocess.run([sys.executable, "-m", "sudolang", *words], env=env, capture_output=True, text=True)
    assert piped.returncode == 0 and len(piped.stdout) > 30_000 and piped.stdout == cli(*words).out
    missing = subprocess.run([sys.executable, "-m", "sudolang", "run", "no_such_program", "/x"], env=env,
                             capture_output=True, text=True)
    assert missing.returncode == 3 and missing.stderr.startswith("sudolang: error: no program 'no_such_program'")
