"""JSONPath over state documents: simple paths resolved by hand, filters and wildcards by jsonpath-ng.

A path such as `$.execution.tasks.task-001.status` or `tasks[0]` names one
location and is walked here without importing jsonpath-ng (about 50 ms of
start-up). Anything else (`*`, `..`, `[?(...)]`, slices, unions) is handed to
`jsonpath_ng.ext`, and its matches are turned back into concrete locations so
every write goes through the same code below. We never call jsonpath-ng's own
`update()`/`update_or_create()`: they silently skip missing paths, fail through
`null` and numbers, and (since 1.8) store only the first element of a list.
"""

from __future__ import annotations

import math
import re

from sudolang.errors import NotFound, SudolangError, UsageError

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

_NAME = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_QUOTED = re.compile(r"""\[\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\]""")
_NEEDS_JSONPATH_NG = frozenset("*?@()|,:$&=<>!~")
# Bounds checked before anything else (and so before any lock): a 100 KB path of 50,000 steps once took
# minutes under the session's lock and ended in a RecursionError. A document is nested at most
# json_input.MAX_DEPTH levels, so a longer path could never name anything in it.
MAX_PATH_CHARS = 1024
MAX_PATH_STEPS = 64


class InvalidPath(UsageError):
    """The text is not a JSONPath."""


class PathConflict(SudolangError):
    """The path runs through a value that cannot hold it (a number, a string, a list without that index)."""


class JsonPath:
    """A compiled path: `tokens` when it names one location, else a jsonpath-ng expression."""

    __slots__ = ("text", "tokens", "expression")

    def __init__(self, text: str, tokens: Location | None, expression: Any = None) -> None:
        self.text = text
        self.tokens = tokens
        self.expression = expression

    @property
    def singular(self) -> bool:
        return self.tokens is not None


def compile_path(text: str) -> JsonPath:
    """Compile `text`; a leading `$` is optional (`tasks.task-001` means `$.tasks.task-001`). A path over
    MAX_PATH_CHARS characters or MAX_PATH_STEPS steps is an InvalidPath, before any parsing."""
    if not isinstance(text, str):
        raise InvalidPath(f"a JSONPath must be text, got {_describe(text)}")
    if len(text) > MAX_PATH_CHARS:
        raise InvalidPath(f"JSONPath {text[:40]!r}... is {len(text):,} characters; the limit is {MAX_PATH_CHARS:,}")
    tokens = _simple_tokens(text)
    if tokens is not None:
        _check_steps(text, len(tokens))
        return JsonPath(text, tokens)
    # A rough count (every '.' and '[' may start a step) that errs on the side of refusing deep paths.
    _check_steps(text, text.count(".") + text.count("["))
    return JsonPath(text, None, _jsonpath_ng(text))


def _check_steps(text: str, steps: int) -> None:
    if steps > MAX_PATH_STEPS:
        raise InvalidPath(f"JSONPath {text[:40]!r}... has {steps} steps; the limit is {MAX_PATH_STEPS} "
                          "(no document is nested deeper)")


def _simple_tokens(text: str) -> Location | None:
    rest = text.strip()
    if rest.startswith("$"):
        rest = rest[1:]
    elif rest and rest[0] not in ".[":
        rest = "." + rest
    tokens: list[Token] = []
    position = 0
    while position < len(rest):
        step = _simple_step(rest, position)
        if step is None:
            return None
        token, position = step
        tokens.append(token)
    return tuple(tokens)


def _simple_step(text: str, position: int) -> tuple[Token, int] | None:
    if text[position] == ".":
        match = _NAME.match(text, position + 1)
        if not match or _NEEDS_JSONPATH_NG.intersection(match.group()) or match.group() != match.group().strip():
            return None
        return match.group(), match.end()
    if match := _INDEX.match(text, position):
        return int(match.group(1)), match.end()
    if match := _QUOTED.match(text, position):
        return (match.group(1) if match.group(1) is not None else match.group(2)), match.end()
    return None


def _jsonpath_ng(text: str) -> Any:
    from jsonpath_ng.ext import parse  # lazy: only filters, wildcards and slices pay for it

    source = text.strip()
    if not source.startswith("$"):
        source = "$" + source if source.startswith("[") else "$." + source
    try:
        return parse(source)
    except RecursionError:  # deeply nested brackets or parentheses in a filter
        raise InvalidPath(f"invalid JSONPath {text[:80]!r}: nested too deeply") from None
    except Exception as error:  # jsonpath-ng raises several unrelated types for bad input
        raise InvalidPath(f"invalid JSONPath {text[:200]!r}: {str(error)[:200]}") from None


def render(location: Location) -> str:
    """The canonical text of a concrete location, for messages."""
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in location)


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
    """Every match of `path` as (concrete location, value); empty when nothing matches."""
    if path.tokens is not None:
        try:
            return [(path.tokens, lookup(document, path.tokens))]
        except NotFound:
            return []
    return [(_location_of(datum, path), datum.value) for datum in path.expression.find(document)]


def _location_of(datum: Any, path: JsonPath) -> Location:
    tokens: list[Token] = []
    while datum is not None and datum.context is not None:
        step = datum.path
        if hasattr(step, "fields") and len(step.fields) == 1:
            tokens.append(step.fields[0])
        elif hasattr(step, "indices") and len(step.indices) == 1:
            tokens.append(step.indices[0])
        else:
            raise InvalidPath(f"JSONPath {path.text!r} matches a location that cannot be named ({step})")
        datum = datum.context
    return tuple(reversed(tokens))


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
        raise InvalidPath(where + error.message) from None
    return op


def apply_op(document: Any, op: dict) -> Any:
    """Apply one checked operation; a path that matches nothing raises NotFound (nothing is reported as written)."""
    writer = _WRITERS[op["op"]][0]
    path = compile_path(op["path"])
    if path.tokens is not None:  # path.singular
        return writer(document, path.tokens, op)
    matches = _targets(document, path, creating=op["op"] != "delete")
    if not matches:
        raise NotFound(f"no match for {op['path']!r}; nothing written")
    # Deepest and highest indices first, so deleting one match does not shift another.
    for location in sorted(matches, key=_sort_key, reverse=True):
        document = writer(document, location, op)
    return document


def _targets(document: Any, path: JsonPath, creating: bool) -> list[Location]:
    """Where a write through a filter or wildcard lands. `$.tasks[?(...)].done` must create `done`
    in every matching task, so a path ending in a plain field is resolved as its parent's matches
    plus that field."""
    expression = path.expression
    fields = getattr(getattr(expression, "right", None), "fields", ("*",))
    if creating and type(expression).__name__ == "Child" and fields != ("*",) and len(fields) == 1:
        parents = JsonPath(path.text, None, expression.left)
        return [(*location, fields[0]) for location, value in find(document, parents)
                if isinstance(value, dict)]
    return [location for location, _ in find(document, path)]


def _sort_key(location: Location) -> list[tuple[int, Any]]:
    return [(0, token) if isinstance(token, int) else (1, token) for token in location]
