"""One JSON document on disk: lock-free reads, locked read-modify-write, atomic durable writes, backup, event log, recovery.

Files beside a document `X.json` (X is a vetted id: it starts with a letter or digit):
  X.lock                  the lock every writer takes (never the document itself)
  X.json.bak              the previous good version (a hard link to the replaced inode: no copy)
  X.events.jsonl          one line per committed change: {"revision", "at", "ops"}; replayable.
                          A line with "checkpoint": true holds the whole document (its one op sets '$')
  .X.json.<hex>.tmp       a write in progress (also .X.json.bak.<hex>.tmp, .X.events.jsonl.<hex>.tmp);
                          left behind only by a killed writer, never read, swept by the next lock holder
None of them is ever opened through a symbolic link (sudolang.safe_files): a link planted at any of
these names, or at the folder holding them, is refused with an error naming it, and nothing is written.

A write, under the lock, goes write-ahead:
  1. the new document goes to a fresh temp file (O_EXCL, random name), fsynced;
  2. its record is appended to the event log and fsynced. This is the commit point. A torn last line
     (a writer killed mid-append) is cut off first, so records never glue, and a last record as new as
     this one (its writer was killed before step 4, so it never reported success) is dropped;
  3. the old document is hard-linked as the backup;
  4. the temp file is renamed over the document, and the folder fsynced.
If step 1 or 2 fails (a full disk, EFBIG, an immutable log) nothing has changed: the log is cut back to
its old length, the temp file is removed, and the error names the file (exit 1), so a retry applies the
change once. If step 3 or 4 fails the log is cut back the same way. Only a failed fsync of the folder
after the rename (the change is in and logged) is reported as success with a warning on stderr.
The exit code therefore always says whether the change is in.

`revision` counts the writes and numbers the log's records; it belongs to the store. The new revision
is the stored one plus one, and a batch of operations that would change or remove it (`delete revision`,
`set revision`, a `set '$'` whose value lacks or alters it, `set '$..*'`) is refused as a UsageError
before anything is written: a root `set '$'` must carry the current revision, so a replace can never
restart the numbering that `recover` depends on.

The log is compacted once it passes max(1 MiB, 4 x the document): it is replaced (temp file, rename) by
one checkpoint record of the committed document. Recovery needs only the backup and the records after
it, or a checkpoint and the records after that; both survive compaction.
"""

from __future__ import annotations

import os
import sys

from sudolang import json_text, safe_files
from sudolang.errors import CorruptState, NotFound, SudolangError, UsageError
from sudolang.safe_files import as_path, clean
from sudolang.state.lock import DEFAULT_TIMEOUT, FileLock

TYPE_CHECKING = False  # annotations only: importing `typing` at run time costs ~5 ms of start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    Plan = Callable[[dict], list[dict]]  # (document) -> the operations to apply, run under the lock
    Vouch = Callable[[], bool] | None  # asked after a change: did it write only JSON data? (see _commit)

# How deep `encode` indents. Below the top level, a flat object (none of its members is an object: a task, an
# event, an agent) is written on one line, as is everything this deep: a person reads one task per line (and
# greps for it), and the C encoder writes each in one call. json.dumps with indent runs in pure Python, and
# indenting each task's members cost 3x a compact dump of a 10,000-task document; this costs about as much.
_PRETTY_DEPTH = 3
MAX_DOCUMENT = 1 << 30  # read_bytes' limit: far above any real document, below "fill the memory"
KEPT_FROM = 512 * 1024  # bytes: a document this large has its parse kept (sudolang.state.parsed, imported
# only then: a small read does without it)
COMPACT_FLOOR = 1 << 20  # the log is compacted past max(COMPACT_FLOOR, COMPACT_FACTOR x document)
COMPACT_FACTOR = 4
_RECORD_START = b'{"revision": '  # every log record starts so (log_line): its revision is read without parsing


def encode(document: Any, flat_lines: bool = True) -> str:
    """Readable JSON that stays fast: the top levels indented, each flat object on one line (_PRETTY_DEPTH);
    with `flat_lines` False, a flat object's members too (as `sudolang state get` prints a value).
    NaN and Infinity are refused (UsageError): nothing that is not JSON ever reaches the disk."""
    parts: list[str] = []
    try:
        _encode(document, 0, parts, flat_lines)
    except ValueError as error:
        raise UsageError(f"NaN and Infinity are not JSON, so sudolang neither stores nor prints them ({error})") from None
    except RecursionError:
        raise UsageError("this value is nested too deeply to write as JSON") from None
    parts.append("\n")
    return "".join(parts)


def dumps(value: object) -> str:
    """Compact JSON for a log record or a message, refusing NaN and Infinity like `encode`."""
    try:
        return json_text.dumps(value)
    except ValueError as error:
        raise UsageError(f"NaN and Infinity are not JSON, so sudolang neither stores nor prints them ({error})") from None
    except RecursionError:
        raise UsageError("this value is nested too deeply to write as JSON") from None


# json.dumps with options builds a new JSONEncoder (and a new C encoder) per call, and a 10,000-task document
# makes 10,000 calls: 100 ms against 27 ms with one encoder made once.
_CHUNKS = json_text.compact_encoder()  # (value, 0) -> the chunks of its compact text
_KEY = json_text.encode_string  # keys are strings: skip the encoder's dispatch (15% of an encode)


def _encode(value: Any, depth: int, parts: list[str], flat_lines: bool) -> None:
    """Append the text of `value`, which sits `depth` levels deep, to `parts`."""
    if depth >= _PRETTY_DEPTH or not value or not isinstance(value, (dict, list)) or (
            flat_lines and depth and type(value) is dict and dict not in map(type, value.values())):
        parts += _CHUNKS(value, 0)  # a scalar, an empty container, a flat object, or deep enough
        return
    following = ",\n" + "  " * (depth + 1)
    separator = following[1:]
    if isinstance(value, dict):
        parts.append("{")
        for key, member in value.items():
            parts.append(f"{separator}{_KEY(key)}: ")
            _encode(member, depth + 1, parts, flat_lines)
            separator = following
        parts.append("\n" + "  " * depth + "}")
    elif all(type(item) is str for item in value):  # a query's list of texts (2,500 titles: 0.8 -> 0.2 ms)
        parts += ("[", separator, following.join(map(_KEY, value)), "\n" + "  " * depth + "]")
    else:
        parts.append("[")
        for item in value:
            parts.append(separator)
            _encode(item, depth + 1, parts, flat_lines)
            separator = following
        parts.append("\n" + "  " * depth + "]")


def _now_text() -> str:
    """The clock's now as ISO text, for what a write stamps (a log record, a corrupt file's name, a checkpoint).
    The clock is imported here, not at the top: a read never needs it."""
    from sudolang.state import clock

    return clock.now_text()


def revision_of(document: dict) -> int | None:
    """The stored revision, or None when it is unreadable (not a whole number, 0 or more)."""
    value = document.get("revision")
    return value if type(value) is int and value >= 0 else None


def apply_plan(document: dict, plan: Plan, label: str) -> tuple[dict, str, list] | None:
    """The operations `plan` decides for `document`, applied all or none: (the new document, the operations as
    the log's JSON text, the operations), or None when there are none. Every store writes through here, so
    the rule that `revision` belongs to the store holds alike in each."""
    revision = revision_of(document)
    ops = plan(document)
    if not ops:
        return None
    logged = dumps(ops)  # before applying: later ops may mutate earlier values
    from sudolang.jsonpath import apply_op  # here: a command that only reads (a screen) does without it

    for op in ops:
        document = apply_op(document, op)
    if not isinstance(document, dict):
        raise UsageError(f"{label} must stay a JSON object; nothing was changed")
    after = document.get("revision")
    if revision is not None and (type(after) is not int or after != revision):
        raise UsageError(f"`revision` is kept by sudolang: it numbers the writes the event log replays, so an "
                         f"operation may not change or remove it (a `set '$'` must keep \"revision\": {revision});"
                         f" nothing was changed")
    return document, logged, ops


class Recovery:
    """What `recover` found and did, for the user to read."""

    def __init__(self) -> None:
        self.revision = 0
        self.actions: list[str] = []
        self.lost: list[str] = []


class PlannedWrites:
    """How a document is changed, alike in every store: under its lock, read it, apply the operations a plan
    decides (or a change made in place), and commit it as the next revision. A store's document class gives
    lock(), read() and _commit(); this class gives update(), update_locked(), change() and commit_changed()."""

    label: str

    def lock(self, timeout: float = DEFAULT_TIMEOUT) -> Any:
        raise NotImplementedError

    def read(self, keep: bool = True) -> dict:
        raise NotImplementedError

    def _commit(self, document: dict, logged: str, revision: int | None, *, keep: Vouch = None) -> None:
        """Write `document`; `keep`, when given, says (asked only for a large document) that it holds only
        JSON data (sudolang.json_text.json_data), so its parse may be kept for later reads."""
        raise NotImplementedError

    def update(self, plan: Plan, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Under the lock: read, let `plan` decide the operations, apply them all or none, write."""
        with self.lock(timeout):
            return self.update_locked(plan)

    def update_locked(self, plan: Plan) -> dict:
        """`update` for a caller that already holds this document's lock."""
        document = self.read(keep=False)
        revision = revision_of(document)
        planned = apply_plan(document, plan, self.label)
        if planned is None:
            return document
        document, logged, ops = planned
        self._commit(document, logged, revision, keep=lambda: json_text.json_data(ops))
        return document

    def change(self, change: "Callable[[dict], str | None]", timeout: float = DEFAULT_TIMEOUT,
               keep: Vouch = None) -> dict:
        """Under the lock: read, let `change` modify the document in place and return the JSON text of the
        operations it applied (None: nothing changed), write. For a caller that applies its own operations
        as it goes (a compiled SudoLang command): the store does not apply them again. `keep`: the caller's
        word, asked after `change`, that it wrote only JSON data (see _commit)."""
        with self.lock(timeout):
            document = self.read(keep=False)
            revision = revision_of(document)
            logged = change(document)
            if logged is not None:
                self.commit_changed(document, logged, revision, keep)
            return document

    def commit_changed(self, document: dict, logged: str, revision: int | None, keep: Vouch = None) -> None:
        """Write a document already changed in place by the operations `logged` (JSON text), as the revision
        after `revision`; the caller holds the lock and read the document under it."""
        if revision is not None and document.get("revision") != revision:
            raise UsageError("`revision` is kept by sudolang; nothing was changed")
        self._commit(document, logged, revision, keep=keep)


class Document(PlannedWrites):
    """A state document at `path`; `label` and `recover_command` make error messages actionable.

    `root` is the state directory the user chose: every folder between it and the document is
    checked not to be a symbolic link (it may be one itself)."""

    def __init__(self, path: os.PathLike | str, label: str, recover_command: str,
                 root: os.PathLike | str | None = None) -> None:
        # Paths as text, joined with os.path (see StateDir: pathlib is ~7 ms of start-up); Path attributes
        # are made for the callers that ask for them.
        self.path_text = path = clean(os.fspath(path))
        self.label = label
        self.recover_command = recover_command
        folder, name = os.path.split(path)
        self.root_text = folder if root is None else clean(os.fspath(root))
        self._relative = _relative(folder, self.root_text)
        stem = name.removesuffix(".json")
        self.lock_text = os.path.join(folder, stem + ".lock")
        self.backup_text = path + ".bak"
        self.log_text = os.path.join(folder, stem + ".events.jsonl")

    path = property(lambda self: as_path(self.path_text))
    root = property(lambda self: as_path(self.root_text))
    lock_path = property(lambda self: as_path(self.lock_text))
    backup_path = property(lambda self: as_path(self.backup_text))
    log_path = property(lambda self: as_path(self.log_text))

    # --- reading (no lock) ---------------------------------------------------------------------

    def folder(self, create: bool = False) -> str:
        """The document's folder, checked (and made, if `create`) link by link from the state root."""
        return safe_files.folder(self.root_text, self._relative, create=create)

    def exists(self) -> bool:
        return os.path.lexists(self.path_text)

    def read(self, keep: bool = True) -> dict:
        """The committed document; NotFound when absent, CorruptState when it does not parse,
        UnsafePath when it (or a folder on the way) is a symbolic link. A large document's parse comes from
        the user's cache when it holds these very bytes (sudolang.state.parsed); `keep` False (a writer's
        read, under the lock) only looks there, and leaves nothing for the next read."""
        self.folder()
        try:
            raw = safe_files.read_bytes(self.path_text, MAX_DOCUMENT, self.label)
        except FileNotFoundError:
            raise NotFound(f"no {self.label}") from None
        if len(raw) < KEPT_FROM:
            return self._decode(raw)
        from sudolang.state import parsed

        return parsed.read_through(self.path_text, raw, self._decode, keep)

    def _decode(self, raw: bytes, path: str | None = None) -> dict:
        path = path or self.path_text
        try:
            document = json_text.loads(raw)
        except (ValueError, RecursionError) as error:
            if isinstance(error, RecursionError):
                reason = "nested too deeply to read"
            else:
                reason = "it is empty" if not raw.strip() else f"invalid JSON: {error}"
            raise CorruptState(f"{path} is corrupt ({reason}); run `{self.recover_command}`") from None
        if not isinstance(document, dict):
            raise CorruptState(f"{path} is corrupt (not a JSON object); run `{self.recover_command}`")
        return document

    # --- writing (under the lock) --------------------------------------------------------------

    def lock(self, timeout: float = DEFAULT_TIMEOUT) -> FileLock:
        self.folder(create=True)
        return FileLock(self.lock_text, timeout, on_abandoned=self._sweep_temps)

    def create(self, document: dict, timeout: float = DEFAULT_TIMEOUT) -> dict:
        with self.lock(timeout):
            if self.exists():
                safe_files.check_not_link(self.path_text)
                raise SudolangError(f"{self.label} already exists")
            safe_files.check_not_link(self.log_text)
            if _size(self.log_text) > 0:
                raise SudolangError(f"{self.label} does not exist, but its event log {self.log_text} does: run "
                                    f"`{self.recover_command}` to rebuild it, or remove the log to start afresh")
            document["revision"] = 1
            self._commit(document, None, checkpoint=True)
        return document

    def _commit(self, document: dict, logged: str | None, revision: int | None = 0, checkpoint: bool = False, *,
                keep: Vouch = None) -> None:
        """Write `document` as the revision after `revision` (None: the stored one was unreadable,
        take the log's), log-first; see the module docstring for the order and what each failure leaves.
        A large document that `keep` vouches for has its parse kept for the next reads (sudolang.state.parsed):
        the bytes just written and these objects, which are what parsing them gives."""
        with _LogAppender(self) as log:
            if revision is None:
                revision = log.last or 0  # the stored revision is unreadable: the log goes on from here
            if revision > 0 and (log.last is None or not revision <= log.last <= revision + 1):
                # The log does not end at this document (it was removed, lags behind, or runs ahead of a
                # document restored by hand): this record holds the whole document, so replay starts afresh here.
                checkpoint = True
            document["revision"] = revision + 1
            data = encode(document).encode()
            temp = _staged(self.path_text, data)
            try:
                log.append(self._record(document, logged, checkpoint), document["revision"])
                try:
                    if os.path.lexists(self.path_text):
                        safe_files.check_not_link(self.path_text)
                        safe_files.keep_backup(self.path_text, self.backup_text)
                    os.replace(temp, self.path_text)
                except OSError as error:
                    log.roll_back()
                    raise SudolangError(f"could not replace {self.path_text}: {error.strerror or error}; "
                                        f"nothing was changed") from None
            except BaseException:
                safe_files.remove_quietly(temp)
                raise
            try:
                safe_files.fsync_folder(os.path.dirname(self.path_text))
            except OSError as error:  # the change is in and logged: success, said with a warning
                sys.stderr.write(f"sudolang: warning: the change to {self.path_text} is written but its folder could not "
                                 f"be synced ({error.strerror or error}); a power cut now could undo it\n")
            if log.size > max(COMPACT_FLOOR, COMPACT_FACTOR * len(data)):
                self._checkpoint(document)
        if keep is not None and len(data) >= KEPT_FROM:
            from sudolang.state import parsed

            parsed.keep_written(self.path_text, data, document, keep)

    @staticmethod
    def _record(document: dict, logged: str | None, checkpoint: bool) -> bytes:
        if checkpoint:
            logged = dumps([{"op": "set", "path": "$", "value": document}])
        return log_line(document["revision"], _now_text(), logged or "[]", checkpoint)

    def _checkpoint(self, document: dict) -> None:
        """Replace the log by one record holding `document` (committed and durable). Best effort: a
        failure leaves the longer log, which is still whole."""
        try:
            temp = safe_files.write_temp(self.log_text, self._record(document, None, True))
        except (OSError, SudolangError):
            return
        try:
            os.replace(temp, self.log_text)
            safe_files.fsync_folder(os.path.dirname(self.log_text))
        except OSError:
            safe_files.remove_quietly(temp)

    def _sweep_temps(self, report: Recovery | None = None) -> None:
        """Remove this document's temp files: only a writer killed while holding the lock leaves one."""
        folder = os.path.dirname(self.path_text)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return
        # Temp files: `.<name>.<12 hex>.tmp` for the three names (safe_files.create_temp's pattern); compiled
        # here, as only a sweep needs it, not in __init__, which every command runs for each document it opens.
        import re

        temps = re.compile(r"\.(?:%s)\.[0-9a-f]{12}\.tmp" % "|".join(
            re.escape(os.path.basename(p)) for p in (self.path_text, self.backup_text, self.log_text)))
        for name in names:
            if temps.fullmatch(name):
                leftover = os.path.join(folder, name)
                try:
                    size = os.lstat(leftover).st_size
                    os.unlink(leftover)
                except FileNotFoundError:
                    continue
                if report is not None:
                    report.actions.append(f"removed {name}, an unfinished write ({size} bytes) that was never committed")

    # --- the rest of the store interface (sudolang.state.interface) ------------------------------

    def events(self) -> list[dict]:
        """The event log's records, oldest first: {"revision", "at", "ops"} (and "checkpoint": true)."""
        self.folder()
        return read_log(self.log_text)

    def archive(self) -> None:
        """Under the lock: move the document, its backup and its log into the `archive/` folder beside it."""
        archive = safe_files.folder(self.root_text, os.path.join(self._relative, "archive"))  # refused if it (or sessions/) is a link
        for path in (self.path_text, self.backup_text, self.log_text):
            if os.path.lexists(path):  # a rename moves the entry itself, never what a link points to
                os.replace(path, os.path.join(archive, os.path.basename(path)))
        # Unlinked while held: a waiter that opened it sees st_nlink == 0 and reopens (see lock.py).
        safe_files.remove_if_present(self.lock_text)

    def restore(self, document: dict, records: list[dict], timeout: float = DEFAULT_TIMEOUT) -> None:
        """Write `document` at its own revision with `records` as its event log (a copy from another store),
        log first; refused, with nothing written, when the document or a log of it is here already."""
        with self.lock(timeout):
            if self.exists() or _size(self.log_text) > 0:
                raise SudolangError(f"{self.label} is already in {self.root_text}; nothing was copied over it")
            write_atomically(self.log_text, b"".join(log_lines(document, records)))
            write_atomically(self.path_text, encode(document).encode())

    def stamp(self) -> tuple[int, int, int] | None:
        """What changes whenever the document is replaced (inode, mtime, size); None when it is absent."""
        try:
            found = os.lstat(self.path_text)
        except FileNotFoundError:
            return None
        return found.st_ino, found.st_mtime_ns, found.st_size

    # --- recovery ------------------------------------------------------------------------------

    def recover(self, timeout: float = DEFAULT_TIMEOUT) -> Recovery:
        """Sweep unfinished writes; if the document is damaged, rebuild it from backup and event log. A
        document of which nothing exists (no file, backup or log) is NotFound, and nothing is created."""
        if not any(os.path.lexists(path) for path in (self.path_text, self.backup_text, self.log_text)):
            raise NotFound(f"no {self.label}: nothing to recover (no document, backup or event log)")
        report = Recovery()
        self.folder(create=True)
        with FileLock(self.lock_text, timeout, on_abandoned=lambda: self._sweep_temps(report)):
            self._sweep_temps(report)
            self._separate_backup(report)
            damaged = None
            try:
                document = self.read()
                report.revision = revision_of(document) or 0
                report.actions.append(f"{self.label} is intact at revision {report.revision}")
                self._drop_uncommitted(report)
                return report
            except NotFound:
                report.actions.append(f"{self.path_text} is missing")
            except CorruptState:
                damaged = self._move_aside(report)
            self._rebuild(report, damaged)
        return report

    def _drop_uncommitted(self, report: Recovery) -> None:
        """A log record newer than the intact document is a write whose writer stopped before its rename,
        so it never reported success: cut it, as the next write would."""
        if not os.path.lexists(self.log_text):
            return
        with _LogAppender(self) as log:
            if log.last is not None and log.last > report.revision and log.cut_uncommitted(report.revision + 1):
                report.actions.append(f"dropped revision {report.revision + 1} from the event log: its writer stopped "
                                      "before committing it and never reported success")

    def _separate_backup(self, report: Recovery) -> None:
        """A writer killed between linking the backup and the rename leaves the backup and the document
        as one file: damage to one would be damage to both. Give the backup its own copy."""
        try:
            document, backup = os.lstat(self.path_text), os.lstat(self.backup_text)
        except OSError:
            return
        if (document.st_dev, document.st_ino) != (backup.st_dev, backup.st_ino):
            return
        safe_files.check_not_link(self.path_text, "read")
        temp = safe_files.write_temp(self.backup_text, safe_files.read_bytes(self.path_text, MAX_DOCUMENT, self.label))
        os.replace(temp, self.backup_text)
        report.actions.append("gave the backup its own copy (a killed write had left it the document itself)")

    def _move_aside(self, report: Recovery) -> bytes:
        stamp = _now_text().replace(":", "")
        aside = f"{self.path_text}.corrupt-{stamp}"
        number = 1
        while os.path.lexists(aside):  # a second damage in the same second must not erase the first
            number += 1
            aside = f"{self.path_text}.corrupt-{stamp}-{number}"
        damaged = safe_files.read_bytes(self.path_text, MAX_DOCUMENT, self.label)
        os.replace(self.path_text, aside)  # a rename moves the entry itself: no link is followed
        report.actions.append(f"moved the corrupt file to {aside}")
        return damaged

    def _rebuild(self, report: Recovery, damaged: bytes | None) -> None:
        base, source = self._good_backup(report)
        base_revision = (revision_of(base) or 0) if base else 0
        records = read_log(self.log_text)
        records, restart = _after_last_restart(records)
        document, replayed, gap = replay(base, records)
        if document is None:
            raise CorruptState(f"cannot recover {self.label}: no readable backup and no usable event log")
        report.revision = int(document["revision"])
        write_atomically(self.path_text, encode(document).encode())
        origin = f"{source} (revision {base_revision})" if base else "the event log alone"
        report.actions.append(f"restored revision {report.revision} from {origin} and {replayed} change(s) replayed from the event log")
        # Check every claim against the evidence: the log's newest record and the damaged file's own revision.
        newest = max((r["revision"] for r in records), default=0)
        if restart:
            report.lost.append(restart)
        if gap:
            report.lost.append(gap)
        elif newest > report.revision:
            report.lost.append(f"revisions {report.revision + 1} to {newest} are in the event log but could not be replayed")
        claimed = _damaged_revision(damaged)
        if claimed is not None and claimed > report.revision:
            report.lost.append(f"the damaged file says it was at revision {claimed}: revisions {report.revision + 1} "
                               f"to {claimed} are not in the backup or the event log")
        if not report.lost:
            report.lost.append(f"nothing: every logged change was replayed (the event log ends at revision {newest})")

    def _good_backup(self, report: Recovery) -> tuple[dict | None, str]:
        try:
            return self._decode(safe_files.read_bytes(self.backup_text, MAX_DOCUMENT, "backup"),
                                self.backup_text), "the backup"
        except safe_files.UnsafePath:
            report.actions.append(f"did not use the backup {self.backup_text}: it is a symbolic link")
        except (FileNotFoundError, CorruptState, UsageError):
            pass
        return None, ""


class _LogAppender:
    """The event log opened for a write-ahead append (under the document's lock): knows the last
    record's revision, cuts a torn tail, and can cut its own record back off."""

    def __init__(self, document: Document) -> None:
        self.path_text = document.log_text
        self.fd = -1  # open between __enter__ and __exit__
        self.start = 0  # where our record goes; roll_back cuts the log back to this length
        self.size = 0
        self.last: int | None = None  # the last whole record's revision
        self.last_start = 0

    def __enter__(self) -> "_LogAppender":
        try:
            try:
                self.fd = safe_files.open_existing(self.path_text, os.O_RDWR | os.O_APPEND)
            except FileNotFoundError:
                self.fd = safe_files.open_append(self.path_text)
                return self
            size = os.fstat(self.fd).st_size
            self.start = self.size = size
            if size == 0:
                return self
            end = size if os.pread(self.fd, 1, size - 1) == b"\n" else _line_start(self.fd, size)
            self.start = end  # a torn tail (a killed or short append) is cut before we append
            if end:
                self.last_start = _line_start(self.fd, end - 1)
                line = os.pread(self.fd, end - self.last_start, self.last_start)
                self.last = _record_revision(line)
        except OSError as error:
            self.__exit__()
            raise _log_error(self.path_text, error) from None
        return self

    def cut_uncommitted(self, revision: int) -> bool:
        """Drop the last record if it claims `revision` (a writer stopped between steps 2 and 4)."""
        if self.last != revision:
            return False
        self._truncate(self.last_start)
        self.start, self.size = self.last_start, self.last_start
        return True

    def append(self, record: bytes, revision: int) -> None:
        try:
            if self.last == revision:  # an uncommitted record of a writer that stopped before its rename
                self.cut_uncommitted(revision)
            elif self.start < self.size:  # a torn tail
                self._truncate(self.start)
            safe_files.write_all(self.fd, record)
            os.fsync(self.fd)
        except OSError as error:
            self.roll_back()
            raise _log_error(self.path_text, error) from None
        self.size = self.start + len(record)

    def roll_back(self) -> None:
        """Cut the log back to its length before our record (best effort: on failure the next writer
        drops the record, since its revision was never committed)."""
        try:
            self._truncate(self.start)
        except OSError:
            pass

    def _truncate(self, length: int) -> None:
        os.ftruncate(self.fd, length)
        os.fsync(self.fd)

    def __exit__(self, *exc_info: object) -> None:
        if self.fd != -1:
            os.close(self.fd)
            self.fd = -1


def _relative(folder: str, root: str) -> str:
    """`folder` below `root`, as Path.relative_to reads it ("" for root itself); a ValueError if it is not below."""
    if folder == root:
        return ""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not folder.startswith(prefix):
        raise ValueError(f"{folder!r} is not in the subpath of {root!r}")
    return folder[len(prefix):]


def _log_error(path: str | os.PathLike, error: OSError) -> SudolangError:
    return SudolangError(f"could not write the event log {path}: {error.strerror or error}; nothing was changed")


def _line_start(fd: int, end: int) -> int:
    """The offset just after the last newline before `end` (0 if none): where the line ending at `end` starts."""
    position = end
    while position > 0:
        size = min(65536, position)
        chunk = os.pread(fd, size, position - size)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return position - size + found + 1
        position -= size
    return 0


def _size(path: str | os.PathLike) -> int:
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0


def _record_revision(line: bytes) -> int | None:
    """The revision a log record's line starts with (as log_line writes it), None for any other line."""
    if not line.startswith(_RECORD_START):
        return None
    end = line.find(b",", len(_RECORD_START), len(_RECORD_START) + 24)
    digits = line[len(_RECORD_START):end]
    return int(digits) if end > 0 and digits.isdigit() else None


def _damaged_revision(raw: bytes | None) -> int | None:
    """The top-level revision a damaged file still shows, if its tail survived (a top-level key: indented
    exactly once by encode)."""
    import re

    matches = re.findall(rb'\n  "revision": (\d+)', raw or b"")
    return int(matches[-1]) if matches else None


def _after_last_restart(records: list[dict]) -> tuple[list[dict], str]:
    """The records after the log last went backwards (an older sudolang let writes rewrite `revision`, which
    restarted the numbering), and what that leaves out; only those can continue the current document."""
    for index in range(len(records) - 1, 0, -1):
        if records[index]["revision"] <= records[index - 1]["revision"]:
            return records[index:], (f"the event log goes back from revision {records[index - 1]['revision']} to "
                                     f"{records[index]['revision']} at record {index + 1} (a rewritten revision): "
                                     f"the {index} record(s) before that were not replayed")
    return records, ""


def log_line(revision: int, at: str, logged: str, checkpoint: bool = False) -> bytes:
    """One event-log record: `logged` is the operations' JSON text. It starts with the revision, which
    `_record_revision` reads without parsing the line."""
    mark = ', "checkpoint": true' if checkpoint else ""
    return f'{{"revision": {revision}, "at": {json_text.dumps(at)}{mark}, "ops": {logged}}}\n'.encode()


def complete_log(document: dict, records: list[dict]) -> list[dict]:
    """`records` (an event log from another store), ending with a checkpoint of `document` when they do not
    replay to it (a log compacted, cut or removed at the source), so `recover` can rebuild it from them."""
    replayed, _, gap = replay(None, _after_last_restart(records)[0])
    if not gap and replayed == document:
        return records
    checkpoint = {"revision": document["revision"], "at": _now_text(), "checkpoint": True,
                  "ops": [{"op": "set", "path": "$", "value": document}]}
    return [r for r in records if r["revision"] < document["revision"]] + [checkpoint]


def log_lines(document: dict, records: list[dict]) -> list[bytes]:
    """`records` as the lines of `document`'s event log (see complete_log)."""
    return [log_line(r["revision"], str(r.get("at", "")), dumps(r["ops"]), bool(r.get("checkpoint")))
            for r in complete_log(document, records)]


def wait_for_change(watched: list[tuple[Document, int | None]], timeout: float, interval: float = 0.05) -> bool:
    """True as soon as one of the documents is committed at a revision other than the one given with it (None:
    absent), False once `timeout` seconds pass without that. Files have no way to announce a change, so each
    document's stamp is polled every `interval` seconds and read only when it moved."""
    import time

    deadline = time.monotonic() + timeout
    stamps: dict[str, object] = {}
    while True:
        for document, revision in watched:
            stamp = document.stamp()
            if document.path_text in stamps and stamps[document.path_text] == stamp:
                continue
            stamps[document.path_text] = stamp
            try:
                current = revision_of(document.read())
            except (NotFound, CorruptState, safe_files.UnsafePath):
                current = None
            if current != revision:
                return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))


def read_log(path: str | os.PathLike) -> list[dict]:
    """The event log's records; a torn or unreadable line (a killed append) is skipped."""
    try:
        lines = safe_files.read_bytes(path, MAX_DOCUMENT * 4, "event log").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json_text.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and type(record.get("revision")) is int and isinstance(record.get("ops"), list):
            records.append(record)
    return records


def replay(base: dict | None, records: list[dict]) -> tuple[dict | None, int, str]:
    """Apply logged changes newer than `base` in order; stop at the first gap. A checkpoint (the whole
    document) may follow a gap. Returns (document, count, gap)."""
    from sudolang.jsonpath import apply_op

    document = base
    revision = (revision_of(base) or 0) if base else 0
    count = 0
    for record in records:
        if record["revision"] <= revision:
            continue  # already in the base
        if record["revision"] != revision + 1 and not record.get("checkpoint"):
            newest = max(r["revision"] for r in records)
            return document, count, (f"revisions {revision + 1} to {record['revision'] - 1} are missing from the "
                                     f"log, so logged revisions {record['revision']} to {newest} were not replayed")
        try:
            for op in record["ops"]:
                document = apply_op(document if document is not None else {}, op)
        except SudolangError as error:
            return document, count, f"revision {record['revision']} could not be replayed ({error.message})"
        if not isinstance(document, dict):
            return None, count, f"revision {record['revision']} does not replay to a JSON object"
        revision = record["revision"]
        document["revision"] = revision
        count += 1
    return document, count, ""


def _staged(path: str | os.PathLike, data: bytes) -> str:
    """`data` in a new temp file beside `path`; a failure (a full disk) names `path` and leaves no temp file."""
    try:
        return safe_files.write_temp(path, data)
    except OSError as error:
        raise SudolangError(f"could not write {path}: {error.strerror or error}; nothing was changed") from None


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old or the new file, whole.
    The data goes to a new temp file (never through a link); the rename replaces the name itself."""
    staged = _staged(path, data)
    try:
        os.replace(staged, path)
    except BaseException:
        safe_files.remove_quietly(staged)
        raise
    safe_files.fsync_folder(os.path.dirname(os.fspath(path)))


