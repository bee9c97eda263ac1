"""sudolang/parse_tables.py, the parse tables both parsers load, is what tools/build_parsers.py makes of the
grammars as they are now: a grammar changed without regenerating it fails here, as does a hand edit."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang import parse_tables

ROOT = Path(__file__).resolve().parents[2]
_TOOL = importlib.util.spec_from_file_location("build_parsers", ROOT / "tools" / "build_parsers.py")
build_parsers = importlib.util.module_from_spec(_TOOL)  # a tool of the repository (tools/), not of the package
_TOOL.loader.exec_module(build_parsers)
STALE = f"sudolang/parse_tables.py is stale: run `{build_parsers.COMMAND}`"


@pytest.mark.parametrize("grammar", ["grammar.lark", "core.lark"])
def test_the_tables_were_built_from_the_grammar_as_it_is(grammar):
    digest = hashlib.sha256((ROOT / "sudolang" / grammar).read_bytes()).hexdigest()
    assert parse_tables.GRAMMAR_SHA256[grammar] == digest, STALE


@pytest.mark.parametrize("name", list(build_parsers.GRAMMARS))
def test_the_grammars_have_no_conflicts(name):
    build_parsers.build(name)  # strict=True: raises on any LALR conflict or terminal collision


def test_the_module_is_what_the_tool_writes():
    """Byte for byte, in a fresh interpreter with another hash seed: the output must not depend on either."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_parsers.py")], capture_output=True,
                            text=True, timeout=120, env={"PYTHONHASHSEED": "1", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "sudolang" / "parse_tables.py").read_text(encoding="utf-8"), STALE


def test_parsing_imports_no_lark():
    code = ("import sys; from sudolang.lint import lint; from sudolang.parser import parse; "
            "lint(parse('Bot {\\n  fn f(a) { return a + 1 }\\n  /go - Go\\n}\\n', 'x.sudo')); "
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "[]\n", result.stderr
