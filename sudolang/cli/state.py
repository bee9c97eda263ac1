"""The `state`, `session` and `shared` commands (the plan's three state scripts as one CLI): each reads its
arguments from the namespace, calls the state layer (sudolang.state.sessions, shared, store) and prints.
Its arguments are described in sudolang.cli.spec."""

from __future__ import annotations

import sys

from sudolang.errors import UsageError
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, project_state_dir
from sudolang.wording import count

TYPE_CHECKING = False  # annotations only: importing `typing` at run time costs ~5 ms of start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    from sudolang.cli import Args
    from sudolang.state.store import Document

    Opener = Callable[[Args], Document]  # the document a path command acts on, from its arguments


# --- helpers -------------------------------------------------------------------------------------


def state_dir(args: Args) -> StateDir:
    """The state in the store chosen: --store, $SUDOLANG_STORE, .claude/sudolang.json, else files (state.stores);
    outside a project (no --state-dir) a NotFound saying to run init, whichever the store."""
    from sudolang.state.stores import open_state

    return open_state(project_state_dir(getattr(args, "state_dir", None)), getattr(args, "store", None))


def timeout(args: Args) -> float:
    """--timeout (checked finite and not negative where the command line was read), else the default."""
    return getattr(args, "timeout", DEFAULT_TIMEOUT)


def emit(value: object, raw: bool = False) -> None:
    from sudolang.state.store import encode

    if raw and isinstance(value, str):
        sys.stdout.write(value + "\n")
    else:
        sys.stdout.write(encode(value, flat_lines=False))


BATCH_LIMIT = 16 * 1024 * 1024  # bytes of batch operations read at most


def parse_value(text: str, what: str = "VALUE") -> object:
    """`state set`'s VALUE: JSON when it is meant as JSON (see meant_as_json), and then it must be valid
    strict JSON; any other text is stored as that string (so `done` needs no quotes)."""
    if meant_as_json(text):
        try:
            return parse_json(text, what)
        except UsageError as error:
            import json

            raise UsageError(f"{error.message}; to store it as text, give it as a JSON string: "
                             f"{json.dumps(text, ensure_ascii=False)[:80]}") from None
    from sudolang import json_input

    return json_input.check_value(text, what)


def meant_as_json(text: str) -> bool:
    """Whether a VALUE is meant as JSON: an object, array or string, true/false/null, or anything shaped like a
    number (JSON's own number grammar, or NaN/Infinity), with whitespace around it. `007`, `1.2.3` and
    `2025-03-01` are not: plain text. (Read without `re`, which would cost ~4 ms of every `state set`.)"""
    body = text.lstrip()
    if body[:1] in ("{", "[", '"'):  # ("" for an empty text is in none of them)
        return True
    word = body.rstrip()
    return word in ("true", "false", "null", "NaN", "-NaN", "Infinity", "-Infinity") or _json_number(word)


def _json_number(word: str) -> bool:
    """-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?"""
    mantissa, e, power = word.replace("E", "e").partition("e")
    if e and not _digits(power[1:] if power[:1] in ("+", "-") else power):
        return False
    whole, dot, fraction = mantissa.removeprefix("-").partition(".")
    if dot and not _digits(fraction):
        return False
    return _digits(whole) and (whole == "0" or whole[0] != "0")


def _digits(text: str) -> bool:
    return bool(text) and all(c in "0123456789" for c in text)


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
        (r["id"], r["mode"] or "-", r["project"] or "-", (r["status"] or "-") + (" (expired)" if r["expired"] else ""),
         r["last_activity"] or "-", r["expiry"] or "-")
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


# --- get, set, merge, delete and batch by JSONPath: `state` on a session's document, `shared` on a project's ----


def session_document(args: Args) -> Document:
    return state_dir(args).session(args.sid)


def project_document(args: Args) -> Document:
    """The project P's document; a missing project is NotFound and nothing is created (as for a session)."""
    from sudolang.state import shared

    return shared.document(state_dir(args), args.project)


def get_by_path(args: Args, open_document: Opener) -> int:
    from sudolang.errors import NOT_FOUND, NotFound
    from sudolang.jsonpath import compile_path, find

    path = compile_path(args.path)
    document = open_document(args)
    matches = [value for _, value in find(document.read(), path)]
    if path.singular:
        if not matches:
            raise NotFound(f"nothing at {args.path!r} in {document.label}")
        emit(matches[0], args.raw)
        return 0
    emit(matches)
    return 0 if matches else NOT_FOUND


def write_by_path(args: Args, open_document: Opener, ops: list[dict]) -> dict:
    """Apply `ops` to the document under its lock, all or none (logged in its event log); every operation is
    checked first, so a bad one is a usage error before the document is opened."""
    from sudolang.jsonpath import check_op

    for index, op in enumerate(ops):
        check_op(op, index if len(ops) > 1 else None)
    return open_document(args).update(lambda doc: ops, timeout(args))


def set_by_path(args: Args, open_document: Opener) -> int:
    write_by_path(args, open_document, [{"op": "set", "path": args.path, "value": parse_value(args.value)}])
    return 0


def merge_by_path(args: Args, open_document: Opener) -> int:
    write_by_path(args, open_document, [{"op": "merge", "path": args.path, "value": parse_json(args.json, "JSON")}])
    return 0


def delete_by_path(args: Args, open_document: Opener) -> int:
    write_by_path(args, open_document, [{"op": "delete", "path": args.path}])
    return 0


def batch_by_path(args: Args, open_document: Opener) -> int:
    source = "standard input" if args.file == "-" else args.file
    ops = parse_json(read_input(args.file), f"batch from {source}")
    if not isinstance(ops, list) or not ops:
        raise UsageError("a batch is a non-empty JSON array of {op, path, value} objects")
    document = write_by_path(args, open_document, ops)
    emit({"applied": len(ops), "revision": document["revision"]})
    return 0


def on(open_document: Opener, action: Callable[[Args, Opener], int]) -> Callable[[Args], int]:
    """The handler running `action` on the document `open_document` names."""
    return lambda args: action(args, open_document)


# The handlers spec.py names (GROUP_ACTION): `state ACTION SID …` and `shared ACTION P …`, one implementation above.
BY_PATH = (get_by_path, set_by_path, merge_by_path, delete_by_path, batch_by_path)
state_get, state_set, state_merge, state_delete, state_batch = (on(session_document, action) for action in BY_PATH)
shared_get, shared_set, shared_merge, shared_delete, shared_batch = (on(project_document, action) for action in BY_PATH)


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


def list_sessions(args: Args) -> int:
    from sudolang.state import sessions

    print_sessions(sessions.list_sessions(state_dir(args)), args.json)
    return 0


def cleanup_expired(args: Args) -> int:
    from sudolang.state import sessions

    ids = sessions.cleanup_expired(state_dir(args), args.dry_run, timeout(args))
    if args.json:
        emit({"dry_run": args.dry_run, "archived": ids})
        return 0
    verb = "would archive" if args.dry_run else "archived"
    for session_id in ids:
        print(f"{verb} {session_id}")
    print(f"{verb} {count(len(ids), 'expired session')}", file=sys.stderr)
    return 0


# --- session -------------------------------------------------------------------------------------


def create(args: Args) -> int:
    from sudolang.state import sessions

    print(sessions.create(state_dir(args), args.mode, args.project, args.ttl, timeout(args)))
    return 0


def heartbeat(args: Args) -> int:
    from sudolang.state import sessions

    document = sessions.heartbeat(state_dir(args), args.sid, timeout(args))
    lifecycle = document["session"]["lifecycle"]
    if args.json:
        emit({"id": args.sid, "status": lifecycle.get("status"), "last_activity": lifecycle.get("last_activity"),
              "expiry": lifecycle["expiry"]})
        return 0
    print(lifecycle["expiry"])
    return 0


def handoff(args: Args) -> int:
    from sudolang.state import sessions

    moved = sessions.handoff(state_dir(args), args.source, args.target, timeout(args))
    if args.json:
        emit(moved)  # {from, to, active_work, tasks}
        return 0
    work = ", ".join(f"{k}={v}" for k, v in moved["active_work"].items()) or "no active work"
    print(f"handed off {work} and {count(len(moved['tasks']), 'open task')} from {args.source} to {args.target}; "
          f"{args.source} is completed")
    return 0


def list_(args: Args) -> int:
    from sudolang.state import sessions

    print_sessions(sessions.list_sessions(state_dir(args), args.active, args.project), args.json)
    return 0


def recover_session(args: Args) -> int:
    from sudolang.state import sessions

    return _print_recovery(args, sessions.recover(state_dir(args), args.id, timeout(args)))


def recover_project(args: Args) -> int:
    from sudolang.state import shared

    return _print_recovery(args, shared.recover(state_dir(args), args.id, timeout(args)))


def _print_recovery(args: Args, report) -> int:
    if args.json:
        emit({"id": args.id, "revision": report.revision, "actions": report.actions, "lost": report.lost})
        return 0
    for line in report.actions:
        print(line)
    for line in report.lost:
        print(f"lost: {line}")
    return 0


# --- shared --------------------------------------------------------------------------------------


def _shared(function_name: str, args, *fields: str, writes: bool = False) -> int:
    """Call shared.<function_name>(state, *args.<fields>) and print its JSON result."""
    from sudolang.state import shared

    extra = {"timeout": timeout(args)} if writes else {}
    emit(getattr(shared, function_name)(state_dir(args), *(getattr(args, f) for f in fields), **extra))
    return 0


def get_config(args) -> int:
    return _shared("get_config", args, "project")


def update_epic(args) -> int:
    return _shared("update_epic", args, "project", "epic", "status", writes=True)


def list_sprints(args) -> int:
    return _shared("list_sprints", args, "project", "status")


def list_tools(args) -> int:
    return _shared("list_tools", args)


def activate_sprint(args) -> int:
    return _shared("activate_sprint", args, "project", "sprint", "session", writes=True)


def get_sprint(args) -> int:
    return _shared("get_sprint", args, "project", "sprint")
