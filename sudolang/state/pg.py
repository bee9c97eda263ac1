"""The PostgreSQL store: documents, their event logs and the inboxes in tables that sessions on many machines share.

It gives what the file store gives (sudolang.state.interface), by PostgreSQL's own means. The tables,
made by `sudolang store migrate URL` (MIGRATIONS, versioned in sudolang_schema):
  sudolang_documents  (kind, id) -> body, revision, archived_at: one row per session or project
  sudolang_events     (kind, id, revision) -> at, ops, checkpoint: the event log, one row per commit
  sudolang_inboxes    recipient -> last_seq: the last message number handed out
  sudolang_messages   (recipient, seq) -> body, claim_key, redelivered: one row per unread message

Documents. An update is one transaction: the row is read FOR UPDATE (the lock; `lock_timeout` is set to
the command's --timeout, so a lock not had in time is LockTimeout, exit 4, as with files), the same path
operations are applied in Python (store.apply_plan), and the row is written back at revision + 1 with
its event inserted beside it. A crash anywhere rolls all of it back, so no update is lost, nothing is
half-written, and the revisions have no gaps. `body` is `json`, not `jsonb`: jsonb re-sorts an object's
keys (by length, then bytes), and the file store, the programs and every listing keep the order in which
keys were added; `body::jsonb` still serves queries and indexes.

Messages. A send takes the inbox's next number (an upsert that holds the inbox row until commit, so one
sender numbers at a time and numbers are never reused) and inserts the message, in one transaction. A poll
claims with FOR UPDATE SKIP LOCKED, so racing pollers on any machine skip each other's rows, and marks
the rows with a claim key: a random number the poller holds as a session-level advisory lock. It prints,
then confirms: the rows are deleted in one transaction, which is the record of their delivery. A poller
that dies (SIGKILL, a lost machine) loses its connection and with it the advisory lock, so the next poll
sees a claim nobody holds and delivers those messages again, marked "redelivered": true. The liveness
test is the server's own lock table (pg_locks), which every machine's pollers see alike. A poller that
dies inside its claim's transaction printed nothing: its rows come back unclaimed and unmarked, and may
reach another poller after newer ones (their seq says where they belong).

Live change. Every commit sends NOTIFY on channel `sudolang` ("session:ID:REVISION", "inbox:ID:SEQ");
`wait_for_change` LISTENs, so a dashboard redraws as soon as another machine commits.

Connections. One per process and URL, opened on first use (psycopg is imported only then), autocommit,
with transactions begun explicitly (nested ones are savepoints). A connection that cannot be made, or is
lost, is StoreUnavailable (exit 6), naming the server and the cause and saying whether the change was
made. A connection the server closed while it sat idle (a restart) is replaced once, before a
transaction begins, so a long-running process carries on once the server is back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from sudolang.errors import CorruptState, LockTimeout, NotFound, StoreUnavailable, SudolangError, UsageError
from sudolang.state import clock
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, check_id
from sudolang.state.store import PlannedWrites, Recovery, complete_log, dumps, replay

TYPE_CHECKING = False  # annotations only: `typing` costs ~5 ms of start-up
if TYPE_CHECKING:
    from typing import Any

    import psycopg

SCHEMA_VERSION = 1
CHANNEL = "sudolang"  # what every commit NOTIFYs, and wait_for_change LISTENs to
CONNECT_TIMEOUT = 10  # seconds libpq waits for the server, unless the URL says connect_timeout=
MIGRATE_LOCK = 0x5D0_1A46  # the advisory lock that makes two `store migrate` runs take turns
_KEY_BITS = 62  # claim keys: random, positive, held as pg_advisory_lock(bigint)
FOLDERS = {"session": "sessions", "project": "shared"}  # a document's `path`, as the file store would name it
_LOCK_TIMEOUT_MAX = 2_147_483_647  # ms: PostgreSQL's largest lock_timeout
_RETRYABLE = ("SELECT", "BEGIN", "LISTEN", "UNLISTEN")  # statements safe to send again on a new connection

# The schema, one tuple of statements per version; `migrate` applies those after the store's version.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sudolang_documents (
             kind text NOT NULL CHECK (kind IN ('session', 'project')),
             id text NOT NULL,
             body json NOT NULL,
             revision bigint NOT NULL CHECK (revision > 0),
             archived_at timestamptz,
             PRIMARY KEY (kind, id))""",
        """CREATE TABLE sudolang_events (
             kind text NOT NULL,
             id text NOT NULL,
             revision bigint NOT NULL,
             at text NOT NULL,
             checkpoint boolean NOT NULL DEFAULT false,
             ops json NOT NULL,
             PRIMARY KEY (kind, id, revision))""",
        """CREATE TABLE sudolang_inboxes (
             recipient text PRIMARY KEY,
             last_seq bigint NOT NULL)""",
        """CREATE TABLE sudolang_messages (
             recipient text NOT NULL,
             seq bigint NOT NULL,
             body json NOT NULL,
             claim_key bigint,
             redelivered boolean NOT NULL DEFAULT false,
             PRIMARY KEY (recipient, seq))""",
    ),
)

# The claim keys some live session holds: a claim with any other key belongs to a poller that is gone.
_HELD = """(SELECT (l.classid::bigint << 32) | l.objid::bigint FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""
_UNREAD = f"recipient = %s AND (claim_key IS NULL OR claim_key NOT IN {_HELD})"


# --- connections and transactions ------------------------------------------------------------------


class Database:
    """One connection to the store's server, opened on first use and again after it was lost."""

    def __init__(self, url: str, label: str) -> None:
        self.url = url
        self.label = label  # the URL without its password, for messages
        self.pid = os.getpid()
        self.connection: psycopg.Connection | None = None
        self.depth = 0  # open transactions: 0 none, 1 a transaction, more: savepoints inside it
        self.schema_checked = False
        self.connect_timeout = CONNECT_TIMEOUT  # seconds, unless the URL says connect_timeout=

    def connect(self, check_schema: bool = True) -> psycopg.Connection:
        import psycopg

        if self.connection is not None and not self.connection.closed and not self.connection.broken:
            return self.connection
        if self.connection is not None:  # lost: let its socket go before a new one is opened
            self.connection.close()
            self.connection = None
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        try:
            given = conninfo_to_dict(self.url)
        except psycopg.ProgrammingError as error:
            raise UsageError(f"{self.label} is not a PostgreSQL connection URL: {_first_line(error)}") from None
        extra: dict[str, str | int] = {"application_name": "sudolang", "connect_timeout": self.connect_timeout}
        conninfo = make_conninfo(self.url, **{k: v for k, v in extra.items() if k not in given})
        try:
            self.connection = psycopg.connect(conninfo, autocommit=True)
        except psycopg.OperationalError as error:
            raise StoreUnavailable(f"cannot reach the PostgreSQL store {self.label}: {_first_line(error)}; "
                                   "nothing was changed") from None
        self.depth = 0
        if check_schema and not self.schema_checked:
            self._check_schema()
        return self.connection

    def _check_schema(self) -> None:
        import psycopg

        assert self.connection is not None
        try:
            row = self.connection.execute("SELECT max(version) FROM sudolang_schema").fetchone()
            version = row[0] if row else 0
        except psycopg.errors.UndefinedTable:
            version = 0
        except psycopg.Error as error:
            raise self.translate(error) from None
        if version != SCHEMA_VERSION:
            self.close()
            advice = ("upgrade sudolang" if (version or 0) > SCHEMA_VERSION
                      else f"run `sudolang store migrate '{self.label}'` once")
            raise SudolangError(f"the PostgreSQL store {self.label} is at schema version {version or 0}, and this "
                                f"sudolang needs {SCHEMA_VERSION}: {advice}")
        self.schema_checked = True

    def execute(self, query: str, params: tuple | list = (), lock: str | None = None,
                timeout: float | None = None) -> psycopg.Cursor:
        """Run one statement; `lock` names what it waits for, so a lock timeout says so. A connection the
        server closed while it sat idle (a restart) is replaced once, for a statement that changes nothing
        outside a transaction (a read, or the BEGIN of one): what failed never reached the server."""
        import psycopg

        retry = self.depth == 0 and query.startswith(_RETRYABLE)
        for attempt in (1, 2):
            reused = self.connection is not None and not self.connection.closed
            connection = self.connect()
            try:
                return connection.execute(query, params)  # type: ignore[arg-type]  # ours, never user text
            except psycopg.Error as error:
                if attempt == 1 and retry and reused and _is_lost(connection, error):
                    continue
                raise self.translate(error, lock, timeout) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def commit(self) -> None:
        """COMMIT, never retried: a connection lost during it leaves the outcome unknown, and the message says so."""
        import psycopg

        assert self.connection is not None
        try:
            self.connection.execute("COMMIT")
        except psycopg.Error as error:
            if _is_lost(self.connection, error):
                raise StoreUnavailable(f"lost the connection to the PostgreSQL store {self.label} while committing "
                                       f"({_first_line(error)}): the change may or may not have been made; read it "
                                       "back before you retry") from None
            raise self.translate(error) from None

    def value(self, query: str, params: tuple | list = ()) -> Any:
        row = self.execute(query, params).fetchone()
        return None if row is None else row[0]

    def translate(self, error: Exception, lock: str | None = None, timeout: float | None = None) -> SudolangError:
        """The one error a user sees for a psycopg error: lock timeouts, lost connections, missing tables."""
        import psycopg

        if isinstance(error, psycopg.errors.LockNotAvailable):
            waited = "" if timeout is None else f" after {timeout:g}s"
            return LockTimeout(f"timed out{waited} waiting for the lock on {lock or 'a row'} in the PostgreSQL store "
                               f"{self.label}; retry, or raise --timeout")
        if self.connection is not None and _is_lost(self.connection, error):
            during = "in a transaction: it was rolled back, " if self.depth else ""
            self.depth = 0
            return StoreUnavailable(f"lost the connection to the PostgreSQL store {self.label} "
                                    f"({_first_line(error)}); {during}nothing was changed")
        if isinstance(error, psycopg.errors.UndefinedTable):
            return SudolangError(f"the PostgreSQL store {self.label} has no sudolang tables: run "
                                 f"`sudolang store migrate '{self.label}'` once")
        return SudolangError(f"the PostgreSQL store {self.label} refused: {_first_line(error)}")

    def transaction(self, timeout: float | None = None, lock: str | None = None) -> Transaction:
        return Transaction(self, timeout, lock)

    def notify(self, payload: str) -> None:
        """Tell listeners on every machine, when this transaction commits, what changed."""
        self.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None
        self.depth = 0


class Transaction:
    """`with db.transaction(timeout):` one transaction, or a savepoint inside the one already open; the
    lock waits inside it give up after `timeout` seconds (0: do not wait)."""

    def __init__(self, db: Database, timeout: float | None, lock: str | None) -> None:
        self.db, self.timeout, self.lock = db, timeout, lock

    def __enter__(self) -> Transaction:
        db = self.db
        if db.depth == 0:
            db.execute("BEGIN")  # a connection found dead is replaced here, before anything is sent on it
        else:
            db.execute(f"SAVEPOINT s{db.depth}")
        db.depth += 1
        if self.timeout is not None:
            wait = min(_LOCK_TIMEOUT_MAX, max(1, round(self.timeout * 1000)))
            try:
                db.execute("SELECT set_config('lock_timeout', %s, true)", (f"{wait}ms",))
            except BaseException as error:
                self.__exit__(type(error))
                raise
        return self

    def __exit__(self, error_type: type | None, *rest: object) -> None:
        db = self.db
        if db.depth == 0:  # the connection was lost inside: translate() has said so already
            return
        db.depth -= 1
        if error_type is None:
            if db.depth == 0:
                db.commit()
            else:
                db.execute(f"RELEASE SAVEPOINT s{db.depth}")
            return
        try:
            db.execute("ROLLBACK" if db.depth == 0 else f"ROLLBACK TO SAVEPOINT s{db.depth}")
        except SudolangError:
            pass  # the first error is the one to report; a lost connection rolled back by itself

    def locked(self, query: str, params: tuple) -> psycopg.Cursor:
        """A statement that waits for a lock, named in the timeout's message."""
        return self.db.execute(query, params, self.lock, self.timeout)


_DATABASES: dict[tuple[str, int], Database] = {}


def database(url: str, label: str, connect_timeout: int | None = None) -> Database:
    """This process's and thread's connection to `url` (a forked child or another thread opens its own)."""
    import threading

    key = (url, threading.get_ident())  # a thread of its own (the interactive watcher) waits on its own connection
    found = _DATABASES.get(key)
    if found is None or found.pid != os.getpid():
        found = _DATABASES[key] = Database(url, label)
    if connect_timeout is not None:
        found.connect_timeout = connect_timeout
    return found


def close_all() -> None:
    """Close this process's connections (a long-running caller, such as a test run, between uses)."""
    for db in _DATABASES.values():
        db.close()
    _DATABASES.clear()


def _is_lost(connection: psycopg.Connection, error: Exception) -> bool:
    import psycopg

    return connection.closed or connection.broken or isinstance(error, (psycopg.errors.AdminShutdown,
                                                                         psycopg.errors.CrashShutdown))


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- the store -----------------------------------------------------------------------------------------


class PgStateDir(StateDir):
    """A project's state in a PostgreSQL database; `root` stays the local state folder (the hook's log,
    triggers.toml and tools.json are each machine's own)."""

    def __init__(self, root: Path | str, url: str, label: str | None = None,
                 connect_timeout: int | None = None) -> None:
        super().__init__(root)
        self.url = url
        self.store = label or url
        self.connect_timeout = connect_timeout  # seconds; None: CONNECT_TIMEOUT, or the URL's own

    @property
    def db(self) -> Database:
        """This process's connection: a child forked after this object was made opens its own (a connection
        shared across a fork would be two processes talking on one socket)."""
        return database(self.url, self.store, self.connect_timeout)

    def session(self, session_id: str) -> PgDocument:  # type: ignore[override]  # the same interface
        check_id("session", session_id)
        return PgDocument(self.db, "session", session_id, f"session {session_id!r}",
                          f"sudolang session recover {session_id}")

    def project(self, project_id: str) -> PgDocument:  # type: ignore[override]
        check_id("project", project_id)
        return PgDocument(self.db, "project", project_id, f"project {project_id!r}",
                          f"sudolang shared recover {project_id}")

    def session_ids(self) -> list[str]:
        return self.ids("session")

    def knows_session(self, session_id: str) -> bool:
        """Whether the session has a row, live or archived (StateDir.resolve_session takes it exactly)."""
        return bool(self.db.value("SELECT EXISTS (SELECT 1 FROM sudolang_documents WHERE kind = 'session' AND "
                                  "id = %s)", (session_id,)))

    def ids(self, kind: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM sudolang_documents WHERE kind = %s AND archived_at IS NULL "
                               "ORDER BY id", (kind,)).fetchall()
        return [row[0] for row in rows]

    def inbox(self, session_id: str) -> PgInbox:  # type: ignore[override]
        return PgInbox(self.db, check_id("session", session_id))

    def inbox_ids(self) -> list[str]:
        rows = self.db.execute("SELECT recipient FROM sudolang_inboxes ORDER BY recipient").fetchall()
        return [row[0] for row in rows]

    def archived(self, session_id: str) -> bool:
        return bool(self.db.value("SELECT EXISTS (SELECT 1 FROM sudolang_documents WHERE kind = 'session' AND "
                                  "id = %s AND archived_at IS NOT NULL)", (session_id,)))

    def wait_for_change(self, seen: dict[tuple[str, str], int | None], timeout: float) -> bool:
        """LISTEN, then compare the revisions (a change before the LISTEN is seen here), then wait for a
        NOTIFY naming one of the documents at another revision, up to `timeout` seconds."""
        import time

        deadline = time.monotonic() + timeout
        self.db.execute(f"LISTEN {CHANNEL}")
        try:
            if self._revisions(seen) != seen:
                return True
            connection = self.db.connect()
            while (remaining := deadline - time.monotonic()) > 0:
                for note in connection.notifies(timeout=remaining, stop_after=1):
                    kind, _, rest = note.payload.partition(":")
                    document_id, _, revision = rest.rpartition(":")
                    if (kind, document_id) in seen and str(seen[kind, document_id]) != revision:
                        return True
            return False
        except Exception as error:
            import psycopg

            if isinstance(error, psycopg.Error):
                raise self.db.translate(error) from None
            raise
        finally:
            if self.db.connection is not None and not self.db.connection.closed:
                self.db.execute(f"UNLISTEN {CHANNEL}")

    def _revisions(self, seen: dict[tuple[str, str], int | None]) -> dict[tuple[str, str], int | None]:
        kinds, ids = [k for k, _ in seen], [i for _, i in seen]
        rows = self.db.execute("SELECT kind, id, revision FROM sudolang_documents WHERE archived_at IS NULL AND "
                               "(kind, id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))", (kinds, ids)).fetchall()
        found = {(kind, document_id): revision for kind, document_id, revision in rows}
        return {key: found.get(key) for key in seen}

    def describe(self) -> str:
        return f"the PostgreSQL store {self.store}"

    def close(self) -> None:
        self.db.close()


class PgDocument(PlannedWrites):
    """One session or project row and its events (see the module docstring)."""

    def __init__(self, db: Database, kind: str, document_id: str, label: str, recover_command: str) -> None:
        self.db, self.kind, self.id = db, kind, document_id
        self.label = label
        self.recover_command = recover_command
        self.path = PurePosixPath(FOLDERS[kind], f"{document_id}.json")  # its name: handoff locks in name order
        self._key = (kind, document_id)
        self._locked: int | None = None  # the stored revision, while a `lock` block of this object holds the row

    # --- reading (no lock) ---------------------------------------------------------------------

    def exists(self) -> bool:
        return bool(self.db.value("SELECT EXISTS (SELECT 1 FROM sudolang_documents WHERE kind = %s AND id = %s "
                                  "AND archived_at IS NULL)", self._key))

    def read(self, keep: bool = True) -> dict:
        """The committed document (inside a transaction holding its lock: as this transaction left it).
        `keep` is the file store's (sudolang.state.parsed); the server parses it."""
        body = self.db.value("SELECT body::text FROM sudolang_documents WHERE kind = %s AND id = %s "
                             "AND archived_at IS NULL", self._key)
        if body is None:
            raise NotFound(f"no {self.label}")
        return self._decode(str(body))

    def _decode(self, body: str) -> dict:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise CorruptState(f"{self.label} in {self.db.label} is corrupt ({error}); run `{self.recover_command}`") \
                from None
        if not isinstance(document, dict):
            raise CorruptState(f"{self.label} in {self.db.label} is corrupt (not a JSON object); "
                               f"run `{self.recover_command}`")
        return document

    def events(self) -> list[dict]:
        rows = self.db.execute("SELECT revision, at, checkpoint, ops::text FROM sudolang_events WHERE kind = %s "
                               "AND id = %s ORDER BY revision", self._key).fetchall()
        records = []
        for revision, at, checkpoint, ops in rows:
            record = {"revision": revision, "at": at, **({"checkpoint": True} if checkpoint else {})}
            records.append({**record, "ops": json.loads(ops)})
        return records

    # --- writing (in a transaction holding the row lock) -----------------------------------------

    def lock(self, timeout: float = DEFAULT_TIMEOUT) -> _RowLock:
        return _RowLock(self, timeout)

    def create(self, document: dict, timeout: float = DEFAULT_TIMEOUT) -> dict:
        with self.db.transaction(timeout, self.label) as transaction:
            document["revision"] = 1
            inserted = transaction.locked(
                "INSERT INTO sudolang_documents (kind, id, body, revision) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (kind, id) DO NOTHING RETURNING 1", (*self._key, dumps(document))).fetchone()
            if inserted is None:
                archived = " (archived)" if not self.exists() else ""
                raise SudolangError(f"{self.label} already exists{archived}")
            if self.db.value("SELECT EXISTS (SELECT 1 FROM sudolang_events WHERE kind = %s AND id = %s)", self._key):
                raise SudolangError(f"{self.label} does not exist, but its event log in {self.db.label} does: run "
                                    f"`{self.recover_command}` to rebuild it")
            self._log(1, None, document)
        return document

    def _commit(self, document: dict, logged: str, revision: int | None, *, keep=None) -> None:
        """Write `document` at the stored revision + 1 with its event; the caller's transaction holds the row.
        (`keep` is the file store's: sudolang.state.parsed.)"""
        stored = self._locked
        if stored is None:  # not under this object's lock: take the row now (the caller's transaction holds it)
            stored = self.db.value("SELECT revision FROM sudolang_documents WHERE kind = %s AND id = %s FOR UPDATE",
                                   self._key)
        if not isinstance(stored, int) or (revision is not None and revision != stored):
            raise SudolangError(f"{self.label} changed while it was locked (revision {stored}, expected {revision}); "
                                "nothing was changed")
        document["revision"] = stored + 1
        self.db.execute("UPDATE sudolang_documents SET body = %s, revision = %s WHERE kind = %s AND id = %s",
                        (dumps(document), stored + 1, *self._key))
        self._log(stored + 1, logged, None)
        if self._locked is not None:
            self._locked = stored + 1

    def _log(self, revision: int, logged: str | None, whole: dict | None) -> None:
        """The event of a commit (`whole`: a checkpoint holding the document), and the NOTIFY that announces it."""
        ops = logged if whole is None else dumps([{"op": "set", "path": "$", "value": whole}])
        self.db.execute("INSERT INTO sudolang_events (kind, id, revision, at, checkpoint, ops) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        (*self._key, revision, clock.iso(clock.now()), whole is not None, ops))
        self.db.notify(f"{self.kind}:{self.id}:{revision}")

    def archive(self) -> None:
        self.db.execute("UPDATE sudolang_documents SET archived_at = now() WHERE kind = %s AND id = %s", self._key)
        self.db.notify(f"{self.kind}:{self.id}:archived")

    def restore(self, document: dict, records: list[dict], timeout: float = DEFAULT_TIMEOUT) -> None:
        with self.db.transaction(timeout, self.label) as transaction:
            taken = transaction.locked("SELECT EXISTS (SELECT 1 FROM sudolang_documents WHERE kind = %s AND id = %s) "
                                       "OR EXISTS (SELECT 1 FROM sudolang_events WHERE kind = %s AND id = %s)",
                                       (*self._key, *self._key)).fetchone()
            if taken and taken[0]:
                raise SudolangError(f"{self.label} is already in {self.db.label}; nothing was copied over it")
            self.db.execute("INSERT INTO sudolang_documents (kind, id, body, revision) VALUES (%s, %s, %s, %s)",
                            (*self._key, dumps(document), document["revision"]))
            for record in complete_log(document, records):
                self.db.execute("INSERT INTO sudolang_events (kind, id, revision, at, checkpoint, ops) "
                                "VALUES (%s, %s, %s, %s, %s, %s)", (*self._key, record["revision"],
                                str(record.get("at", "")), bool(record.get("checkpoint")), dumps(record["ops"])))
            self.db.notify(f"{self.kind}:{self.id}:{document['revision']}")

    # --- recovery ------------------------------------------------------------------------------

    def recover(self, timeout: float = DEFAULT_TIMEOUT) -> Recovery:
        """A row is written whole or not at all, so there is nothing half-written to repair: this checks that
        the event log reaches the document, and rebuilds a document whose row was removed (or damaged by hand)
        from its events."""
        report = Recovery()
        with self.db.transaction(timeout, self.label) as transaction:
            row = transaction.locked("SELECT body::text, revision FROM sudolang_documents WHERE kind = %s AND id = %s "
                                     "AND archived_at IS NULL FOR UPDATE", self._key).fetchone()
            records = self.events()
            if row is None and not records:
                raise NotFound(f"no {self.label}: nothing to recover (no document and no event log)")
            if row is not None:
                try:
                    document = self._decode(row[0])
                except CorruptState:
                    report.actions.append(f"{self.label} does not hold a JSON object (changed by hand?)")
                else:
                    return self._intact(report, document, int(row[1]), records)
            self._rebuild(report, records, replace=row is not None)
        return report

    def _intact(self, report: Recovery, document: dict, revision: int, records: list[dict]) -> Recovery:
        report.revision = revision
        report.actions.append(f"{self.label} is intact at revision {revision} (PostgreSQL commits a change whole)")
        newest = max((r["revision"] for r in records), default=0)
        if newest != revision:
            self.db.execute("DELETE FROM sudolang_events WHERE kind = %s AND id = %s AND revision >= %s",
                            (*self._key, revision))
            self._log(revision, None, document)
            report.actions.append(f"the event log ended at revision {newest}: wrote a checkpoint of revision "
                                  f"{revision}, so the log replays to the document again")
        report.lost.append("nothing")
        return report

    def _rebuild(self, report: Recovery, records: list[dict], replace: bool) -> None:
        document, replayed, gap = replay(None, records)
        if document is None:
            raise CorruptState(f"cannot recover {self.label}: its event log in {self.db.label} does not replay")
        report.revision = int(document["revision"])
        if replace:
            self.db.execute("DELETE FROM sudolang_documents WHERE kind = %s AND id = %s", self._key)
        self.db.execute("INSERT INTO sudolang_documents (kind, id, body, revision) VALUES (%s, %s, %s, %s)",
                        (*self._key, dumps(document), report.revision))
        self.db.notify(f"{self.kind}:{self.id}:{report.revision}")
        report.actions.append(f"restored revision {report.revision} from the event log ({replayed} change(s) replayed)")
        newest = max(r["revision"] for r in records)
        report.lost.append(gap or (f"revisions {report.revision + 1} to {newest} could not be replayed"
                                   if newest > report.revision else "nothing: every logged change was replayed"))


class _RowLock:
    """`with document.lock(timeout):` a transaction (or a savepoint in the open one) holding the row FOR
    UPDATE; the writes inside it commit together when the outermost such block ends."""

    def __init__(self, document: PgDocument, timeout: float) -> None:
        self.document = document
        self.transaction = document.db.transaction(timeout, document.label)

    def __enter__(self) -> _RowLock:
        self.transaction.__enter__()
        try:
            row = self.transaction.locked("SELECT revision FROM sudolang_documents WHERE kind = %s AND id = %s "
                                          "FOR UPDATE", self.document._key).fetchone()
        except BaseException as error:
            self.transaction.__exit__(type(error), error, None)
            raise
        self.document._locked = None if row is None else int(row[0])
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.document._locked = None
        self.transaction.__exit__(*exc_info)  # type: ignore[arg-type]


# --- messages ------------------------------------------------------------------------------------------


class PgClaim:
    """The messages one poll claimed, in sending order, and the key it holds them by."""

    __slots__ = ("key", "messages")

    def __init__(self, key: int, messages: list[dict]) -> None:
        self.key = key
        self.messages = messages


class PgInbox:
    """One recipient's messages: rows numbered in sending order (see the module docstring)."""

    def __init__(self, db: Database, session_id: str) -> None:
        self.db = db
        self.recipient = session_id
        self.label = f"the inbox of session {session_id!r}"
        self.timeout: float | None = None  # the lock's, for a timeout's message

    def lock(self, timeout: float) -> Transaction:
        self.timeout = timeout
        return self.db.transaction(timeout, self.label)

    def next_seq(self) -> int:
        """Inside the lock: the next number; the inbox row stays locked, so senders number one at a time."""
        row = self.db.execute("INSERT INTO sudolang_inboxes (recipient, last_seq) VALUES (%s, 1) ON CONFLICT "
                              "(recipient) DO UPDATE SET last_seq = sudolang_inboxes.last_seq + 1 RETURNING last_seq",
                              (self.recipient,), self.label, self.timeout).fetchone()
        assert row is not None  # an upsert with RETURNING always returns its row
        return int(row[0])

    def last_seq(self) -> int:
        return int(self.db.value("SELECT last_seq FROM sudolang_inboxes WHERE recipient = %s", (self.recipient,)) or 0)

    def publish(self, message: dict) -> None:
        self.db.execute("INSERT INTO sudolang_messages (recipient, seq, body) VALUES (%s, %s, %s)",
                        (self.recipient, message["seq"], dumps(message)))
        self.db.notify(f"inbox:{self.recipient}:{message['seq']}")

    def restore(self, messages: list[dict], last_seq: int) -> None:
        """Inside the lock: unread `messages` and the counter at `last_seq`, copied from another store into
        this empty inbox (their numbers stay theirs)."""
        taken = self.db.execute("INSERT INTO sudolang_inboxes (recipient, last_seq) VALUES (%s, %s) ON CONFLICT "
                                "(recipient) DO NOTHING RETURNING 1", (self.recipient, last_seq),
                                self.label, self.timeout).fetchone()
        if taken is None or self.unread():
            raise SudolangError(f"{self.label} in {self.db.label} already holds messages; nothing was copied into it")
        for message in messages:
            self.publish({k: v for k, v in message.items() if k != "redelivered"})

    def unread(self) -> list:
        return self.db.execute(f"SELECT seq FROM sudolang_messages WHERE {_UNREAD} LIMIT 1",
                               (self.recipient,)).fetchall()

    def pending(self) -> list[dict]:
        rows = self.db.execute(f"SELECT body::text, claim_key IS NOT NULL OR redelivered FROM sudolang_messages "
                               f"WHERE {_UNREAD} ORDER BY seq", (self.recipient,)).fetchall()
        return [_message(body, again) for body, again in rows]

    def claim(self) -> PgClaim | None:
        """Inside the lock: claim every unread message no live poller holds, skipping rows another poll is
        claiming this instant; the key is held (a session-level advisory lock) until confirm or put_back."""
        key = int.from_bytes(os.urandom(8), "big") >> (64 - _KEY_BITS)
        self.db.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            rows = self.db.execute(f"SELECT seq, body::text, claim_key IS NOT NULL OR redelivered FROM "
                                   f"sudolang_messages WHERE {_UNREAD} ORDER BY seq FOR UPDATE SKIP LOCKED",
                                   (self.recipient,)).fetchall()
            if rows:
                self.db.execute("UPDATE sudolang_messages SET claim_key = %s, redelivered = (claim_key IS NOT NULL "
                                "OR redelivered) WHERE recipient = %s AND seq = ANY(%s)",
                                (key, self.recipient, [row[0] for row in rows]))
        except BaseException:
            self._release(key)
            raise
        if not rows:
            self._release(key)
            return None
        return PgClaim(key, [_message(body, again) for _, body, again in rows])

    def confirm(self, claim: PgClaim) -> None:
        """Delivered: the rows go, in one transaction that is the record of their delivery; a poller that
        dies before this commits leaves them claimed by a key nobody holds, so they are delivered again."""
        with self.db.transaction():
            self.db.execute("DELETE FROM sudolang_messages WHERE recipient = %s AND claim_key = %s",
                            (self.recipient, claim.key))
        self._release(claim.key)

    def put_back(self, claim: PgClaim) -> None:
        """Inside the lock: not delivered (printing failed): unread again, under their own numbers."""
        self.db.execute("UPDATE sudolang_messages SET claim_key = NULL WHERE recipient = %s AND claim_key = %s",
                        (self.recipient, claim.key))
        self._release(claim.key)

    def _release(self, key: int) -> None:
        try:
            self.db.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except StoreUnavailable:
            pass  # the connection is gone, and the lock with it


def _message(body: str, redelivered: bool) -> dict:
    message = json.loads(body)
    if redelivered:
        message["redelivered"] = True
    return message


# --- migrations ----------------------------------------------------------------------------------------


def migrate(url: str, label: str) -> list[str]:
    """Create or upgrade the tables to SCHEMA_VERSION; idempotent, and two runs at once take turns.
    Returns one line per version applied (none when the store is up to date)."""
    db = Database(url, label)
    try:
        db.connect(check_schema=False)
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS sudolang_schema (version integer PRIMARY KEY, "
                       "applied_at timestamptz NOT NULL DEFAULT now())")
            current = int(db.value("SELECT coalesce(max(version), 0) FROM sudolang_schema") or 0)
            if current > SCHEMA_VERSION:
                raise SudolangError(f"the PostgreSQL store {label} is at schema version {current}, newer than this "
                                    f"sudolang knows ({SCHEMA_VERSION}): upgrade sudolang")
            done = []
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    db.execute(statement)
                db.execute("INSERT INTO sudolang_schema (version) VALUES (%s)", (version,))
                done.append(f"applied schema version {version}")
        return done
    finally:
        db.close()

