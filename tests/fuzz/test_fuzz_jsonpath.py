"""Fuzz the JSONPath layer: any path text compiles or is refused, and reads and writes through it
either succeed or raise one of the tool's own errors, in bounded time; and jsonpath-ng, an independent
implementation, finds the same nodes at the same locations wherever RFC 9535 and it agree by design."""

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
    deep = "$[?" + "(" * 31 + "@.a" + ")" * 31 + "]"  # the deepest nesting allowed
    attacks = [("$" + ".a" * 50_000, "set", 1), ("$" + "[0]" * 50_000, "get", 1), ("$..*", "set", 1),
               ("$" + "..a" * 5_000, "delete", None), ("[" * 10_000, "set", 1), ("$.a\udcff", "set", 1),
               (deep, "set", 1), (deep.replace("(", "!(", 31), "delete", None),
               ("$[?" + "(" * 500 + "@.a" + ")" * 500 + "]", "set", 1), ("$" + "[?@" * 40 + "]" * 40, "set", 1),
               ("$[?length(" * 40 + "@" + ")" * 40 + "]", "set", 1),
               ("$" + "[0,0,0,0,0,0,0,0,0,0]" * 20, "set", 1), ("$" + "..*" * 60, "delete", None),
               ("$..[?match(@, '" + "a*" * 300 + "b')]", "set", 1)]
    harness.assert_clean(harness.run("jsonpath attacks", iter(attacks), check_path))


HAYSTACK = {"texts": ["a" * 2_000 + "!", "ab" * 1_000, "x" * 2_001] * 50,
            "tree": [[[[[{"a": [1, [2, [3]]]}] * 4] * 4] * 4] * 4] * 4}


def check_hostile(text: str):
    from sudolang.errors import SudolangError
    from sudolang.jsonpath import compile_path, find

    try:
        find(HAYSTACK, compile_path(text))
    except SudolangError:
        pass  # refused, or over MAX_NODES: an answer
    return None


def test_hostile_queries_on_a_larger_document_end_in_bounded_time():
    """Regexes that take a backtracking engine hours on these 2,000-character texts, and node counts that
    grow with every segment; each ends within the harness's hang guard (5 s), with an answer or a refusal."""
    queries = ["$.texts[?match(@, '(a+)+$')]", "$.texts[?search(@, '(a|aa)*c')]", "$.texts[?match(@, '(.*){20}b')]",
               "$.texts[?match(@, '(a|b|ab)*c')]", "$.texts[?search(@, '" + "a?" * 300 + "a" * 300 + "')]",
               "$" + "[0,0,0,0,0,0,0,0,0,0]" * 10, "$.tree" + "..*" * 12, "$.tree..[?@..[?@..a]]",
               "$.tree[*][*][*][*][*][*]" + "[0,0]" * 25]
    harness.assert_clean(harness.run("jsonpath hostile", iter(queries), check_hostile))


# --- jsonpath-ng as an oracle ----------------------------------------------------------------------------------
# jsonpath-ng serves no query any more (it fails 336 of the standard's 703 cases and costs ~45 ms to import),
# but on names, indices, wildcards, slices, selector lists of indices, `..name` and filters comparing one
# member with a number or a string it implements the same rules: there it must find the same nodes.

KEYS = ("a", "b", "status", "x")


def _value(rng: random.Random, depth: int) -> object:
    shape = rng.random()
    if depth > 3 or shape < 0.25:
        return rng.choice([0, 1, 2, 3, "todo", "done", "a", True, False, None, 1.0, 2.5])
    if shape < 0.65:
        return {key: _value(rng, depth + 1) for key in rng.sample(KEYS, rng.randint(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _selector(rng: random.Random) -> str:
    key, other = rng.choice(KEYS), rng.choice(KEYS)
    op, literal = rng.choice(["==", "!=", "<", ">", "<=", ">="]), rng.choice(["1", "2", "2.5", "'todo'"])
    start, end, step = rng.choice(["", "0", "1", "-1", "-2"]), rng.choice(["", "2", "-1", "4"]), rng.choice("12")
    return rng.choice([
        f".{key}", f"['{key}']", f"[{rng.randint(-3, 3)}]", ".*", "[*]", f"..{key}",
        f"[{start}:{end}:{step}]", f"[{start}:{end}:-{step}]",
        f"[{rng.randint(0, 3)},{rng.randint(-2, 3)}]", f"[?(@.{key})]", f"[?(@.{key}.{other} == 1)]",
        f"[?(@.{key} {op} {literal})]",
        f"[?(@.{key} == 1 & @.{other} == 'todo')]", f"[?(@.{key} == @.{other})]", f'[?(@["{key}"] >= "b")]',
    ])


def _ng_location(datum) -> tuple:
    """jsonpath-ng's path of a match as our location: a negative index as the index it names."""
    tokens: list = []
    while datum is not None and datum.context is not None:
        step = datum.path
        if hasattr(step, "fields"):
            tokens.append(step.fields[0])
        else:
            index = step.indices[0]
            tokens.append(index + len(datum.context.value) if index < 0 else index)
        datum = datum.context
    return tuple(reversed(tokens))


def check_against_jsonpath_ng(item: tuple[str, dict]):
    import json
    import warnings

    from jsonpath_ng.ext import parse

    from sudolang.jsonpath import compile_path, find

    text, document = item
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [(_ng_location(match), match.value) for match in parse(text).find(document)]
    ours = find(document, compile_path(text.replace(" & ", " && ")))  # jsonpath-ng spells && as &
    if json.dumps(ours) != json.dumps(theirs):
        return "disagrees with jsonpath-ng", f"ours {json.dumps(ours)[:300]}\ntheirs {json.dumps(theirs)[:300]}"
    return None


def test_jsonpath_ng_finds_the_same_nodes_where_both_follow_the_same_rules():
    rng = random.Random(SEED)
    items = ((("$" + "".join(_selector(rng) for _ in range(rng.randint(1, 3)))),
              {key: _value(rng, 1) for key in KEYS}) for _ in range(INPUTS))
    harness.assert_clean(harness.run("jsonpath-ng oracle", items, check_against_jsonpath_ng))
