"""The store interface: what the state layer asks of whatever keeps the documents, their event logs and the inboxes.

Two stores implement it. The file store (`paths.StateDir`, `store.Document`, `messages.Inbox`) is the
embedded default: JSON files under one folder, no server. The PostgreSQL store (`pg.PgStateDir`,
`pg.PgDocument`, `pg.PgInbox`) keeps the same things in a database several machines share.
`stores.open_state` picks one. Everything above the state layer (the commands, the hook, `run`, the
compiled handlers, `msg`) reaches a store only through these methods, so it works unchanged on either.

What every store guarantees, each by its own means:
- a read sees a committed document, whole; `update`, `change` and the `lock` + `update_locked` pair are
  read-modify-write under an exclusive lock on that one document, all or nothing, so no update is lost;
- each commit raises `revision` by exactly one and records {"revision", "at", "ops"} in the document's
  event log in the same step, so the revisions have no gaps and the log replays to the document;
- a lock not had within `timeout` seconds is `LockTimeout` (exit 4), with nothing changed;
- an inbox numbers its messages in sending order; a claimed message goes to one poller only, comes back
  (marked "redelivered") if that poller dies before it confirms, and is gone once confirmed.

This module is read by type checkers only (`stores._conforms` has mypy check both stores against it); nothing
imports it at run time, where `typing` would cost start-up. The state layer's functions are annotated with the
file store's classes, and PgStateDir (a StateDir) stands in for them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import PurePath
from typing import Any, Protocol

from sudolang.state.store import Recovery

Plan = Callable[[dict], list[dict]]  # (document) -> the operations to apply, decided under the lock


class DocumentStore(Protocol):
    """One session or project document and its event log."""

    label: str  # "session 'ID'": how messages name it
    recover_command: str  # the command a message about damage names

    @property
    def path(self) -> PurePath: ...  # its name: sorting by path.name gives every store one lock order

    def exists(self) -> bool: ...
    def read(self, keep: bool = True) -> dict: ...  # NotFound when absent; keep: a reader's, not a writer's
    def lock(self, timeout: float) -> AbstractContextManager[Any]: ...
    def create(self, document: dict, timeout: float) -> dict: ...  # revision 1; refused when it exists
    def update(self, plan: Plan, timeout: float) -> dict: ...
    def update_locked(self, plan: Plan) -> dict: ...  # inside `with lock(...)`
    def change(self, change: Callable[[dict], str | None], timeout: float) -> dict: ...
    def commit_changed(self, document: dict, logged: str, revision: int | None) -> None: ...  # inside a lock
    def recover(self, timeout: float) -> Recovery: ...
    def events(self) -> list[dict]: ...  # the event log, oldest first
    def archive(self) -> None: ...  # inside `with lock(...)`: out of the live documents, kept
    def restore(self, document: dict, records: list[dict], timeout: float) -> None: ...  # a copy from elsewhere


class Claim(Protocol):
    messages: list[dict]  # in sending order; "redelivered": true on those a dead poller had claimed


class InboxStore(Protocol):
    """One recipient session's messages."""

    def lock(self, timeout: float) -> AbstractContextManager[Any]: ...  # senders take it to number and publish
    def next_seq(self) -> int: ...  # inside the lock; a number is never handed out twice
    def last_seq(self) -> int: ...
    def publish(self, message: dict) -> None: ...  # inside the lock, after next_seq
    def unread(self) -> list: ...  # cheap: whether anything waits (no lock)
    def claim(self) -> Claim | None: ...  # inside the lock: every unread message, claimed
    def confirm(self, claim: Any) -> None: ...  # delivered: the claim ends, the messages are gone
    def put_back(self, claim: Any) -> None: ...  # inside the lock: not delivered, unread again
    def pending(self) -> list[dict]: ...  # the unread messages, left unread
    def restore(self, messages: list[dict], last_seq: int) -> None: ...  # inside the lock: a copy from elsewhere


class Store(Protocol):
    """Where one project's state is kept; `root` is the local state folder either way (the hook's log,
    triggers.toml and tools.json stay on each machine)."""

    @property
    def root(self) -> Any: ...

    store: str  # "files", or the store's URL as given (password never included: see stores.check_url)

    def session(self, session_id: str) -> DocumentStore: ...
    def project(self, project_id: str) -> DocumentStore: ...
    def document(self, kind: str, document_id: str) -> DocumentStore: ...
    def session_ids(self) -> list[str]: ...
    def knows_session(self, session_id: str) -> bool: ...  # anything of it, live or archived: an exact id
    def resolve_session(self, typed: str) -> str: ...  # a unique prefix of a live session's id, as git reads one
    def ids(self, kind: str) -> list[str]: ...
    def inbox(self, session_id: str) -> InboxStore: ...
    def inbox_ids(self) -> list[str]: ...
    def archived(self, session_id: str) -> bool: ...
    def wait_for_change(self, seen: dict[tuple[str, str], int | None], timeout: float) -> bool: ...
    def describe(self) -> str: ...
    def close(self) -> None: ...

