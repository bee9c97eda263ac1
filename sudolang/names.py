"""The names a program gives itself (`name`, `prefix`) become file names and command names, so they follow
one documented pattern, checked by lint (SL104) and again by the compiler before anything is generated."""

from __future__ import annotations

import re

MAX_LENGTH = 64
PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
RULE = ("lower-case letters, digits, '-' and '_', starting with a letter, "
        f"at most {MAX_LENGTH} characters (it becomes file and command names)")


def problem(value: str) -> str | None:
    """Why `value` cannot be a program's name or prefix, or None when it can."""
    if not value:
        return "is empty"
    if len(value) > MAX_LENGTH:
        return f"is {len(value)} characters long; the limit is {MAX_LENGTH}"
    if not PATTERN.fullmatch(value):
        return f"is not allowed: use {RULE}"
    return None
