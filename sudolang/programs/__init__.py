"""The four SudoLang programs that ship with sudolang, installed as package data."""

from __future__ import annotations

import os

from sudolang.errors import NotFound

# The package is always installed as files (pyproject has no zip-safe build), so a plain path
# serves; importlib.resources would cost ~18 ms of start-up on every `sudolang run`.
FOLDER = os.path.dirname(os.path.abspath(__file__))


def names() -> list[str]:
    """The shipped programs' names, e.g. 'sprint_execution' (a listing: Path.glob compiles a pattern first)."""
    return sorted(name[:-5] for name in os.listdir(FOLDER) if name.endswith(".sudo") and len(name) > 5)


def source(name: str) -> str:
    """The SudoLang source of a shipped program."""
    path = os.path.join(FOLDER, f"{name}.sudo")
    if "/" in name or not os.path.isfile(path):
        raise NotFound(f"no shipped program {name!r}; the shipped ones are {', '.join(names())}")
    with open(path, encoding="utf-8") as file:
        return file.read()
