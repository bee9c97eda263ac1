"""`sudolang lint` as a user runs it: exit codes, code selection, stdin, folders and unreadable files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang.cli import build_parser, fastpath
from sudolang.cli import spec as cli_spec
from sudolang.errors import FAILURE, OK, USAGE
from sudolang.lint import RULES

CLEAN = "Bot {\n  /go - Go somewhere\n}\n"
WARNS = "Bot {\n  /go - Go somewhere\n  /stop\n}\n"  # SL103 only
BREAKS = "Bot {\n  /go - Go\n  /go - Go again\n  /stop\n}\n"  # SL101 (error) and SL103 (warning)


def write(folder: Path, name: str, text: str | bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def codes(out: str) -> list[tuple[str, str, int]]:
    return [(Path(d["filename"]).name, d["code"], d["location"]["row"]) for d in json.loads(out)]


def test_a_clean_file_exits_0_with_only_the_summary(cli, tmp_path):
    result = cli("lint", write(tmp_path, "a.sudo", CLEAN))
    assert (result.code, result.out, result.err) == (OK, "", "0 errors, 0 warnings in 1 file\n")


def test_warnings_alone_exit_0(cli, tmp_path):
    path = write(tmp_path, "a.sudo", WARNS)
    result = cli("lint", path)
    assert result.code == OK
    assert result.out.startswith(f"{path}:3:3: SL103 ")
    assert result.err == "0 errors, 1 warning in 1 file\n"


def test_an_error_exits_1_and_exit_zero_makes_it_0(cli, tmp_path):
    path = write(tmp_path, "a.sudo", BREAKS)
    result = cli("lint", path)
    assert result.code == FAILURE
    assert [line.split(": ")[1].split()[0] for line in result.out.splitlines() if line.startswith(path)] == ["SL101", "SL103"]
    assert result.err == "1 error, 1 warning in 1 file\n"
    assert cli("lint", "--exit-zero", path).code == OK


def test_select_and_ignore_filter_by_code_and_prefix(cli, tmp_path):
    path = write(tmp_path, "a.sudo", BREAKS)
    assert codes(cli("lint", "--format", "json", "--select", "SL103", path).out) == [("a.sudo", "SL103", 4)]
    selected = cli("lint", "--format", "json", "--select", "sl10", "--ignore", "SL101", path)
    assert (selected.code, codes(selected.out)) == (OK, [("a.sudo", "SL103", 4)])  # the error is ignored: exit 0
    ignored = cli("lint", "--format", "json", "--ignore", "SL1", path)
    assert (ignored.code, codes(ignored.out)) == (OK, [])
    both = cli("lint", "--format", "json", "--select", "SL101,SL103", path)
    assert codes(both.out) == [("a.sudo", "SL101", 3), ("a.sudo", "SL103", 4)]


def test_usage_errors_exit_2(cli, tmp_path):
    path = write(tmp_path, "a.sudo", CLEAN)
    unknown = cli("lint", "--select", "SL0,XX1", path)
    assert unknown.code == USAGE and "unknown rule code or prefix 'XX1'" in unknown.err and unknown.out == ""
    assert cli("lint", "--format", "xml", path).code == USAGE
    assert cli("lint").code == USAGE


def test_stdin_is_read_for_dash_and_named_stdin(cli):
    result = cli("lint", "--format", "json", "-", stdin=BREAKS)
    assert result.code == FAILURE
    assert {d["filename"] for d in json.loads(result.out)} == {"<stdin>"}
    text = cli("lint", "-", stdin=WARNS)
    assert text.out.startswith("<stdin>:3:3: SL103 ") and " 3 |   /stop\n" in text.out


def test_a_missing_path_is_reported_as_sl009_and_exits_2(cli, tmp_path):
    good = write(tmp_path, "a.sudo", BREAKS)
    missing = str(tmp_path / "no" / "such" / "folder")
    result = cli("lint", missing, good)
    assert result.code == USAGE
    assert result.out.startswith(f"{missing}:1:1: SL009 cannot read file: No such file or directory\n")
    assert f"{good}:3:3: SL101" in result.out  # the readable file is still checked
    assert result.err == "2 errors, 1 warning in 2 files\n"
    assert cli("lint", "--exit-zero", missing).code == USAGE


def test_invalid_utf8_is_reported_as_sl009_not_a_traceback(cli, tmp_path):
    path = write(tmp_path, "bad.sudo", b"Bot {\n  name = \"caf\xe9\"\n}\n")
    result = cli("lint", "--format", "json", path)
    assert result.code == USAGE
    [diagnostic] = json.loads(result.out)
    assert diagnostic["code"] == "SL009" and diagnostic["severity"] == "error"
    assert "not UTF-8: byte 0xe9" in diagnostic["message"]
    assert diagnostic["location"] == {"row": 2, "column": 14}  # where the bad byte is
    assert "Traceback" not in result.err


def test_folders_are_searched_recursively_for_sudo_files(cli, tmp_path):
    for name in ("a.sudo", "deep/er/b.sudo.md", "c.mdc", "notes.txt", "d.md", ".hidden/e.sudo"):
        write(tmp_path, name, WARNS)
    result = cli("lint", "--format", "json", str(tmp_path))
    assert result.code == OK
    assert [d["filename"] for d in json.loads(result.out)] == [
        str(tmp_path / "a.sudo"), str(tmp_path / "c.mdc"), str(tmp_path / "deep" / "er" / "b.sudo.md")]


def test_github_format_writes_annotations(cli, tmp_path):
    path = write(tmp_path, "a.sudo", BREAKS)
    result = cli("lint", "--format", "github", path)
    assert result.out.splitlines()[0] == (
        f"::error file={path},line=3,col=3,endLine=3,endColumn=17,title=SL101::"
        "command '/go' is declared twice (first at line 2)")
    assert result.out.splitlines()[1].startswith(f"::warning file={path},line=4,col=3,")
    assert result.err == ""  # the summary is for people, in text mode only


def test_help_lists_every_rule_with_its_severity():
    for rule in RULES:
        assert f"{rule.code}  {rule.severity}" in cli_spec.LINT_EPILOG


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "sudolang", *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=60)


def test_a_real_process_lints_a_file_and_stdin(tmp_path):
    path = write(tmp_path, "a.sudo", BREAKS)
    result = run("lint", path)
    assert result.returncode == FAILURE, result
    assert result.stdout.startswith(f"{path}:3:3: SL101 command '/go' is declared twice")
    assert result.stderr == "1 error, 1 warning in 1 file\n"
    piped = run("lint", "--format", "json", "-", stdin=CLEAN)
    assert (piped.returncode, piped.stdout) == (OK, "[]\n")


@pytest.mark.parametrize("argv", [["lint", "x.sudo"], ["state", "get", "s", "$"]])
def test_building_the_cli_does_not_import_the_parser(argv):
    code = ("import sys; from sudolang.cli import build_parser; build_parser(%r); "
            "import sudolang.lint; print(sorted(m for m in ('lark', 'sudolang.lalr', 'sudolang.parser') if m in sys.modules))" % argv)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "[]\n", result.stderr


def test_a_first_lint_imports_no_module_it_can_do_without(tmp_path):
    """A lint no cache answers (a new or edited file) parses and lints; it needs neither typing, inspect,
    dataclasses nor logging (Lark's runtime brought the last three, ~11 ms), nor argparse."""
    program = tmp_path / "bot.sudo"
    program.write_text('interface Bot {\n  fn hi() { return "hi" }\n  /hi - say hi\n}\n', encoding="utf-8")
    code = ("import sys; from sudolang.cli import main; main(['lint', sys.argv[1]]); "
            "print(sorted(m for m in ('typing', 'inspect', 'dataclasses', 'logging', 'argparse', 'lark')"
            " if m in sys.modules), file=sys.stderr)")
    env = {**os.environ, "SUDOLANG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("COVERAGE_PROCESS_CONFIG", None)  # under `pytest --cov` coverage itself imports typing, inspect, dataclasses
    result = subprocess.run([sys.executable, "-c", code, str(program)], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.stderr.splitlines()[-1] == "[]", result.stderr


# --- the command lines of lint and compile take the fast path ------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["lint", "a.sudo"], ["lint", "a.sudo", "b.sudo", "--format", "json"], ["lint", "--select", "SL1", "a", "b"],
    ["lint", "-"], ["lint", "a", "--exit-zero", "--notes"], ["lint", "--format=github", "x"],
    ["--state-dir", "s", "lint", "a"], ["compile", "sprint_execution", "config_manager", "--check", "--out", "d"],
    ["compile", "x.sudo", "--emit", "ast"], ["compile", "a", "--json", "--check"],
])
def test_the_fast_path_reads_lint_and_compile_lines_as_argparse_does(argv):
    assert vars(fastpath.parse(argv).namespace) == vars(build_parser(argv).parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["lint"], ["lint", "a", "--exit-zero", "b"], ["lint", "--format", "xml", "a"], ["compile", "--check"],
    ["lint", "a", "--", "b"], ["compile", "a", "--out"],
])
def test_a_lint_or_compile_line_of_another_form_is_left_to_argparse(argv):
    assert fastpath.parse(argv).namespace is None
