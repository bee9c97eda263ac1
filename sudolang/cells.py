"""How many terminal cells text takes: lint's box check, the reporter's carets and the runtime's layouts agree on it."""

from __future__ import annotations

# Each character's width, once: a layout's box lines repeat a few box-drawing characters hundreds of times,
# and three unicodedata look-ups per character cost a dashboard ~3 ms per screen. Printable ASCII and the
# box-drawing block (U+2500-U+257F), one cell each, are known up front: drawing a plain box does not
# import unicodedata.
_WIDTHS: dict[str, int] = dict.fromkeys(map(chr, [*range(0x20, 0x7F), *range(0x2500, 0x2580)]), 1)


def char_width(char: str) -> int:
    """2 for East Asian wide and full-width characters (CJK, most emoji), 0 for combining and format
    characters (accents, zero-width joiners), else 1."""
    found = _WIDTHS.get(char)
    if found is None:
        found = measured_width(char)
        if len(_WIDTHS) < 65_536:  # bounded: a long text of distinct characters cannot grow it without end
            _WIDTHS[char] = found
    return found


def measured_width(char: str) -> int:
    """char_width() from the Unicode database itself."""
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Terminal cells `text` takes (ASCII, the common case, is measured without a per-character loop)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))
