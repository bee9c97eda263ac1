"""`map`, `filter`, `sum`, `sort` and `group` with an arrow written in place are compiled to list comprehensions, the arrow's
body inlined; given the arrow as a value (a local), they call the library. Both must agree on every value:
the same result, or the same error (its message but the line it names). So must the library calls that
compiled code writes out in place for their usual kind of value (`get`, `pad`, `len`, `plural`...)."""

from __future__ import annotations

import random
import re

import pytest

from sudolang.errors import RunError
from sudolang.runtime import values as v

PATH = "inlined.sudo"
BODIES = {  # each library call's arrow bodies: plain, one that fails on some items, one that reads members
    "map": ["t + 1", "t.points", "if (t) 1 else 2", "[t, t]"],
    "filter": ["t > 1", "t.done", "t", "t != null && t != 0"],
    "sum": ["t * 2", "t.points", "len(t)", "t"],
    "sort": ["t", "t.points", "-t", "[t, 1]"],
    "group": ["t", "t.done", "t > 0", "text(t)"],
}


def program() -> tuple[str, list[tuple[str, str]]]:
    lines = ["# Inlined", "", "interface Inlined {", '  commands = { "/noop": "Nothing" }', "}", ""]
    pairs = []
    for call, bodies in BODIES.items():
        for number, body in enumerate(bodies):
            inline, called = f"{call}_{number}_inline", f"{call}_{number}_called"
            lines += [f"fn {inline}(xs) {{", f"  return {call}(xs, t => {body})", "}", ""]
            lines += [f"fn {called}(xs) {{", f"  f = t => {body}", f"  return {call}(xs, f)", "}", ""]
            pairs.append((inline, called))
    return "\n".join(lines) + "\n", pairs


def random_value(rng: random.Random, depth: int = 0):
    kinds = ["int", "float", "text", "bool", "null", "object"] + (["array"] if depth < 2 else [])
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.randint(-5, 5)
    if kind == "float":
        return rng.choice([0.5, -1.25, 2.0])
    if kind == "text":
        return rng.choice(["", "a", "done", "ab"])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "object":
        return {key: random_value(rng, depth + 1) for key in rng.sample(["points", "done", "x"], rng.randint(0, 2))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def runner(state, source: str, name: str):
    """(run, handler): the program `source` compiled, and run(function, value) -> ("value", what it returned) or
    ("error", its message without the line)."""
    from sudolang.compiler import compile_program
    from sudolang.runtime import corelib, loader
    from sudolang.runtime.context import Context
    from sudolang.state import sessions

    handler = compile_program(source, PATH)[f"scripts/handlers/{name}.py"]
    module = loader.handler_module(PATH, handler)
    ctx = Context(state, sessions.create(state, "development", "p"), "p")

    def run(function: str, value) -> tuple[str, object]:
        try:
            got, _ = corelib.execute(ctx, PATH, getattr(module, f"f_{function}"), [value], frozenset())
        except RunError as error:
            return "error", re.sub(r" \(inlined\.sudo:\d+\)$", "", error.message)
        return "value", got

    return run, handler


@pytest.fixture
def compiled(state):
    source, pairs = program()
    run, handler = runner(state, source, "inlined")
    assert handler.count("(lambda _xs: ") == len(pairs), "every in-place arrow is inlined, no value arrow is"
    return run, pairs


def test_an_inlined_arrow_gives_what_the_library_gives(compiled):
    run, pairs = compiled
    rng = random.Random(15)
    values = [random_value(rng) for _ in range(300)]
    values += [[rng.randint(-3, 3) for _ in range(5)] for _ in range(50)]  # arrays where most bodies succeed
    values += [[{"points": rng.randint(0, 5), "done": rng.random() < 0.5} for _ in range(4)] for _ in range(50)]
    outcomes = set()
    for inline, called in pairs:
        for value in values:
            expected = run(called, value)
            assert run(inline, value) == expected, (inline, value)
            outcomes.add((inline, expected[0]))
    # every call meets both a value and an error among the inputs, so both paths are compared
    assert outcomes == {(inline, kind) for inline, _ in pairs for kind in ("value", "error")}


@pytest.mark.parametrize("name, value, expected", [
    ("map_0", [1, 2], [2, 3]), ("filter_0", [3, 1, 2], [3, 2]), ("sum_1", [{"points": 2}, {"points": 3}], 5),
    ("sort_0", [3, 1, 2], [1, 2, 3]), ("sort_1", [{"points": 2}, {"points": 1}], [{"points": 1}, {"points": 2}]),
    ("group_2", [1, -1, 2], {"true": [1, 2], "false": [-1]}),
])
def test_both_forms_give_the_documented_value(compiled, name, value, expected):
    run, _ = compiled
    assert run(f"{name}_inline", value) == run(f"{name}_called", value) == ("value", expected)


# Library calls the compiler writes out in place for their usual kind of value (core_codegen.inlined), the
# library itself taking any other: each call, and the library function with the same other arguments.
WRITTEN_OUT = [('get(x, "points", 0)', "get", ("points", 0)), ("pad(x, 4)", "pad", (4,)),
               ("padStart(x, 4)", "padStart", (4,)), ("len(x)", "len", ()), ("last(x)", "last", ()),
               ("slice(x, 0, 2)", "slice", (0, 2)), ('plural(x, "pt")', "plural", ("pt",))]
# Operators compiled code does itself for the usual kinds of value, the library (values) for any other pair:
# each written with x, and what the library gives for it.
COMPARED = [("x < 2", lambda x: v.less(x, 2)), ("x <= 1.0", lambda x: v.less_equal(x, 1.0)),
            ('x > "ab"', lambda x: v.greater(x, "ab")), ('x >= "b"', lambda x: v.greater_equal(x, "b")),
            ("x == 1", lambda x: v.equal(x, 1)), ("x != 2.5", lambda x: v.not_equal(x, 2.5)),
            ("x == true", lambda x: v.equal(x, True)), ("x == [1, 2]", lambda x: v.equal(x, [1, 2])),
            ('"a" + x', lambda x: v.add("a", x)), ('x + "b"', lambda x: v.add(x, "b")),
            ("x + text(x)", lambda x: v.add(x, v.text(x)))]


@pytest.fixture
def written_out(state):
    lines = ["# Written", "", "interface Written {", '  commands = { "/noop": "Nothing" }', "}", ""]
    for number, (call, *_) in enumerate(WRITTEN_OUT + COMPARED):
        lines += [f"fn call_{number}(x) {{", f"  return {call}", "}", ""]
    return runner(state, "\n".join(lines) + "\n", "written")


def test_a_library_call_written_out_gives_what_the_library_gives(written_out):
    from sudolang.runtime.stdlib import FUNCTIONS

    run, handler = written_out
    for number, (call, name, _) in enumerate(WRITTEN_OUT):  # written out, with the library as the fallback
        body = handler[handler.index(f"def f_call_{number}("):].split("\n\n")[0]
        assert " if type(" in body and f"_std_{name}(" in body, body
    rng = random.Random(9535)
    values = [random_value(rng) for _ in range(300)]
    values += [1, -1, 0, 2, 1.0, -1.0, 2.5, True, False, "abcdef", [1, 2, 3], {"points": 3}, 10**30]
    for number, (call, name, rest) in enumerate(WRITTEN_OUT):
        for value in values:  # objects, arrays, texts, numbers, booleans and null: the usual kind and the others
            try:
                expected = "value", FUNCTIONS[name](value, *rest)
            except RunError as error:
                expected = "error", error.message
            assert run(f"call_{number}", value) == expected, (call, value)


def test_an_operator_written_out_gives_what_the_library_gives(written_out):
    run, _ = written_out
    rng = random.Random(9536)
    values = [random_value(rng) for _ in range(300)] + [1, 2, 2.0, 1.5, 2.5, True, "a", "ab", "b", "", 10**30, [1, 2]]
    for number, (call, library) in enumerate(COMPARED, start=len(WRITTEN_OUT)):
        outcomes = set()
        for value in values:
            try:
                expected = "value", library(value)
            except RunError as error:
                expected = "error", error.message
            assert run(f"call_{number}", value) == expected, (call, value)
            outcomes.add(expected[0] if type(expected[1]) is not bool else expected[1])
        # a comparison meets true, false and (but ==) an error; `+` with a text joins any value's text
        assert len(outcomes) >= 2 or " + " in call, (call, outcomes)
