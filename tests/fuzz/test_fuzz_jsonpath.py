"""Fuzz the JSONPath layer: any path text compiles or is refused, and reads and writes through it
either succeed or raise one of the tool's own errors, in bounded time."""

from __future__ import annotations

import copy
import os
import random

import fuzz_harness as harness
import fuzz_inputs as generators

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
INPUTS = int(os.environ.get("FUZZ_INPUTS", "1500"))

DOCUMENT = {
    "revision": 3,
    "session": {"id": "s", "lifecycle": {"status": "active"}},
    "tasks": [{"id": "T-1", "status": "todo", "points": 3}, {"id": "T-2", "status": "done", "points": 5}],
    "a": {"b": [1, 2, {"c": None}], "a-b": "x", "é": 1},
}
OPERATIONS = ("set", "merge", "delete", "incr", "append")


def check_path(item: tuple[str, str, object]):
    from sudolang.errors import SudolangError
    from sudolang.jsonpath import apply_op, check_op, compile_path, find

    text, operation, value = item
    try:
        path = compile_path(text)
        find(copy.deepcopy(DOCUMENT), path)
        op = check_op({"op": operation, "path": text, "value": value, "limit": 2} if operation != "delete"
                      else {"op": "delete", "path": text})
        apply_op(copy.deepcopy(DOCUMENT), op)
    except SudolangError:
        pass  # refused with a message: an answer
    return None


def inputs(rng: random.Random):
    values = [1, "x", {"k": 1}, [1], None, True, 2.5]
    for _ in range(INPUTS):
        yield generators.jsonpath_text(rng), rng.choice(OPERATIONS), rng.choice(values)


def test_any_path_reads_and_writes_or_is_refused():
    harness.assert_clean(harness.run("jsonpath", inputs(random.Random(SEED)), check_path))


def test_the_known_path_attacks():
    attacks = [("$" + ".a" * 50_000, "set", 1), ("$" + "[0]" * 50_000, "get", 1), ("$..*", "set", 1),
               ("$" + "..a" * 5_000, "delete", None), ("[" * 10_000, "set", 1), ("$.a\udcff", "set", 1)]
    harness.assert_clean(harness.run("jsonpath attacks", iter(attacks), check_path))
