"""The `state`, `session` and `shared` commands: the plan's three state scripts as one CLI."""

from __future__ import annotations

import re
import sys

from sudolang.errors import UsageError
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, find_state_dir

MODES = ("development", "leadership", "sprint", "config")
MAX_TTL = 100 * 366 * 86400

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
    """--timeout (checked finite and not negative where the command line was read), else the default."""
    return getattr(args, "timeout", DEFAULT_TIMEOUT)


def ttl_seconds(text: str) -> int:
    """--ttl: whole seconds, at most MAX_TTL (a larger one would overflow the expiry's date)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--ttl must be a whole number of seconds (got {text[:40]!r})") from None
    if value > MAX_TTL:
        raise argparse.ArgumentTypeError(f"--ttl must be at most {MAX_TTL} seconds (100 years)")
    return value  # 0 and below: sessions.create says why


def emit(value: object, raw: bool = False) -> None:
    from sudolang.state.store import encode

    if raw and isinstance(value, str):
        sys.stdout.write(value + "\n")
    else:
        sys.stdout.write(encode(value))


# A VALUE that is meant as JSON: an object, array or string, true/false/null, or anything shaped like a
# number (JSON's own number grammar, or NaN/Infinity). `007`, `1.2.3` and `2025-03-01` are not: plain text.
_MEANT_AS_JSON = re.compile(r"""\s*(?:[{\["]|(?:true|false|null)\s*$|-?(?:NaN|Infinity)\s*$"""
                            r"""|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\s*$)""")
BATCH_LIMIT = 16 * 1024 * 1024  # bytes of batch operations read at most


def parse_value(text: str, what: str = "VALUE") -> object:
    """`state set`'s VALUE: JSON when it is meant as JSON (see _MEANT_AS_JSON), and then it must be valid
    strict JSON; any other text is stored as that string (so `done` needs no quotes)."""
    if _MEANT_AS_JSON.match(text):
        return parse_json(text, what)
    from sudolang import json_input

    return json_input.check_value(text, what)


def parse_json(text: str | bytes, what: str) -> object:
    """Strict JSON from the command line or a file (sudolang.json_input): a UsageError says what is wrong."""
    from sudolang import json_input

    return json_input.loads(text, what)


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


def read_input(name: str, limit: int = BATCH_LIMIT) -> bytes:
    """The bytes of FILE, or of standard input for `-`: at most `limit`, a regular file only (a FIFO or a
    device is refused rather than waited on). A link the user typed is followed."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(limit + 1) if stream is not None else b""
        data = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        if len(data) > limit:
            raise UsageError(f"standard input is over {limit:,} bytes; the limit is {limit:,}")
        return data
    from sudolang.safe_files import read_bytes

    try:
        return read_bytes(name, limit, "FILE", follow=True)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def cmd_batch(args: argparse.Namespace) -> int:
    source = "standard input" if args.file == "-" else args.file
    ops = parse_json(read_input(args.file), f"batch from {source}")
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
    "set": (cmd_set, "Set PATH to VALUE, creating missing parents. VALUE that looks like JSON (starts with "
            "{, [ or \", or is a number, true, false or null) must be valid JSON; any other text is stored as a "
            "string, so `done` needs no quotes. NaN, Infinity, 1e999 and integers over 4,300 digits are refused.",
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
        (("--ttl",), {"metavar": "SECONDS", "type": ttl_seconds, "default": 24 * 3600,
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
    "list-tools": (_shared("list_tools"), "List the tools sessions can call (<state-dir>/tools.json).", ()),
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
