"""The meaning of SudoLang Core's operators on run-time values (docs/language.md, 8.3).

A value at run time is a plain JSON-like Python value — None (null), bool (boolean), int or float (number),
str (text), list (array), dict with text keys (object) — or a Python callable (function, an arrow function
or a library function). Compiled programs call these functions for every operator, so each one does its
common case first and cheaply; anything else is a RunError naming the operation and the kinds involved.
No other exception escapes them for any input values (a TypeError from a callback's own body passes
through `call`, since it is not about the call).

Decisions where docs/language.md is silent:

- Numbers: bool is never a number (`true + 1` is an error). A number's magnitude is at most 1e308, so every
  number stays writable as JSON and convertible to a float; a result beyond that is "number too large". A
  float result that is whole and within ±2**53 becomes an int (`6 / 2` is `3`, `0.5 + 0.5` is `1`); `%`
  follows Python: the remainder takes the divisor's sign (`-7 % 3` is `2`); `0 ^ -1` is a division by zero;
  a negative number to a fractional power is an error (not a complex number).
- `+` with one text operand joins the other operand's text form, also for an array or object (its JSON,
  as a template would insert it); a function cannot be joined. Texts and arrays built by `+` are limited
  to MAX_LENGTH characters or items.
- Ordering (`<` …, sort, min, max): numbers with numbers, texts with texts (by code point), arrays item by
  item by the same rules, a shorter prefix first; booleans, nulls, objects and functions do not order.
- `a..b` with `b < a` is the empty array; it holds at most MAX_ITEMS numbers.
- `a in b`: an object's keys and a text's parts must be asked for with a text (anything else is an error,
  not `false`).
- Reading a missing member or an index out of range is an error; `delete` of a missing member is not (it is
  already gone). Setting an array's item needs an existing index (no appending by index).
- `set_member` and `set_index` store the value they are given; the compiled code passes a copy of an
  array or object (values.copy), so local values never share parts or contain themselves.
- `for each` loops over a snapshot: changing the array or object inside the loop does not change the loop.
"""

from __future__ import annotations

import math

from sudolang.errors import RunError

TYPE_CHECKING = False  # annotations only: compiled programs import this module, and `typing` costs start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, NoReturn

MAX_NUMBER = 10**308  # the largest magnitude an int result may have (floats: any finite value)
_MIN_NUMBER = -MAX_NUMBER
SAFE_INTEGER = 2**53  # whole floats within ±this become ints
MAX_ITEMS = 1_000_000  # the longest `a..b` / range()
MAX_LENGTH = 10_000_000  # the longest text or array that + (or a library function) builds
PLAIN_ORDER = (int, float, str)  # kinds whose `<` between two of one kind is Python's (compiled code tests it)
CONTAINERS = (list, dict)  # kinds whose `==` between two of one kind is not Python's (compiled code tests it)

_KINDS: dict[type, str] = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "text",
                           list: "array", dict: "object"}
_ARTICLE = {"null": "null", "boolean": "a boolean", "number": "a number", "text": "a text", "array": "an array",
            "object": "an object", "function": "a function", "value": "a value"}
_NUMBER_TYPES = (int, float)
_isfinite = math.isfinite


def kind(v: Any) -> str:
    """The kind's name as messages say it: null, boolean, number, text, array, object or function."""
    name = _KINDS.get(type(v))
    if name is not None:
        return name
    return "function" if callable(v) else "value"


def array_for(fn: str, v: Any) -> list:
    """`v` when it is an array, else the error library function `fn` gives for any other value."""
    if type(v) is list:
        return v
    raise RunError(f"{fn}: expected an array, got {kind(v)}")


def a_kind(v: Any) -> str:
    """The kind with its article: "a number", "an object", "null"."""
    return _ARTICLE[kind(v)]


def text_too_long() -> NoReturn:
    """Refuse a text longer than MAX_LENGTH, as `+` and a template do."""
    raise RunError(f"text too long (more than {MAX_LENGTH:,} characters)")


def _too_large() -> RunError:
    return RunError("number too large (beyond ±1e308)")


def _checked_int(r: int) -> int:
    if _MIN_NUMBER <= r <= MAX_NUMBER:
        return r
    raise _too_large()


def _checked_float(r: float) -> int | float:
    if r.is_integer():
        return int(r) if -SAFE_INTEGER <= r <= SAFE_INTEGER else r
    if _isfinite(r):
        return r
    raise _too_large() if r == r else RunError("the result is not a number")


def number(v: Any) -> Any:
    """A numeric result in its normal form: a whole float within ±2**53 as an int; an int or float beyond
    ±1e308 (or not finite) is a RunError. Any other value is returned as it is."""
    t = type(v)
    if t is float:
        return _checked_float(v)
    if t is int:
        return _checked_int(v)
    return v


# Truth ---------------------------------------------------------------------------------------------------

truthy = bool
"""false for false, null, 0, 0.0, "", [] and {}; true for anything else (Python's own truth matches)."""


def not_(a: Any) -> bool:
    return not a


# Text forms ----------------------------------------------------------------------------------------------


def _float_text(f: float) -> str:
    if f.is_integer() and -SAFE_INTEGER <= f <= SAFE_INTEGER:
        return str(int(f))
    if not _isfinite(f):
        raise RunError("a number that is not finite has no text form")
    out = repr(f)  # the shortest form that reads back as the same float: 0.1, 2.5e-07, 1e+300
    if "e" in out:  # 2.5e-07 as 2.5e-7, as JavaScript writes it
        mantissa, _, exponent = out.partition("e")
        out = f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0')}"
    return out


def _plain(v: Any) -> Any:
    """`v` with whole floats as ints, for json.dumps (which writes 3.0)."""
    t = type(v)
    if t is float:
        f: float = v
        return int(f) if f.is_integer() and -SAFE_INTEGER <= f <= SAFE_INTEGER else f
    if t is list:
        return [_plain(x) for x in v]
    if t is dict:
        return {k: _plain(x) for k, x in v.items()}
    return v


def _no_json(v: Any) -> Any:
    raise RunError(f"{a_kind(v)} has no text form")


_encode: Callable[[Any], str] | None = None


def _encoder() -> Callable[[Any], str]:
    """json's encoder for text forms, made on first use (a program that never shows an array or object as
    text does not load json)."""
    global _encode
    if _encode is None:
        import json

        _encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_no_json).encode
    return _encode


def text(v: Any) -> str:
    """The text form: a text as it is; `true`, `false`, `null`; whole numbers without `.0` (`3`), other
    numbers in their shortest form (`0.1`, `1e+300`); an array or object as JSON with json.dumps' default
    separators (`[1, 2]`, `{"a": 1}`) and non-ASCII characters as they are. A function has no text form."""
    t = type(v)
    if t is str:
        return v
    if t is int:
        return str(v)
    if t is float:
        return _float_text(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is list or t is dict:
        encode = _encoder()
        try:
            out = encode(v)
            if ".0" in out:  # maybe a whole float (or just text holding ".0": _plain changes nothing then)
                out = encode(_plain(v))
        except RecursionError:
            raise RunError("a value nested this deeply has no text form") from None
        except (ValueError, TypeError) as error:  # a circular value, a float that is not finite, odd keys
            raise RunError(f"this value has no text form ({error})") from None
        return out
    raise RunError(f"{a_kind(v)} has no text form")


# Arithmetic ----------------------------------------------------------------------------------------------


def add(a: Any, b: Any) -> Any:
    """Numbers add; a text joins the other operand's text form (either side); two arrays concatenate into
    a new array."""
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        r = a + b
        if _MIN_NUMBER <= r <= MAX_NUMBER:
            return r
        raise _too_large()
    if ta is str or tb is str:
        if ta is not str:
            if ta not in _KINDS:
                raise RunError(f"cannot add {a_kind(a)} and a text")
            a = text(a)
        elif tb is not str:
            if tb not in _KINDS:
                raise RunError(f"cannot add a text and {a_kind(b)}")
            b = text(b)
        s = a + b
        if len(s) > MAX_LENGTH:
            text_too_long()
        return s
    if (ta is float or ta is int) and (tb is float or tb is int):
        return _checked_float(float(a + b))
    if ta is list and tb is list:
        if len(a) + len(b) > MAX_LENGTH:
            raise RunError(f"array too long (more than {MAX_LENGTH:,} items)")
        return a + b
    raise RunError(f"cannot add {a_kind(a)} and {a_kind(b)}")


def _numbers(a: Any, b: Any, what: str) -> None:
    """Raise unless both are numbers; `what` says the operation with {a} and {b} for the kinds."""
    if type(a) not in _NUMBER_TYPES or type(b) not in _NUMBER_TYPES:
        raise RunError("cannot " + what.format(a=a_kind(a), b=a_kind(b)))


def sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _checked_int(a - b)
    _numbers(a, b, "subtract {b} from {a}")
    return _checked_float(float(a - b))


def mul(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _checked_int(a * b)
    _numbers(a, b, "multiply {a} and {b}")
    return _checked_float(float(a * b))


def div(a: Any, b: Any) -> Any:
    """`/`: a whole result is a whole number (`6 / 2` is `3`, `7 / 2` is `3.5`); by zero is an error."""
    _numbers(a, b, "divide {a} by {b}")
    if b == 0:
        raise RunError("division by zero")
    if type(a) is int and type(b) is int and a % b == 0:
        return a // b  # exact, also past 2**53
    try:
        return _checked_float(a / b)
    except OverflowError:
        raise _too_large() from None


def mod(a: Any, b: Any) -> Any:
    """`%`: the remainder with the divisor's sign, as Python's (`-7 % 3` is `2`)."""
    _numbers(a, b, "take the remainder of {a} divided by {b}")
    if b == 0:
        raise RunError("division by zero (in %)")
    if type(a) is int and type(b) is int:
        return a % b
    return _checked_float(float(a % b))


def power(a: Any, b: Any) -> Any:
    """`^`; a result beyond ±1e308 is "number too large"."""
    _numbers(a, b, "raise {a} to the power of {b}")
    if type(a) is int and type(b) is int:
        x: int = a
        y: int = b
        if y >= 0:
            if y > 1 and not -1 <= x <= 1 and (x.bit_length() - 1) * y > 1024:
                raise _too_large()
            return _checked_int(x**y)
        if x == 0:
            raise RunError("division by zero (0 to a negative power)")
    try:
        r = a**b
    except OverflowError:
        raise _too_large() from None
    except ZeroDivisionError:
        raise RunError("division by zero (0 to a negative power)") from None
    if type(r) is complex:
        raise RunError("a negative number to a fractional power is not a number")
    return number(r)


def neg(a: Any) -> Any:
    t = type(a)
    if t is int or t is float:
        return -a
    raise RunError(f"cannot negate {a_kind(a)}")


# Equality and order --------------------------------------------------------------------------------------


def _deep_equal(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if ta is not tb:
        return ta in _NUMBER_TYPES and tb in _NUMBER_TYPES and a == b
    if ta is list:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is not y and not _deep_equal(x, y):
                return False
        return True
    if ta is dict:
        if len(a) != len(b):
            return False
        for k, x in a.items():
            if k not in b:
                return False
            y = b[k]
            if x is not y and not _deep_equal(x, y):
                return False
        return True
    return a == b


def equal(a: Any, b: Any) -> bool:
    """`==`: the same kind and value, deeply for arrays and objects (an object's order does not matter);
    `1 == 1.0`, `true != 1`, `null == null`; a function equals only itself."""
    ta = type(a)
    if ta is type(b):
        if ta is list or ta is dict:
            try:
                return a is b or _deep_equal(a, b)
            except RecursionError:
                raise RunError("cannot compare values nested this deeply") from None
        return a == b
    return ta in _NUMBER_TYPES and type(b) in _NUMBER_TYPES and a == b


def not_equal(a: Any, b: Any) -> bool:
    return not equal(a, b)


def _order(a: Any, b: Any) -> int:
    """-1, 0 or 1 as a orders before, with or after b; a RunError for kinds that do not order."""
    ta = type(a)
    tb = type(b)
    if (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES) or (ta is str and tb is str):
        return -1 if a < b else (1 if b < a else 0)
    if ta is list and tb is list:
        for x, y in zip(a, b):
            c = _order(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    raise RunError(f"cannot compare {kind(a)} with {kind(b)}")


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 by the ordering of `<` (numbers, texts, arrays item by item); else a RunError."""
    try:
        return _order(a, b)
    except RecursionError:
        raise RunError("cannot compare values nested this deeply") from None


def less(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is tb and (ta is int or ta is str or ta is float)) or (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES):
        return a < b
    return compare(a, b) < 0


def less_equal(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is tb and (ta is int or ta is str or ta is float)) or (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES):
        return a <= b
    return compare(a, b) <= 0


def greater(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is tb and (ta is int or ta is str or ta is float)) or (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES):
        return a > b
    return compare(a, b) > 0


def greater_equal(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is tb and (ta is int or ta is str or ta is float)) or (ta in _NUMBER_TYPES and tb in _NUMBER_TYPES):
        return a >= b
    return compare(a, b) >= 0


def contains(container: Any, item: Any) -> bool:
    """`item in container`: an item of an array (by ==), a key of an object, a part of a text."""
    t = type(container)
    if t is list:
        ti = type(item)
        if ti is str or item is None:  # Python's == is ours for these
            return item in container
        for x in container:
            if equal(x, item):
                return True
        return False
    if t is dict or t is str:
        if type(item) is not str:
            whose = "an object's keys" if t is dict else "a text's parts"
            raise RunError(f"cannot look for {a_kind(item)} in {a_kind(container)} ({whose} are texts)")
        return item in container
    raise RunError(f"cannot look for {a_kind(item)} in {a_kind(container)}")


# Ranges --------------------------------------------------------------------------------------------------


def whole(v: Any, what: str) -> int:
    """`v` as an int when it is a whole number; else a RunError saying `what` expected one."""
    t = type(v)
    if t is int:
        return v
    if t is float and v.is_integer():
        return int(v)
    raise RunError(f"{what}: expected a whole number, got {text(v) if t is float else kind(v)}")


def span_range(a: Any, b: Any) -> list[int]:
    """`a..b`: the whole numbers from a to b, both included (empty when b < a), at most MAX_ITEMS."""
    start = whole(a, "a..b")
    end = whole(b, "a..b")
    if end - start >= MAX_ITEMS:
        raise RunError(f"a..b: a range of more than {MAX_ITEMS:,} numbers")
    return list(range(start, end + 1))


# Members and indexes -------------------------------------------------------------------------------------


def _missing(name: str, obj: dict) -> RunError:
    if not obj:
        return RunError(f"no member {name!r} in this object (it is empty)")
    names = [str(k) for k in obj]
    shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
    return RunError(f"no member {name!r} in this object (it has: {shown})")


def _cannot_read(v: Any, name: str) -> RunError:
    if v is None:
        return RunError(f"cannot read .{name} of null")
    hint = " (len(x) counts it)" if name == "length" and type(v) in (str, list) else ""
    return RunError(f"cannot read .{name} of {a_kind(v)}{hint}")


def member(v: Any, name: str) -> Any:
    """`v.name`: an object's member; a missing member is an error that names a few the object has."""
    if type(v) is dict:
        try:
            return v[name]
        except KeyError:
            raise _missing(name, v) from None
        except TypeError:  # not a name at all (the compiler passes texts)
            raise RunError(f"cannot read a member of an object with {a_kind(name)}") from None
    raise _cannot_read(v, name)


def _position(v: list | str, i: Any) -> int:
    """The non-negative position of index `i` (negative counts from the end) in `v`; a RunError when it
    is not a whole number or out of range."""
    if type(i) is int:
        n: int = i
    else:
        n = whole(i, "index")
    size = len(v)
    at = n + size if n < 0 else n
    if 0 <= at < size:
        return at
    unit = "item" if type(v) is list else "character"
    raise RunError(f"index {n} is out of range for {a_kind(v)} of {size} {unit}{'' if size == 1 else 's'}")


def index(v: Any, i: Any) -> Any:
    """`v[i]`: an array's item (negative from the end), an object's member by a text key, a text's
    character; out of range or missing is an error."""
    t = type(v)
    if t is list:
        if type(i) is int:
            try:
                return v[i]
            except IndexError:
                pass
        return v[_position(v, i)]
    if t is dict:
        if type(i) is str:
            return member(v, i)
        raise RunError(f"cannot index an object with {a_kind(i)} (its keys are texts)")
    if t is str:
        return v[_position(v, i)]
    if v is None:
        raise RunError(f"cannot index null (with [{text(i) if type(i) in _KINDS else kind(i)}])")
    raise RunError(f"cannot index {a_kind(v)}")


def set_member(obj: Any, key: str, value: Any) -> None:
    """`obj.key = value` on a local object. The value is stored as given: the caller passes its own copy of
    an array or object (the compiler does), so values never share parts."""
    if type(obj) is dict:
        if type(key) is not str:
            raise RunError(f"cannot set a member of an object with {a_kind(key)} (its keys are texts)")
        obj[key] = value
        return
    raise RunError(f"cannot set .{key} of {a_kind(obj)}")


def set_index(obj: Any, i: Any, value: Any) -> None:
    """`obj[i] = value`: an existing item of a local array (negative from the end) or a member of a local
    object (by a text key)."""
    t = type(obj)
    if t is list:
        obj[_position(obj, i)] = value
        return
    if t is dict:
        set_member(obj, i, value)
        return
    raise RunError(f"cannot set an item of {a_kind(obj)}")


def delete_member(obj: Any, key: str) -> None:
    """`delete obj.key` on a local object; a member that is not there is already deleted."""
    if type(obj) is dict and type(key) is str:
        obj.pop(key, None)
        return
    if type(obj) is dict:
        raise RunError(f"cannot delete a member of an object with {a_kind(key)} (its keys are texts)")
    raise RunError(f"cannot delete .{key} of {a_kind(obj)}")


def delete_index(obj: Any, i: Any) -> None:
    """`delete obj[i]`: remove an array's item (it must exist) or an object's member."""
    if type(obj) is list:
        del obj[_position(obj, i)]
        return
    if type(obj) is dict:
        delete_member(obj, i)
        return
    raise RunError(f"cannot delete an item of {a_kind(obj)}")


# Copies, loops, calls ------------------------------------------------------------------------------------


def _copy(v: Any) -> Any:
    t = type(v)
    if t is list:
        return [_copy(x) if type(x) in _CONTAINERS else x for x in v]
    if t is dict:
        return {k: _copy(x) if type(x) in _CONTAINERS else x for k, x in v.items()}
    return v


_CONTAINERS = (list, dict)


def copy(v: Any) -> Any:
    """A deep copy of an array or object (any other value is immutable and returned as it is)."""
    t = type(v)
    if t is not list and t is not dict:
        return v
    try:
        return _copy(v)
    except RecursionError:
        raise RunError("cannot copy a value nested this deeply") from None


def iterate(v: Any) -> Iterable[object]:
    """What `for each x in v` visits: an array's items, an object's keys, a text's characters (a snapshot:
    changing `v` in the loop does not change what the loop visits)."""
    t = type(v)
    if t is list or t is dict:
        return list(v)
    if t is str:
        return v
    raise RunError(f"cannot loop over {a_kind(v)}")


def iterate_pairs(v: Any) -> Iterable[tuple[object, object]]:
    """What `for each (k, x) in v` visits: an object's (key, value) pairs, an array's (index, item) pairs."""
    t = type(v)
    if t is dict:
        return list(v.items())
    if t is list:
        return list(enumerate(v))
    raise RunError(f"cannot loop over the pairs of {a_kind(v)} (an object's or an array's)")


def spread_items(v: Any) -> list:
    """`[...v]`: v must be an array."""
    if type(v) is list:
        return v
    raise RunError(f"cannot spread {a_kind(v)} into an array")


def spread_members(v: Any) -> dict:
    """`{...v}`: v must be an object."""
    if type(v) is dict:
        return v
    raise RunError(f"cannot spread {a_kind(v)} into an object")


def call(f: Any, *args: Any) -> Any:
    """`f(args…)` where f is a value: exactly the given arguments are passed. Calling a non-function, or a
    function with more arguments than it takes, is a RunError."""
    if not callable(f):
        raise RunError(f"cannot call {a_kind(f)}")
    try:
        return f(*args)
    except TypeError as error:
        if error.__traceback__ is not None and error.__traceback__.tb_next is None:  # raised by the call itself
            count = len(args)
            raise RunError(f"cannot call this function with {count} argument{'' if count == 1 else 's'}") from None
        raise

