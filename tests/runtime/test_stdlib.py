"""sudolang.runtime.stdlib: SudoLang Core's standard library (docs/language.md 8.6): each function's
behaviour and errors, its table entries, and that any arguments fail only with a RunError."""

from __future__ import annotations

import inspect
import math
import random
import re

import pytest
from random_values import _raises_run_error, random_value

from sudolang.errors import RunError
from sudolang.runtime import stdlib as s
from sudolang.runtime import values as v

F = s.FUNCTIONS


def fails(message: str, name: str, *args, **modifiers):
    with pytest.raises(RunError) as caught:
        F[name](*args, **modifiers)
    assert message in caught.value.message, caught.value.message
    return caught.value.message


# The tables ----------------------------------------------------------------------------------------------


def test_tables_agree_with_the_functions():
    assert set(F) == set(s.ARITY) == set(s.MODIFIERS)
    for name, function in F.items():
        parameters = inspect.signature(function).parameters.values()
        positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        keyword = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
        fewest = sum(1 for p in positional if p.default is p.empty)
        assert s.ARITY[name] == (fewest, len(positional)), name
        assert s.MODIFIERS[name] == keyword, name


def test_tables_agree_with_what_lint_knows():
    core_library = pytest.importorskip("sudolang.core_library")
    assert set(core_library.PURE) == set(F)
    for name, (fewest, most, modifiers) in core_library.PURE.items():
        assert s.ARITY[name] == (fewest, most) and s.MODIFIERS[name] == modifiers, name


# Time and ids --------------------------------------------------------------------------------------------


def test_time_honours_sudolang_now(monkeypatch):
    monkeypatch.setenv("SUDOLANG_NOW", "2024-03-05T23:30:00-05:00")
    assert F["now"]() == "2024-03-06T04:30:00Z"
    assert F["today"]() == "2024-03-06"  # the UTC date


def test_time_without_sudolang_now():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", F["now"]())
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", F["today"]()) and F["now"]().startswith(F["today"]()[:7])
    from datetime import datetime, timezone

    before, today, after = (datetime.now(timezone.utc).date().isoformat(), F["today"](),
                            datetime.now(timezone.utc).date().isoformat())
    assert today in (before, after)  # the UTC date, read without datetime


def test_a_bad_sudolang_now_is_a_run_error(monkeypatch):
    monkeypatch.setenv("SUDOLANG_NOW", "yesterday")
    fails("SUDOLANG_NOW is not an ISO 8601 stamp", "now")
    fails("SUDOLANG_NOW is not an ISO 8601 stamp", "today")


def test_dates():
    assert F["date"]("2024-03-05") == "2024-03-05"
    assert F["date"]("2024-03-05T10:00:00Z") == "2024-03-05"
    assert F["date"]("2024-03-05T23:00:00-05:00") == "2024-03-06"
    assert F["date"]("2024-03-05T10:00:00") == "2024-03-05"
    assert F["addDays"]("2024-02-28", 2) == "2024-03-01" and F["addDays"]("2024-03-01T09:00:00Z", -1.0) == "2024-02-29"
    assert F["daysBetween"]("2024-01-01", "2024-03-01T23:59:59Z") == 60
    assert F["daysBetween"]("2024-03-01", "2024-01-01") == -60
    fails("date: 'soon' is not a date or an ISO 8601 stamp", "date", "soon")
    fails("date: expected a date or an ISO 8601 stamp, got number", "date", 20240305)
    fails("addDays: expected a whole number, got 1.5", "addDays", "2024-01-01", 1.5)
    fails("addDays: 10000000 days from 2024-01-01 leaves the years 1 to 9999", "addDays", "2024-01-01", 10**7)
    fails("addDays: 10000000000000000000000 days", "addDays", "2024-01-01", 10**22)
    fails("daysBetween: '' is not a date", "daysBetween", "", "2024-01-01")
    fails("date: '0001-01-01T00:00:00+05:00' is not a date", "date", "0001-01-01T00:00:00+05:00")


def test_date_reads_the_stamps_sudolang_writes_as_datetime_does():
    """date() reads `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ` itself (a screen does without datetime's import):
    on 20,000 such texts, near-misses among them, it answers as datetime's reading of the stamp does."""
    rng = random.Random(9535)
    swaps = "0123456789-T:Z +x٣\t"
    for _ in range(20_000):
        year = rng.choice([rng.randint(0, 9999), 2024, 1800, 1900, 2000, 2100, 1])
        stamp = (f"{year:04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}T{rng.randint(0, 25):02d}:"
                 f"{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}Z")
        stamp = stamp if rng.random() < 0.5 else stamp[:10]
        if rng.random() < 0.3:  # one character replaced, removed or added
            at, where = rng.randrange(len(stamp)), rng.random()
            piece = "" if where < 0.3 else rng.choice(swaps)
            stamp = stamp[:at] + piece + stamp[at + (where < 0.7):]
        stamp = stamp if rng.random() < 0.9 else f" {stamp}\n"
        try:
            expected = s._day("date", stamp).isoformat()
        except RunError as error:
            expected = error.message
        try:
            assert F["date"](stamp) == expected, stamp
        except RunError as error:
            assert error.message == expected, stamp
    assert [F["date"](f"{year}-02-29") for year in (2000, 2024, 1600)] == ["2000-02-29", "2024-02-29", "1600-02-29"]
    for year in (1800, 1900, 2023, 2100):
        fails(f"date: '{year}-02-29T00:00:00Z' is not a date", "date", f"{year}-02-29T00:00:00Z")


def test_ids():
    first, second = F["uuid"](), F["uuid"]()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first) and first != second
    assert [F["idNumber"](t) for t in ("T-12", "sprint3", "T-", "", "T-0012", "x-1-23", "T-١٢")] == [12, 3, 0, 0, 12, 23, 0]
    fails("idNumber: expected a text, got number", "idNumber", 12)
    fails("idNumber: number too large", "idNumber", "T-" + "9" * 400)


# Counting and sums ---------------------------------------------------------------------------------------


def test_len_and_count():
    assert F["len"]([1, 2]) == 2 and F["len"]({"a": 1}) == 1 and F["len"]("hé😀") == 3 and F["len"]("") == 0
    fails("len: expected an array, object or text, got null", "len", None)
    assert F["count"]([1, 0, 3]) == 3 and F["count"]([1, 0, 3, None, ""], lambda x: x) == 2
    assert F["count"]([1, 2, 3], lambda x: v.greater(x, 1)) == 2
    fails("count: expected an array, got object", "count", {"a": 1})
    fails("count: expected a function, got number", "count", [1], 1)


def test_sum_and_average():
    assert F["sum"]([]) == 0 and F["sum"]([1, 2.5, 0.5]) == 4 and type(F["sum"]([0.5, 0.5])) is int
    assert F["sum"]([{"p": 2}, {"p": 3}], lambda t: t["p"]) == 5
    assert F["average"]([]) == 0 and F["average"]([1, 2]) == 1.5 and F["average"]([2, 4]) == 3
    assert F["average"]([{"p": 2}, {"p": 3}], lambda t: t["p"]) == 2.5
    assert F["average"]([10**308, 10**308]) == 10**308
    fails("sum: expected numbers, got text", "sum", [1, "2"])
    fails("sum: expected numbers, got boolean", "sum", [True])
    fails("average: expected numbers, got null", "average", [None])
    fails("sum: expected an array, got number", "sum", 5)
    fails("number too large", "sum", [1e308, 1e308])
    fails("number too large", "sum", [10**308, 10**308])


@pytest.mark.parametrize("args, result", [
    ((2.5,), 3), ((-2.5,), -3), ((0.5,), 1), ((1.4999,), 1), ((3,), 3), ((2.675, 2), 2.68), ((1.005, 2), 1.01),
    ((-1.005, 2), -1.01), ((1250, -2), 1300), ((1249, -2), 1200), ((-1250, -2), -1300), ((0.125, 2), 0.13),
    ((2.0, 1), 2), ((1.23456, 3.0), 1.235), ((1e300, 2), 1e300), ((1e-300, 2), 0), ((5, -1000), 0), ((0.1, 500), 0.1),
])
def test_round(args, result):
    got = F["round"](*args)
    assert got == result and type(got) is type(result), got


def test_rounding_a_float_to_a_whole_number_agrees_with_the_decimal_rounding_of_its_text():
    chooser = random.Random(15)
    halves = [n + 0.5 for n in range(-50, 50)] + [n + 0.49999999999999994 for n in range(-5, 5)]
    near = [chooser.uniform(-1e6, 1e6) for _ in range(3000)] + [chooser.uniform(-3, 3) for _ in range(3000)]
    edges = [0.0, -0.0, 2.0**52 - 0.5, -(2.0**52) + 0.5, 4503599627370495.5, 1e-300, -1e-300, 0.5000000000000001]
    for x in halves + near + edges + [math.nextafter(h, d) for h in halves for d in (-1e9, 1e9)]:
        got = F["round"](x)
        assert got == s._round_decimal(x, 0) and type(got) is int, x


def test_round_errors():
    fails("round: expected a number, got text", "round", "2.5")
    fails("round: expected a whole number, got 1.5", "round", 2.5, 1.5)


# Order ---------------------------------------------------------------------------------------------------


def test_sort():
    xs = [3, 1.5, 2]
    assert F["sort"](xs) == [1.5, 2, 3] and xs == [3, 1.5, 2]
    assert F["sort"](["b", "a", "B"]) == ["B", "a", "b"] and F["sort"]([]) == [] and F["sort"]([True]) == [True]
    assert F["sort"]([[1, 2], [1], [0, 5]]) == [[0, 5], [1], [1, 2]]
    assert F["sort"]([3, 1, 2], descending=True) == [3, 2, 1]
    tasks = [{"p": 2, "n": "a"}, {"p": 1, "n": "b"}, {"p": 2, "n": "c"}, {"p": 1.0, "n": "d"}]
    by_points = F["sort"](tasks, lambda t: t["p"])
    assert [t["n"] for t in by_points] == ["b", "d", "a", "c"]  # stable
    assert [t["n"] for t in F["sort"](tasks, lambda t: t["p"], descending=True)] == ["a", "c", "b", "d"]
    assert [t["n"] for t in F["sort"](tasks, lambda t: [t["p"], t["n"]], descending=True)] == ["c", "a", "d", "b"]
    assert F["sort"]([1, 2], None) == [1, 2]


def test_sort_by_keys_is_a_stable_sort_whether_or_not_the_keys_are_in_order():
    """sorted_by returns items already in key order as they are: a stable sort of them, on 3,000 random
    lists (ties, -0.0 and 0.0, 1 and 1.0, texts; half of them given in order), ascending and descending."""
    rng = random.Random(21)
    for _ in range(3_000):
        pool = rng.choice([[0, 1, 2, 1.0, -0.0, 0.0, 2.5], ["a", "b", "B", "", "ab"]])
        keys = [rng.choice(pool) for _ in range(rng.randint(0, 8))]
        descending = rng.random() < 0.5
        if rng.random() < 0.5:
            keys = sorted(keys, reverse=descending)
        items = [{"n": n} for n in range(len(keys))]
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        assert s.sorted_by(items, keys, descending) == [items[i] for i in order], (keys, descending)


def test_sort_errors():
    fails("sort: cannot compare number with text", "sort", [3, 1, "a"])
    fails("sort: cannot compare number with null", "sort", [3, 1.5, 2, None, "a"])  # the first that does not fit
    fails("sort: cannot compare boolean with boolean", "sort", [True, False])
    fails("sort: cannot compare object with object", "sort", [{}, {}])
    fails("sort: cannot compare null with number", "sort", [None, 1])
    assert fails("sort: cannot compare ", "sort", [["a"], [1]]) in (
        "sort: cannot compare text with number", "sort: cannot compare number with text")
    fails("sort: expected an array, got text", "sort", "cba")
    fails("sort: expected a function, got text", "sort", [1], "key")
    fails("thrown", "sort", [1, 2], _raises_run_error)


def test_min_and_max():
    assert F["min"]([3, 1, 2]) == 1 and F["max"]([3, 1, 2.5]) == 3 and F["min"]([]) is None and F["max"]([]) is None
    assert F["min"](["b", "a"]) == "a" and F["max"]([[1], [1, 0]]) == [1, 0] and F["max"]([True]) is True
    tasks = [{"p": 2, "n": "a"}, {"p": 1, "n": "b"}, {"p": 1, "n": "c"}, {"p": 2, "n": "d"}]
    assert F["min"](tasks, lambda t: t["p"])["n"] == "b" and F["max"](tasks, lambda t: t["p"])["n"] == "a"
    fails("min: cannot compare text with number", "min", [1, "a"])
    fails("max: cannot compare null with null", "max", [None, None])
    fails("min: expected an array, got number", "min", 3, 5)


# Grouping ------------------------------------------------------------------------------------------------


def test_group():
    tasks = [{"c": "todo", "n": 1}, {"c": "done", "n": 2}, {"c": "todo", "n": 3}]
    assert F["group"](tasks, lambda t: t["c"]) == {"todo": [tasks[0], tasks[2]], "done": [tasks[1]]}
    assert list(F["group"](tasks, lambda t: t["c"])) == ["todo", "done"]
    assert F["group"]([1, 2, 3], lambda x: v.mod(x, 2) == 0) == {"false": [1, 3], "true": [2]}
    assert F["group"]([1, 1.0, None], lambda x: x) == {"1": [1, 1.0], "null": [None]}
    assert F["group"]([], lambda x: x) == {}
    fails("group: expected a function, got null", "group", [1], None)


def test_unique():
    assert F["unique"]([1, 1.0, True, "1", [1], [1.0], {"a": 1}, {"a": 1.0}, None, None, False, 0]) == [
        1, True, "1", [1], {"a": 1}, None, False, 0]
    assert F["unique"]([{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == [{"a": 1, "b": 2}]
    assert F["unique"]([[True], [1]]) == [[True], [1]]
    assert F["unique"]([]) == []
    big = list(range(200_000)) * 2
    assert F["unique"](big) == list(range(200_000))  # linear: this takes milliseconds


# Collections ---------------------------------------------------------------------------------------------


def test_keys_values_entries():
    o = {"b": 1, "a": [2]}
    assert F["keys"](o) == ["b", "a"] and F["values"](o) == [1, [2]] and F["entries"](o) == [["b", 1], ["a", [2]]]
    fails("keys: expected an object, got array", "keys", [1])
    fails("values: expected an object, got null", "values", None)
    fails("entries: expected an object, got text", "entries", "a")


def test_callbacks():
    xs = [1, 2, 3, 4]
    even = lambda x: v.mod(x, 2) == 0  # noqa: E731
    assert F["filter"](xs, even) == [2, 4] and F["map"](xs, lambda x: v.mul(x, 10)) == [10, 20, 30, 40]
    assert F["find"](xs, even) == 2 and F["find"](xs, lambda x: False) is None
    assert F["any"](xs, even) is True and F["any"]([], even) is False and F["any"]([1, 3], even) is False
    assert F["all"](xs, even) is False and F["all"]([], even) is True and F["all"]([2], even) is True
    assert F["filter"]([0, 1, "", "a", [], None], lambda x: x) == [1, "a"]
    for name in ("filter", "map", "find", "any", "all"):
        fails(f"{name}: expected an array, got object", name, {"a": 1}, even)
        fails(f"{name}: expected a function, got number", name, xs, 3)
        fails("cannot call this function with 1 argument", name, xs, lambda: 1)
        fails("thrown", name, xs, _raises_run_error)


def test_first_last_slice_range_reverse():
    assert F["first"]([1, 2]) == 1 and F["last"]([1, 2]) == 2 and F["first"]([]) is None and F["last"]([]) is None
    fails("first: expected an array, got text", "first", "ab")
    assert F["slice"]([1, 2, 3, 4], 1, 3) == [2, 3] and F["slice"]([1, 2, 3], -2) == [2, 3]
    assert F["slice"]("hello", 1, -1) == "ell" and F["slice"]("hi", 5) == "" and F["slice"]([1, 2], 0, None) == [1, 2]
    assert F["slice"]([1, 2, 3], 10**30) == [] and F["slice"]([1, 2, 3], -(10**30), 2.0) == [1, 2]
    fails("slice: expected an array or a text, got object", "slice", {}, 0)
    fails("slice: expected a whole number, got 0.5", "slice", [1], 0.5)
    assert F["range"](0, 3) == [0, 1, 2] and F["range"](3, 3) == [] and F["range"](5, 1) == [] and F["range"](-1, 1.0) == [-1, 0]
    fails("range: more than 1,000,000 numbers", "range", 0, 1_000_001)
    fails("range: expected a whole number, got text", "range", "0", 3)
    assert F["reverse"]([1, 2, 3]) == [3, 2, 1] and F["reverse"]("abc") == "cba"
    fails("reverse: expected an array or a text, got number", "reverse", 12)


def test_get_and_has():
    o = {"a": 1, "n": None}
    assert F["get"](o, "a") == 1 and F["get"](o, "b") is None and F["get"](o, "b", 0) == 0 and F["get"](o, "n", 5) is None
    assert F["get"]([10, 20], 1) == 20 and F["get"]([10, 20], -1) == 20 and F["get"]([10], 5, "d") == "d"
    assert F["get"](None, "a", "d") == "d" and F["get"]([10], 0.0) == 10
    assert F["has"](o, "a") and F["has"](o, "n") and not F["has"](o, "b") and not F["has"](None, "a")
    assert F["has"]([1], 0) and F["has"]([1], -1) and not F["has"]([1], 1) and not F["has"]([], 0)
    fails("get: an object's keys are texts, got number", "get", o, 1)
    fails("has: an array's index is a whole number, got text", "has", [1], "0")
    fails("get: expected a whole number, got 0.5", "get", [1], 0.5)
    fails("get: expected an object or an array, got text", "get", "abc", 0)


# Text ----------------------------------------------------------------------------------------------------


def test_text_and_number():
    assert F["text"](3.0) == "3" and F["text"]([1]) == "[1]" and F["text"](None) == "null"
    cases = {3: 3, 2.5: 2.5, 4.0: 4, "3": 3, " -2.5 ": -2.5, "1e3": 1000, "+7": 7, ".5": 0.5, "3.": 3, "0x10": None,
             "1_000": None, "inf": None, "nan": None, "": None, "  ": None, "1e999": None, "١٢": None, "3 4": None,
             "9" * 309: None, "9" * 500: None, "abc": None}
    for given, expected in cases.items():
        got = F["number"](given)
        assert got == expected and type(got) is type(expected), (given, got)
    for other in (True, False, None, [1], {"a": 1}, len):
        assert F["number"](other) is None


def test_join_and_split():
    assert F["join"](["a", 1, None, [1, 2], 2.0]) == "a, 1, null, [1, 2], 2" and F["join"]([1, 2], "-") == "1-2"
    assert F["join"]([]) == "" and F["join"](["x"], "") == "x"
    fails("join: expected an array, got number", "join", 3)
    fails("join: expected a text separator, got number", "join", [1], 1)
    fails("a function has no text form", "join", [len])
    fails("join: the text would be longer than 10,000,000 characters", "join", ["x" * 1_000_000] * 11)
    assert F["split"]("a,b,,c", ",") == ["a", "b", "", "c"] and F["split"]("", ",") == [""]
    assert F["split"]("hé", "") == ["h", "é"] and F["split"]("a b", ", ") == ["a b"]
    fails("split: expected a text, got array", "split", ["a"], ",")
    fails("split: expected a text separator, got null", "split", "a", None)


def test_join_of_texts_in_one_piece_gives_what_joining_item_by_item_does():
    """join() joins a list of texts in one str.join; any other list, or a text too long, item by item: on
    2,000 random lists (texts, numbers, arrays, a function; lengths about MAX_LENGTH) both give the same."""
    def by_item(xs: list, sep: str):
        size, parts = len(sep) * len(xs), []
        for x in xs:
            parts.append(v.text(x))
            size += len(parts[-1])
            if size > v.MAX_LENGTH:
                raise RunError("join: the text would be longer than 10,000,000 characters")
        return sep.join(parts)

    rng = random.Random(11)
    big = "x" * (v.MAX_LENGTH // 4)
    for _ in range(2_000):
        pool = rng.choice([["a", "bc", "", "é"], ["a", 1, None, [1], 2.5, True], ["a", big], ["a", len]])
        xs, sep = [rng.choice(pool) for _ in range(rng.randint(0, 6))], rng.choice(["", ", ", "\n", "x" * 100])
        outcomes = []
        for join in (F["join"], by_item):
            try:
                outcomes.append(("value", join(xs, sep)))
            except RunError as error:
                outcomes.append(("error", error.message))
        assert outcomes[0] == outcomes[1], (xs[:3], sep)


def test_text_functions():
    assert F["trim"]("  a b \n") == "a b" and F["upper"]("straße") == "STRASSE" and F["lower"]("ÀB") == "àb"
    assert F["startsWith"]("hello", "he") and not F["startsWith"]("hello", "lo") and F["endsWith"]("hello", "lo")
    assert F["replace"]("a-b-c", "-", "+") == "a+b+c" and F["replace"]("ab", "", "-") == "-a-b-"
    assert F["pad"](3, 4) == "3   " and F["padStart"]("ab", 4) == "  ab" and F["pad"]("abcdef", 3) == "abcdef"
    assert F["padStart"](None, 5) == " null" and F["pad"]("a", -3) == "a"
    assert F["repeat"]("ab", 3) == "ababab" and F["repeat"]("ab", 0) == "" and F["repeat"]("", 10**30) == ""
    for name in ("trim", "upper", "lower"):
        fails(f"{name}: expected a text, got number", name, 5)
    fails("startsWith: expected a text prefix, got number", "startsWith", "a", 1)
    fails("endsWith: expected a text, got null", "endsWith", None, "a")
    fails("replace: expected a text to put in its place, got number", "replace", "a", "a", 1)
    fails("replace: the text would be longer than 10,000,000", "replace", "a" * 1000, "a", "b" * 100_000)
    fails("pad: a width of more than 1,000,000 characters", "pad", "a", 10**18)
    fails("padStart: expected a whole number, got text", "padStart", "a", "3")
    fails("repeat: the text would be longer than 1,000,000 characters", "repeat", "ab", 10**9)
    fails("repeat: cannot repeat a text -1 times", "repeat", "ab", -1)
    fails("repeat: expected a text, got number", "repeat", 5, 2)


def test_fill():
    assert F["fill"]("Hi {name}, {x} {n}!", {"name": "Ann", "n": 3.0}) == "Hi Ann, {x} 3!"
    assert F["fill"]("{a}{a} {b} {} {{a}}", {"a": [1], "b": None, "": "e"}) == "[1][1] null e {[1]}"
    assert F["fill"]("{task-id}: {a.b}", {"task-id": "T-1"}) == "T-1: {a.b}"
    fails("fill: expected an object, got array", "fill", "{0}", ["x"])
    fails("fill: expected a text template, got null", "fill", None, {})
    fails("a function has no text form", "fill", "{f}", {"f": len})
    fails("fill: the text would be longer than 10,000,000", "fill", "{a}" * 100, {"a": "x" * 200_000})


# Any arguments: only RunError ----------------------------------------------------------------------------




def test_random_arguments_raise_only_run_errors(monkeypatch):
    monkeypatch.setenv("SUDOLANG_NOW", "2024-03-05T10:00:00Z")
    rng = random.Random(8_6)
    names = sorted(F)
    for _ in range(20_000):
        name = rng.choice(names)
        fewest, most = s.ARITY[name]
        args = [random_value(rng) for _ in range(rng.randint(fewest, most))]
        modifiers = {m: rng.choice([True, False, 1, None]) for m in s.MODIFIERS[name] if rng.random() < 0.5}
        before = repr(args)
        try:
            F[name](*args, **modifiers)
        except RunError:
            pass
        assert repr(args) == before, f"{name} changed its arguments"


def test_plural_counts_with_the_word():
    plural = F["plural"]
    assert [plural(n, "task") for n in (1, -1, 0, 2, -2, 10**15, 1.0, -1.0, 2.5)] == [
        "1 task", "-1 task", "0 tasks", "2 tasks", "-2 tasks", "1000000000000000 tasks", "1 task", "-1 task",
        "2.5 tasks"]
    assert (plural(1, "reply", "replies"), plural(2, "reply", "replies")) == ("1 reply", "2 replies")
    fails("plural: expected a number to count, got text", "plural", "3", "task")
    fails("plural: expected a text word, got number", "plural", 3, 4)
