"""Counts in messages the tool writes itself: "1 task", "3 tasks", never "1 task(s)".

The programs' own text uses the standard library's `plural` (sudolang.runtime.stdlib), which checks its
arguments' kinds as SudoLang requires; this is the same rule for Python callers that pass plain ints."""

from __future__ import annotations


def count(n: int | float, word: str, many: str | None = None) -> str:
    """`count(1, "task")` is "1 task", `count(0, "task")` "0 tasks", `count(2, "reply", "replies")` "2 replies"."""
    shown = int(n) if isinstance(n, float) and n.is_integer() else n
    return f"{shown} {word if n in (1, -1) else (many or word + 's')}"
