"""The I-Regexp engine behind JSONPath's match() and search(): RFC 9485's syntax, its meaning, and its time bound."""

from __future__ import annotations

import random
import re
import time

import pytest

from sudolang import iregexp


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("a.*", "ab", True), ("a.*", "ba", False), ("^ab.*", "abc", True), (".*bc$", "abc", True),
    (".*bc$", "abcx", False), ("a.b", "a\U00010101b", True), (".", "\u2028", True), (".", "\n", False),
    (".", "\r", False), ("a[.b]c", "abc", True), ("a[.b]c", "axc", False), ("a\\.c", "a.c", True),
    ("a\\.c", "abc", False), ("a[\\].]c", "a]c", True), ("\\p{Lu}", "Ж", True), ("\\p{Lu}", "ж", False),
    ("\\P{Lu}", "ж", True), ("\\p{L}+", "héllo", True), ("[\\p{N}x]+", "12x", True), ("b.?b", "bab", True),
    ("b.?b", "bba", False), ("(a|b)*c{2,3}", "ababcc", True), ("(a|b)*c{2,3}", "ababcccc", False),
    ("[^a-c]+", "xyz", True), ("[^a-c]+", "xaz", False), ("", "", True), ("", "a", False), ("a{0}", "", True),
    ("[a-]", "-", True), ("[-a]", "-", True), ("x{2,}", "xxxxx", True), ("x{2,}", "x", False),
    ("\\n\\t", "\n\t", True), ("a|", "", True), ("(|a)b", "ab", True),
])
def test_match_is_a_whole_text_match(pattern, text, matches):
    assert iregexp.match(text, pattern) is matches


@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("a.*", "the end is ab", True), ("a.*", "bc", False), ("^ab", "xab", False), ("^ab", "abx", True),
    ("b$", "ab", True), ("b$", "ba", False), ("", "", True), ("x", "", False), ("\\p{Lu}", "жЖ", True),
])
def test_search_finds_a_substring(pattern, text, found):
    assert iregexp.search(text, pattern) is found


@pytest.mark.parametrize("pattern", [
    "(", ")", "[", "[]", "[^]", "a**", "a*?", "a+?", "\\d", "\\w", "\\s", "(?:a)", "(?=a)", "a{3,2}", "{", "}", "]",
    "a{,2}", "\\p{Xx}", "\\p{L", "[b-a]", "[a-\\p{L}]", "[a--]", "\\1", "^*", "\ud800",
    "(){99999999}", "(" * 40 + "a" + ")" * 40, "a" * 1001, "(a{100}){100}",
])
def test_what_is_not_an_i_regexp_or_is_over_the_bounds_matches_nothing(pattern):
    assert iregexp.compile_pattern(pattern) is None
    assert iregexp.match("a", pattern) is False and iregexp.search("a", pattern) is False


def test_a_non_string_text_or_pattern_is_false():
    assert iregexp.match(1, "1") is False and iregexp.search("a", 1) is False and iregexp.match(None, ".*") is False


def test_it_agrees_with_re_on_the_syntax_they_share():
    rng = random.Random(20261202)
    atoms = ["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(ab)", "c", "(a*|b)"]
    quantifiers = ["", "", "*", "+", "?", "{1,2}", "{2}", "{0,}"]
    for _ in range(600):
        pattern = "".join(rng.choice(atoms) + rng.choice(quantifiers) for _ in range(rng.randint(0, 5)))
        if rng.random() < 0.2:
            pattern += "|" + "".join(rng.choice(atoms) + rng.choice(quantifiers) for _ in range(rng.randint(0, 3)))
        python = re.compile(pattern.replace(".", "[^\\n\\r]"))
        for _ in range(5):
            text = "".join(rng.choice("abc\n") for _ in range(rng.randint(0, 8)))
            assert iregexp.match(text, pattern) is bool(python.fullmatch(text)), (pattern, text)
            assert iregexp.search(text, pattern) is bool(python.search(text)), (pattern, text)


def test_patterns_that_make_a_backtracking_engine_hang_take_linear_time():
    started = time.perf_counter()
    assert iregexp.match("a" * 20_000 + "b", "(a+)+$") is False  # re: longer than the universe
    assert iregexp.search("a" * 20_000, "(a|aa)*c") is False
    assert iregexp.match("a" * 20_000, "(.*){20}b") is False
    assert time.perf_counter() - started < 5  # about 0.1 s; a hang guard, not a speed test
