"""The names SudoLang Core knows besides a program's own: its standard library (docs/language.md §8.6).

This is the checks stage's view of the library: each name with how many arguments it takes and which
modifiers, so lint can say whether a call is Core before anything runs. The runtime implements them
(sudolang.runtime.stdlib for the pure functions, sudolang.runtime.corelib for the ones that touch the
run: state writes, events, who acts); a test keeps the three in agreement.
"""

from __future__ import annotations

# name -> (fewest arguments, most arguments, modifiers)
PURE: dict[str, tuple[int, int, frozenset[str]]] = {
    "now": (0, 0, frozenset()), "today": (0, 0, frozenset()), "date": (1, 1, frozenset()),
    "addDays": (2, 2, frozenset()), "daysBetween": (2, 2, frozenset()),
    "uuid": (0, 0, frozenset()), "idNumber": (1, 1, frozenset()),
    "len": (1, 1, frozenset()), "count": (1, 2, frozenset()),
    "sum": (1, 2, frozenset()), "average": (1, 2, frozenset()), "round": (1, 2, frozenset()),
    "sort": (1, 2, frozenset({"descending"})), "min": (1, 2, frozenset()), "max": (1, 2, frozenset()),
    "group": (2, 2, frozenset()), "unique": (1, 1, frozenset()),
    "keys": (1, 1, frozenset()), "values": (1, 1, frozenset()), "entries": (1, 1, frozenset()),
    "filter": (2, 2, frozenset()), "map": (2, 2, frozenset()), "find": (2, 2, frozenset()),
    "any": (2, 2, frozenset()), "all": (2, 2, frozenset()), "first": (1, 1, frozenset()),
    "last": (1, 1, frozenset()), "slice": (2, 3, frozenset()), "range": (2, 2, frozenset()),
    "get": (2, 3, frozenset()), "has": (2, 2, frozenset()), "reverse": (1, 1, frozenset()),
    "text": (1, 1, frozenset()), "number": (1, 1, frozenset()), "join": (1, 2, frozenset()),
    "split": (2, 2, frozenset()), "trim": (1, 1, frozenset()), "upper": (1, 1, frozenset()),
    "lower": (1, 1, frozenset()), "startsWith": (2, 2, frozenset()), "endsWith": (2, 2, frozenset()),
    "replace": (3, 3, frozenset()), "pad": (2, 2, frozenset()), "padStart": (2, 2, frozenset()),
    "repeat": (2, 2, frozenset()), "plural": (2, 3, frozenset()), "fill": (2, 2, frozenset()),
    "kind": (1, 1, frozenset()),
    "secondsBetween": (2, 2, frozenset()),
}

# Functions of the run (sudolang.runtime.corelib): name -> (fewest, most, modifiers)
RUN: dict[str, tuple[int, int, frozenset[str]]] = {
    "actor": (0, 0, frozenset()), "sessionId": (0, 0, frozenset()), "projectId": (0, 0, frozenset()),
    "sessions": (0, 0, frozenset()),
    "emit": (1, 2, frozenset()), "record": (1, 2, frozenset()), "result": (1, 2, frozenset()),
    "notFound": (1, 1, frozenset()), "usage": (1, 1, frozenset()),
}

# Place functions: their first argument is a place (a local, or a member path of `project`/`session`),
# written in place. `append(list, value):limit=50`, `merge(object, patch)`.
PLACE: dict[str, tuple[int, int, frozenset[str]]] = {
    "append": (2, 2, frozenset({"limit"})), "merge": (2, 2, frozenset()),
}

# Functions that write the state whatever their arguments: name -> the document they write.
WRITES = {"record": "session"}
# Functions whose call does more than read, or gives a new value each time: a function that calls one is not
# pure (sudolang.core_check.FunctionCheck.pure), so its result is never reused within a screen.
EFFECTS = frozenset({"emit", "record", "uuid"})  # now() and today(): one screen is one moment

STATE_ROOTS = ("project", "session")
PARAMETER_TYPES = ("text", "number", "integer", "boolean")


def signature(name: str) -> tuple[int, int, frozenset[str]] | None:
    return PURE.get(name) or RUN.get(name) or PLACE.get(name)


def is_library(name: str) -> bool:
    return name in PURE or name in RUN or name in PLACE
