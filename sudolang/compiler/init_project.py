"""`sudolang init`: sets up a project's .claude/ folder: scripts, compiled programs, hook router, state folders and settings."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from sudolang.errors import NotFound, SudolangError

ROUTER = "hooks/orchestration/router.sh"
HOOK_COMMAND = '"$CLAUDE_PROJECT_DIR"/.claude/' + ROUTER
# The events the router hears, with their matcher (None: every occurrence).
HOOK_EVENTS = {
    "SessionStart": None,
    "UserPromptSubmit": None,
    "SubagentStart": None,
    "SubagentStop": None,
    "TaskCreated": None,
    "TaskCompleted": None,
    "PreToolUse": "Task|Agent|TodoWrite",  # the subagent tool (Task, named Agent in newer versions), the todo list
    "SessionEnd": None,
}
FOLDERS = ("scripts/handlers", "hooks/orchestration/handlers", "state/sessions", "state/shared")
# script: (sudolang command group, summary, usage examples from the plan)
SCRIPTS = {
    "state_manager.py": ("state", "Query and change a session's JSON state by JSONPath.", (
        "get SID '$'", "set SID PATH VALUE", "merge SID PATH JSON", "delete SID PATH", "batch SID FILE",
        "list-sessions", "cleanup-expired")),
    "session_manager.py": ("session", "Session lifecycle: create, heartbeat, hand off, list, recover.", (
        "create --mode development --project myapp", "heartbeat SID", "handoff FROM TO",
        "list --active --project myapp", "recover SID")),
    "shared_state.py": ("shared", "Project state shared by every session: config, epics, sprints, tools.", (
        "get-config P", "update-epic P EPIC --status completed", "list-sprints P --status active", "list-tools",
        "activate-sprint P SPRINT --session SID", "get-sprint P SPRINT")),
}


def init_project(project: Path) -> list[str]:
    """Create or update PROJECT/.claude/; one report line per item: created, changed or unchanged."""
    claude = project / ".claude"
    settings = claude / "settings.json"
    old, new = merged_settings(settings)  # first: a malformed file must stop init before it writes anything
    files = generated_files(os.path.abspath(sys.executable))
    report = [_make_folder(claude, folder) for folder in FOLDERS]
    report += _write_files(claude, files)
    report.append(_write_settings(settings, old, new))
    return report


def generated_files(python: str) -> dict[str, str]:
    """Every generated file, keyed by its path relative to .claude/; `python` is the interpreter with sudolang."""
    import shlex

    from sudolang import __version__, programs
    from sudolang.compiler import compile_programs, render

    files = compile_programs(programs.names())
    for name, (group, summary, examples) in SCRIPTS.items():
        files[f"scripts/{name}"] = render("init/script.py.j2", name=name, group=group, summary=summary,
                                          examples=examples, python=repr(python), group_literal=repr(group),
                                          version=__version__)
    files[ROUTER] = render("init/router.sh.j2", python=shlex.quote(python), version=__version__)
    files["scripts/.sudolang-python"] = python + "\n"  # where the compiled handlers look for sudolang
    return files


def merged_settings(path: Path) -> tuple[bytes | None, bytes | None]:
    """settings.json's bytes now (None: no file) and with the router's hooks merged in (same bytes if all there)."""
    old = path.read_bytes() if path.exists() else None
    settings = _parse(path, old) if old and old.strip() else {}
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise SudolangError(f"{path}: \"hooks\" is not an object; fix it, then rerun `sudolang init` (nothing was written)")
    added = False
    for event, matcher in HOOK_EVENTS.items():
        entries = hooks.setdefault(event, [])
        if not isinstance(entries, list):
            raise SudolangError(f"{path}: hooks.{event} is not a list; fix it, then rerun `sudolang init` "
                                "(nothing was written)")
        if not any(_is_ours(entry) for entry in entries):
            entry = {"hooks": [{"type": "command", "command": HOOK_COMMAND, "timeout": 10}]}
            entries.append({"matcher": matcher, **entry} if matcher else entry)
            added = True
    if not added:
        return old, old
    return old, (json.dumps(settings, indent=2, ensure_ascii=False) + "\n").encode()


def _parse(path: Path, data: bytes) -> dict:
    try:
        settings = json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as error:
        raise SudolangError(f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}; "
                            "fix it, then rerun `sudolang init` (nothing was written)") from None
    except UnicodeDecodeError as error:
        raise SudolangError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); nothing was written") from None
    if not isinstance(settings, dict):
        raise SudolangError(f"{path}: holds a JSON {type(settings).__name__}, not an object; nothing was written")
    return settings


def _is_ours(entry: object) -> bool:
    # Any command naming the router counts, so a user's own spelling of it is never duplicated.
    hooks = entry.get("hooks") if isinstance(entry, dict) else None
    return isinstance(hooks, list) and any(isinstance(h, dict) and ROUTER in str(h.get("command")) for h in hooks)


def _make_folder(claude: Path, folder: str) -> str:
    path = claude / folder
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True)
    return f"{'unchanged' if existed else 'created':9} .claude/{folder}/"


def _write_files(claude: Path, files: dict[str, str]) -> list[str]:
    from sudolang.compiler import write_files

    report, stale = [], {}
    for relative, text in sorted(files.items()):
        path = claude / relative
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            stale[relative] = text
            report.append(f"{'created' if current is None and not path.exists() else 'changed':9} .claude/{relative}")
        elif path.suffix in (".py", ".sh") and not os.access(path, os.X_OK):
            report.append(f"{'changed':9} .claude/{relative} (made executable)")
        else:
            report.append(f"{'unchanged':9} .claude/{relative}")
    write_files(claude, stale)  # all or nothing
    for relative in files:
        if relative.endswith((".py", ".sh")) and not os.access(claude / relative, os.X_OK):
            (claude / relative).chmod(0o755)
    return report


def _write_settings(path: Path, old: bytes | None, new: bytes) -> str:
    from sudolang.state.store import write_atomically

    if new == old:
        return f"{'unchanged':9} .claude/settings.json"
    backup = (path.with_name("settings.json.bak"), path.with_name(".settings.json.bak.tmp"))
    write_atomically(path, new, path.with_name(".settings.json.tmp"), backup if old is not None else None)
    if old is None:
        return f"{'created':9} .claude/settings.json"
    return f"{'changed':9} .claude/settings.json (router hooks added; the previous file is settings.json.bak)"


def cmd_init(args) -> int:
    project = Path(args.dir)
    if not project.is_dir():
        raise NotFound(f"no folder {project}")
    report = init_project(project)
    print("\n".join(report))
    if all(line.startswith("unchanged") for line in report):
        print(f"nothing to do: {project / '.claude'} is up to date")
    return 0


EPILOG = """\
Creates, under PROJECT/.claude/: scripts/{state_manager,session_manager,shared_state}.py
(uv scripts running sudolang on .claude/state), the shipped programs compiled into
output-styles/, commands/ and scripts/handlers/, hooks/orchestration/router.sh, the
state/sessions/ and state/shared/ folders, and the router's hooks in settings.json
(merged: other settings and hooks stay; the old file is kept as settings.json.bak).
Running it again changes only what differs."""

GROUPS = {
    "init": ("Set up a project's .claude/ folder for sudolang: scripts, programs, hooks and state.", EPILOG, (
        cmd_init,
        ((("--dir",), {"metavar": "PROJECT", "default": ".", "help": "project folder (default: the current one)"}),),
    )),
}
