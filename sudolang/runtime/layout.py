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
"""

from __future__ import annotations

import re
from sudolang.cells import char_width, width

PLACEHOLDER = re.compile(r"\{(\w+)\}")
VERTICAL_BORDERS = frozenset("│┃║|")
_CONTROL = {code: "?" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_CONTROL[ord("\t")] = " "
_CONTROL.pop(ord("\n"))


# --- measuring ---------------------------------------------------------------------------------


def clean(text: str) -> str:
    """The value with tabs as spaces and every other control character but newline as `?`."""
    return text.translate(_CONTROL)


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


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
    return PLACEHOLDER.findall(layout)


def main_area(layout: str) -> str | None:
    """The first placeholder alone on its box line (`│ {board} │`), where command output is drawn."""
    for line in layout.splitlines():
        frame = _frame(line)
        if frame:
            found = PLACEHOLDER.fullmatch(frame[1].strip())
            if found:
                return found.group(1)
    return None


def render(layout: str, values: dict[str, str]) -> str:
    """The layout with every placeholder replaced by its value; missing values show as `-`."""
    out: list[str] = []
    for line in layout.splitlines():
        if not PLACEHOLDER.search(line):
            out.append(line)
            continue
        frame = _frame(line)
        if frame is None:
            out.extend(_fill(line, values))
        else:
            out.extend(_box_lines(*frame, values))
    return "\n".join(out)


def _frame(line: str) -> tuple[str, str, str] | None:
    """(left border with its indentation, inner text, right border) of a box line, else None."""
    stripped = line.rstrip()
    body = stripped.lstrip()
    if len(body) < 2 or body[0] not in VERTICAL_BORDERS or body[-1] not in VERTICAL_BORDERS:
        return None
    indent = stripped[: len(stripped) - len(body)]
    return indent + body[0], body[1:-1], body[-1]


def _box_lines(left: str, inner: str, right: str, values: dict[str, str]) -> list[str]:
    cells = width(inner)
    template = inner.rstrip()
    out = []
    for text, indent in _filled(template, values):
        # Continue under the placeholder, or deeper when the line itself is indented (a list item);
        # a placeholder far to the right continues near the left edge instead.
        indent = max(indent, len(text) - len(text.lstrip()) + 2)
        if indent > cells // 2:
            indent = len(template) - len(template.lstrip()) + 2
        for piece in wrap(text, cells - 1, indent):  # -1: keep a space before the right border
            out.append(left + pad(piece, cells) + right)
    return out


def _fill(line: str, values: dict[str, str]) -> list[str]:
    return [text for text, _ in _filled(line, values)]


def _filled(template: str, values: dict[str, str]) -> list[tuple[str, int]]:
    """The template's text with values in: (line, column where continuations start) per line.

    One placeholder may bring several lines (they continue under it); with more than one on
    the line, multi-line values are joined with `; ` so the template's text stays in order."""
    found = list(PLACEHOLDER.finditer(template))
    value = {m.group(1): clean(str(values.get(m.group(1), "-"))) for m in found}
    column = width(template[: found[0].start()])
    if len(found) == 1 and "\n" in value[found[0].group(1)]:
        first, *more = value[found[0].group(1)].split("\n")
        head = template[: found[0].start()] + first + template[found[0].end():]
        return [(head.rstrip(), column)] + [(" " * column + text, column) for text in more]
    text = PLACEHOLDER.sub(lambda m: "; ".join(value[m.group(1)].split("\n")), template)
    return [(text.rstrip(), column)]
