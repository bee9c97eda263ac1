"""JSON from outside the tool (a command line, standard input, a hook event, a message), parsed strictly.

What is refused, each as a UsageError (exit 2) that says why, before anything is locked or written:
bytes that are not UTF-8; `NaN`, `Infinity` and numbers such as `1e999` that only JSON's
Python dialect accepts and other readers reject; integers past Python's 4,300-digit limit;
lone surrogates (`"\\ud800"`), which cannot be written back as UTF-8; and values nested
deeper than MAX_DEPTH, which would exhaust the stack of every recursive step after parsing.
"""

from __future__ import annotations

import math

from sudolang import json_text
from sudolang.errors import UsageError

TYPE_CHECKING = False  # annotations only: importing `typing` at run time costs ~5 ms of start-up
if TYPE_CHECKING:
    from typing import TypeVar

    Value = TypeVar("Value")

MAX_DEPTH = 64  # a state document is a few levels deep; 64 leaves room and stays far from the stack


def decode_utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{what} is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})") from None


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for JSON readers")
    return value


def loads(text: str | bytes, what: str = "JSON") -> object:
    """Parse and check `text`; a UsageError names `what` and the reason."""
    if isinstance(text, (bytes, bytearray)):
        text = decode_utf8(bytes(text), what)
    try:
        value = json_text.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise UsageError(f"{what} is nested too deeply (the limit is {MAX_DEPTH} levels)") from None
    except ValueError as error:  # JSONDecodeError, our refusals, and int's digit limit
        raise UsageError(f"{what} is not valid JSON ({_reason(error)})") from None
    check_value(value, what)
    return value


def _reason(error: ValueError) -> str:
    text = str(error)
    if "digits" in text and "integer" in text:
        return "an integer has more than 4,300 digits"
    return text[:200]


def check_value(value: Value, what: str = "the value") -> Value:
    """Refuse what `loads` refuses in a value built some other way; returns it unchanged. Iterative, so a
    deep value cannot overflow the stack here."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            _check_depth(depth, what)
            for key, child in item.items():
                if not isinstance(key, str):
                    raise UsageError(f"{what} has a key that is not a string ({key!r})")
                _check_text(key, what)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            _check_depth(depth, what)
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item, what)
        elif isinstance(item, float) and not math.isfinite(item):
            raise UsageError(f"{what} holds {item!r}, which JSON cannot represent")
        elif not (item is None or isinstance(item, (bool, int, float))):
            raise UsageError(f"{what} holds a {type(item).__name__}, which JSON cannot represent")
    return value


def _check_depth(depth: int, what: str) -> None:
    if depth > MAX_DEPTH:
        raise UsageError(f"{what} is nested too deeply (more than {MAX_DEPTH} levels)")


def _check_text(text: str, what: str) -> None:
    if not text.isascii() and _has_surrogate(text):
        raise UsageError(f"{what} holds a lone surrogate (such as \\ud800), which is not Unicode text")


def _has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone surrogate (U+D800 to U+DFFF): the one kind of str UTF-8 cannot encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
