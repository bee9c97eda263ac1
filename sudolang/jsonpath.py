"""JSONPath over state documents: RFC 9535 queries (and the project's shorthand) to locations, and the writes there.

`jsonpath_parse` turns the text into a query and `jsonpath_eval` runs it; this module is what callers use:
`compile_path`, `find` (every match as a concrete location and its value), and the writers, which all
resolve a path to concrete locations first, so every write lands exactly on the nodes the standard's
normalised paths name (plus, for `set` and the other creating writes, the documented extensions: missing
parents of a singular path are created, and `...[?filter].field` creates `field` in every matching object).
"""

from __future__ import annotations

import math

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.jsonpath_parse import MAX_PATH_CHARS, MAX_PATH_STEPS, InvalidPath, Name, Query, QueryTooLarge, parse

__all__ = ["MAX_PATH_CHARS", "MAX_PATH_STEPS", "InvalidPath", "JsonPath", "PathConflict", "QueryTooLarge", "apply_op",
           "check_op",
           "compile_path", "find", "lookup", "normalized", "render", "targets"]

# Annotations only (strings under `from __future__ import annotations`): a key or a list index,
# and a concrete location as a tuple of them. No `typing` import at run time: it costs ~5 ms of start-up,
# so the names are defined for the type checker alone (mypy treats any `TYPE_CHECKING` constant as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Token = str | int
    Location = tuple[Token, ...]
    Writer = Callable[[Any, Location, dict], Any]  # (document, location, op) -> the new root


class PathConflict(SudolangError):
    """The path runs through a value that cannot hold it (a number, a string, a list without that index)."""


class JsonPath:
    """A compiled path. `tokens` is its one location when it is a singular query (names and indices
    only, as written: an index may be negative), else None."""

    __slots__ = ("text", "query", "tokens", "_run")

    def __init__(self, text: str, query: Query) -> None:
        self.text = text
        self.query = query
        self.tokens: Location | None = None
        if query.singular:
            self.tokens = tuple(selector.name if isinstance(selector, Name) else selector.index  # type: ignore
                                for segment in query.segments for selector in segment.selectors)
        self._run: Callable[[Any], list[tuple[Location, Any]]] | None = None

    @property
    def singular(self) -> bool:
        return self.tokens is not None

    def run(self, document: Any) -> list[tuple[Location, Any]]:
        if self._run is None:
            from sudolang.jsonpath_eval import compile_query

            self._run = compile_query(self.query, self.text)
        return self._run(document)


def compile_path(text: str) -> JsonPath:
    """Compile `text`: an RFC 9535 query, or the shorthand that jsonpath_parse describes (`tasks.task-001`
    means `$.tasks.task-001`). A path over MAX_PATH_CHARS characters is an InvalidPath before any parsing,
    one over MAX_PATH_STEPS steps after it."""
    return JsonPath(text, parse(text))


def render(location: Location) -> str:
    """A concrete location for messages: `$.tasks.t-1[0]`, with `['...']` for a name the shorthand cannot spell."""
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f".{t}" if _plain(t) else f"[{_quoted(t)}]"
                         for t in location)


def normalized(location: Location) -> str:
    """The RFC's normalised path of a location (section 2.7): `$['tasks'][0]`."""
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f"[{_quoted(t)}]" for t in location)


def _plain(name: str) -> bool:
    return bool(name) and not name.isdigit() and name[0] != "-" and \
        all(c.isalnum() or c in "_-" if c < "\x80" else not "\ud800" <= c <= "\udfff" for c in name)


_NORMAL_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "'": "\\'",
                   "\\": "\\\\"}


def _quoted(name: str) -> str:
    return "'" + "".join(_NORMAL_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if c < " " else c) for c in name) + "'"


# --- reading -----------------------------------------------------------------------------------


_MISSING = object()


def _child(container: Any, token: Token) -> Any:
    if isinstance(container, dict) and isinstance(token, str):
        return container.get(token, _MISSING)
    if isinstance(container, list) and isinstance(token, int) and -len(container) <= token < len(container):
        return container[token]
    return _MISSING


def lookup(document: Any, location: Location) -> Any:
    """The value at `location`, or raise NotFound."""
    value = document
    for depth, token in enumerate(location):
        value = _child(value, token)
        if value is _MISSING:
            raise NotFound(f"nothing at {render(location[: depth + 1])}")
    return value


def find(document: Any, path: JsonPath) -> list[tuple[Location, Any]]:
    """Every node `path` selects, as (normalised location, value), in the RFC's order; empty when none."""
    if path.tokens is None:
        return path.run(document)
    location: list[Token] = []  # a singular path is a direct walk; a negative index becomes the one it names
    value = document
    for token in path.tokens:
        if isinstance(token, int) and isinstance(value, list) and token < 0:
            token += len(value)
            if token < 0:
                return []
        value = _child(value, token)
        if value is _MISSING:
            return []
        location.append(token)
    return [(tuple(location), value)]


# --- writing -----------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    return kinds.get(type(value), "an object" if isinstance(value, dict) else "null")


def _container_for(next_token: Token) -> Any:
    return [] if isinstance(next_token, int) else {}


def _step_into(container: Any, token: Token, next_token: Token, walked: Location) -> Any:
    """The child at `token`, created (or replacing null) when missing."""
    child = _child(container, token)
    if child is not _MISSING and child is not None:
        return child
    fresh = _container_for(next_token)
    _store(container, token, fresh, walked)
    return fresh


def _store(container: Any, token: Token, value: Any, walked: Location) -> None:
    where = render(walked)
    if isinstance(container, dict):
        if not isinstance(token, str):
            raise PathConflict(f"cannot use index [{token}] at {where}: it is an object")
        container[token] = value
    elif isinstance(container, list):
        if not isinstance(token, int):
            raise PathConflict(f"cannot use key {token!r} at {where}: it is a list")
        if token == len(container):
            container.append(value)
        elif -len(container) <= token < len(container):
            container[token] = value
        else:
            raise PathConflict(f"index [{token}] is out of range at {where} (a list of {len(container)})")
    else:
        raise PathConflict(f"cannot create {render((*walked, token))}: {where} is {_describe(container)}")


def set_at(document: Any, location: Location, value: Any) -> Any:
    """Store `value` at `location`, creating missing parents; returns the (possibly new) root."""
    if not location:
        if not isinstance(value, dict):
            raise PathConflict("the document root must stay an object")
        return value
    container = document
    for depth, token in enumerate(location[:-1]):
        container = _step_into(container, token, location[depth + 1], location[:depth])
    _store(container, location[-1], value, location[:-1])
    return document


def delete_at(document: Any, location: Location) -> Any:
    if not location:
        raise PathConflict("cannot delete the document root")
    parent = lookup(document, location[:-1])
    if _child(parent, location[-1]) is _MISSING:
        raise NotFound(f"nothing at {render(location)}; nothing deleted")
    del parent[location[-1]]
    return document


def deep_merge(target: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value
    return target


def merge_at(document: Any, location: Location, patch: Any) -> Any:
    if not isinstance(patch, dict):
        raise UsageError(f"merge needs a JSON object, got {_describe(patch)}")
    current = _lookup_or_none(document, location)
    if current is None:
        return set_at(document, location, patch)
    if not isinstance(current, dict):
        raise PathConflict(f"cannot merge an object into {render(location)}: it is {_describe(current)}")
    deep_merge(current, patch)
    return document


def incr_at(document: Any, location: Location, amount: Any) -> Any:
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        raise UsageError(f"incr needs a number, got {_describe(amount)}")
    current = _lookup_or_none(document, location)
    if current is None:
        current = 0
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise PathConflict(f"cannot add to {render(location)}: it is {_describe(current)}")
    total = current + amount
    if isinstance(total, float) and not math.isfinite(total):
        raise PathConflict(f"cannot add {amount!r} to {render(location)}: the sum is too large for JSON")
    return set_at(document, location, total)


def append_at(document: Any, location: Location, value: Any, limit: int | None = None) -> Any:
    current = _lookup_or_none(document, location)
    if current is None:
        current = []
        document = set_at(document, location, current)
    if not isinstance(current, list):
        raise PathConflict(f"cannot append to {render(location)}: it is {_describe(current)}")
    if limit is not None and not _is_limit(limit):
        raise UsageError(f"append's limit must be a whole number, 1 or more, got {limit!r}")
    current.append(value)
    if limit is not None and len(current) > limit:
        del current[: len(current) - limit]
    return document


def _lookup_or_none(document: Any, location: Location) -> Any:
    try:
        return lookup(document, location)
    except NotFound:
        return None


# --- operations ----------------------------------------------------------------------------------

# op name -> (writer, whether it needs a value). Writers take (document, location, op) and return the root.
_WRITERS: dict[str, tuple[Writer, bool]] = {
    "set": (lambda doc, loc, op: set_at(doc, loc, op["value"]), True),
    "merge": (lambda doc, loc, op: merge_at(doc, loc, op["value"]), True),
    "delete": (lambda doc, loc, op: delete_at(doc, loc), False),
    "incr": (lambda doc, loc, op: incr_at(doc, loc, op.get("value", 1)), False),
    "append": (lambda doc, loc, op: append_at(doc, loc, op["value"], op.get("limit")), True),
}
OPERATIONS = tuple(_WRITERS)


def _is_limit(limit: Any) -> bool:
    """append's `limit`: a whole number of entries to keep, 1 or more. 0 would keep nothing and a negative
    number emptied the list, so both are refused; a bool or a string is not a number here."""
    return type(limit) is int and limit >= 1


def check_op(op: Any, index: int | None = None) -> dict:
    """Validate one {op, path, value} before any lock is taken; returns it unchanged. Besides its shape:
    the path within its bounds, the value one JSON can hold (json_input.check_value: no NaN, no nesting past
    its depth, no lone surrogates), an `incr` amount a finite number, an `append` limit a whole number >= 1."""
    from sudolang import json_input

    where = "" if index is None else f"operation {index}: "
    if not isinstance(op, dict):
        raise UsageError(f"{where}expected an object with 'op' and 'path', got {_describe(op)}")
    if op.get("op") not in _WRITERS:
        raise UsageError(f"{where}unknown op {str(op.get('op'))[:40]!r}; expected one of {', '.join(OPERATIONS)}")
    if not isinstance(op.get("path"), str):
        raise UsageError(f"{where}'path' must be a JSONPath string")
    if _WRITERS[op["op"]][1] and "value" not in op:
        raise UsageError(f"{where}{op['op']} needs a 'value'")
    if op["op"] == "append" and op.get("limit") is not None and not _is_limit(op["limit"]):
        raise UsageError(f"{where}append's 'limit' must be a whole number, 1 or more (got {str(op['limit'])[:40]!r})")
    if op["op"] == "incr" and "value" in op:
        amount = op["value"]
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or \
                (isinstance(amount, float) and not math.isfinite(amount)):
            raise UsageError(f"{where}incr needs a finite number, got {str(amount)[:40]!r}")
    if "value" in op:
        json_input.check_value(op["value"], f"{where}the value")
    try:
        compile_path(op["path"])
    except InvalidPath as error:
        raise InvalidPath(where + error.message, error.position, error.reason) from None
    return op


def apply_op(document: Any, op: dict) -> Any:
    """Apply one checked operation; a path that matches nothing raises NotFound (nothing is reported as written)."""
    writer = _WRITERS[op["op"]][0]
    path = compile_path(op["path"])
    if path.tokens is not None:  # path.singular: missing parents are created
        return writer(document, path.tokens, op)
    matches = targets(document, path, creating=op["op"] != "delete")
    if not matches:
        raise NotFound(f"no match for {op['path']!r}; nothing written")
    # Deepest and highest indices first, so deleting one match does not shift another.
    for location in sorted(matches, key=_sort_key, reverse=True):
        document = writer(document, location, op)
    return document


def targets(document: Any, path: JsonPath, creating: bool) -> list[Location]:
    """The distinct locations a write through a non-singular path changes: the nodes it selects (their
    normalised paths), each once. A creating write through a path that ends in a plain member name
    (`$.tasks[?@.status == 'todo'].done`) also creates that member in every matching object, so it lands
    on the parents' matches plus that name, as a write through a singular path creates a missing member."""
    segments = path.query.segments
    last = segments[-1] if segments else None
    if creating and last is not None and not last.descendant and len(last.selectors) == 1 and \
            isinstance(last.selectors[0], Name):
        name = last.selectors[0].name
        parents = JsonPath(path.text, Query(False, segments[:-1]))
        found = [(*location, name) for location, value in find(document, parents) if isinstance(value, dict)]
    else:
        found = [location for location, _ in find(document, path)]
    return list(dict.fromkeys(found))


def _sort_key(location: Location) -> list[tuple[int, Any]]:
    return [(0, token) if isinstance(token, int) else (1, token) for token in location]
