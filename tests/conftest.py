"""Fixtures shared by every stage's tests: a private state directory (in the file store, or in PostgreSQL for the
modules marked `both_stores`) and an in-process CLI runner."""

from __future__ import annotations

import os

import pytest

import pg_server
from sudolang.cli import main
from sudolang.state.paths import StateDir
from sudolang.state.stores import open_state


def pytest_configure(config):
    config.addinivalue_line("markers", "both_stores: every test of the module runs on the file store and on "
                                       "PostgreSQL (the store_kind fixture)")
    config.addinivalue_line("markers", "files_only(reason): the test is about the file store's own files on disk")


def pytest_generate_tests(metafunc):
    """One parametrised fixture, store_kind: the modules marked both_stores run each test on both stores."""
    marks = {mark.name for mark in metafunc.definition.iter_markers()}
    if "store_kind" in metafunc.fixturenames and "both_stores" in marks and "files_only" not in marks:
        metafunc.parametrize("store_kind", ["files", "postgresql"], indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    """files, or postgresql for the second run of a test in a both_stores module."""
    return getattr(request, "param", "files")


@pytest.fixture(scope="session")
def postgresql_server():
    """A real PostgreSQL for the whole run (tests/pg_server.py). Where none can be started, a test that needs
    one fails in CI ($CI set) and is skipped, with the reason, elsewhere."""
    reason = pg_server.missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = pg_server.Server()
    yield server
    server.close()


@pytest.fixture
def store_url(store_kind, request):
    """`files`, or the URL of a PostgreSQL store of this test's own (a fresh schema, migrated)."""
    if store_kind == "files":
        yield "files"
        return
    yield request.getfixturevalue("postgresql_server").schema_url()
    from sudolang.state import pg

    pg.close_all()  # this process's connections to the test's schema


@pytest.fixture(scope="session")
def handler_cache(tmp_path_factory):
    """One cache of compiled handlers for the whole run: a handler is keyed by its source and the compiler's
    files, so sharing it is what a user's machine does; compiling a shipped program afresh for every test
    cost ~1 s each. Tests of the cache itself point SUDOLANG_CACHE_DIR at their own folder."""
    return tmp_path_factory.mktemp("handler-cache")


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch, handler_cache, store_url):
    """Every test gets its own state directory, so no test can touch a real user's .claude/state, and its own
    store: the files there, or a PostgreSQL schema ($SUDOLANG_STORE, which every process started inherits)."""
    root = tmp_path / "state"
    monkeypatch.setenv("SUDOLANG_STATE_DIR", str(root))
    monkeypatch.delenv("SUDOLANG_STORE", raising=False)  # a developer's own store must never be touched
    if store_url != "files":
        monkeypatch.setenv("SUDOLANG_STORE", store_url)
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(handler_cache))  # compiled handlers of `sudolang run`
    monkeypatch.delenv("SUDOLANG_NOW", raising=False)
    # Boxes follow $COLUMNS (sudolang.runtime.layout); a developer's shell may export it (fish does), and
    # the expected screens are drawn at the width a pipe gets.
    monkeypatch.delenv("COLUMNS", raising=False)
    return root


@pytest.fixture
def state(private_state) -> StateDir:
    """The test's state, in the test's store."""
    return open_state(private_state)


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
