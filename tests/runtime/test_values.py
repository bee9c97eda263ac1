"""sudolang.runtime.values: what SudoLang Core's operators mean (docs/language.md 8.3), and that they fail
only with a RunError that names the operation and the kinds, whatever the values."""

from __future__ import annotations

import json
import math
import random

import pytest
from random_values import random_value

from sudolang.errors import RunError
from sudolang.runtime import values as v


def fails(message: str, f, *args):
    with pytest.raises(RunError) as caught:
        f(*args)
    assert message in caught.value.message, caught.value.message
    return caught.value.message


# Kinds, truth, text forms ----------------------------------------------------------------------------------


def test_kinds():
    assert [v.kind(x) for x in (None, True, 1, 1.5, "a", [], {}, len, lambda: 1)] == [
        "null", "boolean", "number", "number", "text", "array", "object", "function", "function"]
    assert [v.a_kind(x) for x in (None, 1, [], {})] == ["null", "a number", "an array", "an object"]


@pytest.mark.parametrize("value", [False, None, 0, 0.0, "", [], {}])
def test_false_values(value):
    assert v.truthy(value) is False and v.not_(value) is True


@pytest.mark.parametrize("value", [True, 1, -0.5, "0", " ", [0], {"a": None}, lambda: 0])
def test_true_values(value):
    assert v.truthy(value) is True and v.not_(value) is False


@pytest.mark.parametrize("value, form", [
    ("hé", "hé"), (True, "true"), (False, "false"), (None, "null"), (3, "3"), (-12, "-12"),
    (3.0, "3"), (-0.0, "0"), (0.1, "0.1"), (2.5, "2.5"), (1e-7, "1e-7"), (1.5e16, "1.5e+16"), (1e300, "1e+300"),
    (10**20, "100000000000000000000"),
    ([1, "a", None, True], '[1, "a", null, true]'), ({"a": {"b": [1.0, 2.5]}}, '{"a": {"b": [1, 2.5]}}'),
    ({"é": "ü"}, '{"é": "ü"}'), ([".0"], '[".0"]'), ([], "[]"), ({}, "{}"),
])
def test_text_forms(value, form):
    assert v.text(value) == form


def test_text_of_a_function_or_a_function_inside_is_an_error():
    fails("a function has no text form", v.text, len)
    fails("a function has no text form", v.text, [1, len])


def test_number_normalises_whole_floats_and_refuses_huge_ones():
    assert v.number(3.0) == 3 and type(v.number(3.0)) is int
    assert type(v.number(2.0**60)) is float  # past 2**53 a float stays a float
    assert v.number(0.5) == 0.5 and v.number("x") == "x" and v.number(True) is True
    fails("number too large", v.number, 10**309)
    fails("number too large", v.number, math.inf)
    fails("not a number", v.number, math.nan)


# Arithmetic --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, result", [
    (1, 2, 3), (1, 2.0, 3), (0.5, 0.5, 1), (0.1, 0.2, 0.30000000000000004),
    ("a", "b", "ab"), ("n=", 3, "n=3"), (2.0, "x", "2x"), ("", True, "true"), (None, "!", "null!"),
    ("xs: ", [1, 2], "xs: [1, 2]"), ({"a": 1}, "", '{"a": 1}'),
    ([1], [2, 3], [1, 2, 3]), ([], [], []),
])
def test_add(a, b, result):
    got = v.add(a, b)
    assert got == result and type(got) is type(result)


def test_add_makes_a_new_array():
    xs = [1]
    assert v.add(xs, [2]) is not xs and xs == [1]


@pytest.mark.parametrize("a, b, message", [
    (1, {}, "cannot add a number and an object"), (True, 1, "cannot add a boolean and a number"),
    (None, None, "cannot add null and null"), ([1], 1, "cannot add an array and a number"),
    ("a", len, "cannot add a text and a function"), (10**308, 10**308, "number too large"),
    (1e308, 1e308, "number too large"),
])
def test_add_errors(a, b, message):
    fails(message, v.add, a, b)


def test_add_limits_the_length_of_texts_and_arrays():
    big = "x" * v.MAX_LENGTH
    fails("text too long", v.add, big, "y")
    assert len(v.add(big, "")) == v.MAX_LENGTH


@pytest.mark.parametrize("op, a, b, result", [
    (v.sub, 5, 7, -2), (v.sub, 1.5, 0.5, 1), (v.mul, 3, 4, 12), (v.mul, 0.5, 4, 2), (v.mul, 10**200, 10**100, 10**300),
    (v.div, 6, 2, 3), (v.div, 7, 2, 3.5), (v.div, 1, 3, 1 / 3), (v.div, 3.0, 1.5, 2), (v.div, 10**300, 10**299, 10),
    (v.div, -7, 2, -3.5),
    (v.mod, 7, 3, 1), (v.mod, -7, 3, 2), (v.mod, 7, -3, -2), (v.mod, 5.5, 2, 1.5), (v.mod, 4.0, 2, 0),
    (v.power, 2, 10, 1024), (v.power, 2, -1, 0.5), (v.power, 4, 0.5, 2), (v.power, -8, 3, -512), (v.power, 0, 0, 1),
    (v.power, 10, 308, 10**308), (v.power, 1, 10**300, 1), (v.power, -1, 10**300 + 1, -1),
])
def test_arithmetic(op, a, b, result):
    got = op(a, b)
    assert got == result and type(got) is type(result), (got, result)


@pytest.mark.parametrize("op, a, b, message", [
    (v.sub, "a", 1, "cannot subtract a number from a text"), (v.mul, "ab", 2, "cannot multiply a text and a number"),
    (v.div, 1, None, "cannot divide a number by null"), (v.div, 1, 0, "division by zero"),
    (v.div, 1.5, 0.0, "division by zero"), (v.mod, 1, 0, "division by zero"), (v.mod, [], 1, "an array"),
    (v.power, True, 2, "cannot raise a boolean to the power of a number"), (v.power, 2, 2000, "number too large"),
    (v.power, 10, 309, "number too large"), (v.power, 2.0, 5000, "number too large"), (v.power, 0, -1, "division by zero"),
    (v.power, 0.0, -1.5, "division by zero"), (v.power, -8, 1 / 3, "not a number"), (v.mul, 1e300, 1e300, "number too large"),
    (v.div, 1e308, 1e-308, "number too large"), (v.sub, -(10**308), 10**308, "number too large"),
])
def test_arithmetic_errors(op, a, b, message):
    fails(message, op, a, b)


def test_power_of_a_huge_exponent_fails_fast():
    fails("number too large", v.power, 3, 10**300)


def test_neg():
    assert v.neg(3) == -3 and v.neg(-2.5) == 2.5
    fails("cannot negate a text", v.neg, "3")
    fails("cannot negate a boolean", v.neg, True)


# Equality and order ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    (1, 1.0), (None, None), ("a", "a"), ([1, [2, {"a": 3}]], [1.0, [2, {"a": 3.0}]]), ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
    ([], []), ({}, {}), (True, True),
])
def test_equal(a, b):
    assert v.equal(a, b) and v.equal(b, a) and not v.not_equal(a, b)


@pytest.mark.parametrize("a, b", [
    (1, "1"), (True, 1), (False, 0), (0, None), ("", None), ([], {}), ([1], [True]), ({"a": 1}, {"a": True}),
    ([1, 2], [1]), ({"a": 1}, {"b": 1}), ({"a": 1}, {"a": 1, "b": 2}), ([None], []), (len, max),
])
def test_not_equal(a, b):
    assert not v.equal(a, b) and not v.equal(b, a) and v.not_equal(a, b)


def test_a_function_equals_itself():
    f = lambda: 1  # noqa: E731
    assert v.equal(f, f) and v.equal([f], [f])


@pytest.mark.parametrize("a, b", [
    (1, 2), (1, 1.5), (-1e300, 10**300), ("a", "b"), ("B", "a"), ("a", "ab"), ("é", "😀"), ([1, 2], [1, 3]), ([1], [1, 0]),
    ([], [1]), ([[1, "a"]], [[1, "b"]]), (["a", 9], ["b", "z"]),
])
def test_order(a, b):
    assert v.less(a, b) and v.less_equal(a, b) and v.greater(b, a) and v.greater_equal(b, a)
    assert not v.less(b, a) and not v.greater(a, b)
    assert v.compare(a, b) == -1 and v.compare(b, a) == 1


def test_order_of_equal_values():
    assert v.less_equal(1, 1.0) and v.greater_equal([1, "a"], [1, "a"]) and not v.less([2], [2.0])
    assert v.compare([1, "a"], [1.0, "a"]) == 0


@pytest.mark.parametrize("a, b, message", [
    ("a", 1, "cannot compare text with number"), (1, None, "cannot compare number with null"),
    (True, False, "cannot compare boolean with boolean"), ({}, {}, "cannot compare object with object"),
    ([1, "a"], [1, 2], "cannot compare text with number"), ([None], [None, 1], "cannot compare null with null"),
    ([1], 1, "cannot compare array with number"),
])
def test_order_errors(a, b, message):
    for op in (v.less, v.less_equal, v.greater, v.greater_equal):
        fails(message, op, a, b)


def test_contains():
    assert v.contains([1, "a", [2]], 1.0) and v.contains([1, "a", [2]], "a") and v.contains([[2.0]], [2])
    assert not v.contains([1], True) and not v.contains([True], 1) and v.contains([None], None)
    assert not v.contains([], "a") and v.contains([{"a": 1}], {"a": 1})
    assert v.contains({"a": 1}, "a") and not v.contains({"a": 1}, "b")
    assert v.contains("hello", "ell") and v.contains("x", "") and not v.contains("hello", "L")
    fails("cannot look for a number in an object", v.contains, {"1": 1}, 1)
    fails("cannot look for a number in a text", v.contains, "123", 1)
    fails("cannot look for a text in null", v.contains, None, "a")
    fails("cannot look for a number in a number", v.contains, 1, 1)


def test_span_range():
    assert v.span_range(1, 3) == [1, 2, 3] and v.span_range(2.0, 2) == [2] and v.span_range(3, 1) == []
    assert v.span_range(-2, 0) == [-2, -1, 0]
    fails("a..b: expected a whole number, got 1.5", v.span_range, 1.5, 3)
    fails("a..b: expected a whole number, got text", v.span_range, 1, "3")
    fails("a..b: expected a whole number, got boolean", v.span_range, True, 3)
    fails("more than 1,000,000", v.span_range, 1, 1_000_001)
    assert len(v.span_range(1, 1_000_000)) == 1_000_000


# Members, indexes, assignment --------------------------------------------------------------------------------


def test_member():
    assert v.member({"a": 1}, "a") == 1 and v.member({"a": None}, "a") is None
    assert fails("no member 'x'", v.member, {"a": 1, "b": 2}, "x").endswith("(it has: a, b)")
    many = {k: 1 for k in "abcdefg"}
    assert fails("no member 'x'", v.member, many, "x").endswith("(it has: a, b, c, d, e…)")
    fails("no member 'x' in this object (it is empty)", v.member, {}, "x")
    fails("cannot read .name of null", v.member, None, "name")
    fails("cannot read .length of an array (len(x) counts it)", v.member, [1], "length")
    fails("cannot read .a of a number", v.member, 1, "a")


def test_index():
    xs = [10, 20, 30]
    assert v.index(xs, 0) == 10 and v.index(xs, -1) == 30 and v.index(xs, 1.0) == 20 and v.index(xs, -3) == 10
    assert v.index({"a": 1}, "a") == 1 and v.index("héllo", 1) == "é" and v.index("abc", -1) == "c"
    fails("index 3 is out of range for an array of 3 items", v.index, xs, 3)
    fails("index -4 is out of range for an array of 3 items", v.index, xs, -4)
    fails("out of range for an array of 0 items", v.index, [], 0)
    fails("index 10000000000000000000000 is out of range", v.index, xs, 10**22)
    fails("index 2 is out of range for a text of 1 character", v.index, "a", 2)
    fails("index: expected a whole number, got 0.5", v.index, xs, 0.5)
    fails("index: expected a whole number, got text", v.index, xs, "0")
    fails("index: expected a whole number, got boolean", v.index, xs, True)
    fails("no member 'b'", v.index, {"a": 1}, "b")
    fails("cannot index an object with a number", v.index, {"1": 1}, 1)
    fails("cannot index null", v.index, None, 0)
    fails("cannot index a number", v.index, 5, 0)


def test_set_and_delete():
    o = {"a": 1}
    v.set_member(o, "b", [1])
    v.set_index(o, "a", 2)
    assert o == {"a": 2, "b": [1]}
    xs = [1, 2, 3]
    v.set_index(xs, -1, "z")
    v.set_index(xs, 0.0, "a")
    assert xs == ["a", 2, "z"]
    fails("index 3 is out of range", v.set_index, xs, 3, 0)  # no appending by index
    fails("cannot set .a of null", v.set_member, None, "a", 1)
    fails("cannot set .a of an array", v.set_member, [], "a", 1)
    fails("cannot set a member of an object with a number", v.set_index, {}, 1, 1)
    fails("cannot set an item of a text", v.set_index, "abc", 0, "x")
    v.delete_member(o, "a")
    v.delete_member(o, "missing")  # already gone: not an error
    assert o == {"b": [1]}
    v.delete_index(xs, 1)
    v.delete_index(o, "b")
    assert xs == ["a", "z"] and o == {}
    fails("index 5 is out of range", v.delete_index, xs, 5)
    fails("cannot delete .a of a text", v.delete_member, "x", "a")
    fails("cannot delete an item of null", v.delete_index, None, 0)
    fails("cannot delete a member of an object with a number", v.delete_index, {}, 0)


# Copies, loops, calls ----------------------------------------------------------------------------------------


def test_copy_is_deep():
    original = {"a": [1, {"b": 2}], "c": "x"}
    copied = v.copy(original)
    assert copied == original
    copied["a"][1]["b"] = 3
    assert original["a"][1]["b"] == 2
    for scalar in (None, 1, "x", True, 2.5):
        assert v.copy(scalar) is scalar


def test_deeply_nested_values_fail_with_a_run_error():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert v.equal(deep, deep)  # the same object: no need to look inside
    fails("nested this deeply", v.equal, deep, [deep])
    fails("nested this deeply", v.text, deep)
    fails("nested this deeply", v.copy, deep)
    fails("nested this deeply", v.less, deep, [deep])


def test_a_value_that_contains_itself_fails_with_a_run_error():
    loop: dict = {}
    loop["self"] = loop
    fails("no text form", v.text, loop)
    fails("nested this deeply", v.copy, loop)


def test_iterate():
    xs = [1, 2]
    snapshot = v.iterate(xs)
    xs.append(3)
    assert list(snapshot) == [1, 2]
    assert list(v.iterate({"a": 1, "b": 2})) == ["a", "b"] and list(v.iterate("hé")) == ["h", "é"]
    assert list(v.iterate([])) == []
    fails("cannot loop over null", v.iterate, None)
    fails("cannot loop over a number", v.iterate, 3)
    assert list(v.iterate_pairs({"a": 1})) == [("a", 1)] and list(v.iterate_pairs(["x", "y"])) == [(0, "x"), (1, "y")]
    fails("cannot loop over the pairs of a text", v.iterate_pairs, "ab")


def test_spread():
    assert v.spread_items([1]) == [1] and v.spread_members({"a": 1}) == {"a": 1}
    fails("cannot spread an object into an array", v.spread_items, {})
    fails("cannot spread null into an object", v.spread_members, None)


def test_call():
    assert v.call(lambda x=None, y=None: [x, y], 1) == [1, None]
    assert v.call(len, [1, 2]) == 2
    fails("cannot call a number", v.call, 3)
    fails("cannot call null", v.call, None)
    fails("cannot call a text", v.call, "f", 1)
    fails("cannot call this function with 2 arguments", v.call, lambda x=None: x, 1, 2)


def test_call_passes_a_type_error_from_inside_the_function():
    def broken(x=None):
        return {}[[]]  # an internal bug, not a wrong call

    with pytest.raises(TypeError):
        v.call(broken, 1)


# Any values: only RunError -----------------------------------------------------------------------------------


def storable_number(x) -> bool:
    if type(x) is int:
        return abs(x) <= 10**308
    return type(x) is float and math.isfinite(x) and not (x.is_integer() and abs(x) <= 2**53)


BINARY = [v.add, v.sub, v.mul, v.div, v.mod, v.power, v.equal, v.not_equal, v.less, v.less_equal, v.greater,
          v.greater_equal, v.compare, v.contains, v.span_range, v.index, v.member, v.set_member, v.set_index,
          v.delete_member, v.delete_index, v.call]
UNARY = [v.truthy, v.not_, v.text, v.number, v.neg, v.copy, v.iterate, v.iterate_pairs, v.spread_items,
         v.spread_members, v.kind, v.a_kind, v.call]


def test_random_values_raise_only_run_errors():
    rng = random.Random(20240305)
    for _ in range(6000):
        a, b, c = random_value(rng), random_value(rng), random_value(rng)
        for f in BINARY:
            args = (v.copy(a), b, c) if f in (v.set_member, v.set_index) else (v.copy(a), b)
            try:
                result = f(*args)
            except RunError:
                continue
            if f in (v.add, v.sub, v.mul, v.div, v.mod, v.power) and type(result) in (int, float):
                assert storable_number(result), (f.__name__, a, b, result)
            if f is v.add and type(result) is str:
                json.dumps(result)
        for f in UNARY:
            try:
                f(a)
            except RunError:
                pass
        try:
            form = v.text(a)
        except RunError:
            continue
        assert type(form) is str
        assert v.equal(a, v.copy(a))
