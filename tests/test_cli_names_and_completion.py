"""Issue 13, items 10, 11 and 19, from the tool run as a process: a wrong name gets the closest one, a session
id may be given by a unique prefix (as git takes a commit's), `--json` wherever a command prints data,
`sudolang help`, one default for the hook's --timeout, and shell completion for bash, zsh and fish."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_daily_use import ROOT, sudolang


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done
    return done


def refused(done: subprocess.CompletedProcess, code: int, message: str) -> None:
    """One line on stderr, `sudolang: error: MESSAGE`, and the exit code."""
    assert done.returncode == code, done
    assert done.stderr == f"sudolang: error: {message}\n", done.stderr


def new_session(tmp_path: Path, *options: str) -> str:
    return ok(sudolang(tmp_path, "session", "create", "--mode", "development", *options)).stdout.strip()


def named_session(tmp_path: Path, session_id: str) -> None:
    """A session with an id of our choosing: Claude Code's SessionStart names it, and the hook creates it."""
    event = json.dumps({"session_id": session_id, "hook_event_name": "SessionStart", "source": "startup"})
    done = ok(sudolang(tmp_path, "hook", stdin=event))
    assert "sudolang hook:" not in done.stderr, done.stderr


# --- item 10: the closest name --------------------------------------------------------------------------------


def test_10_a_mistyped_command_or_action_is_a_usage_error_naming_the_closest(tmp_path):
    refused(sudolang(tmp_path, "sesion", "list"), 2, "unknown command 'sesion'; did you mean 'session'?")
    refused(sudolang(tmp_path, "stat", "get", "x", "y"), 2, "unknown command 'stat'; did you mean 'state'?")
    refused(sudolang(tmp_path, "session", "lst"), 2, "unknown session action 'lst'; did you mean 'list'?")
    refused(sudolang(tmp_path, "--state-dir", str(tmp_path / "s"), "shared", "recovr", "p"), 2,
            "unknown shared action 'recovr'; did you mean 'recover'?")
    refused(sudolang(tmp_path, "frobnicate"), 2, "unknown command 'frobnicate'; the commands are lint, compile, "
            "init, run, hook, msg, state, session, shared, demo, help, completion, store")
    assert not (tmp_path / "state").exists()


def test_10_a_unique_prefix_of_a_session_id_stands_for_it_wherever_a_session_is_named(tmp_path):
    sid = new_session(tmp_path, "--project", "p")
    other = new_session(tmp_path, "--project", "p")
    prefix = next(sid[:n] for n in range(1, len(sid)) if not other.startswith(sid[:n]))
    assert ok(sudolang(tmp_path, "state", "get", prefix, "session.id")).stdout == f'"{sid}"\n'
    ok(sudolang(tmp_path, "state", "set", prefix, "note", "hello"))
    assert ok(sudolang(tmp_path, "state", "get", sid, "note", "--raw")).stdout == "hello\n"
    beat = json.loads(ok(sudolang(tmp_path, "session", "heartbeat", prefix, "--json")).stdout)
    assert beat["id"] == sid
    other_prefix = next(other[:n] for n in range(1, len(other)) if not sid.startswith(other[:n]))
    assert ok(sudolang(tmp_path, "msg", "send", prefix, other_prefix, "hi")).stdout == f"sent 1 to {other}\n"
    assert ok(sudolang(tmp_path, "msg", "poll", other_prefix)).stdout.endswith(f" {sid}: hi\n")
    sprint = json.loads(ok(sudolang(tmp_path, "shared", "activate-sprint", "p", "s-1", "--session", prefix)).stdout)
    assert sprint["sessions"] == [sid]
    moved = json.loads(ok(sudolang(tmp_path, "session", "handoff", prefix, other_prefix, "--json")).stdout)
    assert (moved["from"], moved["to"]) == (sid, other)


def test_10_run_takes_a_session_id_prefix_before_or_after_the_program(tmp_path):
    sid = new_session(tmp_path)
    for words in (["--session", sid[:8], "sprint_execution", "/add Login 3"],
                  ["sprint_execution", "/add Logout 2", "--session", sid[:8]]):
        assert ok(sudolang(tmp_path, "run", *words)).stdout.startswith("Added T-"), words
    assert [row["id"] for row in json.loads(ok(sudolang(tmp_path, "session", "list", "--json")).stdout)] == [sid]


def test_10_an_ambiguous_prefix_lists_at_most_five_an_exact_id_wins_and_none_suggests_the_closest(tmp_path):
    for number in range(1, 8):
        named_session(tmp_path, f"team-{number}")
    named_session(tmp_path, "team-10")
    # An exact id costs one stat on the plain path: no listing, no difflib, no argparse.
    assert loaded(tmp_path, "state", "get", "team-1", "session.id") == ('"team-1"\n', "[] 0\n")
    assert loaded(tmp_path, "state", "get", "tema-7", "session.id")[1].endswith("['difflib'] 3\n")  # suggesting
    # The hook's ids are Claude Code's: taken exactly, never as a prefix.
    assert "no session 'team'" in ok(sudolang(tmp_path, "hook", "task_completed", "team", '{"task": "T-1"}')).stderr
    refused(sudolang(tmp_path, "state", "get", "team", "$"), 2, "session id 'team' is ambiguous: 8 sessions start "
            "with it (team-1, team-10, team-2, team-3, team-4 and 3 more); type more of it")
    assert ok(sudolang(tmp_path, "state", "get", "team-1", "session.id")).stdout == '"team-1"\n'  # not team-10
    refused(sudolang(tmp_path, "session", "heartbeat", "tema-7"), 3,
            "no session 'tema-7'; did you mean team-7 or team-1 or team-10?")
    refused(sudolang(tmp_path, "state", "get", "nobody", "$"), 3, "no session 'nobody'")  # nothing close: as before
    in_run = sudolang(tmp_path, "run", "sprint_execution", "/board", "--session", "team")  # the handler's own form
    assert (in_run.returncode, in_run.stderr) == (2, "error: session id 'team' is ambiguous: 8 sessions start with "
                                                     "it (team-1, team-10, team-2, team-3, team-4 and 3 more); type "
                                                     "more of it\n")


def loaded(tmp_path: Path, *words: str) -> tuple[str, str]:
    """(stdout, stderr) of `sudolang WORDS`, stderr ending with which of argparse and difflib it loaded."""
    code = ("import sys; from sudolang.cli import main; code = main(sys.argv[1:]);"
            "print([m for m in ('argparse', 'difflib') if m in sys.modules], code, file=sys.stderr)")
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(ROOT)}
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", code, *words], env=env, capture_output=True, text=True, timeout=60)
    return done.stdout, done.stderr


# --- item 11: one default for the hook's --timeout --------------------------------------------------------------


def test_11_the_hooks_help_states_its_own_timeout_default(tmp_path):
    hook_help = ok(sudolang(tmp_path, "hook", "--help")).stdout
    option = " ".join(hook_help.split("--timeout SECONDS", 2)[2].split("--debug")[0].split())
    assert option == "the whole run's time budget in seconds, lock waits included (default 2)"
    assert "default 5" not in hook_help
    assert "(default 5)" in ok(sudolang(tmp_path, "state", "get", "--help")).stdout  # a lock wait elsewhere


# --- item 19: --json, help, completion ---------------------------------------------------------------------------


def test_19_init_and_compile_check_print_json(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    first = json.loads(ok(sudolang(tmp_path, "init", "--dir", str(project), "--json")).stdout)
    assert first["project"] == str(project.resolve() / ".claude") and first["up_to_date"] is False
    assert ".claude/settings.json" in first["created"] and first["changed"] == first["unchanged"] == []
    again = json.loads(ok(sudolang(tmp_path, "init", "--dir", str(project), "--json")).stdout)
    assert again["up_to_date"] is True and again["created"] == again["changed"] == []
    assert ".claude/commands/sprint-move.md" in again["unchanged"]
    out = project / ".claude"
    (out / "commands" / "sprint-move.md").unlink()
    (out / "output-styles" / "sprint_execution.md").write_text("edited\n")
    check = sudolang(tmp_path, "compile", "sprint_execution", "--check", "--json", "--out", str(out))
    assert check.returncode == 1
    assert json.loads(check.stdout) == {"out": str(out), "missing": ["commands/sprint-move.md"],
                                        "stale": ["output-styles/sprint_execution.md"]}
    written = json.loads(ok(sudolang(tmp_path, "compile", "sprint_execution", "--json", "--out", str(out))).stdout)
    assert str(out / "commands" / "sprint-move.md") in written["written"]
    refused(sudolang(tmp_path, "compile", "sprint_execution", "--json", "--emit", "python"), 2,
            "--json does not go with --emit, which prints a stage as it is")


def test_19_the_hooks_trigger_list_prints_json(tmp_path):
    listing = json.loads(ok(sudolang(tmp_path, "hook", "--list-triggers", "--json")).stdout)
    assert listing["origin"] == "packaged" and listing["source"].endswith("triggers.toml")
    assert listing["warning"] is None
    assert {"name", "description", "enabled", "on", "condition", "when", "action", "then"} <= set(listing["rules"][0])
    assert "sprint-completes" in [rule["name"] for rule in listing["rules"]]


def test_19_session_commands_print_json(tmp_path):
    sid = new_session(tmp_path, "--project", "p")
    target = new_session(tmp_path, "--project", "p")
    beat = json.loads(ok(sudolang(tmp_path, "session", "heartbeat", sid, "--json")).stdout)
    assert set(beat) == {"id", "status", "last_activity", "expiry"} and beat["status"] == "active"
    recovered = json.loads(ok(sudolang(tmp_path, "session", "recover", sid, "--json")).stdout)
    assert recovered["id"] == sid and recovered["lost"] == [] and recovered["revision"] >= 1
    assert recovered["actions"][-1].endswith(f"is intact at revision {recovered['revision']}")
    project = json.loads(ok(sudolang(tmp_path, "shared", "recover", "p", "--json")).stdout)
    assert project["id"] == "p" and project["lost"] == []
    moved = json.loads(ok(sudolang(tmp_path, "session", "handoff", sid, target, "--json")).stdout)
    assert moved == {"from": sid, "to": target, "active_work": {}, "tasks": []}
    swept = json.loads(ok(sudolang(tmp_path, "state", "cleanup-expired", "--dry-run", "--json")).stdout)
    assert swept == {"dry_run": True, "archived": []}


def test_19_help_prints_what_dash_dash_help_prints(tmp_path):
    for words in ([], ["state"], ["state", "get"], ["hook"], ["completion"]):
        assert ok(sudolang(tmp_path, "help", *words)).stdout == ok(sudolang(tmp_path, *words, "--help")).stdout, words
    refused(sudolang(tmp_path, "help", "sesion"), 2, "unknown command 'sesion'; did you mean 'session'?")
    refused(sudolang(tmp_path, "help", "state", "gt"), 2, "unknown state action 'gt'; did you mean 'get'?")
    refused(sudolang(tmp_path, "help", "lint", "x"), 2, "`sudolang lint` has no actions; see `sudolang help lint`")


def test_19_completion_names_its_shells_and_lists_session_ids(tmp_path):
    refused(sudolang(tmp_path, "completion"), 2, "name a shell: bash, zsh or fish (see `sudolang help completion`)")
    refused(sudolang(tmp_path, "completion", "bsh"), 2,
            "no completion for shell 'bsh'; did you mean 'bash'? the shells are bash, zsh, fish")
    named_session(tmp_path, "s-2")
    named_session(tmp_path, "s-1")
    assert ok(sudolang(tmp_path, "completion", "--session-ids")).stdout == "s-1\ns-2\n"


def shim(tmp_path: Path) -> Path:
    """A `sudolang` executable for the scripts to call (they run the command being completed)."""
    path = tmp_path / "bin" / "sudolang"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m sudolang "$@"\n')
    path.chmod(0o755)
    return path


def bash_completes(tmp_path: Path, script: str, *words: str) -> list[str]:
    """COMPREPLY for the command line `words` (the last one being completed), from the script sourced in bash."""
    test = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sudolang; printf "%s\\n" "${COMPREPLY[@]}"'
    (tmp_path / "completion.bash").write_text(script)
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state")}
    done = subprocess.run(["bash", "-c", test, "bash", str(tmp_path / "completion.bash"), *words], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done
    return [line for line in done.stdout.splitlines() if line]


def test_19_the_bash_script_completes_commands_actions_options_values_programs_and_session_ids(tmp_path):
    script = ok(sudolang(tmp_path, "completion", "bash")).stdout
    assert script.rstrip().endswith("complete -F _sudolang sudolang")
    named_session(tmp_path, "s-1")
    named_session(tmp_path, "s-2")
    (tmp_path / "mine.sudo").write_text("")
    me = str(shim(tmp_path))
    cases = [
        ((me, "se"), ["session"]),
        ((me, "session", ""), ["create", "heartbeat", "handoff", "list", "recover"]),
        ((me, "state", "get", "--r"), ["--raw"]),
        ((me, "lint", "--format", "j"), ["json"]),
        ((me, "session", "create", "--mode", "de"), ["development"]),
        ((me, "run", "sp"), ["sprint_execution"]),
        ((me, "compile", "mi"), ["mine.sudo"]),
        ((me, "state", "get", "s"), ["s-1", "s-2"]),
        ((me, "--timeout", "3", "session", "handoff", "s-1", "s-"), ["s-1", "s-2"]),
        ((me, "run", "sprint_execution", "--session", "s-2"), ["s-2"]),
        ((me, "help", "state", "list-"), ["list-sessions"]),
        ((me, "completion", ""), ["bash", "zsh", "fish"]),
        ((me, "state", "get", "s-1", ""), []),  # a JSONPath: nothing to offer
    ]
    for words, expected in cases:
        assert bash_completes(tmp_path, script, *words) == expected, words


def test_19_the_zsh_script_is_a_compdef_function_from_the_same_tables(tmp_path):
    script = ok(sudolang(tmp_path, "completion", "zsh")).stdout
    assert script.startswith("#compdef sudolang\n") and "compdef _sudolang sudolang" in script
    assert "('state get') reply=(--raw --state-dir --store --timeout --debug --help) ;;" in script
    assert "('lint|--format') REPLY='words:text json github' ;;" in script
    assert "(*'|--state-dir') REPLY='dirs' ;;" in script
    assert "'session:Create, keep alive, hand off, list and recover sessions'" in script
    if shutil.which("zsh") is None:  # not installed here: the text above is what can be checked
        return
    assert subprocess.run(["zsh", "-n"], input=script, text=True, timeout=60).returncode == 0
    # compsys' own functions replaced by ones that print what they were asked to offer
    stubs = ('compdef() { : }; compadd() { [[ $1 == -- ]] && shift; print -r -- "$*" }; '
             '_describe() { print -r -- "${(P)${@[-1]}%%:*}" }; _files() { print -r -- "files $*" }; ')
    test = stubs + 'source "$1"; shift; words=("$@"); CURRENT=$#; _sudolang'
    (tmp_path / "_sudolang").write_text(script)
    named_session(tmp_path, "s-1")
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state")}
    me = str(shim(tmp_path))
    for words, expected in (((me, "session", ""), "create"),
                            ((me, "lint", "--format", ""), "text json github"),
                            ((me, "state", "get", ""), "s-1"),
                            ((me, "init", "--dir", ""), "files -/")):
        done = subprocess.run(["zsh", "-fc", test, "zsh", str(tmp_path / "_sudolang"), *words], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.stdout.split("\n")[0] == expected, (words, done)


def test_19_the_fish_script_completes_from_the_same_tables(tmp_path):
    script = ok(sudolang(tmp_path, "completion", "fish")).stdout
    assert script.rstrip().endswith("complete -c sudolang -f -a '(__sudolang_candidates (commandline -opc) -- "
                                    "(commandline -ct))'")
    assert "        case 'state get'\n            printf '%s\\n' --raw --state-dir --store --timeout --debug --help" in script
    assert "        case '*|--state-dir'\n            echo 'dirs'" in script
    assert "'session\tCreate, keep alive, hand off, list and recover sessions'" in script
    if shutil.which("fish") is None:  # not installed here: the text above is what can be checked
        return
    (tmp_path / "sudolang.fish").write_text(script)
    named_session(tmp_path, "s-1")
    env = {**os.environ, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "PATH": f"{shim(tmp_path).parent}:"
           + os.environ.get("PATH", "")}
    lines = ['sudolang sess', 'sudolang lint --format=j', 'sudolang state get s', 'sudolang help state list-']
    test = f"source {tmp_path / 'sudolang.fish'}; " + "; ".join(f"complete -C '{line}'" for line in lines)
    done = subprocess.run(["fish", "--no-config", "-c", test], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["session\tCreate, keep alive, hand off, list and recover sessions",
                                        "--format=json", "s-1", "list-sessions\tList every session"], done
