"""JSON in and out through CPython's C accelerator, without importing the `json` package.

`import json` costs ~5 ms of start-up (it imports `re`, and `re` imports `enum`), most of a
`sudolang state get` above the bare interpreter; the work itself is done by the C module `_json`,
which imports in 0.1 ms. So the commands that run on every step of a session read and write JSON
here: the same scanner and encoder `json.loads` and `json.dumps` use, driven directly. Anything
this path does not take on itself (text it cannot parse, bytes in UTF-16 or with a byte-order
mark, an interpreter without `_json`) goes to `json` itself, so results and error messages are
always exactly `json`'s: the only difference is when `json` is imported.
"""

from __future__ import annotations

import gc

try:
    import _json
except ImportError:  # pragma: no cover - CPython has it; another interpreter takes json's own path
    _json = None  # type: ignore[assignment]

_WHITESPACE = " \t\n\r"  # JSON's whitespace, as json.decoder's WHITESPACE pattern has it
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _Options:
    """What the C scanner reads from a JSONDecoder: json.loads' defaults, but for the two hooks given."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_int = int

    def __init__(self, parse_float, parse_constant) -> None:
        self.parse_float = parse_float
        self.parse_constant = parse_constant


_scanners: dict = {}


def _scanner(parse_float, parse_constant):
    key = (parse_float, parse_constant)
    if key not in _scanners:
        _scanners[key] = _json.make_scanner(_Options(parse_float, parse_constant))
    return _scanners[key]


def loads(raw: str | bytes | bytearray, parse_float=None, parse_constant=None):
    """json.loads(raw, parse_float=..., parse_constant=...): the same value, or the same error."""
    text = _plain_text(raw)
    if text is None or _json is None:
        return _json_loads(raw, parse_float, parse_constant)
    scan = _scanner(parse_float or float, parse_constant or _CONSTANTS.__getitem__)
    start, length = 0, len(text)
    while start < length and text[start] in _WHITESPACE:
        start += 1
    # Parsing makes no cycles, but the cyclic collector would walk everything made so far, again and again
    # as the objects pile up: ~10% of reading a 10,000-task document. It is off for the parse only.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value, end = scan(text, start)
    except (StopIteration, SystemError):
        # Not JSON: json says where and why. (The scanner reports an error past the first value with
        # json.decoder's JSONDecodeError, which it looks up only among the modules already imported: before
        # json is, that is a SystemError, "returned NULL without setting an exception".)
        return _json_loads(text, parse_float, parse_constant)
    finally:
        if collecting:
            gc.enable()
    while end < length and text[end] in _WHITESPACE:
        end += 1
    if end != length:  # "Extra data"
        return _json_loads(text, parse_float, parse_constant)
    return value


def _plain_text(raw: str | bytes | bytearray) -> str | None:
    """`raw` as text when it is text or UTF-8 bytes without a byte-order mark (what json.loads decodes the
    same way); None for anything json.detect_encoding would read otherwise."""
    if isinstance(raw, str):
        return None if raw.startswith("\ufeff") else raw
    if not isinstance(raw, (bytes, bytearray)) or raw[:3] == b"\xef\xbb\xbf" or 0 in raw[:4]:
        return None  # a BOM, or a zero byte among the first four (UTF-16/32): json decides
    try:
        return raw.decode("utf-8", "surrogatepass")  # as json.loads decodes bytes it detects as UTF-8
    except UnicodeDecodeError:
        return None


def _json_loads(raw, parse_float, parse_constant):
    import json

    return json.loads(raw, parse_float=parse_float, parse_constant=parse_constant)


def _refuse(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def compact_encoder(allow_nan: bool = False):
    """The C encoder json.dumps(..., ensure_ascii=False) builds, made once: (value, 0) -> its text in chunks,
    ", " and ": " between items, NaN and Infinity a ValueError unless `allow_nan`, a value that is not JSON a
    TypeError, no check for cycles (a cycle is a RecursionError). json.dumps builds a new one on every call."""
    if _json is None:  # pragma: no cover - see the import
        import json

        encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False, allow_nan=allow_nan)
        return lambda value, _: encoder.iterencode(value)
    return _json.make_encoder(None, _refuse, _json.encode_basestring, None, ": ", ", ", False, False, allow_nan)


if _json is not None:
    encode_string = _json.encode_basestring  # str -> its JSON text, non-ASCII kept as it is
else:  # pragma: no cover - see the import
    def encode_string(text: str) -> str:
        import json

        return json.dumps(text, ensure_ascii=False)

_encoders = {False: compact_encoder(False)}


def dumps(value: object, allow_nan: bool = False) -> str:
    """json.dumps(value, ensure_ascii=False, allow_nan=allow_nan) without its check for cycles (a cycle is a
    RecursionError here, a ValueError there): unless allowed, NaN and Infinity are a ValueError; what is not
    JSON is a TypeError."""
    if type(value) is str:
        return encode_string(value)
    if allow_nan not in _encoders:
        _encoders[allow_nan] = compact_encoder(allow_nan)
    return "".join(_encoders[allow_nan](value, 0))


_JSON_SCALARS = frozenset((str, int, float, bool, type(None)))


def json_data(value: object) -> bool:
    """Whether `value` is what parsing JSON text gives: dicts with text keys, lists, texts, numbers, booleans
    and None, of exactly those types. A tuple (JSON writes it as an array, and reads it back as a list), a
    number as a key (read back as text) or a subclass is not. See sudolang.state.parsed, which keeps a
    document's objects only when they are exactly what reading its text would give."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            for key in item:
                if type(key) is not str:
                    return False
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
        elif type(item) not in _JSON_SCALARS:
            return False
    return True
