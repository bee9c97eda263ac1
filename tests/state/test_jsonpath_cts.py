"""The JSONPath standard's own compliance suite (RFC 9535; ../shared/jsonpath-cts/cts.json beside the repository):
every valid query selects the standard's values at the standard's normalised paths, every invalid one is refused
with the character where it went wrong, and writes through the suite's queries land exactly on those paths."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang.errors import NotFound
from sudolang.jsonpath import InvalidPath, apply_op, compile_path, find, normalized, targets
from sudolang.jsonpath_parse import Name

REPO = Path(__file__).resolve().parents[2]
CTS = REPO.parent / "shared" / "jsonpath-cts" / "cts.json"
CASES: list[dict] = json.loads(CTS.read_text(encoding="utf-8"))["tests"] if CTS.is_file() else []
VALID = [case for case in CASES if not case.get("invalid_selector")]
INVALID = [case for case in CASES if case.get("invalid_selector")]
WRITTEN = "written by the test"  # a value no suite document holds


def test_the_suite_is_there():
    if CASES:
        assert len(VALID) > 400 and len(INVALID) > 200
    elif os.environ.get("CI"):
        pytest.fail(f"the JSONPath compliance suite is missing: {CTS} (CI must have ../shared beside the repository)")
    else:
        pytest.skip(f"the JSONPath compliance suite is not at {CTS}; the tests that read it do not run")


def _json(value: object) -> str:
    """A comparison that tells 1 from true and from 1.0, as JSON does."""
    return json.dumps(value, sort_keys=True)


def _answers(case: dict) -> list[tuple[list, list[str]]]:
    """The results the standard allows, each with its normalised paths (several where member order is free)."""
    if "results" in case:
        return list(zip(case["results"], case["results_paths"]))
    return [(case["result"], case["result_paths"])]


def _location(normalised_path: str) -> tuple:
    """A normalised path is itself a singular query: our own parser turns it back into a location."""
    tokens = compile_path(normalised_path).tokens
    assert tokens is not None
    return tokens


@pytest.mark.parametrize("case", VALID, ids=[case["name"] for case in VALID])
def test_a_valid_query_selects_the_standards_nodes_at_the_standards_paths(case):
    found = find(copy.deepcopy(case["document"]), compile_path(case["selector"]))
    values, paths = _json([value for _, value in found]), [normalized(location) for location, _ in found]
    assert any(values == _json(result) and paths == result_paths for result, result_paths in _answers(case)), \
        (values, paths, _answers(case))


@pytest.mark.parametrize("case", INVALID, ids=[case["name"] for case in INVALID])
def test_an_invalid_query_is_refused_at_a_position(case):
    with pytest.raises(InvalidPath) as error:
        compile_path(case["selector"])
    position = error.value.position
    assert position is not None and 1 <= position <= len(case["selector"]) + 1
    assert f"at character {position}: " in error.value.message


# --- writes through the suite's queries -----------------------------------------------------------------------


def _creates_members(path_text: str) -> bool:
    """A non-singular query ending in one plain member name: a creating write also adds that member to every
    matching object that lacks it (the documented extension), so it may write more than the standard selects."""
    path = compile_path(path_text)
    segments = path.query.segments
    return not path.singular and bool(segments) and not segments[-1].descendant and \
        len(segments[-1].selectors) == 1 and isinstance(segments[-1].selectors[0], Name)


def _by_hand(document: object, locations: list[tuple], value: object = None, delete: bool = False) -> object:
    """The reference write: each distinct location once, deepest and highest index first (so no deletion
    shifts another), by plain item assignment."""
    document = copy.deepcopy(document)
    order = sorted(set(locations), key=lambda loc: [(0, t) if isinstance(t, int) else (1, t) for t in loc],
                   reverse=True)
    for location in order:
        parent = document
        for token in location[:-1]:
            parent = parent[token]
        if delete:
            del parent[location[-1]]
        else:
            parent[location[-1]] = copy.deepcopy(value)
    return document


WRITABLE = [case for case in VALID if case["result_paths" if "result_paths" in case else "results_paths"] and
            "$" not in _answers(case)[0][1]]


@pytest.mark.parametrize("case", WRITABLE, ids=[case["name"] for case in WRITABLE])
def test_set_and_delete_write_exactly_at_the_standards_paths(case):
    document, selector = case["document"], case["selector"]
    expected = [_location(path) for path in _answers(case)[0][1]]  # every allowed answer names the same set
    path = compile_path(selector)
    assert sorted(map(repr, targets(copy.deepcopy(document), path, creating=False))) == \
        sorted(set(map(repr, expected)))
    deleted = apply_op(copy.deepcopy(document), {"op": "delete", "path": selector})
    assert _json(deleted) == _json(_by_hand(document, expected, delete=True))
    written = apply_op(copy.deepcopy(document), {"op": "set", "path": selector, "value": WRITTEN})
    if not _creates_members(selector):
        assert _json(written) == _json(_by_hand(document, expected, WRITTEN))
        return
    # The extension: the standard's locations, and besides them only the named member, newly created.
    created = set(map(tuple, targets(copy.deepcopy(document), path, creating=True))) - set(expected)
    assert _json(written) == _json(_by_hand(document, expected + sorted(created, key=repr), WRITTEN))
    for location in created:
        assert location[-1] == path.query.segments[-1].selectors[0].name  # type: ignore[union-attr]
        assert not find(document, compile_path(normalized(location)))  # it was not there before


EMPTY = [case for case in VALID if not _answers(case)[0][0] and not compile_path(case["selector"]).singular]


@pytest.mark.parametrize("case", EMPTY, ids=[case["name"] for case in EMPTY])
def test_a_write_through_a_query_that_selects_nothing_writes_nothing(case):
    document = copy.deepcopy(case["document"])
    with pytest.raises(NotFound, match="nothing written"):
        apply_op(document, {"op": "delete", "path": case["selector"]})
    assert document == case["document"]


# --- through the command line ---------------------------------------------------------------------------------


def test_a_process_sets_an_escaped_name_as_the_character_it_names(tmp_path):
    """`$["\\u263a"]` names the member "☺"; it once created a member "u263a"."""
    run = [sys.executable, "-m", "sudolang", "--state-dir", str(tmp_path)]
    sid = subprocess.run([*run, "session", "create", "--mode", "development"], capture_output=True, text=True,
                         check=True).stdout.strip()
    for path in ('$["\\u263a"]', "$['\\u263a']", '$["\\uD83D\\uDE00"]'):
        done = subprocess.run([*run, "state", "set", sid, path, "1"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    document = json.loads(subprocess.run([*run, "state", "get", sid, "$"], capture_output=True, text=True,
                                         check=True).stdout)
    assert document["☺"] == 1 and document["😀"] == 1 and "u263a" not in document and "uD83D" not in document


def _session_case(case: dict) -> tuple[str, list[tuple]]:
    """The suite's query moved under `$.cts`, and its locations there."""
    return "$.cts" + case["selector"][1:], [("cts", *_location(path)) for path in _answers(case)[0][1]]


def _chosen(predicate) -> list[dict]:
    """A few suite cases with filters or selector lists, no overlapping results, under an object root."""
    chosen = []
    for case in WRITABLE:
        locations = [_location(path) for path in _answers(case)[0][1]]
        nested = any(a != b and a[: len(b)] == b for a in locations for b in locations)
        if ("?" in case["selector"] or "," in case["selector"]) and not nested and \
                not _creates_members(case["selector"]) and predicate(case):
            chosen.append(case)
    return chosen[::max(1, len(chosen) // 6)]


CLI_CASES = _chosen(lambda case: True)
MERGE_CASES = _chosen(lambda case: all(isinstance(value, dict) for value in _answers(case)[0][0]))


@pytest.mark.parametrize("case", CLI_CASES, ids=[case["name"] for case in CLI_CASES])
def test_state_set_delete_and_batch_write_at_the_standards_paths(cli, state, case):
    sid = cli("session", "create", "--mode", "development").out.strip()
    path, locations = _session_case(case)
    assert cli("state", "set", sid, "cts", json.dumps(case["document"])).code == 0
    before = state.session(sid).read()
    assert cli("state", "set", sid, path, json.dumps(WRITTEN)).code == 0
    after = state.session(sid).read()
    assert _json(after["cts"]) == _json(_by_hand(before, locations, WRITTEN)["cts"])
    assert cli("state", "set", sid, "cts", json.dumps(case["document"])).code == 0
    assert cli("state", "delete", sid, path).code == 0
    assert _json(state.session(sid).read()["cts"]) == _json(_by_hand(before, locations, delete=True)["cts"])
    assert cli("state", "set", sid, "cts", json.dumps(case["document"])).code == 0
    batch = json.dumps([{"op": "set", "path": path, "value": WRITTEN}, {"op": "delete", "path": "$.cts..nothing"}])
    refused = cli("state", "batch", sid, "-", stdin=batch)  # all or nothing: the second op selects nothing
    assert refused.code != 0 and _json(state.session(sid).read()["cts"]) == _json(case["document"])
    batch = json.dumps([{"op": "set", "path": path, "value": WRITTEN}])
    assert cli("state", "batch", sid, "-", stdin=batch).code == 0
    assert _json(state.session(sid).read()["cts"]) == _json(_by_hand(before, locations, WRITTEN)["cts"])


@pytest.mark.parametrize("case", MERGE_CASES, ids=[case["name"] for case in MERGE_CASES])
def test_state_merge_merges_into_exactly_the_standards_nodes(cli, state, case):
    sid = cli("session", "create", "--mode", "development").out.strip()
    path, locations = _session_case(case)
    assert cli("state", "set", sid, "cts", json.dumps(case["document"])).code == 0
    assert cli("state", "merge", sid, path, '{"merged": true}').code == 0
    document = state.session(sid).read()
    expected = copy.deepcopy(case["document"])
    for location in locations:
        target = {"cts": expected}
        for token in location:
            target = target[token]
        target["merged"] = True
    assert _json(document["cts"]) == _json(expected)
