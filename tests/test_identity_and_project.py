"""Issue 13, "safe to use every day", items 4, 5, 11 and 14: who acts and in which session, no state made by
accident outside a project, `run`'s options wherever they stand, and an interactive screen that redraws
itself. Every test runs the tool as a process (the redraw through a real pseudo-terminal)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CLEAR = "\x1b[H\x1b[2J"


def environment(tmp_path: Path, cache: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without anything that steers sudolang, a private state directory, and a
    terminal user whose login name is `lead`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUDOLANG") and k != "CLAUDE_ENV_FILE"}
    env.update(SUDOLANG_STATE_DIR=str(tmp_path / "state"), SUDOLANG_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT),
               LOGNAME="lead", USER="lead")
    env.update(extra)
    return env


def sudolang(env: dict[str, str], *args: str, cwd: Path | None = None, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "sudolang", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def new_session(env: dict[str, str], *options: str, **extra: str) -> str:
    done = sudolang({**env, **extra}, "session", "create", "--mode", "development", *options)
    assert done.returncode == 0, done
    return done.stdout.strip()


def claude_starts(env: dict[str, str], session_id: str, cwd: Path) -> None:
    """What Claude Code's SessionStart hook does: the session whose id is Claude's is created."""
    payload = {"session_id": session_id, "hook_event_name": "SessionStart", "source": "startup", "cwd": str(cwd)}
    done = sudolang(env, "hook", stdin=json.dumps(payload), cwd=cwd)
    assert done.returncode == 0 and done.stderr == "", done


# --- item 4: a terminal has a stable identity; a session is never taken silently ------------------------


def test_4_a_terminal_votes_as_its_login_name_in_the_only_session_and_says_which(tmp_path, handler_cache):
    env = environment(tmp_path, handler_cache)
    claude = str(uuid.uuid4())
    claude_starts(env, claude, tmp_path)  # a Claude Code session started in this project
    proposed = sudolang(env, "run", "leadership_chat", "/propose 'Ship it' 2")
    assert proposed.returncode == 0, proposed
    assert proposed.stderr == f"sudolang: session {claude} (the only active one; --session SID to choose)\n"
    voted = sudolang(env, "run", "leadership_chat", "/vote", "D-1", "yes")
    assert voted.returncode == 0, voted
    assert voted.stdout.startswith("lead voted yes on D-1"), voted.stdout  # the person, not Claude's session
    assert claude not in voted.stdout
    other = sudolang({**env, "SUDOLANG_ACTOR": "bob"}, "run", "leadership_chat", "/vote D-1 no")
    assert other.stdout.startswith("bob voted no on D-1"), other.stdout  # $SUDOLANG_ACTOR overrides


def test_4_several_active_sessions_are_refused_with_the_most_recent_five_and_how_to_choose(tmp_path, handler_cache):
    env = environment(tmp_path, handler_cache)
    ids = [new_session(env, SUDOLANG_NOW=f"2030-01-01T00:0{minute}:00Z") for minute in range(6)]
    done = sudolang({**env, "SUDOLANG_NOW": "2030-01-01T01:00:00Z"}, "run", "leadership_chat", "/vote D-1 yes")
    assert done.returncode == 2, done
    assert done.stderr.startswith("error: 6 active sessions, so none is taken for you: "), done.stderr
    assert UUID.findall(done.stderr) == ids[::-1][:5]  # the most recent first, five of them
    assert done.stderr.endswith(" and 1 more; choose one with --session SID (or export SUDOLANG_SESSION=SID)\n")
    assert len(list((tmp_path / "state" / "sessions").glob("*.json"))) == 6  # none was created either


def test_4_a_claude_code_command_acts_as_its_session_and_finds_the_projects_state(tmp_path, handler_cache):
    """The command file runs the project's handler with --claude, in the session the hook exported; the
    state is the project's, found from the folder the command runs in."""
    project = tmp_path / "proj"
    project.mkdir()
    env = environment(tmp_path, handler_cache)
    del env["SUDOLANG_STATE_DIR"]
    assert sudolang(env, "init", "--dir", str(project)).returncode == 0
    claude = str(uuid.uuid4())
    claude_starts(env, claude, project)
    handler = [sys.executable, str(project / ".claude" / "scripts" / "handlers" / "leadership_chat.py"), "--claude"]
    in_claude = {**env, "SUDOLANG_SESSION": claude}
    subprocess.run([*handler, "/propose", "Ship it", "2"], env=in_claude, cwd=project, check=True, capture_output=True)
    voted = subprocess.run([*handler, "/vote", "D-1", "yes"], env=in_claude, cwd=project, capture_output=True,
                           text=True)
    assert voted.stdout.startswith(f"{claude} voted yes on D-1"), voted
    assert (project / ".claude" / "state" / "sessions" / f"{claude}.json").is_file()
    below = project / "src"  # the lead's terminal, somewhere in the project, in the same session
    below.mkdir()
    mine = sudolang(env, "run", "leadership_chat", "/vote D-1 no", "--session", claude, cwd=below)
    assert mine.stdout.startswith("lead voted no on D-1"), mine


def test_4_the_interactive_screen_names_the_session_and_the_actor(tmp_path, handler_cache):
    env = environment(tmp_path, handler_cache)
    sid = new_session(env)
    done = sudolang(env, "run", "sprint_execution", "--session", sid, stdin="/board\n")
    assert done.returncode == 0, done
    screens = done.stdout.split("sprint_execution> ")
    assert [screen.splitlines()[0] for screen in screens[:2]] == [f"session {sid} · actor lead"] * 2


def test_4_the_login_name_falls_back_to_user_where_nothing_names_one(monkeypatch):
    import pwd

    from sudolang.runtime import context

    def nobody(uid: int) -> object:
        raise KeyError(f"getpwuid(): uid not found: {uid}")  # a container user without a passwd entry

    for name in ("SUDOLANG_ACTOR", "LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", nobody)
    assert context.actor("s-1", in_claude=False) == "user"
    assert context.actor("s-1", in_claude=True) == "s-1"



@pytest.mark.parametrize("names", [{"LOGNAME": "ann", "USER": "bob"}, {"USER": "bob"}, {"USERNAME": "cy"}, {}])
def test_4_the_login_name_is_the_one_getpass_finds(monkeypatch, names):
    """sudolang reads the login name itself (getpass costs start-up); it finds what getpass.getuser finds."""
    import getpass

    from sudolang.runtime import context

    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    assert context.login_name() == getpass.getuser()

# --- item 5: no state created by accident ----------------------------------------------------------------


def test_5_outside_a_project_commands_create_nothing_and_say_to_run_init(tmp_path, handler_cache):
    assert not any((folder / ".claude").is_dir() for folder in tmp_path.parents), "a .claude/ above the tests"
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)  # Claude Code's own settings folder: not a project
    here = home / "work"
    here.mkdir()
    env = environment(tmp_path, handler_cache, HOME=str(home))
    del env["SUDOLANG_STATE_DIR"]
    for words in (["run", "sprint_execution", "/board"], ["session", "create", "--mode", "development"],
                  ["session", "list"], ["state", "list-sessions"], ["msg", "list", "someone"],
                  ["shared", "list-sprints", "default"]):
        done = sudolang(env, *words, cwd=here)
        assert done.returncode == 3, (words, done)
        assert f"no sudolang project here: no .claude/ folder in {here} or above; run `sudolang init`" in done.stderr
    assert not (here / ".claude").exists() and not (home / ".claude" / "state").exists()
    given = tmp_path / "given"  # a state directory named on purpose is made, as before
    assert sudolang(env, "--state-dir", str(given), "session", "create", "--mode", "development", cwd=here).returncode == 0
    assert len(list((given / "sessions").glob("*.json"))) == 1


# --- item 11: run's options wherever they stand; -- ends them ------------------------------------------


def test_11_options_after_the_program_are_read_in_both_forms_and_dash_dash_ends_them(tmp_path, handler_cache):
    env = environment(tmp_path, handler_cache)
    sid = new_session(env)

    def run(*words: str):
        return sudolang(env, "run", "sprint_execution", *words)

    assert run("/add Login 3", "--session", sid).returncode == 0
    moved = run("/move", "T-1", "doing", "--timeout", "30", "--session", sid)
    assert moved.returncode == 0 and moved.stdout.startswith("Moved T-1 from backlog to doing"), moved
    quoted = run(f"/move T-1 review --json --session={sid}")  # one quoted command line holds options too
    assert quoted.returncode == 0 and json.loads(quoted.stdout)["column"] == "review", quoted
    literal = run("/block", "T-1", "--session", sid, "--", "--json", "is", "broken")
    assert literal.stdout.startswith("Blocked T-1: --json is broken\n"), literal
    literal = run("--session", sid, "/block T-1 -- --debug again")
    assert literal.stdout.startswith("Blocked T-1: --debug again\n"), literal
    wrong = run("/board", "--timeout", "soon", "--session", sid)
    assert wrong.returncode == 2 and "--timeout must be a number of seconds, 0 or more (got 'soon')" in wrong.stderr
    debugged = run("/move", "T-9", "done", "--session", sid, "--debug")
    assert debugged.returncode != 0 and "Traceback" in debugged.stderr


_HOLD = """
import sys, time
from sudolang.state.lock import FileLock
from sudolang.state.paths import StateDir
with FileLock(StateDir(sys.argv[1]).project("default").lock_path, 5):
    print("held", flush=True)
    time.sleep(120)
"""


def test_11_run_timeout_is_the_lock_timeout_of_the_commands_run(tmp_path, handler_cache):
    env = environment(tmp_path, handler_cache)
    sid = new_session(env, "--project", "default")  # its project's document is the one held below
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path / "state")], env=env, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        for words in (["run", "sprint_execution", "/add Late 1", "--timeout", "0.3", "--session", sid],
                      ["run", "--timeout", "0.3", "sprint_execution", "/add Late 1", "--session", sid]):
            done = sudolang(env, *words)
            assert done.returncode == 4, (words, done)
            assert re.search(r"timed out after 0\.[0-3][0-9]*s", done.stderr), (words, done.stderr)
    finally:
        holder.kill()
        holder.wait()


# --- item 14: the interactive screen redraws itself ------------------------------------------------------


WATCH = """\
interface Watch {
  name = "watch"
  prefix = "watch"

  bindings {
    note => query $.note
    main => view show
  }

  layout = \"\"\"
    ╭─ WATCH ──────────────────────────────╮
    │ Note: {note}                         │
    ├──────────────────────────────────────┤
    │ {main}                               │
    ╰──────────────────────────────────────╯
  \"\"\"

  commands = {
    "/show": "Show who acts",
    "/note <text>": "Set the note"
  }

  view = "/show"
}

fn show() {
  return "shown for ${actor()}"
}

fn note(text) {
  session.note = text
  return "noted"
}
"""


class Terminal:
    """A process on a pseudo-terminal, 40 rows by 100 columns, and everything it has written."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env={**env, "TERM": "xterm"},
                                        close_fds=True)
        os.close(slave)
        self.written = b""

    def text(self, since: int = 0) -> str:
        return self.written[since:].decode("utf-8", "replace")

    def wait_for(self, wanted: str, since: int = 0, seconds: float = 30) -> str:
        """What it wrote from `since` on, once that holds `wanted`."""
        deadline = time.monotonic() + seconds
        while wanted not in self.text(since):
            if time.monotonic() > deadline:
                raise AssertionError(f"the terminal never showed {wanted!r}; it showed:\n{self.text(since)[-2000:]}")
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.written += os.read(self.master, 65536)
                except OSError:  # the process has gone: nothing more will come
                    raise AssertionError(f"the process ended before showing {wanted!r}:\n{self.text(since)}") from None
        return self.text(since)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.master)


@pytest.fixture
def watch(tmp_path, handler_cache):
    """(env, session id, a function starting `sudolang run watch.sudo` on a terminal in that session)."""
    program = tmp_path / "watch.sudo"
    program.write_text(WATCH, encoding="utf-8")
    env = environment(tmp_path, handler_cache)
    sid = new_session(env)
    started: list[Terminal] = []

    def start() -> Terminal:
        started.append(Terminal([sys.executable, "-m", "sudolang", "run", str(program), "--session", sid], env))
        return started[-1]

    yield env, sid, start
    for terminal in started:
        terminal.close()


def test_14_the_screen_redraws_when_another_process_changes_the_state_but_not_over_typing(watch):
    env, sid, start = watch
    terminal = start()
    first = terminal.wait_for("watch> ")
    assert f"session {sid} · actor lead" in first and "│ Note: -" in first and "│ shown for lead" in first
    mark = len(terminal.written)
    assert sudolang(env, "state", "set", sid, "note", "from elsewhere").returncode == 0
    redrawn = terminal.wait_for("watch> ", since=mark)  # no key was pressed
    assert CLEAR in redrawn and "│ Note: from elsewhere" in redrawn and f"session {sid} · actor lead" in redrawn

    terminal.type("/sh")
    mark = len(terminal.written)
    assert sudolang(env, "state", "set", sid, "note", "while typing").returncode == 0
    time.sleep(1.5)  # three looks at the state: a redraw now would draw over the half-typed line
    terminal.type("ow\r")
    after = terminal.wait_for("watch> ", since=mark)
    assert after.count(CLEAR) == 1, after  # drawn once, by the command, after the line was finished
    assert "│ Note: while typing" in after and "│ shown for lead" in after


def test_14_on_postgresql_the_screen_redraws_when_another_machine_changes_the_state(tmp_path, handler_cache,
                                                                                    postgresql_server):
    """Issue 14's live change: the store's LISTEN/NOTIFY, not the files' stat, wakes the watcher. The other
    "machine" is a process with its own state folder: it shares nothing with the screen but the server."""
    from sudolang.state import pg

    program = tmp_path / "watch.sudo"
    program.write_text(WATCH, encoding="utf-8")
    env = environment(tmp_path, handler_cache, SUDOLANG_STORE=postgresql_server.schema_url())
    elsewhere = {**env, "SUDOLANG_STATE_DIR": str(tmp_path / "other-machine")}
    sid = new_session(env)
    terminal = Terminal([sys.executable, "-m", "sudolang", "run", str(program), "--session", sid], env)
    try:
        assert "│ Note: -" in terminal.wait_for("watch> ")
        mark = len(terminal.written)
        assert sudolang(elsewhere, "state", "set", sid, "note", "from another machine").returncode == 0
        redrawn = terminal.wait_for("watch> ", since=mark, seconds=10)  # no key pressed, no file of the screen changed
        assert CLEAR in redrawn and "│ Note: from another machine" in redrawn
    finally:
        terminal.close()
        pg.close_all()


def test_14_the_screen_redraws_every_dashboard_refresh_seconds(watch):
    env, sid, start = watch
    configured = sudolang(env, "run", "config_manager", "/set dashboard.refresh_seconds 5", "--session", sid)
    assert configured.returncode == 0, configured
    terminal = start()
    terminal.wait_for("watch> ")
    mark = len(terminal.written)
    again = terminal.wait_for("watch> ", since=mark, seconds=60)  # nothing changed: the interval passed
    assert again.startswith(CLEAR) and "│ shown for lead" in again


def test_14_the_default_interval_is_the_config_managers_initial_value():
    from sudolang.runtime import interactive

    source = (ROOT / "sudolang" / "programs" / "config_manager.sudo").read_text(encoding="utf-8")
    initial = re.search(r'"dashboard\.refresh_seconds": \{[^}]*initial: (\d+)', source)
    assert initial is not None and int(initial.group(1)) == interactive.REFRESH_SECONDS
