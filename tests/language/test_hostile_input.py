"""Hostile input to the language front end (issue 10): every input gives diagnostics, never a crash, a
Lark message or a hang. Sizes are chosen so exponential or quadratic work could not finish (20 bytes
of `{` once took 10 s); the process runs carry a generous `timeout=` as a hang guard only, since speed
is measured in benchmarks/bench_language.py, never asserted here."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sudolang import nodes as n
from sudolang import reporter
from sudolang.errors import FAILURE, USAGE
from sudolang.lint import CODES, lint
from sudolang.lint_api import MAX_PROGRAM_BYTES
from sudolang.parser import MAX_DEPTH, parse

HANG_GUARD = 60  # seconds; a correctness bound (the run ends), not a speed assertion


def lint_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "sudolang", "lint", *args], input=stdin, capture_output=True,
                          env=env, timeout=HANG_GUARD)


def codes(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in lint(parse(text, "t.sudo"))]


def depth(program: n.Program) -> int:
    """How deep blocks nest in the tree (0 for a flat program), found without recursion."""
    deepest, stack = 0, [(item, 1) for item in program.items]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + isinstance(child, (n.Block, n.Property, n.Conditional)))
                     for child in node.children())
    return deepest


# --- time: the two samples of the issue, and 10,000 random brackets --------------------------------


def test_the_issue_samples_lint_with_one_diagnostic_per_unclosed_brace(tmp_path):
    braces = tmp_path / "braces.sudo"
    braces.write_text("{" * 20)
    bot = tmp_path / "bot.sudo"
    bot.write_text('interface Bot {\n  commands {\n    "/x <a>": "d"\n' + "b {\n" * 22)
    result = lint_process("--format", "json", str(braces), str(bot))
    assert result.returncode == FAILURE, result.stderr
    found = [(Path(d["filename"]).name, d["code"], d["location"]["row"], d["location"]["column"])
             for d in json.loads(result.stdout)]
    assert found == [("braces.sudo", "SL001", 1, column) for column in range(1, 21)] + \
        [("bot.sudo", "SL001", 1, 15), ("bot.sudo", "SL001", 2, 12)] + \
        [("bot.sudo", "SL001", line, 3) for line in range(4, 26)]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("alphabet", ["{}[]()", '{}[]()"`', '{}[]()"`\n \r/*#|>-:=ab\\'],
                         ids=["brackets", "and-quotes", "and-everything"])
def test_10000_random_unbalanced_characters_give_diagnostics_not_a_crash(tmp_path, seed, alphabet):
    rng = random.Random(seed)
    text = "".join(rng.choice(alphabet) for _ in range(10_000))
    path = tmp_path / "random.sudo"
    path.write_text(text, newline="")
    results = {form: lint_process("--format", form, str(path)) for form in ("json", "text")}
    for result in results.values():
        assert result.returncode == FAILURE and b"Traceback" not in result.stderr, result.stderr
    found = json.loads(results["json"].stdout)
    assert any(d["code"].startswith("SL0") for d in found) and {d["code"] for d in found} <= set(CODES)


def test_many_unclosed_comments_and_strings_are_read_once():
    program = parse("/* a\n" * 20_000 + '"""\n' + "`\n\n" * 20_000)
    assert [(e.code, e.span.line) for e in program.errors] == [("SL006", 1)]  # it runs to the end
    program = parse('"""\n' + "`\n\n" * 20_000 + "x { /* y\n")
    assert [e.code for e in program.errors][:2] == ["SL004", "SL003"]
    assert [e.code for e in program.errors][-2:] == ["SL001", "SL006"]


def test_long_pipes_continuations_and_else_chains_stay_linear_and_shallow():
    pipe = parse("result = tasks\n" + "  |> step\n" * 20_000)
    assert len(pipe.items) == 1 and len(pipe.items[0].stages) == 20_001
    prose = parse("- an item\n" + "    that goes on\n" * 20_000)  # one line continues the item (as before)
    assert len(prose.items) == 20_000 and prose.items[0].span.end_line == 2
    chain = parse("if (a) { x }" + " else if (b) { y }" * 5_000 + " else { z }\n")
    conditionals = [node for node in chain.walk() if isinstance(node, n.Conditional)]
    assert len(conditionals) == 5_002 and not chain.errors
    assert conditionals[-1].keyword == "else" and not conditionals[-1].orelse
    lint(chain)


# --- depth: nesting past MAX_DEPTH is one SL007, not a RecursionError ------------------------------


@pytest.mark.parametrize("opener", ["{", "(", "[", "mixed"])
@pytest.mark.parametrize("count", [1_500, 100_000])
def test_deep_nesting_is_one_sl007_at_the_opener_past_the_limit(opener, count):
    openers = "".join(random.Random(count).choice("{([") for _ in range(count)) if opener == "mixed" else opener * count
    program = parse(openers)
    found = [(e.code, e.span.line, e.span.column) for e in program.errors]
    assert [error for error in found if error[0] == "SL007"] == [("SL007", 1, MAX_DEPTH + 1)]
    assert [code for code, _, _ in found].count("SL001") == MAX_DEPTH  # what stays open, up to the limit
    assert len(found) == MAX_DEPTH + 1
    assert depth(program) <= MAX_DEPTH + 1
    lint(program)
    reporter.text([reporter.FileReport("t.sudo", program.source, list(program.errors))])


def test_balanced_deep_nesting_reports_only_the_depth_and_the_limit_itself_is_clean():
    assert codes("x = " + "[" * 1_500 + "]" * 1_500) == [("SL007", 1, 4 + MAX_DEPTH + 1)]
    deep = "".join(f"{'  ' * i}level{i} {{\n" for i in range(MAX_DEPTH)) + "}\n" * MAX_DEPTH
    program = parse(deep)
    assert not program.errors and depth(program) == MAX_DEPTH
    lint(program)
    ifs = "".join("if (x) {\n" for _ in range(MAX_DEPTH)) + "}\n" * MAX_DEPTH
    assert not parse(ifs).errors and depth(parse(ifs)) == MAX_DEPTH


def test_nesting_at_the_limit_leaves_the_caller_room_on_the_stack():
    ifs = "".join("if (x) {\n" for _ in range(MAX_DEPTH)) + "}\n" * MAX_DEPTH

    def called_from(frames: int) -> list:
        return called_from(frames - 1) if frames else lint(parse(ifs))

    assert called_from(400) == []  # a caller 400 frames deep (a hook inside a test runner) still fits


def test_the_depth_message_names_the_limit():
    (error,) = [e for e in parse("{" * (MAX_DEPTH + 1)).errors if e.code == "SL007"]
    assert error.message == f"nesting too deep: this '{{' opens level {MAX_DEPTH + 1}; the limit is {MAX_DEPTH}"


# --- carriage returns are line endings --------------------------------------------------------------


@pytest.mark.parametrize("text, lines", [
    ("a\rb", [(1, "a"), (2, "b")]),
    ("\r\r\r", []),
    ("a\r\nb\rc\nd", [(1, "a"), (2, "b"), (3, "c"), (4, "d")]),
])
def test_a_lone_carriage_return_ends_a_line(text, lines):
    program = parse(text)
    assert not program.errors
    assert [(item.span.line, text[item.span.start:item.span.end]) for item in program.items] == lines


def test_carriage_returns_around_blocks():
    program = parse("x {\r}\r")
    (block,) = program.items
    assert not program.errors and isinstance(block, n.Block)
    assert (block.span.line, block.span.end_line) == (1, 2)
    mixed = parse("Bot {\r  /go - Go\r\n  /stop - Stop\n}\r{")
    assert [(e.code, e.span.line, e.span.column) for e in mixed.errors] == [("SL001", 5, 1)]
    assert [c.span.line for c in mixed.walk() if isinstance(c, n.Command)] == [2, 3]


def test_the_reporter_counts_lines_as_the_parser_does_and_prints_no_control_characters():
    source = "a\r\x1bc{"
    program = parse(source, "t.sudo")
    out = reporter.text([reporter.FileReport("t.sudo", source, lint(program))])
    assert out.splitlines() == ["t.sudo:2:3: SL001 unclosed '{': no matching '}' before the end of the file",
                                " 2 | \ufffdc{", "   |   ^"]


def test_a_long_line_is_shown_as_a_window_around_the_finding():
    source = "x" * 5_000 + "{" + "y" * 5_000
    out = reporter.text([reporter.FileReport("t.sudo", source, lint(parse(source, "t.sudo")))])
    shown, caret = out.splitlines()[1:]
    assert len(shown) < reporter.EXCERPT_WIDTH + 20 and shown.startswith(" 1 | …") and shown.endswith("…")
    assert shown[caret.index("^")] == "{"


# --- program names (SL104) --------------------------------------------------------------------------


def program(name_line: str, commands: str = '  commands = {\n    "/go": "Go"\n  }\n') -> str:
    return f"interface Bot {{\n{name_line}\n{commands}}}\n"


@pytest.mark.parametrize("line, column", [
    ('  name = "../../../outside/pwned"', 10),
    ('  prefix = "x; touch INJECTED #"', 12),
    ('  name = "My Bot"', 10),
    ('  name = ""', 10),
    ('  name: "' + "a" * 65 + '"', 9),
])
def test_a_name_or_prefix_outside_the_pattern_is_sl104_at_the_string(line, column):
    assert codes(program(line)) == [("SL104", 2, column)]


def test_good_names_commandless_blocks_and_non_strings_are_not_sl104():
    assert codes(program('  name = "todo-list_2"\n  prefix = "todo"')) == []
    assert codes(program('  name = "John"', commands="")) == []  # a data shape or persona, not a program
    assert codes(program("  name = todo")) == [("SL501", 2, 3)]  # not a string: the program model's SL501, for lint and compile
    assert codes("Intro {\n}\n" + program('  name = "Bad Name"')) == []  # only the first block compiles
    assert codes(program('  name = "Bad"', commands="  /go - Go\n")) == [("SL104", 2, 10)]  # a /command line
    assert codes(program('  name = "Bad"\n  name = "good"')) == []  # the last one wins, as in the compiler


def test_sl104_message_says_what_is_allowed():
    (diagnostic,) = lint(parse(program('  name = "a b"'), "t.sudo"))
    assert diagnostic.message.startswith("program name 'a b' is not allowed: use lower-case letters")


# --- reading a program: what is not a readable file is one SL009 line and exit 2 -------------------


def one_line_refusal(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == USAGE, result
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1 and " SL009 " in lines[0], lines
    assert all(needle in lines[0] for needle in needles), lines[0]
    assert b"Traceback" not in result.stderr


def test_dev_zero_is_refused_not_read():
    one_line_refusal(lint_process("/dev/zero"), "not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.sudo"
    os.mkfifo(fifo)
    one_line_refusal(lint_process(str(fifo)), "not a regular file")


def test_a_folder_without_programs_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    one_line_refusal(lint_process(str(tmp_path)), "is a folder with no *.sudo")


def test_invalid_utf8_names_the_byte_and_its_offset(tmp_path):
    path = tmp_path / "bad.sudo"
    path.write_bytes(b'Bot {\n  name = "caf\xe9"\n}\n')
    one_line_refusal(lint_process(str(path)), ":2:14: SL009", "byte 0xe9 at offset 19")


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.sudo"
    path.write_bytes(b"x\n" * (5 * 1024 * 1024 // 2))
    one_line_refusal(lint_process(str(path)), f"the limit is {MAX_PROGRAM_BYTES:,}")
    one_line_refusal(lint_process("-", stdin=path.read_bytes()), "standard input is over")
