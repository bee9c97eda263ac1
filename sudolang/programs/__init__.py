"""The four SudoLang programs that ship with sudolang, installed as package data."""

from __future__ import annotations

from importlib import resources

from sudolang.errors import NotFound


def names() -> list[str]:
    """The shipped programs' names, e.g. 'sprint_execution'."""
    return sorted(entry.name.removesuffix(".sudo") for entry in resources.files(__name__).iterdir()
                  if entry.name.endswith(".sudo"))


def source(name: str) -> str:
    """The SudoLang source of a shipped program."""
    entry = resources.files(__name__) / f"{name}.sudo"
    if not entry.is_file():
        raise NotFound(f"no shipped program {name!r}; the shipped ones are {', '.join(names())}")
    return entry.read_text(encoding="utf-8")
