"""How many terminal cells text takes: lint's box check, the reporter's carets and the runtime's layouts agree on it."""

from __future__ import annotations

import unicodedata


def char_width(char: str) -> int:
    """2 for East Asian wide and full-width characters (CJK, most emoji), 0 for combining and format
    characters (accents, zero-width joiners), else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Terminal cells `text` takes (ASCII, the common case, is measured without a per-character loop)."""
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)
