"""What a command's action gets: the state directory, the session it runs in, and that session's project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sudolang.state import clock
from sudolang.state.paths import StateDir
from sudolang.state.store import Document

DEFAULT_PROJECT = "default"


@dataclass(frozen=True)
class Context:
    state: StateDir
    session_id: str
    project: str  # the session's project, or DEFAULT_PROJECT when it has none
    actor: str = ""  # who acts (a voter, an author): $SUDOLANG_ACTOR, else the session id

    @property
    def who(self) -> str:
        return self.actor or self.session_id

    def session(self) -> Document:
        return self.state.session(self.session_id)

    def project_document(self) -> Document:
        """The shared project document, created on first use."""
        from sudolang.state import shared

        shared.ensure_project(self.state, self.project)
        return self.state.project(self.project)

    def now(self) -> datetime:
        return clock.now()

    def stamp(self) -> str:
        return clock.iso(clock.now())


@dataclass(frozen=True)
class Result:
    """What an action returns: `text` for a person (and the model), `data` for --json."""

    text: str
    data: object = None
