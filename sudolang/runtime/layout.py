"""A program's layout drawn with real values: placeholders filled, box borders kept aligned.

A layout is the program's triple-quoted text, e.g.

    ╭─ SPRINT BOARD ──────────╮
    │ Sprint: {sprint_name}   │
    ├─────────────────────────┤
    │ {board}                 │
    ╰─────────────────────────╯

A line framed by vertical borders is a box line: its inner width is fixed by
the template, so a value is padded or wrapped to fit it, measured in terminal
cells (a CJK character or an emoji takes two, a combining accent none). Wrapped
and multi-line values continue under the placeholder's column. Control
characters in values are shown as `?` so that no value can move the cursor.
A placeholder that stands alone on its box line is the layout's main area:
the runtime draws a command's output there.

A layout that is one box can be drawn at another width (`render(..., columns=45)`):
its rules are shortened or lengthened, and its lines wrap inside the new frame.
The runtime draws at `terminal_columns()`: the terminal's width, else the
template's own, so that output into a file or a pipe never depends on who ran it.
"""

from __future__ import annotations

import os
import sys
from sudolang.cells import char_width, width

TYPE_CHECKING = False  # annotations only
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

VERTICAL_BORDERS = frozenset("│┃║|")
_CONTROL = {code: "?" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_CONTROL[ord("\t")] = " "
_CONTROL.pop(ord("\n"))
# A rule (top, separator or bottom line) of a box: a corner or tee, a horizontal line that may hold a
# title, a corner or tee. The box's inner columns (┬ ┼ ┴) are not drawn at other widths.
RULE_LEFT = frozenset("╭┌╔┏╒╓├╟╠┣╞╰└╚┗╘╙+")
RULE_RIGHT = frozenset("╮┐╗┓╕╖┤╢╣┫╡╯┘╝┛╛╜+")
HORIZONTALS = frozenset("─━═-┄┅┈┉╌╍")
INNER_JOINS = frozenset("┬┼┴╤╪╧╥╫╨┯┿┷╦╬╩")
MIN_COLUMNS = 20  # narrower than this, no box can show its labels; it is drawn this wide
MAX_COLUMNS = 100  # a wider terminal gets a box this wide (or the template's width, if wider): lines stay readable
BATCH = 1000  # box lines drawn into one text at a time (drawing): ~60 KB, which the next batch reuses


# --- measuring ---------------------------------------------------------------------------------


def clean(text: str) -> str:
    """The value with tabs as spaces and every other control character but newline as `?`."""
    return text.translate(_CONTROL)


def pad(text: str, cells: int) -> str:
    return text.ljust(cells) if text.isascii() else text + " " * max(0, cells - width(text))


def split_at(text: str, cells: int) -> tuple[str, str]:
    """`text` cut so the head fits in `cells`: at the last space that allows it, else mid-word."""
    if width(text) <= cells:
        return text, ""
    cut = cells if text.isascii() else _fitting(text, cells)
    space = text.rfind(" ", 0, cut + 1)
    if space > 0 and text[:space].strip():
        return text[:space].rstrip(), text[space:].lstrip()
    cut = max(cut, 1)  # a character wider than the whole line still has to go somewhere
    return text[:cut], text[cut:]


def _fitting(text: str, cells: int) -> int:
    """How many leading characters of `text` fit in `cells`."""
    used = 0
    for index, char in enumerate(text):
        used += char_width(char)
        if used > cells:
            return index
    return len(text)


def wrap(text: str, cells: int, indent: int) -> list[str]:
    """`text` in lines of at most `cells`; continuation lines start with `indent` spaces."""
    lines = []
    head, rest = split_at(text, cells)
    lines.append(head)
    room = max(cells - indent, 1)
    while rest:
        head, rest = split_at(rest, room)
        lines.append(" " * indent + head)
    return lines


# --- drawing -----------------------------------------------------------------------------------


def placeholders(layout: str) -> list[str]:
    return [name for _, _, name in _found(layout)]


def _found(text: str) -> list[tuple[int, int, str]]:
    r"""(start, end, name) of each placeholder in `text`, left to right: `{name}`, the name one or more word
    characters (a letter or digit of any script, or `_`), as the pattern `\{(\w+)\}` finds them. Read
    without `re`, whose import is ~5 ms of every screen."""
    found = []
    start = text.find("{")
    while start >= 0:
        end = start + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if end > start + 1 and text.startswith("}", end):
            found.append((start, end + 1, text[start + 1:end]))
            start = text.find("{", end + 1)
        else:  # no name, or a name not closed: the next `{` may begin one
            start = text.find("{", start + 1)
    return found


def _without_placeholders(text: str) -> str:
    kept, at = [], 0
    for start, end, _ in _found(text):
        kept.append(text[at:start])
        at = end
    return "".join(kept) + text[at:]


def main_area(layout: str) -> str | None:
    """The first placeholder alone on its box line (`│ {board} │`), where command output is drawn."""
    for line in layout.splitlines():
        frame = _frame(line)
        if frame:
            inner = frame[1].strip()
            found = _found(inner)
            if len(found) == 1 and found[0][:2] == (0, len(inner)):
                return found[0][2]
    return None


def render(layout: str, values: dict[str, str], columns: int | None = None) -> str:
    """The layout with every placeholder replaced by its value; missing values show as `-`.

    With `columns`, a layout that is one box is drawn that many cells wide (within MIN_COLUMNS and
    MAX_COLUMNS); any other layout keeps its own width."""
    return "".join(drawing(layout, values, columns))


def drawing(layout: str, values: dict[str, str], columns: int | None = None) -> Iterator[str]:
    """render()'s text in parts, in order, to be written one after another. A box line that takes many
    lines comes in parts of BATCH lines: a 10,000-task board (20,000 lines, ~2.5 MB of text) is written
    without ever being one text, nor all its lines at once, and each part reuses the memory the last one
    freed (drawn whole, its copies cost ~2,000 fresh pages, ~3 ms)."""
    lines = layout.splitlines()
    box = _box_width(lines)
    inner = None if columns is None or box is None else _fitted(columns, box) - (box[0] + 2)
    between = ""
    for line in lines:
        for drawn in _drawn(line, values, inner):
            yield between
            yield drawn
            between = "\n"


def _drawn(line: str, values: dict[str, str], inner: int | None) -> Iterable[str]:
    """One line of the layout as drawn: its lines, or parts of several lines each for a box line that wraps;
    `inner` is the box's width inside its borders (None: the template's)."""
    rule, frame = _rule(line), _frame(line)
    if rule is not None and inner is not None:
        return [_resized_rule(*rule, inner)]
    if frame is not None and _found(line):
        return _box_lines(*frame, values, inner)
    if frame is not None and inner is not None:
        return _fixed_box_line(*frame, inner)
    return _fill(line, values) if _found(line) else [line]


def terminal_columns(stream=None) -> int | None:
    """The width to draw a layout at: $COLUMNS when it is set, else the terminal's when standard output
    is one; None (the layout's own width) when it is a file or a pipe, so transcripts stay the same."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, OSError, ValueError):  # a replaced stdout without a file descriptor
        return None


def _fitted(columns: int, box: tuple[int, int]) -> int:
    """The width a box of `box` (indentation, width) is drawn at in a terminal `columns` wide."""
    indent, cells = box
    return max(MIN_COLUMNS, min(columns, max(MAX_COLUMNS, indent + cells)))


def _box_width(lines: list[str]) -> tuple[int, int] | None:
    """(indentation, width) shared by every line of the layout's one box; None when it is not one plain box
    (no frame, boxes of different widths side by side or one under another, inner columns)."""
    shapes = set()
    for line in lines:
        rule, frame = _rule(line), _frame(line)
        if rule is None and frame is None:
            continue
        if rule is not None and INNER_JOINS.intersection(rule[1]):
            return None
        if rule is None and frame is not None and VERTICAL_BORDERS.intersection(_without_placeholders(frame[1])):
            return None
        stripped = line.rstrip()
        indent = width(stripped) - width(stripped.lstrip())
        shapes.add((indent, width(stripped) - indent))
    return shapes.pop() if len(shapes) == 1 else None


def _rule(line: str) -> tuple[str, str, str] | None:
    """(left corner with its indentation, the line between, right corner) of a box's rule, else None."""
    stripped = line.rstrip()
    body = stripped.lstrip()
    if len(body) < 3 or body[0] not in RULE_LEFT or body[-1] not in RULE_RIGHT or body[-2] not in HORIZONTALS:
        return None
    if body[1] not in HORIZONTALS:
        return None
    indent = stripped[: len(stripped) - len(body)]
    return indent + body[0], body[1:-1], body[-1]


def _resized_rule(left: str, between: str, right: str, cells: int) -> str:
    """The rule `cells` wide between its corners: its line lengthened or shortened at the end, a title cut last."""
    line = between[-1]
    title = between.rstrip(line)
    if width(title) + 1 > cells:
        title = title[: _fitting(title, max(cells - 1, 0))]
    return left + title + line * (cells - width(title)) + right


def _frame(line: str) -> tuple[str, str, str] | None:
    """(left border with its indentation, inner text, right border) of a box line, else None."""
    stripped = line.rstrip()
    body = stripped.lstrip()
    if len(body) < 2 or body[0] not in VERTICAL_BORDERS or body[-1] not in VERTICAL_BORDERS:
        return None
    indent = stripped[: len(stripped) - len(body)]
    return indent + body[0], body[1:-1], body[-1]


def _box_lines(left: str, inner: str, right: str, values: dict[str, str],
               cells: int | None = None) -> Iterator[str]:
    """The box line filled, `cells` wide inside its borders (its template's width when None), wrapped to fit:
    the lines it takes, BATCH at a time, each batch one text."""
    cells = width(inner) if cells is None else cells
    template = inner.rstrip()
    room = cells - 1  # keep a space before the right border
    half, leftmost = cells // 2, len(template) - len(template.lstrip()) + 2
    texts, column = _filled(template, values)
    inside: list[str] = []  # each drawn line between its borders, padded to `cells`
    append = inside.append
    # A long board's 10,000 lines go through this loop: its work per line is written out, with no call but
    # the string methods' (a function per line, or max(), cost milliseconds).
    for text in texts:
        # Continue under the placeholder, or deeper when the line itself is indented (a list item);
        # a placeholder far to the right continues near the left edge instead.
        blanks = len(text) - len(text.lstrip())
        indent = column if column > blanks + 1 else blanks + 2
        if indent > half:
            indent = leftmost
        if not text.isascii():
            inside += [pad(piece, cells) for piece in wrap(text, room, indent)]
        elif len(text) <= room:  # a short line: one ASCII piece, a cell a character
            append(text.ljust(cells))
        else:
            # An ASCII line too long for the box: split_at's cuts, without measuring, each piece padded as
            # it is cut; continuation lines start with `indent` spaces.
            prefix, fits = "", room
            while len(text) > fits:
                space = text.rfind(" ", 0, fits + 1)
                if space > blanks:  # the text before that space holds more than blanks: cut there
                    append((prefix + text[:space].rstrip()).ljust(cells))
                    text, blanks = text[space + 1:].lstrip(), 0  # past the space: usually nothing to strip, no copy
                else:  # no such space: mid-word
                    cut = fits if fits > 1 else 1
                    append((prefix + text[:cut]).ljust(cells))
                    text = text[cut:]
                    blanks = len(text) - len(text.lstrip())
                if not text:
                    break
                prefix, fits = " " * indent, (room - indent if room - indent > 1 else 1)
            else:
                append((prefix + text).ljust(cells))
        if len(inside) >= BATCH:
            yield _bordered(left, inside, right)
            inside.clear()
    if inside:
        yield _bordered(left, inside, right)


def _bordered(left: str, inside: list[str], right: str) -> str:
    """The lines, each between its borders, as one text: the borders in one join, the outer ones put on the
    first and last line (`left + text + right` would copy the text twice more)."""
    inside[0] = left + inside[0]
    inside[-1] += right  # after: the first line may be the last
    return f"{right}\n{left}".join(inside)


def _fixed_box_line(left: str, inner: str, right: str, cells: int) -> Iterable[str]:
    """A box line without placeholders at another width: padded, or wrapped when its text does not fit."""
    text = inner.rstrip()
    if width(text) <= cells:
        return [left + pad(text, cells) + right]
    return _box_lines(left, inner, right, {}, cells)


def _fill(line: str, values: dict[str, str]) -> list[str]:
    return _filled(line, values)[0]


def _filled(template: str, values: dict[str, str]) -> tuple[list[str], int]:
    """The template's text with values in, as its lines, and the column where their continuations start.

    One placeholder may bring several lines (they continue under it); with more than one on
    the line, multi-line values are joined with `; ` so the template's text stays in order."""
    found = _found(template)
    if not found:  # a box line of fixed text, drawn at another width
        return [template], width(template) - width(template.lstrip()) + 2
    value = {name: clean(str(values.get(name, "-"))) for _, _, name in found}
    (start, end, name), at = found[0], 0
    column = width(template[:start])
    if len(found) == 1 and "\n" in value[name]:
        # The later lines under the placeholder, indented in one replace: a long board brings 10,000.
        lines = value[name].replace("\n", "\n" + " " * column).split("\n")
        lines[0] = (template[:start] + value[name].partition("\n")[0] + template[end:]).rstrip()
        return lines, column
    pieces = []
    for start, end, name in found:
        pieces += [template[at:start], "; ".join(value[name].split("\n"))]
        at = end
    return [("".join(pieces) + template[at:]).rstrip()], column
