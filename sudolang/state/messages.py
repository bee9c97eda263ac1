"""Messages between sessions, on either store: sent, numbered in sending order, and consumed by one poller each.

The API (send, receive, poll, pending) checks the sender and the recipient, then works through the
store's inbox (`state.inbox(id)`, sudolang.state.interface.InboxStore): the file store's is
sudolang.state.inbox (one file per message, claimed and confirmed by rename), PostgreSQL's is
sudolang.state.pg (one row per message, claimed with FOR UPDATE SKIP LOCKED).

Send, under the inbox's lock: take the next number, then publish the message whole. Poll: under the
lock, claim every unread message; print them; then confirm, which ends the claim. Racing pollers never
share a message, and each sees ascending numbers. If printing raises, the claim goes back to the inbox.
A poller that dies after claiming and before confirming leaves its claim to the next poll, which
delivers those messages again marked "redelivered": true, with the same id and seq. So no message is
lost, and a message is delivered twice only if its first poller died after writing its output and
before confirming -- and then the second copy says so.
"""

from __future__ import annotations

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.state import clock
from sudolang.state.ids import new_id
from sudolang.state.inbox import MAX_MESSAGE, SEQ_DIGITS, Claim, Inbox, read_message  # noqa: F401  (re-exported)
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir

TYPE_CHECKING = False  # annotations only: `typing` costs ~5 ms of start-up, and a poll is what sessions run most
if TYPE_CHECKING:
    from sudolang.state import interface
    from sudolang.state.interface import InboxStore

ENDED_STATUSES = frozenset({"completed", "archived"})  # a session in these reads no more messages
_ABSENT = object()  # "no payload", since null is a payload one may send


class Delivery:
    """`with Delivery(inbox, timeout) as messages:` claims the unread messages; a clean exit confirms them,
    an exception puts them back. Print and flush inside the block: confirming ends the claim."""

    def __init__(self, inbox: InboxStore, timeout: float) -> None:
        self.inbox = inbox
        self.timeout = timeout
        self.claim: interface.Claim | None = None

    def __enter__(self) -> list[dict]:
        if self.inbox.unread():  # nothing unread (the usual poll): no lock, no writes
            with self.inbox.lock(self.timeout):
                self.claim = self.inbox.claim()
        return self.claim.messages if self.claim else []

    def __exit__(self, error_type: type | None, *rest: object) -> None:
        if self.claim is None:
            return
        if error_type is None:
            self.inbox.confirm(self.claim)
        else:
            with self.inbox.lock(self.timeout):
                self.inbox.put_back(self.claim)


# --- the API -------------------------------------------------------------------------------------


def send(state: StateDir, sender: str, recipient: str, text: str | None = None, payload: object = _ABSENT,
         timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Deliver `text` or a JSON `payload` from `sender` to `recipient`'s inbox; returns the message as stored."""
    content = _content(text, payload)
    require_known(state, sender, "sender")
    require_live(state, recipient)
    inbox = state.inbox(recipient)
    with inbox.lock(timeout):
        message = {"id": new_id(), "seq": inbox.next_seq(), "from": sender, "to": recipient,
                   "at": clock.iso(clock.now()), **content}
        inbox.publish(message)
    return message


def receive(state: StateDir, session_id: str, timeout: float = DEFAULT_TIMEOUT) -> Delivery:
    """The unread messages of `session_id`, claimed for the caller until its `with` block ends."""
    require_known(state, session_id, "recipient")
    return Delivery(state.inbox(session_id), timeout)


def poll(state: StateDir, session_id: str, peek: bool = False, timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Unread messages in sending order, consumed (unless `peek`): no other poll returns them."""
    if peek:
        return pending(state, session_id)
    with receive(state, session_id, timeout) as messages:
        return messages


def pending(state: StateDir, session_id: str) -> list[dict]:
    """Unread messages in sending order, left unread."""
    require_known(state, session_id, "recipient")
    return state.inbox(session_id).pending()


# --- checks --------------------------------------------------------------------------------------


def _content(text: str | None, payload: object) -> dict:
    if (text is None) == (payload is _ABSENT):
        raise UsageError("give a message TEXT or --json PAYLOAD, not both and not neither")
    from sudolang.json_input import check_value

    content = {"text": text} if text is not None else {"payload": payload}
    return check_value(content, "the message")  # before the lock: a refused message uses no sequence number


def require_known(state: StateDir, session_id: str, role: str) -> None:
    """A session that exists or existed (archived), so a typo is caught and an archived inbox stays readable.

    The sender's status is not checked: a session that has just handed off (and so is completed) or
    run out its ttl may still have something to say."""
    document = state.session(session_id)
    if not document.exists() and not state.archived(session_id):
        raise NotFound(f"no session {session_id!r} ({role})")


def require_live(state: StateDir, session_id: str) -> None:
    """The recipient exists and will still read: not completed, archived or expired."""
    from sudolang.state.sessions import summary

    document = state.session(session_id)
    try:
        row = summary(document.read(), clock.now())
    except NotFound:
        if state.archived(session_id):
            raise SudolangError(f"cannot send to session {session_id!r}: it expired and was archived") from None
        raise NotFound(f"no session {session_id!r} to send to") from None
    if row["status"] in ENDED_STATUSES:
        raise SudolangError(f"cannot send to session {session_id!r}: it is {row['status']}, so nobody would read it")
    if row["expired"]:
        raise SudolangError(f"cannot send to session {session_id!r}: it expired at {row['expiry']} "
                            f"(`sudolang session heartbeat {session_id}` revives it)")
