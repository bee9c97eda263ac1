"""Generate sudolang/lark_standalone.py: Lark's LALR runtime with the parse tables of sudolang/grammar.lark and
sudolang/core.lark, so that parsing needs neither lark installed nor its ~100 ms of imports and grammar loading.

The runtime is the code Lark's standalone generator (`python -m lark.tools.standalone`) writes, with its
licence notice (the generated code is under the Mozilla Public License 2.0); one module holds both grammars'
tables. Each grammar is built with strict=True, so an LALR conflict or a terminal collision stops the build.
Lark numbers parse states and tokens in an order that changes from run to run, so the tables are renumbered
(tokens by name, states in the order a depth-first walk from the start states reaches them): the same grammar always
gives the same file. The module names the SHA-256 of each grammar it was built from, and
tests/language/test_parsers_fresh.py fails when a grammar changed and the module did not.

    uv run python tools/build_parsers.py            # the module, on stdout
    uv run python tools/build_parsers.py --write    # rewrite sudolang/lark_standalone.py

A tool of the repository, not part of the package: nothing in sudolang imports it. It needs the dev
dependencies (lark, and interegular for strict=True).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import partial
from pathlib import Path

from lark import Lark, __version__ as LARK_VERSION
from lark.grammar import Rule
from lark.lexer import TerminalDef
from lark.tools.standalone import EXTRACT_STANDALONE_FILES, extract_sections, strip_docstrings

PACKAGE = Path(__file__).resolve().parents[1] / "sudolang"
MODULE = PACKAGE / "lark_standalone.py"
COMMAND = "uv run python tools/build_parsers.py --write"

# name in the module -> (grammar file, the Lark options sudolang/parser.py and sudolang/core.py parse with).
# core.py feeds its own tokens (its _TokenFeed replaces this lexer once loaded); "basic" only gives the table
# its terminals, as the custom lexer class did, which a generated module cannot name.
GRAMMARS: dict[str, tuple[str, dict]] = {
    "GRAMMAR": ("grammar.lark", dict(lexer="basic", propagate_positions=False, maybe_placeholders=False)),
    "CORE": ("core.lark", dict(lexer="basic", keep_all_tokens=True, maybe_placeholders=False,
                               start=["function", "expression"])),
}


def build(name: str) -> Lark:
    """The grammar `name` (a key of GRAMMARS) built as sudolang parses with it; raises on any conflict."""
    path, options = GRAMMARS[name]
    return Lark.open(str(PACKAGE / path), parser="lalr", strict=True, **options)


def grammar_digest(path: str) -> str:
    return hashlib.sha256((PACKAGE / path).read_bytes()).hexdigest()


def canonical(table: dict) -> dict:
    """A serialized LALR table renumbered so that equal grammars give equal tables: tokens by name, states in
    the order a depth-first walk from the start states reaches them (shifts followed in token order)."""
    names = table["tokens"]
    states = {state: {names[token]: action for token, action in actions.items()}
              for state, actions in table["states"].items()}
    order: list[int] = []
    seen: set[int] = set()
    queue = [state for _, state in sorted(table["start_states"].items())]
    queue += [state for _, state in sorted(table["end_states"].items())]
    queue += sorted(states)  # none is unreachable in practice; listed last, so every state gets a number
    while queue:
        state = queue.pop(0)
        if state in seen:
            continue
        seen.add(state)
        order.append(state)
        queue[:0] = [arg for _, (kind, arg) in sorted(states[state].items()) if kind == 0 and arg not in seen]
    number = {state: index for index, state in enumerate(order)}
    tokens = sorted({token for actions in states.values() for token in actions})
    index = {token: position for position, token in enumerate(tokens)}
    return {
        "tokens": dict(enumerate(tokens)),
        "states": {number[state]: {index[token]: (kind, number[arg] if kind == 0 else arg)
                                   for token, (kind, arg) in sorted(states[state].items())}
                   for state in order},
        "start_states": {start: number[state] for start, state in sorted(table["start_states"].items())},
        "end_states": {start: number[state] for start, state in sorted(table["end_states"].items())},
    }


def runtime() -> str:
    """Lark's standalone runtime, as its generator writes it (licence notice first, docstrings stripped)."""
    lark_dir = Path(sys.modules["lark"].__file__).parent
    parts = []
    for position, name in enumerate(EXTRACT_STANDALONE_FILES):
        code = extract_sections((lark_dir / name).read_text(encoding="utf-8").splitlines(True))["standalone"]
        if position:  # the generator keeps its own file (the notice) whole
            code = strip_docstrings(partial(next, iter(code.splitlines(True))))
        parts.append(code + "\n")
    return "".join(parts)


def module_text() -> str:
    header = [
        "# mypy: ignore-errors",
        f"# Generated by tools/build_parsers.py with Lark {LARK_VERSION}: do not edit. Regenerate with",
        f"#     {COMMAND}",
        "# after changing sudolang/grammar.lark or sudolang/core.lark (a test fails until then).",
        "# Lark's standalone LALR runtime, under the Mozilla Public License 2.0 as its notice below says, and",
        "# the parse tables of both grammars; sudolang/parser.py and sudolang/core.py load them.",
        f'__version__ = "{LARK_VERSION}"',
        "",
    ]
    out = ["\n".join(header), "\n", runtime()]
    out.append("Shift = 0\nReduce = 1\n\n# The SHA-256 of each grammar these tables were built from.\n")
    out.append("GRAMMAR_SHA256 = {\n" + "".join(
        f"    {path!r}: {grammar_digest(path)!r},\n" for path, _ in GRAMMARS.values()) + "}\n")
    for name in GRAMMARS:
        data, memo = build(name).memo_serialize([TerminalDef, Rule])
        data["parser"]["parser"] = canonical(data["parser"]["parser"])
        out.append(f"{name}_DATA = (\n{data!r}\n)\n{name}_MEMO = (\n{memo!r}\n)\n")
        out.append(f"\n\ndef {name.lower()}_parser(**options):\n"
                   f"    return Lark._load_from_dict({name}_DATA, {name}_MEMO, **options)\n\n\n")
    return "".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = module_text()
    if "--write" in argv:
        MODULE.write_text(text, encoding="utf-8")
        print(f"wrote {MODULE.relative_to(PACKAGE.parent)} ({len(text):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
