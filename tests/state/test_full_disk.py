"""A full disk (ENOSPC) is a truthful failure: a real tmpfs, filled to the last page, under real processes.

Mounting needs root, as CI runs; elsewhere these tests skip, saying so. The disk is filled completely,
then pages are freed so that exactly one write step fits: the document's temp file, not the log record
after it. Each failure must say which file, change nothing, leave no temp file holding space, and let a
retry apply the change exactly once.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess

import pytest
from helpers_proc import run_cli

from sudolang.errors import FAILURE
from sudolang.state.paths import StateDir
from sudolang.state.store import read_log

PAGE = 4096
VALUE = "x" * (3 * PAGE)  # a record and a document each needing pages of their own


@pytest.fixture
def disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root, as CI has): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk, leave_pages: int) -> os.PathLike:
    """Fill the disk to the last byte, then free `leave_pages` pages; returns the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * PAGE)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - size % PAGE - leave_pages * PAGE))
    return filler


def snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("leave_pages", [0, 6], ids=["no room for the temp file", "room for the temp file only"])
def test_a_full_disk_changes_nothing_names_the_file_and_a_retry_applies_once(disk, leave_pages):
    root = disk / "state"
    sid = run_cli(root, "session", "create", "--mode", "development").stdout.strip()
    document = StateDir(root).session(sid)
    assert run_cli(root, "state", "set", sid, "n", "1").returncode == 0
    before = snapshot(document.path.parent)
    filler = fill(disk, leave_pages)

    failed = run_cli(root, "state", "set", sid, "big", VALUE)
    assert failed.returncode == FAILURE, failed
    assert "No space left on device" in failed.stderr and "nothing was changed" in failed.stderr
    named = document.log_path if leave_pages else document.path
    assert str(named) in failed.stderr, failed.stderr  # the file that could not be written
    assert snapshot(document.path.parent) == before  # the document, its backup and its log, byte for byte
    assert not [p for p in document.path.parent.iterdir() if p.name.endswith(".tmp")]  # no space held

    os.unlink(filler)
    retried = run_cli(root, "state", "set", sid, "big", VALUE)
    assert retried.returncode == 0, retried
    assert document.read()["big"] == VALUE
    assert [r["revision"] for r in read_log(document.log_path)] == [1, 2, 3]  # applied once, log whole


def test_a_full_disk_while_sending_a_message_uses_no_sequence_number_for_nothing(disk):
    root = disk / "state"
    a = run_cli(root, "session", "create", "--mode", "development").stdout.strip()
    b = run_cli(root, "session", "create", "--mode", "development").stdout.strip()
    assert run_cli(root, "msg", "send", a, b, "first").returncode == 0
    filler = fill(disk, 0)
    failed = run_cli(root, "msg", "send", a, b, VALUE)
    assert failed.returncode == FAILURE and "No space left on device" in failed.stderr, failed
    os.unlink(filler)
    assert run_cli(root, "msg", "send", a, b, "third").returncode == 0
    polled = run_cli(root, "msg", "poll", b, "--json")
    texts = [m.get("text") for m in json.loads(polled.stdout)]
    assert texts == ["first", "third"]  # the failed send left no message and no torn file behind
