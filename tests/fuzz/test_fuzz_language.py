"""Fuzz the front end: any text parses to a tree, lints, and compiles or is refused, in bounded time.

Budget: FUZZ_INPUTS inputs (fixed, so CI is repeatable), seeded by FUZZ_SEED. Run a longer campaign
with e.g. `FUZZ_INPUTS=20000 FUZZ_SEED=7 uv run pytest tests/fuzz -s`.
"""

from __future__ import annotations

import os
import random

import fuzz_harness as harness
import fuzz_inputs as generators

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
INPUTS = int(os.environ.get("FUZZ_INPUTS", "1500"))


def check_source(text: str):
    from sudolang.compiler import CompileError, compile_program
    from sudolang.errors import SudolangError
    from sudolang.lint import lint
    from sudolang.parser import parse

    program = parse(text, "fuzz.sudo")  # collect-all: never raises, whatever the text
    diagnostics = lint(program)
    for diagnostic in diagnostics:
        if not (diagnostic.span.line >= 1 and diagnostic.span.column >= 1):
            return "bad position", f"{diagnostic.code} at {diagnostic.span}"
    try:
        compile_program(text, "fuzz.sudo")
    except (CompileError, SudolangError):
        pass  # refused with a message: that is an answer
    return None


def test_any_text_parses_lints_and_compiles_or_is_refused():
    rng = random.Random(SEED)
    inputs = (generators.sudolang_source(rng) for _ in range(INPUTS))
    harness.assert_clean(harness.run("language", inputs, check_source))


def test_the_known_slow_and_deep_inputs():
    """The attacks the issue names, each once: exponential braces, deep nesting, a carriage return."""
    attack = 'interface Bot {\n  commands {\n    "/x <a>": "d"\n' + "b {\n" * 22
    inputs = ["{" * 20, attack, "{" * 1500, "(" * 20_000, "a\rb", "x {\r}\r" * 50, "[" * 5000 + "]" * 10]
    harness.assert_clean(harness.run("language attacks", inputs, check_source))
