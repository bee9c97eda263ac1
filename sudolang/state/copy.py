"""Copying a project's state from one store to another (files to PostgreSQL, or back), then checking the copy.

What moves: every live session and project document at its own revision, with its event log, and every
inbox's unread messages with its counter. Archived sessions stay behind. The target must not hold any of
them yet: a conflict is found before anything is written, and nothing is then copied. After the copy
each document is read back from the target and compared with the source's, revision included, and so
are the unread messages; any difference is an error naming it. Copy while no session is working: a
change made to the source during the copy is not carried over (the check then reports it).
"""

from __future__ import annotations

from sudolang.errors import SudolangError
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir

KINDS = ("project", "session")  # projects first: a session names its project


def copy_state(source: StateDir, target: StateDir, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """Copy `source` into `target` and check it; one report line per item, then the check's."""
    documents = [(kind, document_id) for kind in KINDS for document_id in source.ids(kind)]
    inboxes = [sid for sid in source.inbox_ids() if source.inbox(sid).last_seq()]
    _refuse_conflicts(target, documents, inboxes)
    report = []
    for kind, document_id in documents:
        original = source.document(kind, document_id)
        document, records = original.read(), original.events()
        target.document(kind, document_id).restore(document, records, timeout)
        report.append(f"copied {original.label} at revision {document['revision']} ({len(records)} event(s))")
    for sid in inboxes:
        inbox = source.inbox(sid)
        waiting, last = inbox.pending(), inbox.last_seq()
        copy = target.inbox(sid)
        with copy.lock(timeout):
            copy.restore(waiting, last)
        report.append(f"copied the inbox of session {sid!r}: {len(waiting)} unread message(s), last number {last}")
    report.append(check(source, target, documents, inboxes))
    return report


def _refuse_conflicts(target: StateDir, documents: list[tuple[str, str]], inboxes: list[str]) -> None:
    taken = [target.document(kind, document_id).label for kind, document_id in documents
             if target.document(kind, document_id).exists() or target.document(kind, document_id).events()]
    taken += [f"the inbox of session {sid!r}" for sid in inboxes if target.inbox(sid).last_seq()]
    if taken:
        shown = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        raise SudolangError(f"{target.describe()} already holds {shown}; nothing was copied")


def check(source: StateDir, target: StateDir, documents: list[tuple[str, str]], inboxes: list[str]) -> str:
    """Compare every copied document (revision included) and every inbox's unread messages in both stores."""
    differ = [source.document(kind, document_id).label for kind, document_id in documents
              if source.document(kind, document_id).read() != target.document(kind, document_id).read()]
    differ += [f"the inbox of session {sid!r}" for sid in inboxes
               if _unread(source, sid) != _unread(target, sid) or source.inbox(sid).last_seq() != target.inbox(sid).last_seq()]
    if differ:
        raise SudolangError(f"the copy differs from the source in {', '.join(differ)}: was a session working "
                            "during the copy? Compare them, then copy what changed by hand")
    messages = sum(len(_unread(source, sid)) for sid in inboxes)
    return (f"checked: {len(documents)} document(s) and {messages} unread message(s) are the same in "
            f"{target.describe()}, revisions included")


def _unread(state: StateDir, sid: str) -> list[dict]:
    return [{k: v for k, v in m.items() if k != "redelivered"} for m in state.inbox(sid).pending()]
