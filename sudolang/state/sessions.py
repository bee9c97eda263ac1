"""Session lifecycle: create, heartbeat, hand off, list, archive the expired, recover after a crash."""

from __future__ import annotations

from sudolang.errors import CorruptState, NotFound, SudolangError, UsageError
from sudolang.safe_files import UnsafePath
from sudolang.state import clock
from sudolang.state.events import EVENT_LIMIT, event_op  # noqa: F401  (re-exported: actions and triggers use it)
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, check_id, key_path
from sudolang.state.store import Recovery

TYPE_CHECKING = False  # annotations only: datetime loads with the clock's first reading
if TYPE_CHECKING:
    from datetime import datetime

MODES = ("development", "leadership", "sprint", "config")
DEFAULT_TTL = 24 * 3600
DONE_STATUSES = frozenset({"done", "completed", "cancelled"})


def new_document(session_id: str, mode: str, project: str | None, ttl: int, moment: datetime) -> dict:
    at = clock.iso(moment)
    return {
        "session": {
            "id": session_id,
            "mode": mode,
            "project": project,
            "created_at": at,
            "lifecycle": {
                "status": "active",
                "last_activity": at,
                "expiry": clock.iso(clock.later(moment, ttl)),
                "ttl_seconds": ttl,
            },
        },
        "active_work": {},
        "execution": {"agents": {}, "tasks": {}, "workflows": {}},
        "observability": {"metrics": {}, "events": [{"at": at, "type": "session_created", "mode": mode}]},
    }


def create(state: StateDir, mode: str, project: str | None = None, ttl: int = DEFAULT_TTL,
           timeout: float = DEFAULT_TIMEOUT) -> str:
    """Create a session and return its id; the project's shared document is created if missing."""
    from sudolang.state.ids import new_id

    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if ttl <= 0:
        raise UsageError(f"--ttl must be a positive number of seconds, got {ttl}")
    if project is not None:
        from sudolang.state import shared

        shared.ensure_project(state, project, timeout)
    session_id = new_id()
    state.session(session_id).create(new_document(session_id, mode, project, ttl, clock.now()), timeout)
    return session_id


def heartbeat_ops(document: dict, moment: datetime) -> list[dict]:
    """A heartbeat at `moment`: alive now, expiry pushed out by the ttl, a paused session becomes active.
    The hook router adds these to the other changes of its event, in one write."""
    lifecycle = (document.get("session") or {}).get("lifecycle") or {}
    ttl = int(lifecycle.get("ttl_seconds", DEFAULT_TTL))
    ops = [
        {"op": "set", "path": "$.session.lifecycle.last_activity", "value": clock.iso(moment)},
        {"op": "set", "path": "$.session.lifecycle.expiry", "value": clock.iso(clock.later(moment, ttl))},
    ]
    if lifecycle.get("status") == "paused":
        ops.append({"op": "set", "path": "$.session.lifecycle.status", "value": "active"})
    return ops


def heartbeat(state: StateDir, session_id: str, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Mark the session alive now and push its expiry out by its ttl; a paused session becomes active."""
    return state.session(session_id).update(lambda document: heartbeat_ops(document, clock.now()), timeout)


def handoff(state: StateDir, source_id: str, target_id: str, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Move active work and open tasks from source to target; mark source completed. Returns what moved."""
    if source_id == target_id:
        raise UsageError("cannot hand a session off to itself")
    source, target = state.session(source_id), state.session(target_id)
    first, second = sorted((source, target), key=lambda d: d.path.name)  # one lock order: no deadlock
    with first.lock(timeout), second.lock(timeout):
        source_document, target_document = source.read(), target.read()  # missing or corrupt: nothing written
        for document, role in ((source_document, "source"), (target_document, "target")):
            refuse_closed(document, role)
        moving = _work_to_move(source_document)
        at = clock.iso(clock.now())
        # Target first: a crash between the two writes duplicates work rather than losing it.
        target.update_locked(lambda doc: _receive(doc, moving, source_id, at))
        source.update_locked(lambda doc: _release(moving, target_id, at))
    return {"from": source_id, "to": target_id, "active_work": moving["active_work"], "tasks": sorted(moving["tasks"])}


def refuse_closed(document: dict, role: str = "session") -> None:
    """A completed session stays closed: handing off from or to it, or acting in it, is refused (exit 1)."""
    session = document.get("session")
    session = session if isinstance(session, dict) else {}
    lifecycle = session.get("lifecycle")
    lifecycle = lifecycle if isinstance(lifecycle, dict) else {}
    if lifecycle.get("status") == "completed":
        where = f" to {lifecycle.get('handed_off_to')}" if lifecycle.get("handed_off_to") else ""
        raise SudolangError(f"the {role} session {session.get('id', '')} is completed (handed off{where}); "
                            "a completed session stays closed: use an active one (sudolang session list --active)")


def _work_to_move(document: dict) -> dict:
    tasks = document.get("execution", {}).get("tasks", {})
    open_tasks = {k: v for k, v in tasks.items() if not (isinstance(v, dict) and v.get("status") in DONE_STATUSES)}
    return {"active_work": document.get("active_work") or {}, "tasks": open_tasks}


def _receive(document: dict, moving: dict, source_id: str, at: str) -> list[dict]:
    ops = [{"op": "merge", "path": "$.active_work", "value": moving["active_work"]}]
    ops += [{"op": "set", "path": key_path("execution", "tasks", k), "value": v} for k, v in moving["tasks"].items()]
    ops.append(event_op("handoff_in", at, **{"from": source_id, "tasks": sorted(moving["tasks"])}))
    return ops + heartbeat_ops(document, clock.parse(at))  # receiving work is activity: the expiry moves too


def _release(moving: dict, target_id: str, at: str) -> list[dict]:
    ops: list[dict] = [{"op": "delete", "path": key_path("execution", "tasks", k)} for k in moving["tasks"]]
    ops.append({"op": "set", "path": "$.active_work", "value": {}})
    ops.append({"op": "set", "path": "$.session.lifecycle.status", "value": "completed"})
    ops.append(event_op("handoff_out", at, to=target_id, tasks=sorted(moving["tasks"])))
    return ops


def summary(document: dict, moment: datetime) -> dict:
    """The one-line facts about a session that `list` shows. A user may have set any of them to anything
    (`state set SID session.lifecycle.status null`), so each is text or None, never another type."""
    session = _object(document.get("session"))
    lifecycle = _object(session.get("lifecycle"))
    return {
        "id": _text(session.get("id")),
        "mode": _text(session.get("mode")),
        "project": _text(session.get("project")),
        "status": _text(lifecycle.get("status")),
        "last_activity": _text(lifecycle.get("last_activity")),
        "expiry": _text(lifecycle.get("expiry")),
        "expired": _expired(lifecycle, moment),
    }


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    """A field as the listing shows it: a string as it is, None as None, anything else as its JSON."""
    if value is None or isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def _expired(lifecycle: dict, moment: datetime) -> bool:
    try:
        return clock.parse(lifecycle["expiry"]) <= moment
    except (KeyError, TypeError, ValueError):
        return False


def list_sessions(state: StateDir, active: bool = False, project: str | None = None) -> list[dict]:
    """Every session's summary, newest activity first; a corrupt file is listed as such, not skipped."""
    moment = clock.now()
    rows = []
    for session_id in state.session_ids():
        try:
            # The file's id, which every command takes, whatever the document now says its id is.
            row = {**summary(state.session(session_id).read(), moment), "id": session_id}
        except (CorruptState, NotFound, UsageError, UnsafePath) as error:
            row = {"id": session_id, "mode": None, "project": None,
                   "status": "unsafe link" if isinstance(error, UnsafePath) else "corrupt",
                   "last_activity": None, "expiry": None, "expired": False}
        rows.append(row)
    if project is not None:
        rows = [r for r in rows if r["project"] == project]
    if active:
        rows = [r for r in rows if r["status"] == "active" and not r["expired"]]
    return sorted(rows, key=lambda r: r["last_activity"] or "", reverse=True)


def cleanup_expired(state: StateDir, dry_run: bool = False, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """Archive every expired session (document, backup and log) under sessions/archive/; returns their ids.
    The archive folder must not be a symbolic link; the files are moved by rename, which never follows one."""
    expired = [r["id"] for r in list_sessions(state) if r["expired"]]
    if dry_run:
        return expired
    return [sid for sid in expired if _archive(state, sid, timeout)]


def _archive(state: StateDir, session_id: str, timeout: float) -> bool:
    document = state.session(session_id)
    with document.lock(timeout):
        try:  # checked again under the lock: a heartbeat may have arrived since listing
            if not _expired(document.read()["session"]["lifecycle"], clock.now()):
                return False
        except (NotFound, KeyError):
            return False
        document.archive()  # files: moved to sessions/archive/ (store.Document.archive)
    return True


def recover(state: StateDir, session_id: str, timeout: float = DEFAULT_TIMEOUT) -> Recovery:
    check_id("session", session_id)
    return state.session(session_id).recover(timeout)


LISTED = 5  # sessions named when several are active and none was chosen


def only_active(state: StateDir, project: str | None = None) -> str | None:
    """The one active session (of `project`, when given), or None when there is none. When several are,
    a UsageError names them, the most recent first, and how to choose: taking the most recent would act
    in another terminal's, or a Claude Code session's, name."""
    rows = list_sessions(state, active=True, project=project)
    if len(rows) <= 1:
        return rows[0]["id"] if rows else None
    shown = ", ".join(f"{row['id']} ({row['mode'] or '-'}, last active {row['last_activity'] or '-'})"
                      for row in rows[:LISTED])
    more = f" and {len(rows) - LISTED} more" if len(rows) > LISTED else ""
    where = f" in project {project!r}" if project else ""
    raise UsageError(f"{len(rows)} active sessions{where}, so none is taken for you: {shown}{more}; choose one "
                     "with --session SID (or export SUDOLANG_SESSION=SID)")
