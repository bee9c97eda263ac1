"""The child-process plumbing itself: a child's last line reaches finish() however fast the child ran."""

from __future__ import annotations

from helpers_proc import await_line, finish, spawn


def test_a_child_that_finished_before_its_ready_line_was_read_keeps_its_result(tmp_path):
    """await_line must not take more of the pipe than its line: finish() reads the rest with communicate(),
    which reads the pipe itself (a readline() that buffered the result lost it, and a test failed)."""
    child = spawn(tmp_path, "import json; print('ready', flush=True); print(json.dumps({'ok': 60}))")
    child.wait(timeout=60)  # its whole output is in the pipe before the first line is read
    assert await_line(child, "ready") == "ready"
    assert finish(child) == {"ok": 60}
