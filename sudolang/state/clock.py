"""The one clock the state layer reads, fixable through $SUDOLANG_NOW for tests and reproducible demos."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone


def now() -> datetime:
    fixed = os.environ.get("SUDOLANG_NOW")
    if fixed:
        return parse(fixed)
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
