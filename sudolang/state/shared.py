"""Project state shared by every session: configuration, epics, sprints, and the tool registry."""

from __future__ import annotations

from sudolang import json_text
from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.state import clock
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, check_id, key_path
from sudolang.state.events import event_op

TYPE_CHECKING = False  # annotations only: store loads when a document is opened
if TYPE_CHECKING:
    from sudolang.state.store import Document

EPIC_STATUSES = ("planned", "active", "blocked", "completed", "cancelled")
# Other words for an epic's status, accepted wherever one is given (`shared update-epic --status`, the hook's
# epic_updated) and stored as the status they stand for, so the two never disagree about what a word means.
EPIC_STATUS_ALIASES = {"in_progress": "active", "doing": "active", "started": "active", "done": "completed"}
SPRINT_STATUSES = ("planned", "active", "completed", "cancelled")

TOOLS_LIMIT = 1 << 20
# What `list-tools` answers until a project writes its own <state-dir>/tools.json.
DEFAULT_TOOLS = [
    {"name": "state_manager", "command": "sudolang state", "does": "get, set, merge, delete and batch-edit session state by JSONPath"},
    {"name": "session_manager", "command": "sudolang session", "does": "create, heartbeat, hand off, list and recover sessions"},
    {"name": "shared_state", "command": "sudolang shared", "does": "project config, epics, sprints and tasks shared by all sessions, by JSONPath too"},
]


def new_document(project_id: str, at: str) -> dict:
    return {
        "project": {"id": project_id, "created_at": at},
        "config": {"name": project_id},
        "epics": {},
        "sprints": {},
    }


def ensure_project(state: StateDir, project_id: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    document = state.project(project_id)
    if document.exists():
        return
    try:
        document.create(new_document(project_id, clock.iso(clock.now())), timeout)
    except SudolangError as error:
        if not document.exists():  # lost a race to another creator: that is fine; anything else is not
            raise error


def document(state: StateDir, project_id: str) -> Document:
    """The project's document, which must exist: reading or changing a missing project is NotFound, naming
    how a project is made, and creates nothing (as for a missing session)."""
    project = state.project(project_id)
    if not project.exists():
        raise _no_project(project_id)
    return project


def _no_project(project_id: str) -> NotFound:
    return NotFound(f"no project {project_id!r} (a session created with --project {project_id} makes one)")


def _read(state: StateDir, project_id: str) -> dict:
    try:
        return document(state, project_id).read()
    except NotFound:  # removed between the check and the read
        raise _no_project(project_id) from None


def get_config(state: StateDir, project_id: str) -> dict:
    return _read(state, project_id).get("config", {})


def update_epic(state: StateDir, project_id: str, epic_id: str, status: str,
                timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Set an epic's status (an alias is stored as the status it stands for), creating the epic (and project)
    if needed; returns the epic."""
    check_id("epic", epic_id)
    status = epic_status(status)
    ensure_project(state, project_id, timeout)
    patch = {"id": epic_id, "status": status, "updated_at": clock.iso(clock.now())}
    ops = [{"op": "merge", "path": key_path("epics", epic_id), "value": patch}]
    return state.project(project_id).update(lambda doc: ops, timeout)["epics"][epic_id]


def epic_status(word: str) -> str:
    """The status `word` names: one of EPIC_STATUSES, or an alias of one (in_progress is active); else a UsageError."""
    status = EPIC_STATUS_ALIASES.get(word, word)
    if status not in EPIC_STATUSES:
        aliases = ", ".join(f"{alias} = {meant}" for alias, meant in EPIC_STATUS_ALIASES.items())
        raise UsageError(f"unknown epic status {word!r}; expected one of {', '.join(EPIC_STATUSES)} ({aliases})")
    return status


def list_sprints(state: StateDir, project_id: str, status: str | None = None) -> list[dict]:
    sprints = [{"id": k, **v} for k, v in _read(state, project_id).get("sprints", {}).items()]
    return [s for s in sprints if status is None or s.get("status") == status]


def get_sprint(state: StateDir, project_id: str, sprint_id: str) -> dict:
    check_id("sprint", sprint_id)
    sprint = _read(state, project_id).get("sprints", {}).get(sprint_id)
    if sprint is None:
        raise NotFound(f"no sprint {sprint_id!r} in project {project_id!r}")
    return {"id": sprint_id, **sprint}


def activate_sprint(state: StateDir, project_id: str, sprint_id: str, session_id: str,
                    timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Mark the sprint active (creating it if new), join the session to it, and record it as the session's work."""
    check_id("sprint", sprint_id)
    session = state.session(session_id)
    session.read()  # a missing or corrupt session fails before the project is touched
    ensure_project(state, project_id, timeout)
    at = clock.iso(clock.now())

    def plan(document: dict) -> list[dict]:
        sprint = document.get("sprints", {}).get(sprint_id) or {}
        sessions = sprint.get("sessions", [])
        patch = {"status": "active", "activated_at": sprint.get("activated_at", at),
                 "sessions": sessions + ([session_id] if session_id not in sessions else [])}
        return [{"op": "merge", "path": key_path("sprints", sprint_id), "value": patch}]

    result = state.project(project_id).update(plan, timeout)["sprints"][sprint_id]
    session.update(lambda doc: [
        {"op": "merge", "path": "$.active_work", "value": {"project": project_id, "sprint": sprint_id}},
        event_op("sprint_activated", at, project=project_id, sprint=sprint_id),
    ], timeout)
    return {"id": sprint_id, **result}


def list_tools(state: StateDir) -> list[dict]:
    """The tool registry, <state-dir>/tools.json (an older sudolang kept it as shared/tools.json, where it
    read as project 'tools': that place is still read while it holds a JSON list), else the built-in list."""
    from sudolang import safe_files
    from sudolang.errors import CorruptState

    for path in (state.tools, state.legacy_tools):
        if path == state.legacy_tools and not state.has_legacy_tools():
            continue
        try:
            raw = safe_files.read_bytes(path, TOOLS_LIMIT, "tool registry")
        except FileNotFoundError:
            continue
        try:
            tools = json_text.loads(raw)
        except (ValueError, RecursionError) as error:
            raise CorruptState(f"{path} is corrupt (invalid JSON: {error}); fix or delete it") from None
        if not isinstance(tools, list):
            raise CorruptState(f"{path} is corrupt (not a JSON list of tools); fix or delete it")
        return tools
    return DEFAULT_TOOLS


def recover(state: StateDir, project_id: str, timeout: float = DEFAULT_TIMEOUT):
    check_id("project", project_id)
    return state.project(project_id).recover(timeout)
