"""`sudolang demo`: set up a throw-away project, compile the four programs into it, drive them, show the dashboard.

Every step is a real `sudolang` command line, printed before it runs, so the
output doubles as a tour: copy any line into a shell inside the project.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import tempfile
from pathlib import Path

# (narration, command line); $SID is the session the second step creates.
STEPS = [
    ("Set up the project: .claude/ with the four compiled programs, scripts, hook router and state", "init"),
    ("A session for this terminal (Claude Code's hook creates one per Claude session)",
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


def demo(args) -> int:
    return run(args.dir)


def run(project: str | None = None) -> int:
    import os

    from sudolang.cli import main

    root = Path(project or tempfile.mkdtemp(prefix="sudolang-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    state = root / ".claude" / "state"
    os.environ.setdefault("SUDOLANG_ACTOR", "lead")  # who changes the config: a name, not the session id
    print(f"# project: {root}   (the commands below run inside it; who acts: $SUDOLANG_ACTOR={os.environ['SUDOLANG_ACTOR']})\n")
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
        print(_first_lines(shown) if words == ["init"] else shown, end="")
        if code:
            return code
        sid = out.getvalue().strip() if creates_session else sid
        print()
    print(f"# Everything above is plain JSON under {state}; open Claude Code in {root} to use the programs there.")
    return 0


def _first_lines(output: str, count: int = 6) -> str:
    """init lists every file it writes; the demo shows the first few and counts the rest."""
    lines = output.splitlines(keepends=True)
    return output if len(lines) <= count + 2 else "".join(lines[:count]) + f"... and {len(lines) - count} more\n"
