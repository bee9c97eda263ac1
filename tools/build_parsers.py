"""Generate sudolang/parse_tables.py: the LALR(1) tables Lark builds from sudolang/grammar.lark and
sudolang/core.lark, as plain Python data that sudolang/lalr.py runs. Lark stays the grammar compiler; parsing
needs neither lark installed nor any of its runtime (Lark's standalone runtime cost ~16 ms of every first
parse to import: typing, inspect, logging and dataclasses with it).

Each grammar is built with strict=True, so an LALR conflict or a terminal collision stops the build. What
Lark's tree builder would do on each reduction is worked out here, once, with Lark's own function
(`maybe_create_child_filter`): which children a rule keeps (a grammar's `_NEWLINE` is dropped), which come
from an inlined `_rule` and are spliced in, whether a `?rule` gives its only child. Lark numbers parse
states in an order that changes from run to run, so states are renumbered in the order a depth-first walk
from the start states reaches them, and rules are sorted: the same grammar always gives the same file. The
module names the SHA-256 of each grammar it was built from, and tests/language/test_parsers_fresh.py fails
when a grammar changed and the module did not.

    uv run python tools/build_parsers.py            # the module, on stdout
    uv run python tools/build_parsers.py --write    # rewrite sudolang/parse_tables.py

A tool of the repository, not part of the package: nothing in sudolang imports it. It needs the dev
dependencies (lark, and interegular for strict=True).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from lark import Lark, __version__ as LARK_VERSION
from lark.parse_tree_builder import maybe_create_child_filter
from lark.parsers.lalr_analysis import Shift

PACKAGE = Path(__file__).resolve().parents[1] / "sudolang"
MODULE = PACKAGE / "parse_tables.py"
COMMAND = "uv run python tools/build_parsers.py --write"

# name in the module -> (grammar file, the Lark options the tables are built with). core.py feeds the Core
# parser its own tokens, so only the island grammar's lexer is written out.
GRAMMARS: dict[str, tuple[str, dict]] = {
    "GRAMMAR": ("grammar.lark", dict(lexer="basic", propagate_positions=False, maybe_placeholders=False)),
    "CORE": ("core.lark", dict(lexer="basic", keep_all_tokens=True, maybe_placeholders=False,
                               start=["function", "expression"])),
}


def build(name: str) -> Lark:
    """The grammar `name` (a key of GRAMMARS) built by Lark; raises on any conflict."""
    path, options = GRAMMARS[name]
    return Lark.open(str(PACKAGE / path), parser="lalr", strict=True, **options)


def grammar_digest(path: str) -> str:
    return hashlib.sha256((PACKAGE / path).read_bytes()).hexdigest()


def rule_key(rule) -> tuple:
    # str(): Lark names some symbols with its own Token (a str subclass), whose repr is not a plain string's
    return str(rule.origin.name), tuple(str(symbol.name) for symbol in rule.expansion), str(rule.alias or "")


def reduction(rule) -> tuple:
    """(origin, size, callback, include) for one rule, as sudolang/lalr.py reads it: the children to keep as
    (index, splice) pairs, or None for all of them as they are; callback is the builder's method to call, ""
    when the rule gives its one child itself (a `?rule` alternative of one symbol), or None for an inlined
    `_rule`, whose kept children its parent splices in."""
    options = rule.options
    assert not options.template_source, rule  # no templates in these grammars
    child_filter = maybe_create_child_filter(rule.expansion, options.keep_all_tokens, False, None)
    include = tuple((index, splice) for index, splice in child_filter.args[0]) if child_filter else None
    kept = include if include is not None else tuple((index, False) for index in range(len(rule.expansion)))
    if rule.origin.name.startswith("_"):
        assert not rule.alias and not options.expand1, rule
        callback = None
    elif options.expand1 and not rule.alias:
        # Lark gives the one child itself, else calls the method; these grammars only write the first kind
        assert len(kept) == 1 and not kept[0][1], rule
        callback = ""
    else:
        callback = str(rule.alias or rule.origin.name)
    return str(rule.origin.name), len(rule.expansion), callback, include


def tables(name: str) -> dict:
    """The grammar's tables: each state's actions by symbol (a state number to shift or go to, or ~r to
    reduce by rule r), its rules, start and end states, and for the island grammar the lexer."""
    lark = build(name)
    table = lark.parser.parser.parser.parse_table
    rules = sorted(lark.rules, key=rule_key)
    rule_number = {rule_key(rule): number for number, rule in enumerate(rules)}
    order: list[int] = []
    seen: set[int] = set()
    queue = [state for _, state in sorted(table.start_states.items())]
    queue += [state for _, state in sorted(table.end_states.items())]
    queue += sorted(table.states)  # none is unreachable in practice; listed last, so every state gets a number
    while queue:
        state = queue.pop(0)
        if state in seen:
            continue
        seen.add(state)
        order.append(state)
        actions = sorted(table.states[state].items())
        queue[:0] = [arg for _, (kind, arg) in actions if kind is Shift and arg not in seen]
    number = {state: index for index, state in enumerate(order)}

    def action(kind, arg) -> int:
        return number[arg] if kind is Shift else ~rule_number[rule_key(arg)]

    out = {
        "states": tuple({str(symbol): action(*table.states[state][symbol]) for symbol in sorted(table.states[state])}
                        for state in order),
        "rules": tuple(reduction(rule) for rule in rules),
        "start_states": {start: number[state] for start, state in sorted(table.start_states.items())},
        "end_states": {start: number[state] for start, state in sorted(table.end_states.items())},
        "literals": {terminal.pattern.value: terminal.name for terminal in sorted(lark.terminals, key=lambda t: t.name)
                     if terminal.pattern.type == "str"},
    }
    if name == "GRAMMAR":
        out["lexer"] = lexer_pattern(lark)
    return out


def lexer_pattern(lark: Lark) -> str:
    """The one regular expression Lark's basic lexer matches with (its terminals in its order, each a named
    group); checked to need none of the callbacks Lark adds for a string terminal that a pattern also matches."""
    lexer = lark.parser.lexer
    scanner = lexer.scanner
    assert not lexer.callback and not lexer.ignore_types and lexer.g_regex_flags == 0, "the runtime lexer is simpler"
    assert len(scanner._mres) == 1, "one expression (fewer than 100 terminals)"
    return scanner._mres[0].pattern


def module_text() -> str:
    header = [
        f"# Generated by tools/build_parsers.py with Lark {LARK_VERSION}: do not edit. Regenerate with",
        f"#     {COMMAND}",
        "# after changing sudolang/grammar.lark or sudolang/core.lark (a test fails until then).",
        "# The LALR(1) tables of both grammars, which sudolang/lalr.py runs: in `states`, a number n >= 0 shifts",
        "# to (or, after a reduction, goes to) state n; a negative n reduces by rule ~n of `rules`, each",
        "# (origin, size, callback, children to keep as (index, splice) or None for all).",
        "",
        "# The SHA-256 of each grammar these tables were built from.",
        "GRAMMAR_SHA256 = {",
        *(f"    {path!r}: {grammar_digest(path)!r}," for path, _ in GRAMMARS.values()),
        "}",
        "",
    ]
    out = ["\n".join(header)]
    for name in GRAMMARS:
        out.append(f"\n{name}: dict = {{\n")
        for key, value in tables(name).items():
            if isinstance(value, tuple):  # states and rules: one a line
                out.append(f"    {key!r}: (\n" + "".join(f"        {item!r},\n" for item in value) + "    ),\n")
            else:
                out.append(f"    {key!r}: {value!r},\n")
        out.append("}\n")
    return "".join(out)


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
