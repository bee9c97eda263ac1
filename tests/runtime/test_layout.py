"""Drawing a layout: placeholders filled, box borders aligned whatever the values hold."""

from __future__ import annotations

import random

import pytest

from sudolang import programs
from sudolang.compiler import build_model
from sudolang.parser import parse
from sudolang.runtime import layout

BOX = """\
╭─ TITLE ──────────────────────╮
│ Name: {name}                 │
├──────────────────────────────┤
│ {main}                       │
│ A: {a}   B: {b}              │
╰──────────────────────────────╯"""
TOP_WIDTH = layout.width(BOX.splitlines()[0])


def assert_aligned(drawn: str, cells: int = TOP_WIDTH) -> None:
    for line in drawn.splitlines():
        assert layout.width(line) == cells, f"{layout.width(line)} cells: {line!r}"


@pytest.mark.parametrize(("text", "cells"), [
    ("abc", 3), ("日本語", 6), ("🚀 go", 5), ("é", 1), ("e\u0301", 1), ("a\u200bb", 2), ("Ｆｕｌｌ", 8), ("", 0),
])
def test_width_counts_terminal_cells(text, cells):
    assert layout.width(text) == cells


def test_short_values_are_padded_to_the_border():
    drawn = layout.render(BOX, {"name": "x", "main": "m", "a": "1", "b": "2"})
    assert drawn.splitlines()[1] == "│ Name: x                      │"
    assert drawn.splitlines()[4] == "│ A: 1   B: 2                  │"
    assert_aligned(drawn)


def test_wide_characters_keep_the_border_aligned():
    drawn = layout.render(BOX, {"name": "日本語チーム 🚀", "main": "Ｗｉｄｅ and café and e\u0301", "a": "中", "b": "✅"})
    assert "日本語チーム 🚀" in drawn
    assert_aligned(drawn)


def test_an_overlong_value_wraps_under_its_placeholder_and_loses_nothing():
    value = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    drawn = layout.render(BOX, {"name": value, "main": "", "a": "", "b": ""})
    lines = drawn.splitlines()
    assert lines[1] == "│ Name: alpha beta gamma delta │"
    assert lines[2].startswith("│       epsilon")  # continues under the placeholder's column
    assert " ".join(part.strip("│ ") for part in lines[1:4]).split() == ["Name:", *value.split()]
    assert_aligned(drawn)


def test_a_word_longer_than_the_box_is_split():
    drawn = layout.render(BOX, {"name": "x" * 100, "main": "日" * 40, "a": "", "b": ""})
    assert drawn.count("x") == 100 and drawn.count("日") == 40
    assert_aligned(drawn)


def test_a_multi_line_value_continues_under_its_placeholder():
    drawn = layout.render(BOX, {"name": "one\ntwo", "main": "BACKLOG (1)\n  T-1  3 pts", "a": "x", "b": "y"})
    assert drawn.splitlines()[1:3] == ["│ Name: one                    │", "│       two                    │"]
    assert "│   T-1  3 pts                 │" in drawn.splitlines()


def test_several_placeholders_on_a_line_join_multi_line_values():
    drawn = layout.render(BOX, {"name": "", "main": "", "a": "1\n2", "b": "3"})
    assert "│ A: 1; 2   B: 3               │" in drawn.splitlines()


def test_control_characters_cannot_move_the_cursor():
    drawn = layout.render(BOX, {"name": "evil\x1b[2J\rname\ttab", "main": "", "a": "", "b": ""})
    assert "\x1b" not in drawn and "\r" not in drawn and "\t" not in drawn
    assert "evil?[2J?name tab" in drawn
    assert_aligned(drawn)


def test_missing_values_show_a_dash_and_lines_without_placeholders_stay():
    drawn = layout.render(BOX, {})
    assert drawn.splitlines()[0] == BOX.splitlines()[0]
    assert "│ Name: -                      │" in drawn.splitlines()


def test_a_line_outside_a_box_is_filled_without_padding():
    assert layout.render("Sprint {s} ends {d}", {"s": "sprint-001", "d": "Friday"}) == "Sprint sprint-001 ends Friday"


def test_the_main_area_is_the_placeholder_alone_on_its_box_line():
    assert layout.main_area(BOX) == "main"
    assert layout.main_area("│ Teams: {teams} │") is None


def test_random_values_never_break_the_box():
    rng = random.Random(20261125)
    alphabet = "abc xyz  日本🚀é\u0301\u200b\n\t-│" + "Ｗ"
    for _ in range(300):
        values = {key: "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 120))) for key in "name main a b".split()}
        assert_aligned(layout.render(BOX, values))


@pytest.mark.parametrize("name", programs.names())
def test_each_shipped_layout_stays_aligned_with_long_wide_values(name):
    model = build_model(parse(programs.source(name), name))
    values = {key: "チーム🚀 " * 30 for key in layout.placeholders(model.layout)}
    drawn = layout.render(model.layout, values)
    assert_aligned(drawn, layout.width(model.layout.splitlines()[0]))


# --- drawn at the terminal's width ---------------------------------------------------------------

MIN = layout.MIN_COLUMNS


def test_a_box_drawn_narrower_keeps_its_frame_and_wraps_its_lines():
    drawn = layout.render(BOX, {"name": "alpha beta gamma", "main": "m", "a": "1", "b": "2"}, columns=22)
    assert drawn.splitlines()[:4] == ["╭─ TITLE ────────────╮", "│ Name: alpha beta   │", "│       gamma        │",
                                      "├────────────────────┤"]
    assert drawn.splitlines()[-1] == "╰────────────────────╯"
    assert_aligned(drawn, 22)


def test_a_box_drawn_wider_lengthens_its_rules_and_pads_its_lines():
    drawn = layout.render(BOX, {"name": "x", "main": "m", "a": "1", "b": "2"}, columns=40)
    assert drawn.splitlines()[0] == "╭─ TITLE " + "─" * 30 + "╮"
    assert drawn.splitlines()[1] == "│ Name: x" + " " * 30 + "│"
    assert_aligned(drawn, 40)


def test_the_width_stays_within_its_bounds_and_a_long_title_is_cut():
    assert_aligned(layout.render(BOX, {}, columns=5), layout.MIN_COLUMNS)
    assert_aligned(layout.render(BOX, {}, columns=500), layout.MAX_COLUMNS)
    assert layout.render(BOX, {}, columns=5).splitlines()[0] == "╭─ TITLE " + "─" * 10 + "╮"
    titled = "╭─ A VERY LONG TITLE INDEED ─╮\n│ {x}                        │\n╰────────────────────────────╯"
    assert layout.render(titled, {"x": "1"}, columns=20).splitlines()[0] == "╭─ A VERY LONG TIT─╮"


def test_a_line_of_fixed_text_is_padded_or_wrapped_like_a_value():
    text = "Fixed words, wall to wall"  # no space before the right border
    box = f"╭{'─' * len(text)}╮\n│{text}│\n│ {{x}}{' ' * (len(text) - 4)}│\n╰{'─' * len(text)}╯"
    same = len(text) + 2
    assert layout.render(box, {"x": "1"}, columns=same) == layout.render(box, {"x": "1"})  # it fits as it is
    narrow = layout.render(box, {"x": "1"}, columns=MIN)
    assert_aligned(narrow, MIN)
    assert " ".join(line.strip("│ ") for line in narrow.splitlines()[1:3]) == text
    assert f"│{text}   │" in layout.render(box, {"x": "1"}, columns=same + 3)


def test_a_layout_that_is_not_one_plain_box_keeps_its_width():
    columns = "╭────┬────╮\n│ {a} │ {b} │\n╰────┴────╯"
    assert layout.render(columns, {"a": "1", "b": "2"}, columns=40) == layout.render(columns, {"a": "1", "b": "2"})
    two = "╭──╮\n│{a}│\n╰──╯\n╭────╮\n│ {b}  │\n╰────╯"
    assert layout.render(two, {"a": "1", "b": "2"}, columns=40) == layout.render(two, {"a": "1", "b": "2"})


@pytest.mark.parametrize("name", programs.names())
@pytest.mark.parametrize("columns", [20, 45, 80, 100])
def test_each_shipped_layout_fits_any_width(name, columns):
    model = build_model(parse(programs.source(name), name))
    values = {key: "チーム🚀 and words " * 10 for key in layout.placeholders(model.layout)}
    assert_aligned(layout.render(model.layout, values, columns), columns)


def test_the_terminal_width_is_columns_else_the_terminals_else_none(monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "45")
    assert layout.terminal_columns() == 45
    monkeypatch.delenv("COLUMNS")
    with open(tmp_path / "file", "w") as not_a_terminal:
        assert layout.terminal_columns(not_a_terminal) is None


def test_placeholders_are_found_as_the_pattern_finds_them():
    """layout reads `{name}` without `re`: the same placeholders as `\\{(\\w+)\\}` on every code point as a name,
    and on random texts of braces, word characters and others."""
    import random
    import re

    pattern = re.compile(r"\{(\w+)\}")
    every = "".join(f"{{{chr(c)}}}x{{{chr(c)}_{chr(c)}" for c in range(0x110000))
    assert layout.placeholders(every) == pattern.findall(every)
    rng = random.Random(15)
    for _ in range(20_000):
        text = "".join(rng.choice("{}{}a_1é│ .\n") for _ in range(rng.randrange(12)))
        assert layout.placeholders(text) == pattern.findall(text), text
        assert layout._without_placeholders(text) == pattern.sub("", text), text


def test_the_widths_known_up_front_are_the_unicode_databases():
    from sudolang import cells

    assert len(cells._WIDTHS) >= 95 + 128  # at least printable ASCII and the box-drawing block
    assert {char: cells.measured_width(char) for char in cells._WIDTHS} == cells._WIDTHS


@pytest.mark.parametrize("columns", [None, 24, 80])
def test_a_long_box_line_comes_in_parts_that_make_the_same_text(monkeypatch, columns):
    """drawing() gives a box line of thousands of lines in parts of about BATCH lines (a part ends after the
    line that reaches BATCH, with all its pieces); written one after another, they are the text the layout
    drawn in one piece is (BATCH larger than any box)."""
    rng = random.Random(3)
    main = "\n".join(f"  T-{n} " + " ".join(rng.choice(["ab", "日本", "word", "x" * 40]) for _ in range(n % 9))
                     for n in range(2_500))
    values = {"name": "n", "main": main, "a": "1", "b": "2"}
    parts = list(layout.drawing(BOX, values, columns))
    lines = [part.count("\n") + 1 for part in parts]
    assert max(lines) < layout.BATCH + 20 and sum(n >= layout.BATCH for n in lines) >= 2  # the box, in parts
    monkeypatch.setattr(layout, "BATCH", 10**9)
    whole = list(layout.drawing(BOX, values, columns))
    assert "".join(parts) == "".join(whole)
    assert_aligned("".join(parts), TOP_WIDTH if columns is None else max(columns, layout.MIN_COLUMNS))


def test_a_box_line_wraps_where_split_at_cuts():
    """_box_lines cuts a long ASCII line itself (a long board's every task): where split_at, which measures
    each character's cells, cuts, with blanks and long words anywhere, at any width."""
    def split_at_wrap(text: str, cells: int, indent: int) -> list[str]:
        head, rest = layout.split_at(text, cells)
        lines, room = [head], max(cells - indent, 1)
        while rest:
            head, rest = layout.split_at(rest, room)
            lines.append(" " * indent + head)
        return lines

    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice("ab  -") for _ in range(rng.randrange(1, 70))).rstrip() or "x"
        cells = rng.randrange(3, 30)
        drawn = "\n".join(layout._box_lines("│", "{v}" + " " * (cells - 3), "│", {"v": text}, cells)).split("\n")
        indent = len(text) - len(text.lstrip()) + 2  # under the placeholder (column 0), deeper for a blank start
        indent = 2 if indent > cells // 2 else indent
        expected = [piece.ljust(cells) for piece in split_at_wrap(text, cells - 1, indent)]
        assert [line[1:-1] for line in drawn] == expected, (text, cells)
