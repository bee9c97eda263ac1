"""A large document's parse kept in the user's cache (sudolang.state.parsed): used only for the very bytes it
was made from, kept on the second read of the same file, never made by a writer, and anything else found
in its place is a miss. (The stale-read tests across processes are in test_no_stale_reads.py.)"""

from __future__ import annotations

import json
import marshal
import math
import os
import time

import pytest

from sudolang.state.store import KEPT_FROM, Document


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(folder))
    return folder / "documents"


def big_document(tmp_path, tasks: int = 8_000) -> Document:
    """A document of about 700 KB: above the store's KEPT_FROM."""
    document = Document(tmp_path / "state" / "big.json", "big document", "recover it", root=tmp_path / "state")
    document.create({"tasks": {f"T-{n}": {"id": f"T-{n}", "title": f"Task {n}", "points": n % 5}
                               for n in range(tasks)}})
    assert os.path.getsize(document.path_text) >= KEPT_FROM
    return document


def entries(cache) -> list[bytes]:
    return [path.read_bytes() for path in cache.iterdir()] if cache.exists() else []


def test_the_first_read_leaves_a_mark_the_second_keeps_the_parse_and_the_third_uses_it(tmp_path, cache):
    document = big_document(tmp_path)
    expected = json.loads(open(document.path_text, "rb").read())
    assert document.read() == expected
    [mark] = entries(cache)
    assert mark.startswith(b"sudolang read document 1 ") and len(mark) < 200
    assert document.read() == expected
    [entry] = entries(cache)
    raw = open(document.path_text, "rb").read()
    assert entry.startswith(b"sudolang parsed document 1 %d\n" % len(raw) + raw)
    # The third read takes the parse the entry holds: shown by an entry whose parse says something else.
    header = b"sudolang parsed document 1 %d\n" % len(raw)
    (cache / os.listdir(cache)[0]).write_bytes(header + raw + marshal.dumps({"from": "the entry"}))
    assert document.read() == {"from": "the entry"}


def test_the_parse_kept_is_the_json_parse_value_for_value(tmp_path, cache):
    """marshal keeps what JSON can hold exactly: -0.0, the largest and smallest floats, integers past 64 bits,
    a lone surrogate, text outside the BMP, keys in their order, a repeated key's last value."""
    document = big_document(tmp_path)
    odd = ('{"zero": -0.0, "big": 1e308, "tiny": 5e-324, "huge": 123456789012345678901234567890, '
           '"lone": "\\ud800", "emoji": "\\ud83d\\ude00", "ünï": ["", {}, [], null, true, false], "dup": 1, "dup": 2, '
           '"z": 1, "a": 2}')
    raw = open(document.path_text, "rb").read()
    raw = raw[:raw.rindex(b"}")] + b', "odd": ' + odd.encode() + b"}\n"
    open(document.path_text, "wb").write(raw)
    reads = [document.read() for _ in range(3)]  # parsed, parsed and kept, recalled
    expected = json.loads(raw)
    for read in reads:
        assert read == expected
        assert list(read["odd"]) == list(expected["odd"])
        assert math.copysign(1, read["odd"]["zero"]) == -1 and read["odd"]["dup"] == 2
        assert read["odd"]["lone"] == "\ud800" and read["odd"]["emoji"] == "\U0001f600"
    assert entries(cache)[0].startswith(b"sudolang parsed document 1")


def test_each_read_gives_a_document_of_its_own(tmp_path, cache):
    document = big_document(tmp_path)
    for _ in range(3):
        document.read()
    first = document.read()
    first["tasks"]["T-1"]["title"] = "changed by its reader"
    assert document.read()["tasks"]["T-1"]["title"] == "Task 1"


def test_a_small_document_leaves_nothing(tmp_path, cache):
    small = Document(tmp_path / "state" / "small.json", "small", "recover it", root=tmp_path / "state")
    small.create({"tasks": {f"T-{n}": {"id": f"T-{n}"} for n in range(100)}})
    for _ in range(3):
        assert len(small.read()["tasks"]) == 100
    assert entries(cache) == []


def test_a_writer_keeps_the_parse_of_what_it_wrote(tmp_path, cache):
    document = big_document(tmp_path)
    document.update(lambda doc: [{"op": "set", "path": "$.counter", "value": {"n": [1, 2.5, None, True]}}])
    raw = open(document.path_text, "rb").read()
    [entry] = entries(cache)
    header = b"sudolang parsed document 1 %d\n" % len(raw)
    assert entry.startswith(header + raw)
    assert marshal.loads(entry[len(header) + len(raw):]) == json.loads(raw)
    (cache / os.listdir(cache)[0]).write_bytes(header + raw + marshal.dumps({"from": "the entry"}))
    assert document.read() == {"from": "the entry"}  # the next read, even the first one, uses it


@pytest.mark.parametrize("value", [(1, 2), {1: "one"}, {"deep": [{"x": (3,)}]}])
def test_a_writer_of_what_json_reads_back_otherwise_keeps_nothing(tmp_path, cache, value):
    """A tuple is written as an array and read back as a list, a number key is read back as text: the
    objects the writer holds are not what a reader would get, so they are not kept."""
    document = big_document(tmp_path)
    document.update(lambda doc: [{"op": "set", "path": "$.odd", "value": value}])
    assert entries(cache) == []
    assert document.read()["odd"] == json.loads(json.dumps(value))


def test_an_entry_for_other_bytes_is_a_miss_and_is_replaced(tmp_path, cache):
    document = big_document(tmp_path)
    for _ in range(2):
        document.read()
    raw = open(document.path_text, "rb").read()
    open(document.path_text, "wb").write(raw.replace(b'"Task 1"', b'"Task X"'))  # a person's edit, same size
    assert document.read()["tasks"]["T-1"]["title"] == "Task X"
    [mark] = entries(cache)
    assert mark.startswith(b"sudolang read document 1 ")


@pytest.mark.parametrize("planted", ["garbage", "torn", "not an object", "another format", "empty"])
def test_whatever_else_is_found_in_its_place_is_a_miss(tmp_path, cache, planted):
    document = big_document(tmp_path)
    for _ in range(2):
        document.read()
    [name] = os.listdir(cache)
    raw = open(document.path_text, "rb").read()
    entry = (cache / name).read_bytes()
    header = b"sudolang parsed document 1 %d\n" % len(raw)
    (cache / name).write_bytes({
        "garbage": os.urandom(4096),
        "torn": entry[:len(entry) - 1000],
        "not an object": header + raw + marshal.dumps([1, 2]),
        "another format": b"sudolang parsed document 0 %d\n" % len(raw) + raw + marshal.dumps({"x": 1}),
        "empty": b"",
    }[planted])
    assert document.read() == json.loads(raw)


def test_a_link_in_its_place_is_not_followed(tmp_path, cache):
    document = big_document(tmp_path)
    for _ in range(2):
        document.read()
    [name] = os.listdir(cache)
    raw = open(document.path_text, "rb").read()
    elsewhere = tmp_path / "elsewhere.marshal"
    planted = b"sudolang parsed document 1 %d\n" % len(raw) + raw + marshal.dumps({"via": "link"})
    elsewhere.write_bytes(planted)
    os.remove(cache / name)
    os.symlink(elsewhere, cache / name)
    assert document.read() == json.loads(raw)
    assert elsewhere.read_bytes() == planted  # not written through either
    assert not (cache / name).is_symlink()  # the mark replaced the link


def test_no_cache_folder_to_write_costs_nothing_but_the_parse(tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(blocked))
    document = big_document(tmp_path)
    expected = json.loads(open(document.path_text, "rb").read())
    for _ in range(3):
        assert document.read() == expected


def test_a_compiled_command_keeps_what_it_wrote_and_the_next_screen_reads_it(state, cache):
    """`/move` on a 3,500-task board, as its own process: the entry it leaves holds the project's bytes and
    exactly their parse, and `/board` draws the same screen from it as from the file."""
    import subprocess
    import sys

    from sudolang.state import sessions, shared

    sid = sessions.create(state, "sprint", "big")
    shared.activate_sprint(state, "big", "sprint-001", sid)
    columns = ("todo", "doing", "done")
    tasks = {f"T-{n}": {"id": f"T-{n}", "title": f"Task number {n}", "points": n % 5 + 1, "sprint": "sprint-001",
                        "column": columns[n % 3], "history": [{"at": "2026-11-23T09:00:00Z", "column": columns[n % 3]}]}
             for n in range(1, 3_501)}
    state.project("big").update(lambda doc: [{"op": "set", "path": "$.tasks", "value": tasks},
                                             {"op": "set", "path": "$.config.settings.wip", "value": {"todo": 5_000}}])

    def run(*words: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sudolang", "run", "sprint_execution", *words, "--session", sid],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Moved T-1 from doing to todo" in run("/move", "T-1", "todo")
    raw = open(state.project("big").path_text, "rb").read()
    assert len(raw) >= KEPT_FROM
    [entry] = entries(cache)
    header = b"sudolang parsed document 1 %d\n" % len(raw)
    assert entry.startswith(header + raw)
    assert marshal.loads(entry[len(header) + len(raw):]) == json.loads(raw)
    from_entry = run("/board")
    os.remove(cache / os.listdir(cache)[0])
    assert run("/board") == from_entry  # parsed from the file this time


def test_nothing_is_kept_beside_the_document(tmp_path, cache):
    """The project folder may be a stranger's repository: the cache lives in the user's cache folder only."""
    document = big_document(tmp_path)
    for value in range(3):
        document.read()
        document.update(lambda doc, value=value: [{"op": "set", "path": "$.counter", "value": value}])
    assert sorted(os.listdir(tmp_path / "state")) == ["big.events.jsonl", "big.json", "big.json.bak", "big.lock"]
    assert len(entries(cache)) == 1


def test_making_an_entry_removes_the_stale_ones_and_the_temp_files_of_killed_writers(tmp_path, cache):
    cache.mkdir(parents=True)
    old, recent = time.time() - 31 * 24 * 3600, time.time() - 24 * 3600
    planted = {"gone-project.cpython-311.marshal": old, "used-yesterday.cpython-311.marshal": recent,
               ".x.marshal.0a1b2c.tmp": time.time() - 2 * 3600, ".y.marshal.3d4e5f.tmp": time.time() - 60,
               "a note of the user's.txt": old}
    for name, at in planted.items():
        (cache / name).write_bytes(b"x")
        os.utime(cache / name, (at, at))
    big_document(tmp_path).update(lambda doc: [{"op": "set", "path": "$.counter", "value": 1}])
    left = sorted(os.listdir(cache))
    assert "gone-project.cpython-311.marshal" not in left and ".x.marshal.0a1b2c.tmp" not in left
    assert {"used-yesterday.cpython-311.marshal", ".y.marshal.3d4e5f.tmp", "a note of the user's.txt"} <= set(left)
    assert len(left) == 4  # and the new entry
