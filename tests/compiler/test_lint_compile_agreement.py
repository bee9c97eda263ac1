"""Lint and compile agree (issue 11): a program to compile that lints clean compiles, and every reason compile
refuses a program is a diagnostic lint reports too, at the same line, with the same code.

"What lint reports" is `sudolang.lint.lint(ast)` plus `sudolang.program.build(ast)`'s diagnostics: the test
holds before and after lint.py adds the latter itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sudolang import compiler, programs
from sudolang import program as program_model
from sudolang.lint import RULES, lint
from sudolang.parser import parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SUDOLANG_CORPUS", ROOT / ".." / "shared" / "corpus" / "sudolang"))

# Programs written in the tests and docs that are not files of their own.
INLINE = {
    "no-name": 'interface Todo {\n  commands = {\n    "/add <task>": "Add a task"\n  }\n}\n',
    "name-not-a-string": 'interface Todo {\n  name = todo\n  /add <task> - Add a task\n}\n',
    "no-interface": "# Todo\n\n/add <task> - Add a task\n",
    "persona": 'interface User {\n  name = "John Smith"\n}\n',
    "bad-view": 'interface T {\n  name = "t"\n  view = "/nope"\n  /go - Go\n}\n',
    "view-with-argument": 'interface T {\n  name = "t"\n  view = "/go"\n  /go <where> - Go\n}\n',
    "clash": 'interface T {\n  name = "t"\n  commands = {\n    "/ping": "Pong",\n    "/Ping": "Again"\n  }\n}\n',
    "agent": 'interface T {\n  name = "t"\n  commands = {\n    "@agent": "Talk"\n  }\n}\n',
    "bind": 'interface T {\n  name = "t"\n  bind {\n    a => view x\n  }\n  layout = """\n    {a}\n  """\n'
            '  view = "/show"\n  /show - Show\n}\n',
}


def sources() -> list[tuple[str, str]]:
    found = [(str(path), path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.sudo"))] if CORPUS.is_dir() else []
    for path in sorted((ROOT / "tests").rglob("*.sudo")):
        found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    found += [(f"sudolang/programs/{name}.sudo", programs.source(name)) for name in programs.names()]
    for rule in RULES:
        found += [(f"{rule.code}-fails.sudo", rule.example_fails), (f"{rule.code}-passes.sudo", rule.example_passes)]
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for index, fence in enumerate(re.findall(r"^```sudo\n(.*?)^```$", language, re.M | re.S)):
        found.append((f"docs-language-{index}.sudo", fence))
    found += [(f"{name}.sudo", text) for name, text in INLINE.items()]
    return found


SOURCES = sources()


def lint_errors(ast) -> list:
    """What `sudolang lint` reports as errors, once lint.py reports program.build's diagnostics too."""
    errors = [d for d in lint(ast) if d.is_error]
    seen = {(d.code, d.span.start, d.message) for d in errors}
    return errors + [d for d in program_model.build(ast)[1] if d.is_error and (d.code, d.span.start, d.message) not in seen]


def verdict(label: str, source: str) -> tuple[bool, bool, bool, str]:
    """(is a program to compile, lint-clean, compiled, disagreement or "")."""
    ast = parse(source, label)
    errors = lint_errors(ast)
    is_program = program_model.interface_block(ast) is not None
    try:
        compiler.compile_program(source, label)
    except compiler.CompileError as error:
        reported = {(d.code, d.span.line) for d in errors}
        refused = {(d.code, d.span.line) for d in error.diagnostics}
        if not is_program:
            refused.discard(("SL500", error.diagnostics[-1].span.line))  # not a program: compile-only, by design
        missing = refused - reported
        return is_program, not errors, False, f"compile refused {sorted(missing)} that lint does not report" if missing else ""
    if not is_program:
        return is_program, not errors, True, "compiled a file that is not a program to compile"
    return is_program, not errors, True, "" if not errors else "compiled despite lint errors"


@pytest.mark.parametrize(("label", "source"), SOURCES, ids=[label[-70:] for label, _ in SOURCES])
def test_lint_and_compile_agree(label, source):
    is_program, clean, compiled, disagreement = verdict(label, source)
    assert not disagreement
    if is_program and clean:
        assert compiled


def test_the_figures():
    """Every program to compile that lints clean compiles; no compile refusal lint does not report."""
    rows = [verdict(label, source) for label, source in SOURCES]
    corpus = [row for (label, _), row in zip(SOURCES, rows) if label.startswith(str(CORPUS))]
    assert not [row for row in rows if row[3]]
    programs_to_compile = [row for row in rows if row[0]]
    assert all(compiled for _, clean, compiled, _ in programs_to_compile if clean)
    assert not [row for row in rows if not row[0] and row[2]]  # a file that is not a program never compiles
    if corpus:  # the corpus's 6 programs name none of themselves: their interface's name does, and all compile
        assert sum(row[0] for row in corpus) == 6 and sum(row[2] for row in corpus) == 6
