"""The real programs of ../shared/corpus/sudolang: each parses without a syntax error and rebuilds exactly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sudolang.parser import parse

CORPUS = Path(os.environ.get("SUDOLANG_CORPUS", Path(__file__).parents[2] / ".." / "shared" / "corpus" / "sudolang"))
FILES = sorted(CORPUS.glob("*.sudo")) if CORPUS.is_dir() else []

# Truly unbalanced in its source (checked by hand): a ')' at 68:9 closes nothing (the author's
# `log(` at 51 is closed by it inside an open `{`), and two strings never end:
# `... failed";` at 97:87 and `emulateAuthor="JRR Tolkien;` at 113:47.
KNOWN_BROKEN = {
    "paralleldrive__sudolang-llm-support__examples__riteway.sudo": [("SL002", 68, 9), ("SL003", 97, 87), ("SL003", 113, 47)],
}

MISSING = f"the corpus is not here ({CORPUS}); it ships in ../shared beside this checkout (or set SUDOLANG_CORPUS)"
needs_corpus = pytest.mark.skipif(not FILES, reason=MISSING)


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:80])
def test_corpus_file_parses_and_round_trips(path):
    source = path.read_text(encoding="utf-8")
    program = parse(source, str(path))
    found = [(e.code, e.span.line, e.span.column) for e in program.errors]
    assert found == KNOWN_BROKEN.get(path.name, [])
    assert rebuild(program) == source
    assert_nested(program)


def test_the_corpus_is_all_there():
    """Away from CI a checkout without ../shared skips the corpus tests; in CI (where `CI` is set) this one fails
    instead, so a CI run cannot pass with the corpus tests silently left out."""
    if not CORPUS.is_dir():
        if in_ci():
            pytest.fail(f"{MISSING}; CI is set, and CI must run the corpus tests")
        pytest.skip(MISSING)
    assert len(FILES) == 126


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def rebuild(program) -> str:
    """The file again, from the top-level nodes' spans; only whitespace may lie between them."""
    source, out, position = program.source, [], 0
    for item in program.items:
        gap = source[position:item.span.start]
        assert not gap.strip(), f"text outside every node at offset {position}: {gap[:60]!r}"
        out += [gap, source[item.span.start:item.span.end]]
        position = item.span.end
    assert not source[position:].strip()
    return "".join(out) + source[position:]


def assert_nested(node) -> None:
    """Children lie inside their parent, in order, without overlapping."""
    previous_end = node.span.start
    for child in node.children():
        if type(child).__name__ in ("Interpolation", "StringLit", "Modifier", "Param"):
            continue
        assert node.span.start <= child.span.start <= child.span.end <= node.span.end, (node, child)
        assert child.span.start >= previous_end, (child, previous_end)
        previous_end = child.span.end
        assert_nested(child)
