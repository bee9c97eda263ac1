"""sudolang/lalr.py runs the tables Lark builds; here it is held against Lark itself (a dev dependency): on the
same input, Lark's lexer and parser and ours give the same tokens and the same tree, rule by rule, with every
child Lark keeps in the order it keeps them. The inputs are the shipped programs, the corpus where it is
beside this checkout, and random programs; for Core, every function of the shipped programs."""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path

import pytest

from sudolang import core, parse_tables, programs
from sudolang.lalr import Parser, Token, UnexpectedToken, lex
from sudolang.nodes import Positions

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "sudolang"
_TOOL = importlib.util.spec_from_file_location("build_parsers", ROOT / "tools" / "build_parsers.py")
build_parsers = importlib.util.module_from_spec(_TOOL)
_TOOL.loader.exec_module(build_parsers)
LARK = {name: build_parsers.build(name) for name in build_parsers.GRAMMARS}
LEXER = re.compile(parse_tables.GRAMMAR["lexer"])


class _Shape:
    """A builder that keeps each rule's name and children, as Lark's tree does."""

    def __getattr__(self, rule: str):
        return lambda children: (rule, [_plain(child) for child in children])


def _plain(value):
    if isinstance(value, Token):
        return (value.type, value.value, value.start_pos)
    return value


def _lark_shape(tree):
    from lark import Token as LarkToken

    if isinstance(tree, LarkToken):
        return (tree.type, str(tree), tree.start_pos)
    return (tree.data, [_lark_shape(child) for child in tree.children])


def _island_texts() -> list[str]:
    texts = [programs.source(name) for name in programs.names()]
    if CORPUS.is_dir():
        texts += [path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.sudo"))[:40]]
    rng = random.Random(15)
    pieces = ["word ", "{", "}", "(", ")", "[", "]", '"', '"a"', "`x`", "//c", "/*d*/", "/*", '"""', "\n", "\n\n",
              "a/b", "http://x", "\ue001", "é"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60))) for _ in range(300)]
    return texts


def test_the_lexer_gives_the_tokens_larks_lexer_gives():
    for text in _island_texts():
        ours = [(t.type, t.value, t.start_pos, t.end_pos) for t in lex(LEXER, text)]
        theirs = [(t.type, str(t), t.start_pos, t.end_pos) for t in LARK["GRAMMAR"].lex(text)]
        assert ours == theirs, text[:80]


def _lark_feed(name: str, tokens: list[Token], start: str):
    """Lark's parse of `tokens` (ours, as Lark's own), through its interactive API."""
    from lark import Token as LarkToken

    interactive = LARK[name].parse_interactive(start=start)
    for token in tokens:
        interactive.feed_token(LarkToken(token.type, token.value, start_pos=token.start_pos, end_pos=token.end_pos))
    return interactive.feed_eof()


def test_the_island_parser_builds_the_tree_lark_builds():
    """From the repaired tokens, as sudolang.parser feeds them: every text parses."""
    from sudolang.parser import _repair

    parser = Parser(parse_tables.GRAMMAR, _Shape())
    for text in _island_texts():
        tokens = _repair(lex(LEXER, text), Positions(text, "x"), [], {})
        assert parser.parse(tokens, "start") == _lark_shape(_lark_feed("GRAMMAR", tokens, "start")), text[:80]


def _core_tokens(text: str, function: bool) -> list[Token]:
    tokens, _ = core._tokens(text, core._lex(text, 0, len(text), 0), function)
    return tokens


def _lark_core_parse(tokens: list[Token], start: str):
    return _lark_feed("CORE", tokens, start)


def test_the_core_parser_builds_the_tree_lark_builds_for_every_shipped_function():
    parser = Parser(parse_tables.CORE, _Shape())
    compared = 0
    for name in programs.names():
        from sudolang.parser import parse
        from sudolang.program import build

        source = programs.source(name)
        model, _ = build(parse(source, name))
        for function in model.core.functions.values():
            text = source[function.span.start:function.span.end]
            tokens = _core_tokens(text, True)
            assert parser.parse(tokens, "function") == _lark_shape(_lark_core_parse(tokens, "function")), text[:80]
            compared += 1
    assert compared > 100


@pytest.mark.parametrize("text", ["a +", "f(1,", "x = = 2", "{ a: }"])
def test_a_token_the_grammar_does_not_take_is_refused_with_what_it_expects(text):
    parser = Parser(parse_tables.CORE, _Shape())
    with pytest.raises(UnexpectedToken) as refused:
        parser.parse(_core_tokens(text, False), "expression")
    assert refused.value.expected and all(name.isupper() or name == "$END" for name in refused.value.expected)
    lark_error = pytest.raises(Exception, _lark_core_parse, _core_tokens(text, False), "expression")
    theirs = getattr(lark_error.value, "token", None)
    ours = refused.value.token
    assert (ours and (ours.type, ours.start_pos)) == (theirs and theirs.type != "$END" and (theirs.type, theirs.start_pos) or None)


def test_lexing_where_no_terminal_matches_says_where():
    with pytest.raises(ValueError, match="offset 0"):
        lex(re.compile("a"), "b")


def test_a_token_reads_as_its_text():
    token = Token("NAME", "x", 3, 4)
    assert (str(token), token.update("TEXT").type, token.update("TEXT").start_pos) == ("x", "TEXT", 3)


def test_spans_are_offsets_in_the_whole_text():  # the builder gets absolute offsets, as from Lark
    text = "fn f(a) {\n  return a + 1\n}"
    result = core.parse_function(Positions(text, "x"), 0, len(text))
    assert result.body[0].span.start == text.index("return")
