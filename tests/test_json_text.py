"""sudolang.json_text reads and writes exactly as json does, without importing json until an error needs it.

The checks run in a fresh interpreter: the C scanner reports some errors through json.decoder, which it looks
up only among the modules already imported, so what matters is how it behaves before anything imported json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Valid texts (the first list) and invalid ones (the second), each compared with json.loads: the value, or
# the exception's type and message.
VALID = ['{"a": [1, 2.5, -0, 1e3, "x\\u263a", true, false, null]}', '  [1, {"b": {}}]\n', '"text"', "3", "-1.5e-7",
         '{"é": "\\ud83d\\ude00"}', '{"a": NaN, "b": -Infinity}', "[" * 50 + "]" * 50, '{"a": 1, "a": 2}',
         '{"lone": "\\ud800"}', "\t\r\n null \t"]
INVALID = ['{"a": 1', '{"a": [1, 2', "[1, 2,]", '{"a" 1}', '"abc', '{"a": 1} x', "", "  ", "nul", "[01]",
           '{"a": "\x01"}', "\ufeff{}", '{"a": 1,}', "[1] [2]", "{'a': 1}", '["\\x"]']
VALID_BYTES = [b'{"a": "\xc3\xa9"}', b"[1]\n"]
OTHER_ENCODINGS = [b"\xef\xbb\xbf{}", '{"a": 1}'.encode("utf-16")]  # json.loads reads these itself
INVALID_BYTES = [b"\xff", b'{"a": "\xed\xa0\x80"}', b""]  # the second does read, as in json
VALUES = [{"a": [1, 2.5, "é\n\u2028", None, True]}, "x\"y", [], {}, 10**30, -0.0, 1e-7, [{"nested": {"k": [1]}}]]
REFUSED = [float("nan"), [float("inf")], {"a": {1, 2}}, object()]

SCRIPT = r"""
import sys
from sudolang import json_text

cases = __CASES__
out = {"valid": [], "json_after_valid": None, "invalid": []}
for text in cases["valid"]:
    out["valid"].append(repr(json_text.loads(text)))
out["json_after_valid"] = "json" in sys.modules or "json.decoder" in sys.modules
out["valid"] += [repr(json_text.loads(text)) for text in cases["other"]]
for text in cases["invalid"]:
    try:
        out["invalid"].append(repr(json_text.loads(text)))  # as json.loads: surrogatepass UTF-8 reads
    except Exception as error:
        out["invalid"].append(f"{type(error).__name__}: {error}")
print(repr(out))
"""


def outcome(function, text) -> str:
    try:
        return repr(function(text))
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def run_fresh(valid: list, invalid: list, other: list = ()) -> dict:
    script = SCRIPT.replace("__CASES__", repr({"valid": valid, "invalid": invalid, "other": list(other)}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}  # coverage would import json
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    import ast

    return ast.literal_eval(done.stdout)


def test_loads_gives_json_loads_values_and_errors_in_a_process_that_never_imported_json():
    result = run_fresh(VALID + VALID_BYTES, INVALID + INVALID_BYTES, OTHER_ENCODINGS)
    assert result["valid"] == [repr(json.loads(text)) for text in VALID + VALID_BYTES + OTHER_ENCODINGS]
    assert result["json_after_valid"] is False  # the valid texts were read without importing json
    assert result["invalid"] == [outcome(json.loads, text) for text in INVALID + INVALID_BYTES]


def test_in_a_process_that_imported_json_the_errors_are_json_loads_errors_too():
    """Once json is imported (by a fallback, or by anything else), the C scanner raises JSONDecodeError itself."""
    from sudolang import json_text

    for text in VALID + VALID_BYTES + OTHER_ENCODINGS + INVALID + INVALID_BYTES:
        assert outcome(json_text.loads, text) == outcome(json.loads, text), text


def test_truncations_of_a_document_fail_as_json_loads_fails():
    document = json.dumps({"tasks": {f"T-{n}": {"title": f"task {n}", "points": n, "tags": ["a", "b"], "done": None}
                                     for n in range(3)}, "revision": 4}, indent=2)
    cuts = [document[:n] for n in range(0, len(document), 7)]
    result = run_fresh([], cuts)
    assert result["invalid"] == [outcome(json.loads, text) for text in cuts]


def test_hooks_and_deep_nesting_behave_as_in_json():
    from sudolang import json_text

    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    for text in ['{"a": NaN}', "[1.5, -Infinity]", "[2.25]"]:
        assert outcome(lambda t: json_text.loads(t, parse_constant=refuse, parse_float=str), text) == \
            outcome(lambda t: json.loads(t, parse_constant=refuse, parse_float=str), text)
    deep = "[" * 100_000 + "]" * 100_000
    assert outcome(json_text.loads, deep) == outcome(json.loads, deep)  # RecursionError in both


def test_dumps_writes_what_json_dumps_writes_and_refuses_what_it_refuses():
    from sudolang import json_text

    for value in VALUES:
        assert json_text.dumps(value) == json.dumps(value, ensure_ascii=False, allow_nan=False)
        assert json_text.dumps(value, allow_nan=True) == json.dumps(value, ensure_ascii=False)
    for value in REFUSED:
        try:
            json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as expected:
            try:
                json_text.dumps(value)
            except type(expected):
                continue
            raise AssertionError(f"{value!r}: not refused as json refuses it")
        raise AssertionError(f"{value!r}: json accepted it")
    assert json_text.dumps(float("nan"), allow_nan=True) == "NaN"


def test_json_data_holds_only_where_json_gives_back_the_same_objects():
    """json_data(v) holds only where json.loads(json.dumps(v)) gives v back with every type as it was, at every
    depth (what sudolang.state.parsed relies on to keep a writer's objects); a subclass counts as another type."""
    from sudolang import json_text

    class Text(str):
        pass

    def same(a, b) -> bool:
        if type(a) is not type(b):
            return False
        if type(a) is dict:
            return list(a) == list(b) and all(same(x, y) and same(a[x], b[y]) for x, y in zip(a, b))
        if type(a) is list:
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return a == b

    data = [{}, [], "", 0, -1.5, True, None, {"a": [1, {"b": None}], "c": "ü"}, [[[]]], {"z": 1, "a": 2}]
    other = [(1, 2), {1: "a"}, {"a": (1,)}, [{"b": {2: 3}}], {None: 1}, Text("x"), {"t": Text("y")},
             {Text("k"): 1}, {1.5: 2}, [b"bytes"], {"s": {1, 2}}]
    for value in data:
        assert json_text.json_data(value) and same(json.loads(json.dumps(value)), value), value
    for value in other:
        assert not json_text.json_data(value), value
        try:
            assert not same(json.loads(json.dumps(value)), value), value
        except TypeError:  # not JSON at all
            pass
