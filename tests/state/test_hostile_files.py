"""A symbolic link planted at any name the state layer writes (a cloned repository can carry one) never
redirects a write: real `sudolang` processes run against a state folder full of links, and the file or
folder each link points to is untouched. Where the tool cannot go on it refuses, exit 1, naming the link."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers_proc import run_cli

from sudolang.errors import FAILURE

VICTIM = b'{"precious": true, "revision": 7, "session": {"id": "x"}}\n'  # a JSON object: readable if followed


@pytest.fixture
def world(tmp_path):
    """A state folder with two sessions (A in project `default`) and, outside it, a file and a folder to protect."""
    state, outside = tmp_path / "state", tmp_path / "home"
    (outside / "folder").mkdir(parents=True)
    (outside / "victim").write_bytes(VICTIM)
    (outside / "folder" / "000000000001.json").write_bytes(b'{"seq": 1, "text": "private"}\n')
    (outside / "folder" / "keep.txt").write_bytes(b"keep me\n")
    a = run_cli(state, "session", "create", "--mode", "development", "--project", "default").stdout.strip()
    b = run_cli(state, "session", "create", "--mode", "development").stdout.strip()
    assert a and b
    return state, outside, a, b


def snapshot(outside: Path) -> dict:
    """Every file outside, with its bytes and link count (a hard link made to it would raise the count)."""
    return {str(p.relative_to(outside)): (p.read_bytes(), p.stat().st_nlink)
            for p in sorted(outside.rglob("*")) if p.is_file()}


def plant(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    elif os.path.lexists(link):
        link.unlink()
    link.symlink_to(target)


# (name under the state folder, with {a} and {b} the two session ids; what runs; "refused" if it must exit 1
# naming the link, else it must succeed). A file link points at `victim`; a folder link at `folder`.
FILE_LINKS = [
    ("sessions/{a}.lock", [("state", "set", "{a}", "n", "1")], "refused"),
    ("sessions/{a}.json", [("state", "get", "{a}", "$")], "refused"),
    ("sessions/{a}.json", [("state", "set", "{a}", "n", "1")], "refused"),
    ("sessions/{a}.json", [("session", "recover", "{a}")], "refused"),
    ("sessions/{a}.json.bak", [("state", "set", "{a}", "n", "1")], "ok"),
    ("sessions/{a}.events.jsonl", [("state", "set", "{a}", "n", "1")], "refused"),
    ("sessions/.{a}.json.tmp", [("state", "set", "{a}", "n", "1")], "ok"),
    ("sessions/.{a}.json.bak.tmp", [("state", "set", "{a}", "n", "1")], "ok"),
    ("shared/default.lock", [("shared", "update-epic", "default", "E1", "--status", "active")], "refused"),
    ("shared/default.json", [("shared", "get-config", "default")], "refused"),
    ("shared/default.events.jsonl", [("shared", "update-epic", "default", "E1", "--status", "active")], "refused"),
    ("shared/fresh.lock", [("session", "create", "--mode", "development", "--project", "fresh")], "refused"),
    ("shared/fresh.events.jsonl", [("session", "create", "--mode", "development", "--project", "fresh")], "refused"),
    ("messages/{a}/inbox.lock", [("msg", "send", "{b}", "{a}", "hello")], "refused"),
    ("messages/{a}/seq", [("msg", "send", "{b}", "{a}", "hello")], "refused"),
    ("messages/{a}/.seq.tmp", [("msg", "send", "{b}", "{a}", "hello")], "ok"),
    ("messages/{a}/inbox/.000000000001.json.tmp", [("msg", "send", "{b}", "{a}", "hello")], "ok"),
    ("messages/{a}/inbox/000000000001.json", [("msg", "poll", "{a}")], "refused"),
    ("tools.json", [("shared", "list-tools")], "refused"),
]

FOLDER_LINKS = [
    ("sessions", [("session", "create", "--mode", "development")]),
    ("sessions", [("state", "get", "{a}", "$")]),
    ("sessions", [("session", "list")]),
    ("shared", [("shared", "update-epic", "default", "E1", "--status", "active")]),
    ("messages", [("msg", "send", "{b}", "{a}", "hello")]),
    ("messages/{a}", [("msg", "send", "{b}", "{a}", "hello")]),
    ("messages/{a}/inbox", [("msg", "send", "{b}", "{a}", "hello")]),
    ("messages/{a}/claimed", [("msg", "send", "{b}", "{a}", "hello")]),
    ("messages/{a}/claimed/999999999-abc", [("msg", "poll", "{a}")]),  # a "dead poller's claim"
]


def run_all(state: Path, commands: list[tuple], ids: dict, **options) -> list:
    return [run_cli(state, *(part.format(**ids) for part in command), **options) for command in commands]


@pytest.mark.parametrize("name, commands, outcome", FILE_LINKS, ids=[f"{c[0]}-{c[1][0][1]}" for c in FILE_LINKS])
def test_a_link_at_a_file_name_redirects_nothing(world, name, commands, outcome):
    state, outside, a, b = world
    if name.startswith("messages/"):  # the inbox exists, so the link sits in a real folder
        assert run_cli(state, "msg", "send", b, a, "first").returncode == 0
        assert run_cli(state, "msg", "poll", a).returncode == 0
    before = snapshot(outside)
    link = state / name.format(a=a, b=b)
    plant(link, outside / "victim")
    for result in run_all(state, commands, {"a": a, "b": b}):
        if outcome == "refused":
            assert result.returncode == FAILURE, (result.stdout, result.stderr)
            assert str(link) in result.stderr and "symbolic link" in result.stderr
            assert "precious" not in result.stdout
        else:
            assert result.returncode == 0, result.stderr
    assert snapshot(outside) == before  # the target: same bytes, no extra hard link


@pytest.mark.parametrize("name, commands", FOLDER_LINKS, ids=[f"{c[0]}-{c[1][0][1]}" for c in FOLDER_LINKS])
def test_a_link_at_a_folder_name_redirects_nothing(world, name, commands):
    state, outside, a, b = world
    if name.startswith("messages/"):
        assert run_cli(state, "msg", "send", b, a, "first").returncode == 0
    before = snapshot(outside)
    link = state / name.format(a=a, b=b)
    plant(link, outside / "folder")
    for result in run_all(state, commands, {"a": a, "b": b}):
        assert result.returncode == FAILURE, (result.stdout, result.stderr)
        assert str(link) in result.stderr and "symbolic link" in result.stderr
        assert "private" not in result.stdout
    assert snapshot(outside) == before


def test_archiving_refuses_a_linked_archive_folder(world):
    state, outside, a, b = world
    expired = run_cli(state, "session", "create", "--mode", "development", "--ttl", "1",
                      env={"SUDOLANG_NOW": "2020-01-01T00:00:00Z"}).stdout.strip()
    before = snapshot(outside)
    link = state / "sessions" / "archive"
    plant(link, outside / "folder")
    result = run_cli(state, "state", "cleanup-expired")
    assert result.returncode == FAILURE and str(link) in result.stderr
    assert snapshot(outside) == before
    assert (state / "sessions" / f"{expired}.json").is_file()  # not moved anywhere


def test_a_linked_done_folder_is_removed_not_emptied(world):
    """A poller sweeps `.done-*` folders (confirmed deliveries being deleted); a planted one must not make it
    delete the files of the folder it points to."""
    state, outside, a, b = world
    assert run_cli(state, "msg", "send", b, a, "first").returncode == 0
    before = snapshot(outside)
    link = state / "messages" / a / ".done-999999999-abc"
    plant(link, outside / "folder")
    result = run_cli(state, "msg", "poll", a)
    assert result.returncode == 0, result.stderr
    assert "first" in result.stdout and "private" not in result.stdout
    assert snapshot(outside) == before
    assert not os.path.lexists(link)


def test_a_linked_backup_is_never_read_by_recover(world):
    state, outside, a, b = world
    document = state / "sessions" / f"{a}.json"
    document.write_bytes(b"\x00damaged")
    plant(state / "sessions" / f"{a}.json.bak", outside / "victim")
    before = snapshot(outside)
    result = run_cli(state, "session", "recover", a)
    assert result.returncode == 0, result.stderr
    assert "precious" not in document.read_text()  # rebuilt from the log, not from the linked file
    assert json.loads(document.read_text())["session"]["id"] == a
    assert snapshot(outside) == before


def test_the_state_root_itself_may_be_a_link(tmp_path):
    """--state-dir / $SUDOLANG_STATE_DIR is the user's own choice, so a link there is followed."""
    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    link.symlink_to(real)
    created = run_cli(link, "session", "create", "--mode", "development")
    assert created.returncode == 0, created.stderr
    assert (real / "sessions" / f"{created.stdout.strip()}.json").is_file()
