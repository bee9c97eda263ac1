"""Fixtures shared by every stage's tests: a private state directory and an in-process CLI runner."""

from __future__ import annotations

import pytest

from sudolang.cli import main
from sudolang.state.paths import StateDir


@pytest.fixture(scope="session")
def handler_cache(tmp_path_factory):
    """One cache of compiled handlers for the whole run: a handler is keyed by its source and the compiler's
    files, so sharing it is what a user's machine does; compiling a shipped program afresh for every test
    cost ~1 s each. Tests of the cache itself point SUDOLANG_CACHE_DIR at their own folder."""
    return tmp_path_factory.mktemp("handler-cache")


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch, handler_cache):
    """Every test gets its own state directory, so no test can touch a real user's .claude/state."""
    root = tmp_path / "state"
    monkeypatch.setenv("SUDOLANG_STATE_DIR", str(root))
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(handler_cache))  # compiled handlers of `sudolang run`
    monkeypatch.delenv("SUDOLANG_NOW", raising=False)
    # Boxes follow $COLUMNS (sudolang.runtime.layout); a developer's shell may export it (fish does), and
    # the expected screens are drawn at the width a pipe gets.
    monkeypatch.delenv("COLUMNS", raising=False)
    return root


@pytest.fixture
def state(private_state) -> StateDir:
    return StateDir(private_state)


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `sudolang ARGS...` in-process; returns its exit code and captured output."""

    def run(*args: str, stdin: str | None = None) -> CliResult:
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
