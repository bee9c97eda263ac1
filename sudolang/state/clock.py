"""The one clock the state layer reads, fixable through $SUDOLANG_NOW for tests and reproducible demos.

datetime is imported by the functions that need one, not here: a write that only stamps the time
(now_text) does without its ~1 ms of start-up."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime


def now() -> datetime:
    from datetime import datetime, timezone

    fixed = os.environ.get("SUDOLANG_NOW")
    if fixed:
        return parse(fixed)
    return datetime.now(timezone.utc).replace(microsecond=0)


def now_text() -> str:
    """iso(now()), without datetime unless $SUDOLANG_NOW fixes the clock."""
    if os.environ.get("SUDOLANG_NOW"):
        return iso(now())
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def iso(moment: datetime) -> str:
    from datetime import timezone

    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    from datetime import datetime, timezone

    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def later(moment: datetime, seconds: float) -> datetime:
    from datetime import timedelta

    return moment + timedelta(seconds=seconds)
