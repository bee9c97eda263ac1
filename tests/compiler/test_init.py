"""`sudolang init` on real folders: the tree, runnable scripts, the settings merge, idempotency and the router."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang.compiler.init_project import HOOK_COMMAND, HOOK_EVENTS, ROUTER, generated_files, init_project


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    return folder


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its bytes (None for a folder) and mode."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes(), p.stat().st_mode)
            for p in sorted(root.rglob("*"))}


def run(project: Path, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SUDOLANG_STATE_DIR"}  # the scripts must pin it themselves
    return subprocess.run(command, cwd=project, input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_init_builds_the_tree_and_the_scripts_run(project):
    report = init_project(project)
    claude = project / ".claude"
    for folder in ("scripts/handlers", "hooks/orchestration/handlers", "state/sessions", "state/shared",
                   "output-styles", "commands"):
        assert (claude / folder).is_dir(), folder
    assert sorted(p.name for p in (claude / "output-styles").iterdir()) == [
        "all-team_dashboard.md", "config_manager.md", "leadership_chat.md", "sprint_execution.md"]
    for name in ("state_manager.py", "session_manager.py", "shared_state.py", "../hooks/orchestration/router.sh"):
        script = claude / "scripts" / name
        assert os.access(script, os.X_OK), name
    for name in ("state_manager.py", "session_manager.py", "shared_state.py"):
        text = (claude / "scripts" / name).read_text()
        assert '# /// script\n# requires-python = ">=3.11"\n# dependencies = []\n# ///\n' in text
    assert all(line.startswith("created") for line in report)

    created = run(project, "python3", ".claude/scripts/session_manager.py", "create", "--mode", "development")
    assert created.returncode == 0, created.stderr
    sid = created.stdout.strip()
    assert (claude / "state" / "sessions" / f"{sid}.json").is_file()
    got = run(project, "python3", ".claude/scripts/state_manager.py", "get", sid, "$.session.mode")
    assert (got.returncode, got.stdout.strip()) == (0, '"development"'), got.stderr

    runner = ["uv", "run", "--no-project"] if shutil.which("uv") else [sys.executable]
    changed = run(project, *runner, ".claude/scripts/state_manager.py", "set", sid, "active_work.sprint", "s-1")
    assert changed.returncode == 0, changed.stderr
    got = run(project, *runner, ".claude/scripts/state_manager.py", "get", sid, "$.active_work.sprint")
    assert (got.returncode, got.stdout.strip()) == (0, '"s-1"'), got.stderr
    listed = run(project, *runner, ".claude/scripts/shared_state.py", "list-tools")
    assert listed.returncode == 0, listed.stderr


def test_a_script_whose_interpreter_is_gone_says_so(project, monkeypatch):
    script = project / "state_manager.py"
    script.write_text(generated_files("/nonexistent/python")["scripts/state_manager.py"])
    monkeypatch.setenv("PATH", "/nonexistent")  # no `sudolang` to fall back on either
    result = subprocess.run([sys.executable, str(script), "list-sessions"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "sudolang is not installed" in result.stderr


def test_settings_are_merged_with_a_backup(project):
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    theirs = {"model": "opus", "permissions": {"allow": ["Bash(ls)"]},
              "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "lint.sh"}]}],
                        "Stop": [{"hooks": [{"type": "command", "command": "notify.sh"}]}]}}
    original = json.dumps(theirs).encode()
    settings.write_bytes(original)

    report = init_project(project)

    merged = json.loads(settings.read_text())
    assert (project / ".claude" / "settings.json.bak").read_bytes() == original
    assert merged["model"] == "opus" and merged["permissions"] == theirs["permissions"]
    assert merged["hooks"]["Stop"] == theirs["hooks"]["Stop"]
    assert merged["hooks"]["PreToolUse"][0] == theirs["hooks"]["PreToolUse"][0]
    assert merged["hooks"]["PreToolUse"][1] == {
        "matcher": "Task|Agent|TodoWrite", "hooks": [{"type": "command", "command": HOOK_COMMAND, "timeout": 10}]}
    for event in HOOK_EVENTS:
        ours = [entry for entry in merged["hooks"][event] if entry["hooks"][0]["command"] == HOOK_COMMAND]
        assert len(ours) == 1, event
    assert any(line.startswith("changed") and "settings.json" in line for line in report)


def test_a_second_run_changes_nothing(project):
    init_project(project)
    before = snapshot(project)
    report = init_project(project)
    assert snapshot(project) == before
    assert all(line.startswith("unchanged") for line in report), report
    assert not (project / ".claude" / "settings.json.bak").exists()  # nothing changed, so no backup


def test_malformed_settings_stop_init_before_it_writes(project, cli):
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_bytes(b'{"model": "opus",\n  "hooks": }\n')
    before = snapshot(project)

    result = cli("init", "--dir", str(project))

    assert result.code == 2  # bad input, like every settings.json init cannot read (test_hostile_programs)
    assert "settings.json: malformed JSON at line 2 column 12" in result.err
    assert snapshot(project) == before


def test_init_prints_its_report_and_says_when_nothing_changed(project, cli):
    assert cli("init", "--dir", str(project)).code == 0
    again = cli("init", "--dir", str(project))
    assert again.code == 0 and again.out.splitlines()[-1].startswith("nothing to do")


def write_router(project: Path, python: str) -> Path:
    router = project / ".claude" / ROUTER
    router.parent.mkdir(parents=True, exist_ok=True)
    router.write_text(generated_files(python)[ROUTER])
    router.chmod(0o755)
    return router


def log_lines(project: Path) -> list[str]:
    log = project / ".claude" / "state" / "hook-errors.log"
    return log.read_text().splitlines() if log.exists() else []


def test_router_forwards_arguments_stdin_and_stdout(project, tmp_path):
    fake = tmp_path / "fake-python"
    fake.write_text('#!/bin/sh\necho "args: $*"\ncat\n')
    fake.chmod(0o755)
    router = write_router(project, str(fake))
    result = run(project, str(router), "task_completed", "S1", '{"task": "t-1"}', stdin="{}")
    state = project / ".claude" / "state"
    assert result.returncode == 0
    assert result.stdout == (f"args: -P -c from sudolang.cli import entry; entry() --state-dir {state} hook "
                             f'task_completed S1 {{"task": "t-1"}}\n{{}}')
    assert log_lines(project) == []


def test_router_exits_0_and_logs_when_the_hook_fails(project, tmp_path):
    fake = tmp_path / "failing-python"
    fake.write_text('#!/bin/sh\necho "Traceback: boom" >&2\necho "second line" >&2\nexit 3\n')
    fake.chmod(0o755)
    router = write_router(project, str(fake))
    result = run(project, str(router), stdin='{"hook_event_name": "SessionStart"}')
    assert result.returncode == 0
    [line] = log_lines(project)
    assert "(stdin) exit 3: Traceback: boom second line" in line


def test_router_exits_0_and_logs_when_sudolang_is_missing(project):
    router = write_router(project, "/nonexistent/python")
    result = subprocess.run([str(router), "task_completed", "S1", "{}"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=30)
    assert result.returncode == 0
    [line] = log_lines(project)
    assert "task_completed exit 127: sudolang is not installed" in line


def test_router_exits_0_with_the_real_interpreter(project):
    init_project(project)
    result = run(project, str(project / ".claude" / ROUTER), "task_completed", "nope", "{}")
    assert result.returncode == 0  # whatever `sudolang hook` does, or whether it exists yet


def test_a_sudolang_folder_in_the_project_never_stands_in_for_the_package(project):
    """Claude Code runs hooks and scripts in the project's folder, which may be a stranger's repository: a
    `sudolang/` package there must not be what the router and the scripts import (python -m would)."""
    init_project(project)
    marker = project / "shadow-ran"
    shadow = project / "sudolang"
    shadow.mkdir()
    planted = f"open({str(marker)!r}, 'w').write('ran')\n"
    for name in ("__init__.py", "__main__.py", "cli.py"):
        (shadow / name).write_text(planted)
    hook = run(project, str(project / ".claude" / ROUTER), stdin=json.dumps(
        {"session_id": "s-shadow", "hook_event_name": "SessionStart", "source": "startup", "cwd": str(project)}))
    created = run(project, sys.executable, ".claude/scripts/session_manager.py", "create", "--mode", "development")
    assert hook.returncode == 0 and created.returncode == 0, (hook.stderr, created.stderr)
    assert not marker.exists()
    assert (project / ".claude" / "state" / "sessions" / "s-shadow.json").is_file()  # the real hook ran
    assert (project / ".claude" / "state" / "sessions" / f"{created.stdout.strip()}.json").is_file()
