"""`sudolang demo`: set up a throw-away project, compile the four programs into it, drive them, show the dashboard.

Every step is a real `sudolang` command line, printed before it runs, so the
output doubles as a tour. The first `$` lines set a shell up the way the demo
runs (inside the project, who acts, and how to call sudolang when it is not on
PATH), so every `$` line after them runs as shown when pasted into that shell.

The project is `sudolang-demo` in the temporary folder unless `--dir` names
one. A file `.sudolang-demo` in it says it is the demo's own: a second run
clears such a folder and starts again, and refuses any other folder that is
not empty, or that is a symbolic link, or someone else's.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sudolang.errors import SudolangError

DEFAULT_NAME = "sudolang-demo"  # in the temporary folder: a fixed name that the README can show
MARKER = ".sudolang-demo"  # the file that makes a folder the demo's own, which a later demo may clear
MARKER_TEXT = "Made by `sudolang demo`, which clears this folder when it runs again here.\n"
ACTOR = "lead"  # who acts in the demo's commands: a name, not the session id

# (narration, command line); $SID is the session the second step creates.
STEPS = [
    ("Set up the project: .claude/ with the four compiled programs, scripts, hook router and state", "init"),
    ("A session for this terminal, its id kept in $SID (Claude Code's hook creates one per Claude session)",
     "session create --mode development --project demo"),
    ("The config manager: agents and a team", "run config_manager '/agent alice dev' --session $SID"),
    ("", "run config_manager '/agent bob reviewer' --session $SID"),
    ("", "run config_manager '/team web alice,bob' --session $SID"),
    ("The sprint program: tasks on the board (the first one starts sprint-001)",
     "run sprint_execution \"/add 'Login page' 3\" --session $SID"),
    ("", "run sprint_execution '/add Logout 2' --session $SID"),
    ("", "run sprint_execution \"/add 'Audit log' 5\" --session $SID"),
    ("", "run sprint_execution '/assign T-1 alice' --session $SID"),
    ("", "run sprint_execution '/assign T-2' --session $SID"),
    ("", "run sprint_execution '/move T-1 doing' --session $SID"),
    ("", "run sprint_execution '/move T-2 review' --session $SID"),
    ("A blocker: the trigger in triggers.toml raises it on the dashboard",
     "run sprint_execution '/block T-3 waiting on the API' --session $SID"),
    ("The dashboard, drawn from that live state", "run all-team_dashboard /refresh --session $SID"),
]


class DemoFolderRefused(SudolangError):
    """The folder the demo would set up is not one it may use (exit 1); nothing was written."""


def demo(args) -> int:
    return run(args.dir)


def run(project: str | None = None) -> int:
    from sudolang.runtime import layout

    root = prepare(Path(project).absolute() if project else default_folder())
    state = root / ".claude" / "state"
    columns = layout.terminal_columns()  # the real terminal's: the steps below print into a buffer
    print(f"# project: {root}; these first lines set a shell up so that every $ line runs in it as shown:")
    for line in setup_lines(root):
        print(f"$ {line}")
    print()
    with _environment(SUDOLANG_ACTOR=ACTOR, COLUMNS=str(columns) if columns else None):
        code = _steps(root, state)
    if code:
        return code
    quoted = shlex.quote(str(root))
    print(f"# Everything above is plain JSON under {state}; open Claude Code in {root} to use the programs there.")
    print(f"# Remove the project when you are done: rm -rf {quoted}")
    return 0


def _steps(root: Path, state: Path) -> int:
    from sudolang.cli import main

    sid = ""
    for title, line in STEPS:
        if title:
            print(f"# {title}")
        words = shlex.split(line.replace("$SID", sid))
        creates_session = words[0] == "session"
        print(f"$ {'SID=$(' if creates_session else ''}sudolang {line}{')' if creates_session else ''}")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            # The files, whatever $SUDOLANG_STORE says: a throw-away project never touches a team's store.
            code = main([*words, "--dir", str(root)] if words == ["init"] else
                        ["--state-dir", str(state), "--store", "files", *words])
        shown = out.getvalue().replace(str(root) + "/", "")
        if not creates_session:  # SID=$(…) keeps the id and shows nothing, as the shell does
            print(_first_lines(shown) if words == ["init"] else shown, end="")
        if code:
            return code
        sid = out.getvalue().strip() if creates_session else sid
        print()
    return 0


def setup_lines(root: Path) -> list[str]:
    """The shell lines that make the printed commands run as shown: into the project, the demo's actor, the
    project's own state (not a $SUDOLANG_STATE_DIR of the shell), and sudolang itself when PATH lacks it."""
    lines = [f"cd {shlex.quote(str(root))} && export SUDOLANG_ACTOR={ACTOR} && unset SUDOLANG_STATE_DIR"]
    runner = sudolang_runner()
    if runner:
        lines.append(f'sudolang() {{ {runner} "$@"; }}   # the demo\'s sudolang, which may not be on your PATH')
    return lines


def sudolang_runner() -> str | None:
    """How a shell runs this sudolang: None when `sudolang` on PATH is another install than the one running
    (a tool installed for the user), else this interpreter with `-P -m sudolang` (-P: a folder named
    sudolang/ where the shell is cannot stand in for the package). The same folder as the interpreter is
    no proof: `uv run` puts the project's environment on PATH for its command only."""
    found = shutil.which("sudolang")
    if found and Path(found).absolute().parent != Path(sys.executable).absolute().parent:
        return None
    return f"{shlex.quote(sys.executable)} -P -m sudolang"


# --- the folder ----------------------------------------------------------------------------------------------


def default_folder() -> Path:
    return Path(tempfile.gettempdir()).absolute() / DEFAULT_NAME


def prepare(root: Path) -> Path:
    """`root` made ready and marked as the demo's: created, or cleared when an earlier demo marked it, or
    taken when it is an empty folder. Anything else is refused before a file is written."""
    if root.is_symlink():
        raise DemoFolderRefused(f"{root} is a symbolic link; the demo writes only into a real folder (choose one "
                                "with --dir)")
    if root.exists():
        _clear_or_refuse(root)
    else:
        root.mkdir(parents=True)
    with open(root / MARKER, "x", encoding="utf-8") as marker:  # "x": never through a link planted meanwhile
        marker.write(MARKER_TEXT)
    return root


def _clear_or_refuse(root: Path) -> None:
    if not root.is_dir():
        raise DemoFolderRefused(f"{root} is not a folder; choose the demo's project with --dir")
    if hasattr(os, "getuid") and root.stat().st_uid != os.getuid():
        raise DemoFolderRefused(f"{root} belongs to another user; choose the demo's project with --dir")
    marker = root / MARKER
    if marker.is_file() and not marker.is_symlink():
        shutil.rmtree(root)  # an earlier demo's own folder (rmtree removes links, never what they point to)
        root.mkdir()
    elif any(root.iterdir()):
        raise DemoFolderRefused(f"{root} is not empty and not a demo project (it has no {MARKER} file); nothing "
                                "was changed: choose an empty or new folder with --dir")


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """The variables set (None: left as they are) while the steps run, and restored after: the demo also runs
    inside other programs (the tests) whose environment it must not change."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update({name: value for name, value in values.items() if value is not None})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _first_lines(output: str, count: int = 6) -> str:
    """init lists every file it writes; the demo shows the first few and counts the rest."""
    lines = output.splitlines(keepends=True)
    return output if len(lines) <= count + 2 else "".join(lines[:count]) + f"... and {len(lines) - count} more\n"
