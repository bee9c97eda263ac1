"""`sudolang init`: sets up a project's .claude/ folder: scripts, compiled programs, hook router, state folders and settings."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from sudolang.errors import SudolangError, UsageError

ROUTER = "hooks/orchestration/router.sh"
HOOK_COMMAND = '"$CLAUDE_PROJECT_DIR"/.claude/' + ROUTER
# The events the router hears, with their matcher (None: every occurrence). Never an event whose output
# Claude Code reads as data (WorktreeCreate: the worktree's path; sudolang.runtime.hook.DATA_OUTPUT_EVENTS).
HOOK_EVENTS = {
    "SessionStart": None,
    "UserPromptSubmit": None,
    "SubagentStart": None,  # the hook answers with the board, for the sub-agent's context
    "SubagentStop": None,
    "TaskCreated": None,
    "TaskCompleted": None,
    "PreToolUse": "Task|Agent|TodoWrite",  # the subagent tool (Task, named Agent in newer versions), the todo list
    "PostToolUse": "TaskUpdate|Agent|Task",  # a task started or done; a background sub-agent's id
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


MAX_SETTINGS_BYTES = 4 * 1024 * 1024


def init_project(project: Path) -> list[str]:
    """Create or update PROJECT/.claude/; one report line per item: created, changed or unchanged.

    PROJECT is the user's choice; below it nothing is followed: a link at `.claude`, at a folder inside
    it or at a file init writes is refused (safe_files.UnsafePath, exit 1, naming it), and temp files are
    new, with random names. A link at settings.json is refused too (exit 2): editing it in place would
    change a file outside the project, such as ~/.claude/settings.json, making every project run this
    project's router; replacing it would silently drop the user's link."""
    from sudolang import safe_files

    claude = Path(safe_files.folder(project, ".claude", create=False))  # refuses a link; made below
    settings = claude / "settings.json"
    old, new = merged_settings(settings)  # first: a malformed file must stop init before it writes anything
    files = generated_files(os.path.abspath(sys.executable))
    report = [_make_folder(project, folder) for folder in FOLDERS]
    report += _write_files(claude, files)
    report.append(_write_settings(settings, old, new))
    return report


def generated_files(python: str) -> dict[str, str]:
    """Every generated file, keyed by its path relative to .claude/; `python` is the interpreter with sudolang."""
    from sudolang import __version__, programs
    from sudolang.compiler import compile_programs, render

    files = compile_programs(programs.names())
    for name, (group, summary, examples) in SCRIPTS.items():
        files[f"scripts/{name}"] = render("init/script.py.j2", name=name, group=group, summary=summary,
                                          examples=examples, python=python, version=__version__)
    files[ROUTER] = render("init/router.sh.j2", python=python, version=__version__)
    files["scripts/.sudolang-python"] = python + "\n"  # where the compiled handlers look for sudolang
    return files


def merged_settings(path: Path) -> tuple[bytes | None, bytes]:
    """settings.json's bytes now (None: no file) and with the router's hooks merged in (same bytes if all there)."""
    old = read_settings(path)
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
    if not added and old is not None:  # (an empty or missing file always has hooks added)
        return old, old
    return old, (json.dumps(settings, indent=2, ensure_ascii=False) + "\n").encode()


def read_settings(path: Path) -> bytes | None:
    """settings.json's bytes, None when there is none. A link there is refused (see init_project), and so
    is anything but a regular file: a FIFO or a device is a one-line error, never a hang. Exit 2."""
    from sudolang import safe_files

    if os.path.islink(path):
        raise UsageError(f"refusing to edit {path}: it is a symbolic link (to {os.readlink(path)}), and editing "
                         "it would change a file outside this project; replace it with a copy of its target "
                         "or remove it, then rerun `sudolang init` (nothing was written)")
    try:
        return safe_files.read_bytes(path, MAX_SETTINGS_BYTES, "settings file")
    except FileNotFoundError:
        return None
    except safe_files.UnsafePath as error:  # made a link since the check above
        raise UsageError(f"{error.message} (nothing was written)") from None
    except UsageError as error:
        raise UsageError(f"{error.message}; nothing was written") from None


def _parse(path: Path, data: bytes) -> dict:
    """The settings object; malformed JSON, text that is not UTF-8 and values JSON readers reject (NaN,
    Infinity, 1e999) are refused, exit 2: init writes back what it read, so it must be plain JSON."""
    from sudolang import json_input

    try:
        json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}; "
                         "fix it, then rerun `sudolang init` (nothing was written)") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); nothing was written") from None
    try:
        settings = json_input.loads(data, str(path))
    except UsageError as error:
        raise UsageError(f"{error.message}; fix it, then rerun `sudolang init` (nothing was written)") from None
    if not isinstance(settings, dict):
        raise UsageError(f"{path}: holds a JSON {type(settings).__name__}, not an object; nothing was written")
    return settings


def _is_ours(entry: object) -> bool:
    # Any command naming the router counts, so a user's own spelling of it is never duplicated.
    hooks = entry.get("hooks") if isinstance(entry, dict) else None
    return isinstance(hooks, list) and any(isinstance(h, dict) and ROUTER in str(h.get("command")) for h in hooks)


def _make_folder(project: Path, folder: str) -> str:
    from sudolang import safe_files

    existed = (project / ".claude" / folder).is_dir()
    safe_files.folder(project, Path(".claude", folder))  # refuses a link on the way
    return f"{'unchanged' if existed else 'created':9} .claude/{folder}/"


def _write_files(claude: Path, files: dict[str, str]) -> list[str]:
    from sudolang.compiler import executable, stale, write_files

    changed = set(stale(claude, files))  # a link or a non-regular file counts as changed: write_files refuses it
    report, unexecutable = [], []
    for relative in sorted(files):
        path = claude / relative
        if relative in changed:
            report.append(f"{'created' if not os.path.lexists(path) else 'changed':9} .claude/{relative}")
        elif executable(relative) and not os.access(path, os.X_OK):
            unexecutable.append(relative)
            report.append(f"{'changed':9} .claude/{relative} (made executable)")
        else:
            report.append(f"{'unchanged':9} .claude/{relative}")
    write_files(claude, {relative: files[relative] for relative in changed})  # all or nothing; made executable
    for relative in unexecutable:
        _make_executable(claude / relative)
    return report


def _make_executable(path: Path) -> None:
    from sudolang import safe_files

    fd = safe_files.open_existing(path)  # never through a link
    try:
        os.fchmod(fd, 0o755)
    finally:
        os.close(fd)


def _write_settings(path: Path, old: bytes | None, new: bytes) -> str:
    """Replace settings.json by rename, the old file kept as settings.json.bak (a hard link to it, else a
    copy); the temp files are new, with random names, so a link planted at any name is never followed."""
    from sudolang import safe_files

    if new == old:
        return f"{'unchanged':9} .claude/settings.json"
    safe_files.check_not_link(path, "edit")
    temp = safe_files.write_temp(path, new)
    try:
        if old is not None:
            backup = path.with_name("settings.json.bak")
            safe_files.keep_backup(path, backup, old)  # replaces a link at .bak, never follows it
        os.replace(temp, path)
    except BaseException:
        safe_files.remove_quietly(temp)
        raise
    safe_files.fsync_folder(path.parent)
    if old is None:
        return f"{'created':9} .claude/settings.json"
    return f"{'changed':9} .claude/settings.json (router hooks added; the previous file is settings.json.bak)"
