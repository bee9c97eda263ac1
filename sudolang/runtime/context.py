"""What a command's run gets: the state directory, the session it runs in, and that session's project."""

from __future__ import annotations

from sudolang.state import clock
from sudolang.state.paths import StateDir
from sudolang.state.store import Document

TYPE_CHECKING = False  # annotations only
if TYPE_CHECKING:
    from datetime import datetime

DEFAULT_PROJECT = "default"


class Context:
    """The state, the session and its project, who acts, and how long lock waits may take. A plain class,
    not a dataclass: importing dataclasses cost every `sudolang run` ~10 ms (see runtime.handler)."""

    __slots__ = ("state", "session_id", "project", "actor", "timeout", "memo")

    def __init__(self, state: StateDir, session_id: str, project: str, actor: str = "", timeout: float | None = None,
                 memo: dict | None = None) -> None:
        self.state = state
        self.session_id = session_id
        self.project = project  # the session's project, or DEFAULT_PROJECT when it has none
        self.actor = actor  # who acts (a voter, an author; see actor()); empty: the session id, as the hook acts
        self.timeout = timeout  # seconds a command's lock waits may take together (--timeout); None: 5 s each
        # Reads remembered while one screen is drawn (see reading()); None: every read goes to the file.
        self.memo = memo

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

    def read_project(self) -> dict:
        """The project document as it is now; while drawing a screen, read once for all its views."""
        if self.memo is None:
            return self.project_document().read()
        if "project" not in self.memo:
            self.memo["project"] = self.project_document().read()
        return self.memo["project"]

    def reading(self) -> Context:
        """A context for drawing one screen: its views share one read of the project document
        (a 10,000-task document takes ~15 ms to read; a dashboard has six views)."""
        return self if self.memo is not None else Context(self.state, self.session_id, self.project, self.actor,
                                                          self.timeout, memo={})

    def now(self) -> datetime:
        return clock.now()

    def stamp(self) -> str:
        return clock.iso(clock.now())


def actor(session_id: str, in_claude: bool) -> str:
    """Who acts: $SUDOLANG_ACTOR, else in Claude Code (a command file's --claude) the session, which is
    Claude's, else the login name: a terminal acts as the person at it, whatever session it works in."""
    import os

    return os.environ.get("SUDOLANG_ACTOR") or (session_id if in_claude else login_name())


def login_name() -> str:
    """The user's login name, as getpass.getuser finds it ($LOGNAME, $USER, $LNAME, $USERNAME, else the
    password database), or "user" when nothing names one (a container whose user has no passwd entry).
    Read here: getpass imports contextlib and termios, ~0.5 ms of every `sudolang run`."""
    import os

    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name or "user"
    except (KeyError, ImportError, AttributeError):  # no passwd entry; no pwd or getuid (not POSIX)
        return "user"


class Result:
    """What a command gives back: `text` for a person (and the model), `data` for --json."""

    __slots__ = ("text", "data")

    def __init__(self, text: str, data: object = None) -> None:
        self.text, self.data = text, data
