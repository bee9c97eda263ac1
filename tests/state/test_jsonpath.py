"""JSONPath reading and writing, including every write trap jsonpath-ng's own update() fell into (the standard's
own suite is tests/state/test_jsonpath_cts.py)."""

from __future__ import annotations

import sys

import pytest

from sudolang.errors import NotFound
from sudolang.jsonpath import (
    InvalidPath,
    PathConflict,
    apply_op,
    check_op,
    compile_path,
    find,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("$", ()),
        ("", ()),
        ("$.a.b[0]", ("a", "b", 0)),
        ("tasks.task-001.status", ("tasks", "task-001", "status")),
        ("active_work.sprint", ("active_work", "sprint")),
        ("$['key.with.dots'].x", ("key.with.dots", "x")),
        ('$["quoted"][-1]', ("quoted", -1)),
        ("[2].x", (2, "x")),
        ("sprints.2024-q1", ("sprints", "2024-q1")),
    ],
)
def test_singular_paths_name_one_location(text, tokens):
    assert compile_path(text).tokens == tokens


@pytest.mark.parametrize("text", ["$.a[*]", "$..status", "tasks[?(@.done)]", "$.a[0:2]", "$.a.*", "$['a','b']"])
def test_wildcards_filters_slices_and_unions_are_not_singular(text):
    assert not compile_path(text).singular


def test_neither_a_simple_get_nor_a_filter_imports_jsonpath_ng():
    import subprocess

    code = (
        "import sys; from sudolang.jsonpath import compile_path, find;"
        "find({'a': {'b': 1}}, compile_path('a.b'));"
        "find({'a': [{'b': 1}]}, compile_path('$.a[?@.b == 1 && length(@) > 0]'));"
        "print('jsonpath_ng' in sys.modules, 'sudolang.lalr' in sys.modules, 'jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


@pytest.mark.parametrize(("text", "position"), [
    ("$.[[[", 3), ("$.a[?(@.x ==]", 13), ("$.a[", 5), ("tasks..", 8), ("$.a]", 4), (" $", 1), ("$ ", 2),
    ("$[?(@.a)==1]", 9), ("$[?@.a = 1]", 8), ("$[?!@.a==1]", 8), ("$['a\\x']", 5)])
def test_invalid_paths_are_reported_with_their_text_and_position(text, position):
    with pytest.raises(InvalidPath) as error:
        compile_path(text)
    assert error.value.message.startswith(f"invalid JSONPath {text!r} at character {position}: ")
    assert error.value.position == position


@pytest.mark.parametrize(("text", "standard"), [
    ("tasks.task-001", "$['tasks']['task-001']"), ("sprints.2024-q1", "$['sprints']['2024-q1']"),
    ("[0].a", "$[0]['a']"), (".a", "$['a']"), ("..a", "$..['a']"), ("", "$"), ("*", "$[*]")])
def test_the_shorthand_means_what_its_standard_spelling_means(text, standard):
    document = {"tasks": {"task-001": 1}, "sprints": {"2024-q1": 2}, "a": {"a": 3}}
    if text.startswith("["):
        document = [{"a": 4}]
    assert find(document, compile_path(text)) == find(document, compile_path(standard))


@pytest.mark.parametrize("text", ["$.1", "tasks.2024", "$.-a", "$. a", " a", "a ", "$.a b", "a.b c", "$.a#b"])
def test_the_shorthand_takes_nothing_else(text):
    with pytest.raises(InvalidPath):
        compile_path(text)


DOC = {"tasks": {"t-1": {"status": "done", "points": 3}, "t-2": {"status": "todo", "points": 5}},
       "list": [{"x": 1}, {"x": 2}, {"x": 3}]}


def test_find_returns_concrete_locations_for_filter_matches():
    matches = find(DOC, compile_path("$.list[?(@.x > 1)]"))
    assert matches == [(("list", 1), {"x": 2}), (("list", 2), {"x": 3})]
    assert [loc for loc, _ in find(DOC, compile_path("$.tasks.*.status"))] == [
        ("tasks", "t-1", "status"), ("tasks", "t-2", "status")]


def test_find_missing_singular_path_is_empty():
    assert find(DOC, compile_path("tasks.t-9.status")) == []
    assert find(DOC, compile_path("list[7]")) == []


def op(name, path, value=None, **extra):
    return check_op({"op": name, "path": path, **({} if value is None else {"value": value}), **extra})


# --- the traps named in the issue: each write either happens or raises ------------------------


def test_set_creates_missing_parents():  # jsonpath-ng update() does nothing here
    assert apply_op({}, op("set", "a.b.c", 1)) == {"a": {"b": {"c": 1}}}


def test_set_through_null_replaces_it():  # update_or_create() does nothing through null
    assert apply_op({"a": None}, op("set", "a.b", 1)) == {"a": {"b": 1}}


def test_set_through_a_number_is_a_conflict_not_a_crash():  # update_or_create() raises TypeError
    with pytest.raises(PathConflict, match=r"\$\.a is a number"):
        apply_op({"a": 5}, op("set", "a.b", 1))


def test_set_a_list_at_an_index_stores_the_whole_list():  # jsonpath-ng >= 1.8 stores only [0]
    assert apply_op({"a": [0, 0]}, op("set", "a[1]", [1, 2, 3])) == {"a": [0, [1, 2, 3]]}


def test_set_at_list_end_appends_and_beyond_is_refused():
    assert apply_op({"a": [1]}, op("set", "a[1]", 2)) == {"a": [1, 2]}
    with pytest.raises(PathConflict, match="out of range"):
        apply_op({"a": [1]}, op("set", "a[5]", 2))


def test_set_creates_a_list_for_an_index_parent():
    assert apply_op({}, op("set", "a[0].b", 1)) == {"a": [{"b": 1}]}


def test_set_through_a_filter_changes_every_match():
    document = apply_op({"l": [{"x": 1}, {"x": 2}]}, op("set", "$.l[?(@.x > 0)].done", True))
    assert document == {"l": [{"x": 1, "done": True}, {"x": 2, "done": True}]}


def test_a_filter_with_no_match_writes_nothing_and_says_so():
    with pytest.raises(NotFound, match="no match"):
        apply_op({"l": []}, op("set", "$.l[?(@.x > 0)].done", True))


def test_root_must_stay_an_object():
    with pytest.raises(PathConflict):
        apply_op({}, op("set", "$", [1]))
    assert apply_op({"a": 1}, op("set", "$", {"b": 2})) == {"b": 2}


def test_delete_removes_and_refuses_what_is_missing():
    assert apply_op({"a": {"b": 1, "c": 2}}, op("delete", "a.b")) == {"a": {"c": 2}}
    with pytest.raises(NotFound):
        apply_op({"a": {}}, op("delete", "a.b"))
    with pytest.raises(NotFound):
        apply_op({}, op("delete", "a.b"))


def test_delete_of_several_list_matches_keeps_indices_straight():
    document = apply_op({"l": [1, 5, 2, 7]}, op("delete", "$.l[?(@ > 3)]"))
    assert document == {"l": [1, 2]}


def test_merge_is_deep_and_creates_the_target():
    document = {"a": {"b": {"c": 1, "d": 2}}}
    assert apply_op(document, op("merge", "a", {"b": {"c": 9}, "e": 1})) == {"a": {"b": {"c": 9, "d": 2}, "e": 1}}
    assert apply_op({}, op("merge", "x.y", {"z": 1})) == {"x": {"y": {"z": 1}}}
    with pytest.raises(PathConflict):
        apply_op({"a": 1}, op("merge", "a", {"z": 1}))


def test_incr_and_append_with_limit():
    assert apply_op({}, op("incr", "n")) == {"n": 1}
    assert apply_op({"n": 2}, op("incr", "n", 3)) == {"n": 5}
    with pytest.raises(PathConflict):
        apply_op({"n": "x"}, op("incr", "n"))
    document = {}
    for value in range(5):
        document = apply_op(document, op("append", "log", value, limit=3))
    assert document == {"log": [2, 3, 4]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "expected an object"),
        ({"op": "frob", "path": "a"}, "unknown op"),
        ({"op": "set", "path": 3, "value": 1}, "'path' must be"),
        ({"op": "set", "path": "a"}, "needs a 'value'"),
        ({"op": "set", "path": "$.[", "value": 1}, "invalid JSONPath"),
        ({"op": "append", "path": "l", "value": 1, "limit": "x"}, "'limit' must be a whole number, 1 or more"),
        ({"op": "append", "path": "l", "value": 1, "limit": -1}, "'limit' must be"),
        ({"op": "append", "path": "l", "value": 1, "limit": 0}, "'limit' must be"),  # 0 would keep nothing
        ({"op": "append", "path": "l", "value": 1, "limit": True}, "'limit' must be"),
        ({"op": "append", "path": "l", "value": 1, "limit": 2.5}, "'limit' must be"),
        ({"op": "incr", "path": "n", "value": float("inf")}, "incr needs a finite number"),
        ({"op": "incr", "path": "n", "value": float("nan")}, "incr needs a finite number"),
        ({"op": "incr", "path": "n", "value": "1"}, "incr needs a finite number"),
        ({"op": "set", "path": "n", "value": float("nan")}, "JSON cannot represent"),
        ({"op": "set", "path": "n", "value": {"k": "\ud800"}}, "lone surrogate"),
        ({"op": "set", "path": "$" + ".a" * 50_000, "value": 1}, "100,001 characters; the limit is 1,024"),
        ({"op": "set", "path": ".a" * 65, "value": 1}, "65 steps; the limit is 64"),
        ({"op": "set", "path": "$" + "..a" * 65, "value": 1}, "65 steps; the limit is 64"),
        ({"op": "set", "path": "$[?@" + ".a" * 65 + "]", "value": 1}, "65 steps; the limit is 64"),
    ],
)
def test_operations_are_checked_before_any_lock(raw, message):
    with pytest.raises(Exception, match=message):
        check_op(raw, 0 if isinstance(raw, dict) and "limit" in raw else None)


def test_a_value_nested_too_deep_is_refused_by_check_op():
    value: object = 1
    for _ in range(70):
        value = [value]
    with pytest.raises(Exception, match="nested too deeply"):
        check_op({"op": "set", "path": "a", "value": value})


def test_path_bounds_come_before_any_parsing_and_recursion_is_an_invalid_path(monkeypatch):
    from sudolang import jsonpath_parse

    assert len(compile_path("$" + ".a" * 64).tokens) == 64  # the limit itself is fine
    monkeypatch.setattr(jsonpath_parse, "_Parser", lambda text: pytest.fail("parsed a path over the limit"))
    with pytest.raises(InvalidPath, match="the limit is 1,024"):
        compile_path("x" * 1025)
    monkeypatch.undo()
    for nested in ("$[?" + "(" * 300 + "@.a" + ")" * 300 + "]", "$[?" + "!(" * 300 + "@.a" + ")" * 300 + "]",
                   "$[?" + "length(" * 100 + "@.a" + ")" * 100 + " > 1]", "$" + "[?@" * 100 + "]" * 100):
        with pytest.raises(InvalidPath, match="nested more than 32 levels deep"):  # not a RecursionError
            compile_path(nested)


def test_append_limit_and_incr_overflow_are_refused_under_the_lock_too():
    with pytest.raises(Exception, match="limit"):
        apply_op({"l": [1, 2]}, {"op": "append", "path": "l", "value": 3, "limit": -1})
    with pytest.raises(PathConflict, match="too large"):
        apply_op({"n": 1.7e308}, {"op": "incr", "path": "n", "value": 1.7e308})


def test_set_through_a_wildcard_replaces_each_child_and_never_writes_a_star_key():
    document = apply_op({"t": {"a": 1, "b": 2}}, op("set", "$.t.*", 0))
    assert document == {"t": {"a": 0, "b": 0}}
