"""The `state`, `session` and `shared` commands: the plan's three state scripts as one CLI."""

from __future__ import annotations

import json
import sys

from sudolang.errors import UsageError
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, find_state_dir

MODES = ("development", "leadership", "sprint", "config")

STATE_EXAMPLES = """\
examples:
  sudolang state get SID '$'                          # the whole document
  sudolang state get SID session.lifecycle.status     # one value ('$.' is optional)
  sudolang state get SID '$.execution.tasks[?(@.status=="todo")]'   # filter -> array
  sudolang state set SID tasks.task-001.status done   # creates missing parents
  sudolang state merge SID active_work '{"sprint": "sprint-001"}'
  echo '[{"op":"incr","path":"metrics.builds"}]' | sudolang state batch SID -
batch operations: set, merge, delete, incr (value defaults to 1), append (optional limit)."""


# --- helpers -------------------------------------------------------------------------------------


def state_dir(args: argparse.Namespace) -> StateDir:
    return StateDir(find_state_dir(getattr(args, "state_dir", None)))


def timeout(args: argparse.Namespace) -> float:
    return getattr(args, "timeout", DEFAULT_TIMEOUT)


def emit(value: object, raw: bool = False) -> None:
    from sudolang.state.store import encode

    if raw and isinstance(value, str):
        sys.stdout.write(value + "\n")
    else:
        sys.stdout.write(encode(value))


def parse_value(text: str) -> object:
    """JSON when it parses, else the text itself as a string (so `done` needs no quotes)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_json(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        raise UsageError(f"{what} is not valid JSON ({error}): {text[:80]!r}") from None


def print_sessions(rows: list[dict], as_json: bool) -> None:
    if as_json:
        emit(rows)
        return
    if not rows:
        print("no sessions", file=sys.stderr)
        return
    header = ("ID", "MODE", "PROJECT", "STATUS", "LAST ACTIVITY", "EXPIRY")
    cells = [header] + [
        (r["id"], r["mode"] or "-", r["project"] or "-", r["status"] + (" (expired)" if r["expired"] else ""),
         r["last_activity"] or "-", r["expiry"] or "-")
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


# --- state ---------------------------------------------------------------------------------------


def cmd_get(args: argparse.Namespace) -> int:
    from sudolang.errors import NOT_FOUND, NotFound
    from sudolang.state.jsonpath import compile_path, find

    path = compile_path(args.path)
    document = state_dir(args).session(args.sid).read()
    matches = [value for _, value in find(document, path)]
    if path.singular:
        if not matches:
            raise NotFound(f"nothing at {args.path!r} in session {args.sid!r}")
        emit(matches[0], args.raw)
        return 0
    emit(matches)
    return 0 if matches else NOT_FOUND


def _write(args: argparse.Namespace, ops: list[dict]) -> dict:
    from sudolang.state.jsonpath import check_op

    for index, op in enumerate(ops):
        check_op(op, index if len(ops) > 1 else None)
    return state_dir(args).session(args.sid).update(lambda doc: ops, timeout(args))


def cmd_set(args: argparse.Namespace) -> int:
    _write(args, [{"op": "set", "path": args.path, "value": parse_value(args.value)}])
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    _write(args, [{"op": "merge", "path": args.path, "value": parse_json(args.json, "JSON")}])
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    _write(args, [{"op": "delete", "path": args.path}])
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    source = "standard input" if args.file == "-" else args.file
    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None
    ops = parse_json(text, f"batch from {source}")
    if not isinstance(ops, list) or not ops:
        raise UsageError("a batch is a non-empty JSON array of {op, path, value} objects")
    document = _write(args, ops)
    emit({"applied": len(ops), "revision": document["revision"]})
    return 0


def cmd_list_sessions(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    print_sessions(sessions.list_sessions(state_dir(args)), args.json)
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    ids = sessions.cleanup_expired(state_dir(args), args.dry_run, timeout(args))
    verb = "would archive" if args.dry_run else "archived"
    for session_id in ids:
        print(f"{verb} {session_id}")
    print(f"{verb} {len(ids)} expired session(s)", file=sys.stderr)
    return 0


# --- session -------------------------------------------------------------------------------------


def cmd_create(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    print(sessions.create(state_dir(args), args.mode, args.project, args.ttl, timeout(args)))
    return 0


def cmd_heartbeat(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    document = sessions.heartbeat(state_dir(args), args.sid, timeout(args))
    print(document["session"]["lifecycle"]["expiry"])
    return 0


def cmd_handoff(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    moved = sessions.handoff(state_dir(args), args.source, args.target, timeout(args))
    work = ", ".join(f"{k}={v}" for k, v in moved["active_work"].items()) or "no active work"
    print(f"handed off {work} and {len(moved['tasks'])} open task(s) from {args.source} to {args.target}; "
          f"{args.source} is completed")
    return 0


def cmd_session_list(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    print_sessions(sessions.list_sessions(state_dir(args), args.active, args.project), args.json)
    return 0


def cmd_recover_session(args: argparse.Namespace) -> int:
    from sudolang.state import sessions

    return _print_recovery(sessions.recover(state_dir(args), args.id, timeout(args)))


def cmd_recover_project(args: argparse.Namespace) -> int:
    from sudolang.state import shared

    return _print_recovery(shared.recover(state_dir(args), args.id, timeout(args)))


def _print_recovery(report) -> int:
    for line in report.actions:
        print(line)
    for line in report.lost:
        print(f"lost: {line}")
    return 0


# --- shared --------------------------------------------------------------------------------------


def _shared(function_name: str, *fields: str, writes: bool = False):
    """A handler calling shared.<function_name>(state, *args.<fields>) and printing its JSON result."""

    def handler(args: argparse.Namespace) -> int:
        from sudolang.state import shared

        extra = {"timeout": timeout(args)} if writes else {}
        emit(getattr(shared, function_name)(state_dir(args), *(getattr(args, f) for f in fields), **extra))
        return 0

    return handler


# --- the command table -----------------------------------------------------------------------------
# group -> (help, epilog, {action: (handler, help, arguments)}); sudolang.cli builds argparse from it,
# and only the parts a given command line needs, because building every parser costs ~35 ms.

SID = (("sid",), {"metavar": "SID", "help": "session id"})
PATH = (("path",), {"metavar": "PATH", "help": "JSONPath; the leading '$.' is optional"})
AS_JSON = (("--json",), {"action": "store_true", "help": "print JSON instead of a table"})
PROJECT = (("project",), {"metavar": "P", "help": "project id"})
SPRINT = (("sprint",), {"metavar": "SPRINT", "help": "sprint id"})

STATE = {
    "get": (cmd_get, "Print the value at PATH; a filter or wildcard prints a JSON array of matches.",
            (SID, PATH, (("--raw",), {"action": "store_true", "help": "print a string value without quotes"}))),
    "set": (cmd_set, "Set PATH to VALUE (JSON, else a plain string), creating missing parents.",
            (SID, PATH, (("value",), {"metavar": "VALUE"}))),
    "merge": (cmd_merge, "Deep-merge a JSON object into the object at PATH.",
              (SID, PATH, (("json",), {"metavar": "JSON"}))),
    "delete": (cmd_delete, "Remove the value at PATH (every match, for a filter).", (SID, PATH)),
    "batch": (cmd_batch, "Apply a JSON array of {op, path, value} under one lock: all or nothing.",
              (SID, (("file",), {"metavar": "FILE|-", "help": "a file of operations, or - for standard input"}))),
    "list-sessions": (cmd_list_sessions, "List every session.", (AS_JSON,)),
    "cleanup-expired": (cmd_cleanup, "Archive expired sessions to sessions/archive/ (never deleted).",
                        ((("--dry-run",), {"action": "store_true", "help": "only list what would be archived"}),)),
}

SESSION = {
    "create": (cmd_create, "Create a session and print only its id.", (
        (("--mode",), {"required": True, "choices": MODES}),
        (("--project",), {"metavar": "P", "help": "project the session works on (created if new)"}),
        (("--ttl",), {"metavar": "SECONDS", "type": int, "default": 24 * 3600,
                      "help": "seconds without a heartbeat before the session expires (default 86400)"}))),
    "heartbeat": (cmd_heartbeat, "Record activity now and push the expiry out; prints the new expiry.", (SID,)),
    "handoff": (cmd_handoff, "Move active work and open tasks from FROM to TO; FROM is marked completed.",
                ((("source",), {"metavar": "FROM"}), (("target",), {"metavar": "TO"}))),
    "list": (cmd_session_list, "List sessions, most recently active first.", (
        (("--active",), {"action": "store_true", "help": "only active, unexpired sessions"}),
        (("--project",), {"metavar": "P"}), AS_JSON)),
    "recover": (cmd_recover_session, "After a crash: sweep unfinished writes and, if the document is damaged, "
                "rebuild it from its backup and event log; reports what was lost.", ((("id",), {"metavar": "SID"}),)),
}

SHARED = {
    "get-config": (_shared("get_config", "project"), "Print the project's configuration.", (PROJECT,)),
    "update-epic": (_shared("update_epic", "project", "epic", "status", writes=True),
                    "Set an epic's status (the epic is created if new).", (
                        PROJECT, (("epic",), {"metavar": "EPIC"}),
                        (("--status",), {"required": True, "metavar": "S",
                                         "help": "planned, active, blocked, completed or cancelled"}))),
    "list-sprints": (_shared("list_sprints", "project", "status"), "List the project's sprints.",
                     (PROJECT, (("--status",), {"metavar": "S", "help": "only sprints with this status"}))),
    "list-tools": (_shared("list_tools"), "List the tools sessions can call (shared/tools.json).", ()),
    "activate-sprint": (_shared("activate_sprint", "project", "sprint", "session", writes=True),
                        "Mark a sprint active (created if new) and make it the session's active work.",
                        (PROJECT, SPRINT, (("--session",), {"required": True, "metavar": "SID"}))),
    "get-sprint": (_shared("get_sprint", "project", "sprint"), "Print one sprint.", (PROJECT, SPRINT)),
    "recover": (cmd_recover_project, "Rebuild a damaged project document from its backup and event log.",
                ((("id",), {"metavar": "P"}),)),
}

GROUPS = {
    "state": ("Query and change a session's JSON document by JSONPath.", STATE_EXAMPLES, STATE),
    "session": ("Create, keep alive, hand off, list and recover sessions.", "", SESSION),
    "shared": ("Project state shared by all sessions: config, epics, sprints, tools.", "", SHARED),
}
