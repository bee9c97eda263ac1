"""A session's bounded event list: the one operation that appends to it.

It lives apart from sessions.py so that shared.py (the project document, which
records a session's sprint activation) can use it without importing the session
lifecycle, which itself creates project documents through shared.py.
"""

from __future__ import annotations

EVENT_LIMIT = 50  # events kept inside the document; the .events.jsonl log keeps more, until it is compacted


def event_op(kind: str, at: str, **data: object) -> dict:
    """An operation appending one event to the document's bounded event list."""
    entry = {"at": at, "type": kind, **data}
    return {"op": "append", "path": "$.observability.events", "value": entry, "limit": EVENT_LIMIT}
