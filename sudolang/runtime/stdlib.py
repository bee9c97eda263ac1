"""SudoLang Core's standard library: the pure functions of docs/language.md, 8.6.

The functions that touch the run (actor, sessionId, projectId, emit, record, result, notFound, usage) and
the place functions (append, merge) are sudolang.runtime.corelib's. Compiled programs look a function up in
FUNCTIONS by its SudoLang name; ARITY says how many positional arguments each takes (fewest, most) and
MODIFIERS which `:name=value` / `:flag` modifiers it accepts, passed as keyword arguments (a flag as
`name=True`); sudolang.core_library states the same for lint, and a test keeps them in agreement.

Every function raises only RunError (a wrong kind of argument names the function: "join: expected an
array, got number"); values follow sudolang.runtime.values. Decisions where docs/language.md is silent:

- Time is UTC: `today()` is the UTC date, `date(stamp)` the stamp's UTC date; `date`, `addDays` and
  `daysBetween` take a `YYYY-MM-DD` date or an ISO 8601 stamp (a stamp without an offset is UTC) and give
  `YYYY-MM-DD` (addDays) or whole days (daysBetween(a, b) is b − a, by calendar dates).
- `idNumber(t)` is the number the text ends with (`"T-12"` → 12, `"sprint3"` → 3), 0 when it ends with no
  digit.
- `average([])` is 0; `sum([])` is 0. `sum` and `average` take numbers only.
- `round(x, digits)` rounds half away from zero (`round(2.5)` is 3, `round(-2.5)` is -3) on the number as
  it is written (`round(2.675, 2)` is 2.68); `digits` may be negative (`round(1250, -2)` is 1300).
- `sort` is stable (also with `:descending`) and returns a new array; keys order as `<` does (numbers,
  texts, arrays), so keys of different kinds are an error. `min`/`max` give the first item with the
  least/greatest key, null for an empty array.
- `group(xs, f)`: the keys are the text forms of f's results, in order of first appearance.
- `unique` keeps the first of equal items (by `==`).
- Callbacks (`filter`, `map`, `find`, `any`, `all`, `count`, `sum`, `average`, `sort`, `min`, `max`,
  `group`) get one argument, the item; these functions take arrays only.
- `get(o, key, default)` and `has(o, key)` take an object with a text key or an array with a whole-number
  index (negative from the end); a missing member, an index out of range or a null `o` gives the default
  (null without one) / false.
- `slice(x, start, end)` takes an array or a text, with JavaScript's (and Python's) slicing: negative
  counts from the end, out-of-range positions are clamped, `end` null or left out is the end.
- `range(a, b)` and `a..b` make at most 1,000,000 numbers; `repeat`, `pad` and `padStart` make at most
  1,000,000 characters; `join`, `replace` and `fill` at most 10,000,000.
- `number(v)`: a number as it is; a text that is a decimal number (spaces around allowed: `" -2.5 "`,
  `"1e3"`) as that number; anything else (booleans included) null.
- `join(xs)` joins with `", "`; items are joined by their text forms. `split(t, "")` splits into
  characters. `replace` replaces every occurrence. `pad`/`padStart` never cut a longer text.
- `plural(n, word, plural)`: "1 task", "0 tasks", "2 tasks" (the word when n is 1 or -1, else `plural`, by
  default the word and "s"); n must be a number.
- `fill(template, values)`: each `{name}` whose name is a member of `values` becomes its text form; any
  other `{…}` stays as it is.
- `reverse` takes an array or a text; `first`/`last` an array (null when it is empty).
"""

from __future__ import annotations

import math
import os

from sudolang.errors import RunError
from sudolang.runtime.values import (MAX_ITEMS, MAX_LENGTH, MAX_NUMBER, array_for, call, compare, equal, kind,
                                     number, text, truthy, whole)
from sudolang.state import clock

TYPE_CHECKING = False  # annotations only: compiled programs import this module, and `typing` costs start-up
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from datetime import date as _date, datetime
    from typing import Any

MAX_MADE = 1_000_000  # the most characters repeat/pad make
_NUMBER_TYPES = (int, float)
# Patterns, compiled by `re` where they are used (re's own cache keeps them): importing `re` costs ~2 ms
# that most commands never need.
_NUMBER_TEXT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLACEHOLDER = r"\{([^{}]*)\}"


# Argument checks -----------------------------------------------------------------------------------------


_array = array_for  # compiled code checks the array of an inlined map, filter, sum, sort or group with it too


def _object(fn: str, v: Any) -> dict:
    if type(v) is dict:
        return v
    raise RunError(f"{fn}: expected an object, got {kind(v)}")


def _text(fn: str, v: Any, what: str = "a text") -> str:
    if type(v) is str:
        return v
    raise RunError(f"{fn}: expected {what}, got {kind(v)}")


def _function(fn: str, f: Any) -> Callable:
    if callable(f):
        return f  # type: ignore[no-any-return]
    raise RunError(f"{fn}: expected a function, got {kind(f)}")


def _mapped(fn: str, xs: Any, f: Any) -> list:
    """xs's items, or f's result for each item when f is given (null f: no f)."""
    items = _array(fn, xs)
    if f is None:
        return items
    f = _function(fn, f)
    return _map_each(f, items)


def _map_each(f: Any, items: list) -> list:
    """f(x) for each item. f is called directly, the fast way (a library call in a loop over 10,000 tasks
    runs it 10,000 times); a TypeError, which may be a call with the wrong number of arguments, runs the
    loop again through values.call, which says which. A failed command commits nothing, so the rerun of
    any state write is harmless."""
    try:
        return [f(x) for x in items]
    except TypeError:
        return [call(f, x) for x in items]


def _compare(fn: str, a: Any, b: Any) -> int:
    try:
        return compare(a, b)
    except RunError as error:
        raise RunError(f"{fn}: {error.message}") from None


# Time ----------------------------------------------------------------------------------------------------


def _clock_now() -> datetime:
    try:
        return clock.now()
    except (ValueError, OverflowError):
        raise RunError(f"SUDOLANG_NOW is not an ISO 8601 stamp: {os.environ.get('SUDOLANG_NOW', '')!r}") from None


def now() -> str:
    """The current time as an ISO 8601 UTC stamp (`2024-03-05T14:02:00Z`); $SUDOLANG_NOW fixes it."""
    if not os.environ.get("SUDOLANG_NOW"):
        return clock.now_text()  # without datetime's import
    try:
        return clock.iso(_clock_now())
    except (ValueError, OverflowError):
        raise RunError("SUDOLANG_NOW is out of range") from None


def today() -> str:
    """Today's UTC date, `YYYY-MM-DD`."""
    if not os.environ.get("SUDOLANG_NOW"):
        return clock.now_text()[:10]  # without datetime's import (~1 ms of a screen with a burndown)
    try:
        from datetime import timezone

        return _clock_now().astimezone(timezone.utc).date().isoformat()
    except (ValueError, OverflowError):
        raise RunError("SUDOLANG_NOW is out of range") from None


def _day(fn: str, v: Any) -> _date:
    from datetime import timezone

    stamp = _text(fn, v, "a date or an ISO 8601 stamp")
    try:
        return clock.parse(stamp.strip()).astimezone(timezone.utc).date()
    except (ValueError, OverflowError):
        shown = stamp if len(stamp) <= 40 else stamp[:40] + "…"
        raise RunError(f"{fn}: {shown!r} is not a date or an ISO 8601 stamp") from None


def date(stamp: Any) -> str:
    """The UTC date (`YYYY-MM-DD`) of an ISO 8601 stamp or date."""
    if type(stamp) is str:
        day = _written_day(stamp.strip())
        if day is not None:
            return day
    return _day("date", stamp).isoformat()


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _written_day(stamp: str) -> str | None:
    """The date of a stamp in the forms sudolang writes, `2024-03-05T14:02:00Z` and `2024-03-05`, when its day
    and time are real ones; None for any other text, which datetime reads. A screen with a burndown reads its
    sprint's start this way, without datetime's import (~1.5 ms)."""
    if not ((len(stamp) == 10 or (len(stamp) == 20 and stamp[10] == "T" and stamp[19] == "Z" and stamp[13] == ":"
                                  and stamp[16] == ":")) and stamp[4] == "-" and stamp[7] == "-" and stamp.isascii()):
        return None
    digits = stamp[:4] + stamp[5:7] + stamp[8:10] + stamp[11:13] + stamp[14:16] + stamp[17:19]
    if not digits.isdigit() or stamp[11:13] > "23" or stamp[14:16] > "59" or stamp[17:19] > "59":
        return None
    year, month, day = int(stamp[:4]), int(stamp[5:7]), int(stamp[8:10])
    if year < 1 or not 1 <= month <= 12 or day < 1:
        return None
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return stamp[:10] if day <= _MONTH_DAYS[month - 1] + leap else None


def add_days(day: Any, n: Any) -> str:
    """The date `n` days after `day` (before it when n is negative), `YYYY-MM-DD`."""
    start = _day("addDays", day)
    from datetime import timedelta

    days = whole(n, "addDays")
    try:
        return (start + timedelta(days=days)).isoformat()
    except OverflowError:
        raise RunError(f"addDays: {days} days from {start.isoformat()} leaves the years 1 to 9999") from None


def days_between(a: Any, b: Any) -> int:
    """Whole days from a's date to b's (negative when b is earlier)."""
    return (_day("daysBetween", b) - _day("daysBetween", a)).days


def seconds_between(a: Any, b: Any) -> int | float:
    """Seconds from stamp a to stamp b (negative when b is earlier); whole when whole."""
    moments = []
    for v in (a, b):
        stamp = _text("secondsBetween", v, "an ISO 8601 stamp")
        try:
            moments.append(clock.parse(stamp.strip()))
        except (ValueError, OverflowError):
            shown = stamp if len(stamp) <= 40 else stamp[:40] + "…"
            raise RunError(f"secondsBetween: {shown!r} is not an ISO 8601 stamp") from None
    return number((moments[1] - moments[0]).total_seconds())


# Ids -----------------------------------------------------------------------------------------------------


def uuid_() -> str:
    from sudolang.state.ids import new_id

    return new_id()


def id_number(t: Any) -> int:
    """The number a text ends with: `idNumber("T-12")` is 12; 0 when it ends with no digit."""
    s = t if type(t) is str else _text("idNumber", t)  # sorting 10,000 tasks by id calls this 10,000 times
    digits = s[len(s.rstrip("0123456789")):]
    if not digits:
        return 0
    if len(digits) > 300:
        raise RunError("idNumber: number too large")
    return int(digits)


# Counting and sums ---------------------------------------------------------------------------------------


def len_(x: Any) -> int:
    """An array's items, an object's members, a text's characters."""
    t = type(x)
    if t is list or t is dict or t is str:
        return len(x)
    raise RunError(f"len: expected an array, object or text, got {kind(x)}")


def count(xs: Any, f: Any = None) -> int:
    """The number of items, or of those for which f gives a true value."""
    items = _array("count", xs)
    if f is None:
        return len(items)
    f = _function("count", f)
    return sum(1 for x in _map_each(f, items) if x)


def _numbers(fn: str, items: list) -> list:
    for x in items:
        if type(x) not in _NUMBER_TYPES:
            raise RunError(f"{fn}: expected numbers, got {kind(x)}")
    return items


def sum_(xs: Any, f: Any = None) -> Any:
    """The sum of the numbers (of f's results for the items); 0 for none."""
    try:
        return number(sum(_numbers("sum", _mapped("sum", xs, f))))
    except OverflowError:
        raise RunError("sum: number too large") from None


def average(xs: Any, f: Any = None) -> Any:
    """The mean of the numbers (of f's results); 0 for none."""
    items = _numbers("average", _mapped("average", xs, f))
    if not items:
        return 0
    try:
        total = sum(items)
        if type(total) is int and total % len(items) == 0:
            return number(total // len(items))
        return number(total / len(items))
    except OverflowError:
        raise RunError("average: number too large") from None


def round_(x: Any, digits: Any = None) -> Any:
    """x rounded half away from zero to a whole number, or to `digits` decimals (negative: tens, hundreds)."""
    if type(x) not in _NUMBER_TYPES:
        raise RunError(f"round: expected a number, got {kind(x)}")
    places = 0 if digits is None else whole(digits, "round")
    if type(x) is int and places >= 0:
        return x
    if places == 0 and type(x) is float and -_EXACT < x < _EXACT:
        return _round_whole(x)
    return _round_decimal(x, places)


# Below 2**52 a float's fraction is exact, and a float is below, at or above n + 0.5 as the shortest decimal
# that names it is: halves are exact floats, so no other float's decimal can cross one.
_EXACT = float(2**52)


def _round_whole(x: float) -> int:
    """round(x) for a float below _EXACT: what _round_decimal(x, 0) gives, without importing decimal (~2 ms
    of start-up, and the dashboard's percentage rounds on every screen)."""
    magnitude = abs(x)
    whole_part = math.floor(magnitude)
    rounded = whole_part + (1 if magnitude - whole_part >= 0.5 else 0)
    return -rounded if x < 0 else rounded


def _round_decimal(x: Any, places: int) -> Any:
    """x rounded half away from zero at `places` decimals, on the number as written."""
    if places > 400:
        return number(x)
    if places < -400:
        return 0
    import decimal

    context = decimal.Context(prec=1000, rounding=decimal.ROUND_HALF_UP)
    try:
        exact = decimal.Decimal(text(x))  # the number as written: 2.675 is 2.675, not 2.67499999…
        rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), context=context)
    except decimal.DecimalException:
        raise RunError(f"round: cannot round {text(x)} to {places} digits") from None
    if places <= 0:
        return number(int(rounded))
    return number(float(rounded))


# Order ---------------------------------------------------------------------------------------------------


def sort(xs: Any, key: Any = None, *, descending: Any = False) -> list:
    """A new array of xs's items in order (of key's results when key is given); stable."""
    items = _array("sort", xs)
    return sorted_by(items, _mapped("sort", items, key), descending)


def sorted_by(items: list, keys: list, descending: Any = False) -> list:
    """sort()'s work once each item's key is known (compiled code computes the keys of an arrow written in
    place itself, without calling it per item)."""
    reverse = truthy(descending)
    if len(items) < 2:
        return list(items)
    first = _ORDER_KIND.get(type(keys[0]))
    if first is None or {_ORDER_KIND.get(t) for t in set(map(type, keys))} != {first}:
        for k in keys[1:]:  # the first key that does not go with the first one, for the message
            if _ORDER_KIND.get(type(k)) != first or first is None:
                raise RunError(f"sort: cannot compare {kind(keys[0])} with {kind(k)}")
    if first == "array":  # item by item, each pair by `<`'s rules
        import functools

        def at(i: int, j: int) -> int:
            return _compare("sort", keys[i], keys[j])

        order = sorted(range(len(items)), key=functools.cmp_to_key(at), reverse=reverse)
    elif keys is items:  # no key: sort() hands over the items themselves
        return sorted(items, reverse=reverse)
    elif keys == sorted(keys, reverse=reverse):  # in order already (tasks by id): a stable sort keeps them so
        return list(items)
    else:
        order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    return [items[i] for i in order]


_ORDER_KIND = {int: "number", float: "number", str: "text", list: "array"}


def _extreme(fn: str, xs: Any, key: Any, sign: int) -> Any:
    items = _array(fn, xs)
    keys = _mapped(fn, items, key)
    if not items:
        return None
    best = 0
    for i in range(1, len(items)):
        if _compare(fn, keys[i], keys[best]) == sign:
            best = i
    return items[best]


def min_(xs: Any, key: Any = None) -> Any:
    """The first item with the least key (the item itself without key); null for none."""
    return _extreme("min", xs, key, -1)


def max_(xs: Any, key: Any = None) -> Any:
    """The first item with the greatest key (the item itself without key); null for none."""
    return _extreme("max", xs, key, 1)


# Grouping ------------------------------------------------------------------------------------------------


def group(xs: Any, f: Any) -> dict:
    """An object: the text form of f's result → the items that gave it, in order."""
    items = _array("group", xs)
    return grouped_by(items, _map_each(_function("group", f), items))


def grouped_by(items: list, keys: list) -> dict:
    """group()'s work once each item's key is known (see sorted_by)."""
    groups: dict[str, list] = {}
    for x, key in zip(items, keys):
        k = key if type(key) is str else text(key)
        bucket = groups.get(k)
        if bucket is None:
            groups[k] = [x]
        else:
            bucket.append(x)
    return groups


def _identity(v: Any) -> Any:
    """A hashable stand-in that is equal for `==`-equal values and different otherwise."""
    t = type(v)
    if t is bool:
        return ("boolean", v)
    if t is list:
        return ("array", tuple(_identity(x) for x in v))
    if t is dict:
        return ("object", frozenset((k, _identity(x)) for k, x in v.items()))
    return v  # null, numbers (1 and 1.0 hash alike), texts, functions (by identity)


def unique(xs: Any) -> list:
    """The items without repeats (by ==), each where it first appears."""
    items = _array("unique", xs)
    seen: set = set()
    out = []
    try:
        for x in items:
            marker = _identity(x)
            if marker not in seen:
                seen.add(marker)
                out.append(x)
    except RecursionError:
        raise RunError("unique: cannot compare values nested this deeply") from None
    return out


# Collections ---------------------------------------------------------------------------------------------


def keys(o: Any) -> list:
    return list(_object("keys", o))


def values_(o: Any) -> list:
    return list(_object("values", o).values())


def entries(o: Any) -> list:
    """`[key, value]` pairs."""
    return [[k, v] for k, v in _object("entries", o).items()]


def filter_(xs: Any, f: Any) -> list:
    items = _array("filter", xs)
    f = _function("filter", f)
    return [x for x, keep in zip(items, _map_each(f, items)) if keep]


def map_(xs: Any, f: Any) -> list:
    items = _array("map", xs)
    f = _function("map", f)
    return _map_each(f, items)


def find(xs: Any, f: Any) -> Any:
    """The first item for which f gives a true value; null for none."""
    items = _array("find", xs)
    f = _function("find", f)
    return _first(f, items, True)[1]


def any_(xs: Any, f: Any) -> bool:
    items = _array("any", xs)
    f = _function("any", f)
    return _first(f, items, True)[0]


def all_(xs: Any, f: Any) -> bool:
    items = _array("all", xs)
    f = _function("all", f)
    return not _first(f, items, False)[0]


def _first(f: Any, items: list, wanted: bool) -> tuple[bool, Any]:
    """(found, item): the first item whose f(item) is true (`wanted`) or false (not `wanted`); later items
    are not looked at. f is called directly, as in _map_each, and again through values.call on a TypeError."""
    try:
        for x in items:
            if bool(f(x)) is wanted:
                return True, x
        return False, None
    except TypeError:
        for x in items:
            if truthy(call(f, x)) is wanted:
                return True, x
        return False, None


def first(xs: Any) -> Any:
    items = _array("first", xs)
    return items[0] if items else None


def last(xs: Any) -> Any:
    items = _array("last", xs)
    return items[-1] if items else None


def slice_(x: Any, start: Any, end: Any = None) -> Any:
    """Items (characters) from start up to end, end excluded; negative counts from the end."""
    if type(x) is not list and type(x) is not str:
        raise RunError(f"slice: expected an array or a text, got {kind(x)}")
    lo = None if start is None else whole(start, "slice")
    hi = None if end is None else whole(end, "slice")
    return x[lo:hi]


def range_(a: Any, b: Any) -> list:
    """The whole numbers from a up to b, b excluded."""
    lo = whole(a, "range")
    hi = whole(b, "range")
    if hi - lo > MAX_ITEMS:
        raise RunError(f"range: more than {MAX_ITEMS:,} numbers")
    return list(range(lo, hi))


def _lookup(fn: str, o: Any, key: Any) -> tuple[bool, Any]:
    """(found, value) for get and has."""
    t = type(o)
    if t is dict:
        if type(key) is not str:
            raise RunError(f"{fn}: an object's keys are texts, got {kind(key)}")
        if key in o:
            return True, o[key]
        return False, None
    if t is list:
        if type(key) not in _NUMBER_TYPES:
            raise RunError(f"{fn}: an array's index is a whole number, got {kind(key)}")
        i = whole(key, fn)
        if -len(o) <= i < len(o):
            return True, o[i]
        return False, None
    if o is None:
        return False, None
    raise RunError(f"{fn}: expected an object or an array, got {kind(o)}")


def get(o: Any, key: Any, default: Any = None) -> Any:
    """o's member (item) `key`, or `default` when there is none (or o is null)."""
    if type(o) is dict and type(key) is str:  # the common case, inline: programs call get() in their loops
        return o.get(key, default)
    found, value = _lookup("get", o, key)
    return value if found else default


def has(o: Any, key: Any) -> bool:
    """Whether o has the member (item) `key`; false for a null o."""
    return _lookup("has", o, key)[0]


def reverse(xs: Any) -> Any:
    if type(xs) is list or type(xs) is str:
        return xs[::-1]
    raise RunError(f"reverse: expected an array or a text, got {kind(xs)}")


# Text ----------------------------------------------------------------------------------------------------


def text_(v: Any) -> str:
    """The text form (values.text)."""
    return text(v)


def number_(v: Any) -> Any:
    """A number as it is; a text holding a decimal number as that number; else null."""
    t = type(v)
    if t is int or t is float:
        return number(v)
    if t is str:
        s = v.strip()
        import re

        if len(s) > 400 or not re.fullmatch(_NUMBER_TEXT, s):
            return None
        if "." not in s and "e" not in s and "E" not in s:
            n = int(s)
            return n if -MAX_NUMBER <= n <= MAX_NUMBER else None
        f = float(s)
        return number(f) if math.isfinite(f) else None
    return None


def _too_long(fn: str) -> RunError:
    return RunError(f"{fn}: the text would be longer than {MAX_LENGTH:,} characters")


def join(xs: Any, separator: Any = ", ") -> str:
    """The items' text forms with `separator` between them (", " without one)."""
    items = _array("join", xs)
    sep = _text("join", separator, "a text separator")
    try:  # the usual case, texts only, joined in C (a 10,000-line board: ~2 ms item by item)
        if len(sep) * len(items) + sum(map(len, items)) <= MAX_LENGTH:
            return sep.join(items)  # a TypeError when an item is not a text
    except TypeError:
        pass
    parts = []
    size = len(sep) * len(items)
    for x in items:
        part = text(x)
        size += len(part)
        if size > MAX_LENGTH:
            raise _too_long("join")
        parts.append(part)
    return sep.join(parts)


def split(t: Any, separator: Any) -> list:
    """The parts of t between separators; an empty separator splits into characters."""
    s = _text("split", t)
    sep = _text("split", separator, "a text separator")
    return list(s) if sep == "" else s.split(sep)


def trim(t: Any) -> str:
    return _text("trim", t).strip()


def upper(t: Any) -> str:
    return _text("upper", t).upper()


def lower(t: Any) -> str:
    return _text("lower", t).lower()


def starts_with(t: Any, prefix: Any) -> bool:
    return _text("startsWith", t).startswith(_text("startsWith", prefix, "a text prefix"))


def ends_with(t: Any, suffix: Any) -> bool:
    return _text("endsWith", t).endswith(_text("endsWith", suffix, "a text suffix"))


def replace(t: Any, old: Any, new: Any) -> str:
    """t with every `old` replaced by `new`."""
    s = _text("replace", t)
    o = _text("replace", old, "a text to replace")
    n = _text("replace", new, "a text to put in its place")
    times = s.count(o)
    if len(s) + times * (len(n) - len(o)) > MAX_LENGTH:
        raise _too_long("replace")
    return s.replace(o, n)


def _width(fn: str, width: Any) -> int:
    if type(width) is int and 0 <= width <= MAX_MADE:  # the common case, first: a board pads every cell
        return width
    w = whole(width, fn)
    if w > MAX_MADE:
        raise RunError(f"{fn}: a width of more than {MAX_MADE:,} characters")
    return max(w, 0)


def pad(v: Any, width: Any) -> str:
    """v's text form, left-aligned: spaces added after it up to `width` characters."""
    return text(v).ljust(_width("pad", width))


def pad_start(v: Any, width: Any) -> str:
    """v's text form, right-aligned: spaces added before it up to `width` characters."""
    return text(v).rjust(_width("padStart", width))


def repeat(t: Any, n: Any) -> str:
    s = _text("repeat", t)
    times = whole(n, "repeat")
    if times < 0:
        raise RunError(f"repeat: cannot repeat a text {times} times")
    if not s:
        return ""
    if times > MAX_MADE // len(s):
        raise RunError(f"repeat: the text would be longer than {MAX_MADE:,} characters")
    return s * times


def plural(n: Any, word: Any, plural_word: Any = None) -> str:
    """The count with its word: `plural(1, "task")` is "1 task", `plural(3, "task")` "3 tasks";
    `plural(2, "reply", "replies")` gives the plural form when adding "s" does not make it."""
    if type(n) is int and type(word) is str and plural_word is None:  # the usual call, first: a board's every task
        return f"{n} {word if n == 1 or n == -1 else word + 's'}"
    if type(n) is not int and type(n) is not float:
        raise RunError(f"plural: expected a number to count, got {kind(n)}")
    one = _text("plural", word, "a text word")
    many = one + "s" if plural_word is None else _text("plural", plural_word, "a text plural form")
    return f"{text(n)} {one if n in (1, -1) else many}"


def fill(template: Any, values: Any) -> str:
    """The template with each `{name}` that names a member of `values` replaced by its text form."""
    s = _text("fill", template, "a text template")
    members = _object("fill", values)
    size = len(s)

    def one(match: re.Match) -> str:
        nonlocal size
        name = match.group(1)
        if name not in members:
            return match.group(0)
        part = text(members[name])
        size += len(part) - len(match.group(0))
        if size > MAX_LENGTH:
            raise _too_long("fill")
        return part

    import re

    return re.sub(_PLACEHOLDER, one, s)


# The table -----------------------------------------------------------------------------------------------

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "now": now, "today": today, "date": date, "addDays": add_days, "daysBetween": days_between,
    "uuid": uuid_, "idNumber": id_number,
    "len": len_, "count": count, "sum": sum_, "average": average, "round": round_,
    "sort": sort, "min": min_, "max": max_,
    "group": group, "unique": unique,
    "keys": keys, "values": values_, "entries": entries, "filter": filter_, "map": map_, "find": find,
    "any": any_, "all": all_, "first": first, "last": last, "slice": slice_, "range": range_,
    "get": get, "has": has, "reverse": reverse,
    "text": text_, "number": number_, "join": join, "split": split, "trim": trim, "upper": upper,
    "lower": lower, "startsWith": starts_with, "endsWith": ends_with, "replace": replace, "pad": pad,
    "padStart": pad_start, "repeat": repeat, "plural": plural,
    "fill": fill, "kind": lambda v: kind(v), "secondsBetween": seconds_between,
}

# name -> (fewest, most) positional arguments
ARITY: dict[str, tuple[int, int]] = {
    "now": (0, 0), "today": (0, 0), "date": (1, 1), "addDays": (2, 2), "daysBetween": (2, 2),
    "uuid": (0, 0), "idNumber": (1, 1),
    "len": (1, 1), "count": (1, 2), "sum": (1, 2), "average": (1, 2), "round": (1, 2),
    "sort": (1, 2), "min": (1, 2), "max": (1, 2),
    "group": (2, 2), "unique": (1, 1),
    "keys": (1, 1), "values": (1, 1), "entries": (1, 1), "filter": (2, 2), "map": (2, 2), "find": (2, 2),
    "any": (2, 2), "all": (2, 2), "first": (1, 1), "last": (1, 1), "slice": (2, 3), "range": (2, 2),
    "get": (2, 3), "has": (2, 2), "reverse": (1, 1),
    "text": (1, 1), "number": (1, 1), "join": (1, 2), "split": (2, 2), "trim": (1, 1), "upper": (1, 1),
    "lower": (1, 1), "startsWith": (2, 2), "endsWith": (2, 2), "replace": (3, 3), "pad": (2, 2),
    "padStart": (2, 2), "repeat": (2, 2), "plural": (2, 3),
    "fill": (2, 2), "kind": (1, 1), "secondsBetween": (2, 2),
}

MODIFIERS: dict[str, frozenset[str]] = {name: frozenset() for name in FUNCTIONS}
MODIFIERS["sort"] = frozenset({"descending"})
