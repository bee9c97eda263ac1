"""`sudolang demo`: a walkthrough that runs real commands against a throw-away state directory."""

from __future__ import annotations

import contextlib
import io
import shlex
import tempfile

# Each step is a command line; {A}/{B} are filled with the ids the steps print.
STEPS = [
    ("Session A starts work on project myapp", "session create --mode development --project myapp", "A"),
    ("It records a task (missing parents are created)", "state set {A} execution.tasks.task-001 "
     '\'{"title": "Login form", "status": "todo", "points": 3}\'', None),
    ("...and activates the sprint for everyone", "shared activate-sprint myapp sprint-001 --session {A}", None),
    ("Session B joins", "session create --mode sprint --project myapp", "B"),
    ("", "state set {B} active_work.sprint sprint-001", None),
    ("Both see the same sprint", "shared get-sprint myapp sprint-001", None),
    ("A filter query (JSONPath)", "state get {A} '$.execution.tasks[?(@.status == \"todo\")].title'", None),
    ("A hands its open work to B and completes", "session handoff {A} {B}", None),
    ("", "session list", None),
    ("A crash leaves the document damaged; recover rebuilds it from backup and event log", "session recover {B}", None),
]


def run(state_dir: str | None = None) -> int:
    from sudolang.cli import main

    root = state_dir or tempfile.mkdtemp(prefix="sudolang-demo-")
    print(f"# state directory: {root}\n")
    ids: dict[str, str] = {}
    for title, line, capture in STEPS:
        command = line.replace("{A}", ids.get("A", "")).replace("{B}", ids.get("B", ""))
        if title:
            print(f"# {title}")
        print(f"$ sudolang {command}")
        if "recover" in command:
            _damage(root, ids["B"])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--state-dir", root, *shlex.split(command)])
        print(out.getvalue(), end="")
        if code:
            return code
        if capture:
            ids[capture] = out.getvalue().strip()
        print()
    print(f"# everything above is plain JSON under {root}; `ls -R` it.")
    return 0


def _damage(root: str, session_id: str) -> None:
    from pathlib import Path

    (Path(root) / "sessions" / f"{session_id}.json").write_text('{"session": {"id": "tru')
