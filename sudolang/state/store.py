"""One JSON document on disk: lock-free reads, locked read-modify-write, atomic durable writes, backup, event log, recovery.

Files beside a document `X.json`:
  X.lock            the lock every writer takes (never the document itself)
  X.json.bak        the previous good version (a hard link to the replaced inode: no copy)
  X.events.jsonl    one line per committed change: {"revision", "at", "ops"}; replayable
  .X.json.tmp       a write in progress; left behind only by a killed writer, never read
A write goes: temp file, fsync, link the old version as backup, rename over the
document, fsync the folder, append to the event log. A reader therefore sees
either the old or the new document, never a mix. A writer killed between the
last two steps leaves one committed revision the log lacks; `recover` names it
if the document is ever damaged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sudolang.errors import CorruptState, NotFound, SudolangError
from sudolang.state import clock
from sudolang.state.jsonpath import apply_op
from sudolang.state.lock import DEFAULT_TIMEOUT, FileLock

# A Plan is a function (document) -> list of operations, run under the lock.

# Nested objects deeper than this are written on one line each (a task, an event):
# json.dumps with indent runs in pure Python, 4x slower than compact on a 10,000-task document.
_PRETTY_DEPTH = 3


def encode(document: Any) -> str:
    """Readable JSON that stays fast: the top levels indented, everything deeper compact."""
    return _encode(document, 0) + "\n"


def _compact_encoder():
    """The C encoder, built once. json.dumps with options builds a new JSONEncoder (and a new C
    encoder) per call, and a 10,000-task document makes 10,000 calls: 100 ms against 27 ms here."""
    from json.encoder import c_make_encoder, encode_basestring

    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode

    def refuse(value: object) -> object:
        raise TypeError(f"{type(value).__name__} is not JSON")

    encoder = c_make_encoder(None, refuse, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encoder(value, 0))


_COMPACT = _compact_encoder()
_KEY = json.encoder.encode_basestring  # keys are strings: skip the encoder's dispatch (15% of an encode)


def _encode(value: Any, depth: int) -> str:
    if depth >= _PRETTY_DEPTH or not isinstance(value, (dict, list)) or not value:
        return _COMPACT(value)
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        items = (f"{pad}{_KEY(k)}: {_encode(v, depth + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    return "[\n" + ",\n".join(pad + _encode(v, depth + 1) for v in value) + "\n" + "  " * depth + "]"


class Recovery:
    """What `recover` found and did, for the user to read."""

    def __init__(self) -> None:
        self.revision = 0
        self.actions: list[str] = []
        self.lost: list[str] = []


class Document:
    """A state document at `path`; `label` and `recover_command` make error messages actionable."""

    def __init__(self, path: Path, label: str, recover_command: str) -> None:
        self.path = path
        self.label = label
        self.recover_command = recover_command
        stem = path.name.removesuffix(".json")
        self.lock_path = path.with_name(stem + ".lock")
        self.backup_path = path.with_name(path.name + ".bak")
        self.log_path = path.with_name(stem + ".events.jsonl")
        self.temp_path = path.with_name("." + path.name + ".tmp")
        self._backup_temp = path.with_name("." + path.name + ".bak.tmp")

    # --- reading (no lock) ---------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> dict:
        """The committed document; NotFound when absent, CorruptState when it does not parse."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no {self.label}") from None
        return self._decode(raw)

    def _decode(self, raw: bytes) -> dict:
        try:
            document = json.loads(raw)
        except ValueError as error:
            reason = "it is empty" if not raw.strip() else f"invalid JSON: {error}"
            raise CorruptState(f"{self.path} is corrupt ({reason}); run `{self.recover_command}`") from None
        if not isinstance(document, dict):
            raise CorruptState(f"{self.path} is corrupt (not a JSON object); run `{self.recover_command}`")
        return document

    # --- writing (under the lock) --------------------------------------------------------------

    def lock(self, timeout: float = DEFAULT_TIMEOUT) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path, timeout)

    def create(self, document: dict, timeout: float = DEFAULT_TIMEOUT) -> dict:
        with self.lock(timeout):
            if self.path.exists():
                raise SudolangError(f"{self.label} already exists")
            document["revision"] = 1
            self._commit(document, [{"op": "set", "path": "$", "value": document}])
        return document

    def update(self, plan: Plan, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Under the lock: read, let `plan` decide the operations, apply them all or none, write."""
        with self.lock(timeout):
            return self.update_locked(plan)

    def update_locked(self, plan: Plan) -> dict:
        """`update` for a caller that already holds this document's lock."""
        document = self.read()
        ops = plan(document)
        if not ops:
            return document
        logged = json.dumps(ops, ensure_ascii=False)  # before applying: later ops may mutate earlier values
        for op in ops:
            document = apply_op(document, op)
        document["revision"] = int(document.get("revision", 0)) + 1
        self._commit(document, logged)
        return document

    def _commit(self, document: dict, ops: list[dict] | str) -> None:
        data = encode(document).encode()
        write_atomically(self.path, data, self.temp_path, backup=(self.backup_path, self._backup_temp))
        logged = ops if isinstance(ops, str) else json.dumps(ops, ensure_ascii=False)
        at = json.dumps(clock.iso(clock.now()))
        line = f'{{"revision": {document["revision"]}, "at": {at}, "ops": {logged}}}\n'
        _append_durably(self.log_path, line.encode())

    # --- recovery ------------------------------------------------------------------------------

    def recover(self, timeout: float = DEFAULT_TIMEOUT) -> Recovery:
        """Sweep unfinished writes; if the document is damaged, rebuild it from backup and event log."""
        report = Recovery()
        with self.lock(timeout):
            self._sweep(report)
            try:
                report.revision = int(self.read().get("revision", 0))
                report.actions.append(f"{self.label} is intact at revision {report.revision}")
                return report
            except NotFound:
                report.actions.append(f"{self.path} is missing")
            except CorruptState:
                self._move_aside(report)
            self._rebuild(report)
        return report

    def _sweep(self, report: Recovery) -> None:
        self._separate_backup(report)
        for leftover in (self.temp_path, self._backup_temp):
            try:
                size = leftover.stat().st_size
                leftover.unlink()
            except FileNotFoundError:
                continue
            report.actions.append(f"removed {leftover.name}, an unfinished write ({size} bytes) that was never committed")

    def _separate_backup(self, report: Recovery) -> None:
        """A writer killed between linking the backup and the rename leaves the backup and the document
        as one file: damage to one would be damage to both. Give the backup its own copy."""
        try:
            if not os.path.samefile(self.path, self.backup_path):
                return
        except OSError:
            return
        self._backup_temp.write_bytes(self.path.read_bytes())
        os.replace(self._backup_temp, self.backup_path)
        report.actions.append("gave the backup its own copy (a killed write had left it the document itself)")

    def _move_aside(self, report: Recovery) -> None:
        stamp = clock.iso(clock.now()).replace(":", "")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():  # a second damage in the same second must not erase the first
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        os.replace(self.path, aside)
        report.actions.append(f"moved the corrupt file to {aside}")

    def _rebuild(self, report: Recovery) -> None:
        base, source = self._good_backup()
        base_revision = int(base.get("revision", 0)) if base else 0
        document, replayed, gap = replay(base, read_log(self.log_path))
        if document is None:
            raise CorruptState(f"cannot recover {self.label}: no readable backup and no usable event log")
        report.revision = int(document["revision"])
        write_atomically(self.path, encode(document).encode(), self.temp_path)
        origin = f"{source} (revision {base_revision})" if base else "the event log alone"
        report.actions.append(f"restored revision {report.revision} from {origin} and {replayed} change(s) replayed from the event log")
        if gap:
            report.lost.append(gap)
        elif base is not None and report.revision == base_revision:
            # Either the damaged file held the backup's revision, or one newer whose writer died
            # between the rename and the log append: the two cannot be told apart, so say both.
            report.lost.append(f"at most revision {base_revision + 1}, if the damaged file held it: "
                               "a change whose writer stopped before logging it cannot be replayed")
        else:
            report.lost.append(f"nothing that reached the event log (it ends at revision {report.revision})")

    def _good_backup(self) -> tuple[dict | None, str]:
        try:
            return self._decode(self.backup_path.read_bytes()), "the backup"
        except (FileNotFoundError, CorruptState):
            return None, ""


def read_log(path: Path) -> list[dict]:
    """The event log's records; a torn last line (a killed append) is skipped."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def replay(base: dict | None, records: list[dict]) -> tuple[dict | None, int, str]:
    """Apply logged changes newer than `base` in order; stop at the first gap. Returns (document, count, gap)."""
    document = base
    revision = int(base.get("revision", 0)) if base else 0
    count = 0
    for record in records:
        if record.get("revision", 0) <= revision:
            continue
        if record["revision"] != revision + 1:
            newest = max(r.get("revision", 0) for r in records)
            return document, count, (f"revisions {revision + 1} to {record['revision'] - 1} are missing from the "
                                     f"log, so logged revisions {record['revision']} to {newest} were not replayed")
        try:
            for op in record["ops"]:
                document = apply_op(document if document is not None else {}, op)
        except SudolangError as error:
            return document, count, f"revision {record['revision']} could not be replayed ({error.message})"
        revision = record["revision"]
        document["revision"] = revision
        count += 1
    return document, count, ""


def write_atomically(path: Path, data: bytes, temp: Path, backup: tuple[Path, Path] | None = None) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old or the new file, whole."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if backup is not None and path.exists():
        _link_backup(path, *backup)
    os.replace(temp, path)
    fsync_folder(path.parent)


def _link_backup(path: Path, backup: Path, backup_temp: Path) -> None:
    # The old inode is never written again (writes replace by rename), so a hard link keeps it whole for free.
    try:
        backup_temp.unlink(missing_ok=True)
        os.link(path, backup_temp)
    except OSError:  # a file system without hard links: copy instead
        backup_temp.write_bytes(path.read_bytes())
    os.replace(backup_temp, backup)


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable, not only the files' contents."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _append_durably(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
