"""The workflows in examples/: each script, run against a fresh state directory, prints exactly its .out file."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.sh") if not p.name.startswith("_"))  # _common.sh is sourced by them
UPDATE = os.environ.get("UPDATE_EXAMPLES") == "1"  # rewrite the .out files from what the scripts print now
REGENERATE = "UPDATE_EXAMPLES=1 uv run pytest tests/examples"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One handler cache for all the scripts: each program is compiled once, not once per script."""
    return tmp_path_factory.mktemp("handler-cache")


def environment(cache: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without anything that would steer sudolang, pointed at this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUDOLANG") and k != "CLAUDE_ENV_FILE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(SUDOLANG=f"{sys.executable} -m sudolang", SUDOLANG_CACHE_DIR=str(cache), **extra)
    return env


def run(script: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def check(script: Path, done: subprocess.CompletedProcess) -> None:
    """Exit 0, nothing on stderr (a script shows an expected error with 2>&1), stdout as in the .out file."""
    assert done.returncode == 0, f"{script.name} exited {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout}"
    assert done.stderr == "", f"{script.name} wrote to stderr:\n{done.stderr}"
    expected = script.with_suffix(".out")
    if UPDATE:
        expected.write_text(done.stdout, encoding="utf-8")
        return
    want = expected.read_text(encoding="utf-8")
    if done.stdout != want:
        diff = difflib.unified_diff(want.splitlines(keepends=True), done.stdout.splitlines(keepends=True),
                                    f"examples/{expected.name} (expected)", f"sh examples/{script.name} (actual)")
        pytest.fail(f"{script.name} printed something else than {expected.name}:\n{''.join(diff)}\n"
                    f"If the change is intended, regenerate the expected output with: {REGENERATE}", pytrace=False)


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_example_prints_its_expected_output(script, tmp_path, cache):
    check(script, run(script, tmp_path, environment(cache, SUDOLANG_STATE_DIR=str(tmp_path / "state"))))


def test_without_a_state_dir_an_example_makes_its_own_and_removes_it(tmp_path, cache):
    """What a newcomer gets from `sh examples/NAME.sh`: the same output, and nothing left behind."""
    script = EXAMPLES / "config_rollback.sh"
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = run(script, tmp_path, environment(cache, TMPDIR=str(temp)))
    if not UPDATE:
        check(script, done)
    assert list(temp.iterdir()) == []


def test_there_are_five_workflows_each_with_its_output_and_described_in_the_readme():
    assert len(SCRIPTS) >= 5
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for script in SCRIPTS:
        assert script.with_suffix(".out").is_file(), f"{script.name} has no expected output; run: {REGENERATE}"
        assert f"`{script.name}`" in readme, f"examples/README.md does not describe {script.name}"
        assert "\nset -eu\n" in script.read_text(encoding="utf-8"), f"{script.name} must stop at the first failure"
