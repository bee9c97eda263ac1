"""`sudolang compile`: the generated files, pinned by snapshots, deterministic, refused on lint errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang import compiler, programs

SHIPPED = programs.names()
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def generated() -> list[tuple[str, str]]:
    return [(name, relative) for name in SHIPPED for relative in sorted(compiler.compile_programs([name]))]


@pytest.mark.parametrize(("name", "relative"), generated(), ids=lambda value: value)
def test_every_generated_file_matches_its_snapshot(name, relative, snapshot):
    assert compiler.compile_programs([name])[relative] == snapshot


def test_output_is_deterministic_and_names_its_source_lines():
    first, second = compiler.compile_programs(SHIPPED), compiler.compile_programs(SHIPPED)
    assert first == second
    style = first["output-styles/sprint_execution.md"]
    assert style.startswith('---\nname: "sprint_execution"\n')
    assert "keep-coding-instructions: true" in style and "sprint_execution.sudo:13 -->" in style


def test_command_files_never_clash_with_each_other_or_claude_code_builtins():
    names = [Path(p).stem for p in compiler.compile_programs(SHIPPED) if p.startswith("commands/")]
    assert len(names) == len(set(names))
    assert not {"help", "clear", "config", "compact", "init", "review"} & set(names)
    move = compiler.compile_programs(["sprint_execution"])["commands/sprint-move.md"]
    handler = '"${CLAUDE_PROJECT_DIR}/.claude/scripts/handlers/sprint_execution.py"'
    assert f"allowed-tools: {json.dumps(f'Bash(uv run {handler} *)')}" in move
    assert f"```!\nuv run {handler} --claude /move --arguments-from-stdin <<'!sudolang-end-of-arguments'\n" in move
    agent = compiler.compile_programs(["all-team_dashboard"])["commands/dash-agent.md"]
    assert "--claude @ --arguments-from-stdin <<" in agent


def test_a_program_with_lint_errors_is_refused_and_nothing_is_written(cli, tmp_path):
    bad = tmp_path / "bad.sudo"
    bad.write_text('interface Bad {\n  name = "bad"\n  commands = {\n    "/go": "Go",\n    "/go": "Again"\n  }\n}\n')
    out = tmp_path / "out"
    result = cli("compile", str(bad), "--out", str(out))
    assert result.code == 1
    assert "SL101" in result.out and "nothing was written" in result.err
    assert not out.exists()


def test_write_then_check(cli, tmp_path):
    out = tmp_path / ".claude"
    assert cli("compile", *SHIPPED, "--out", str(out)).code == 0
    assert cli("compile", *SHIPPED, "--out", str(out), "--check").code == 0
    (out / "commands" / "sprint-move.md").write_text("edited by hand\n")
    (out / "output-styles" / "leadership_chat.md").unlink()
    check = cli("compile", *SHIPPED, "--out", str(out), "--check")
    assert check.code == 1
    assert check.out.split() == ["stale", "or", "missing:", str(out / "commands/sprint-move.md"),
                                 "stale", "or", "missing:", str(out / "output-styles/leadership_chat.md")]
    assert os.access(out / "scripts" / "handlers" / "sprint_execution.py", os.X_OK)
    assert not list(out.rglob(".*.tmp"))


def test_emit_prints_one_stage(cli):
    assert cli("compile", "config_manager", "--emit", "ast").out.splitlines()[0].startswith("1:1 Program")
    assert cli("compile", "config_manager", "--emit", "markdown").out.startswith('---\nname: "config_manager"')
    assert cli("compile", "config_manager", "--emit", "python").out.startswith("#!/usr/bin/env -S uv run --script")


def test_unknown_program_is_one_clear_line(cli):
    result = cli("compile", "no_such_program")
    assert result.code == 3 and "shipped programs: all-team_dashboard" in result.err


@pytest.mark.parametrize("name", SHIPPED)
def test_each_generated_handler_runs_as_a_process(name, tmp_path):
    out = tmp_path / ".claude"
    compiler.write_files(out, compiler.compile_programs([name]))
    handler = out / "scripts" / "handlers" / f"{name}.py"
    state = ["--state-dir", str(tmp_path / "state")]
    help_text = subprocess.run([sys.executable, str(handler), *state, "/help"], capture_output=True, text=True, env=ENV)
    assert help_text.returncode == 0 and help_text.stdout.startswith(f"{name} commands:")
    unknown = subprocess.run([sys.executable, str(handler), *state, "--claude", "/nope"], capture_output=True,
                             text=True, env=ENV)
    assert unknown.returncode == 0 and unknown.stdout.startswith("error: unknown command '/nope'")


def test_generated_handlers_change_state_that_other_programs_see(tmp_path):
    """A task added and moved through the sprint handler shows on the dashboard handler's board."""
    out = tmp_path / ".claude"
    compiler.write_files(out, compiler.compile_programs(["sprint_execution", "all-team_dashboard"]))
    env = {**ENV, "SUDOLANG_STATE_DIR": str(tmp_path / "state")}

    def handler(name: str, *words: str) -> subprocess.CompletedProcess:
        path = out / "scripts" / "handlers" / f"{name}.py"
        return subprocess.run([sys.executable, str(path), *words], capture_output=True, text=True, env=env)

    added = handler("sprint_execution", '/add "Login form" 3')
    assert added.returncode == 0, added.stderr
    assert "created" in added.stderr  # no session yet: one was made, and said so
    assert handler("sprint_execution", "/move", "T-1", "todo").returncode == 0
    missing = handler("sprint_execution", "/move T-1")
    assert missing.returncode == 2 and "missing <column>" in missing.stderr
    board = handler("all-team_dashboard", "/sprint")
    assert board.returncode == 0 and "T-1" in board.stdout and "Login form" in board.stdout


@pytest.mark.parametrize(("name", "command", "expected"), [
    ("all-team_dashboard", "/refresh", "Tasks:"),
    ("leadership_chat", "/thread Roadmap", "TH-1"),
    ("sprint_execution", "/add Login", "T-1"),
    ("config_manager", "/set wip.doing 5", "version 1"),
])
def test_each_generated_handler_runs_a_real_command(name, command, expected, tmp_path):
    out = tmp_path / ".claude"
    compiler.write_files(out, compiler.compile_programs([name]))
    handler = out / "scripts" / "handlers" / f"{name}.py"
    env = {**ENV, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_ACTOR": "alice"}
    result = subprocess.run([sys.executable, str(handler), command], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    as_json = subprocess.run([sys.executable, str(handler), "--json", "/help"], capture_output=True, text=True, env=env)
    assert as_json.returncode == 0


def test_uv_run_hands_the_handler_to_the_interpreter_that_has_sudolang(tmp_path):
    """`uv run` gives a PEP 723 script a bare environment; the handler then relaunches itself with the
    interpreter `sudolang init` records in .claude/scripts/.sudolang-python."""
    import shutil

    out = tmp_path / ".claude"
    compiler.write_files(out, compiler.compile_programs(["sprint_execution"]))
    (out / "scripts" / ".sudolang-python").write_text(sys.executable + "\n")
    handler = str(out / "scripts" / "handlers" / "sprint_execution.py")
    uv = shutil.which("uv")
    command = [uv, "run", "--no-project", "--quiet", handler] if uv else [sys.executable, handler]
    env = {**ENV, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "PATH": os.path.dirname(uv or sys.executable)}
    result = subprocess.run([*command, "/add", "Login"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Added T-1 'Login'" in result.stdout
