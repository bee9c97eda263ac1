"""Where state lives: finding the state directory and vetting ids before they become file names.

The state directory holds the tool's own names and the ids' names apart: ids (which start with a
letter or digit) name files only inside sessions/ and shared/ and folders only inside messages/,
while the tool's own files sit at the top (tools.json, the tool registry) or start with a dot
(temp files). So no id can name, and no recovery can move aside, a file of the tool's own.
The folders under the state directory must not be symbolic links (sudolang.safe_files.folder);
the state directory itself is the user's choice and may be one.
"""

from __future__ import annotations

import os

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.safe_files import as_path, clean

TYPE_CHECKING = False  # annotations only: store loads when a document is opened; `typing` costs ~5 ms of start-up
if TYPE_CHECKING:
    from pathlib import Path

    from sudolang.state.inbox import Inbox
    from sudolang.state.store import Document

ENV_VAR = "SUDOLANG_STATE_DIR"
MAX_ID_LENGTH = 128
SHOWN_IDS = 5  # the candidates an ambiguous session-id prefix names

# Letters, digits, dot, dash, underscore; must start with a letter or digit, so no
# ".", "..", hidden files, separators, or control characters can reach the file system.
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_CHARACTERS = _ALNUM | frozenset("._-")


def is_id(text: str) -> bool:
    """Whether `text` is made of the id characters and starts with a letter or digit (no `re`: see StateDir)."""
    return bool(text) and text[0] in _ALNUM and set(text) <= _ID_CHARACTERS


def find_state_dir(explicit: str | None = None, cwd: os.PathLike | str | None = None) -> str:
    """--state-dir, else $SUDOLANG_STATE_DIR, else the project's .claude/state (see project_folder), else
    ./.claude/state. The commands use project_state_dir, which refuses that last fallback."""
    found = _given_or_found(explicit, cwd)
    return found if found is not None else os.path.join(_resolved(cwd), ".claude", "state")


def project_state_dir(explicit: str | None = None, cwd: os.PathLike | str | None = None) -> str:
    """As find_state_dir, but outside a project a NotFound saying how to make one: a command typed in
    the wrong folder must not leave a .claude/state (and a session) behind there."""
    found = _given_or_found(explicit, cwd)
    if found is None:
        raise NotFound(f"no sudolang project here: no .claude/ folder in {_resolved(cwd)} or above; run `sudolang "
                       "init` to make this folder one, or give --state-dir DIR (or $SUDOLANG_STATE_DIR)")
    return found


def _given_or_found(explicit: str | None, cwd: os.PathLike | str | None) -> str | None:
    if explicit:
        return clean(explicit)
    if os.environ.get(ENV_VAR):
        return clean(os.environ[ENV_VAR])
    folder = project_folder(_resolved(cwd))
    return None if folder is None else os.path.join(folder, ".claude", "state")


def _resolved(cwd: os.PathLike | str | None) -> str:
    return os.path.realpath(os.getcwd() if cwd is None else os.fspath(cwd))


def project_folder(start: os.PathLike | str) -> str | None:
    """The nearest folder, from `start` (an absolute path) upwards, with a .claude/ folder: the project. Your
    home folder's .claude/ is Claude Code's own settings, not a project, unless `sudolang init` made it one
    (state/)."""
    home = _home()
    folder = os.fspath(start)
    while True:
        claude = os.path.join(folder, ".claude")
        if os.path.isdir(claude) and (folder != home or os.path.isdir(os.path.join(claude, "state"))):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _home() -> str | None:
    home = os.path.expanduser("~")
    if home == "~":  # no $HOME and no passwd entry (a bare container)
        return None
    return os.path.realpath(home)


def check_id(kind: str, value: str) -> str:
    """Return `value` if it is safe as a file name, else raise a UsageError naming what is wrong."""
    if not value:
        raise UsageError(f"{kind} id is empty")
    if len(value) > MAX_ID_LENGTH:
        raise UsageError(f"{kind} id is {len(value)} characters long; the limit is {MAX_ID_LENGTH}")
    if not is_id(value) or ".." in value:
        raise UsageError(
            f"{kind} id {value!r} is not allowed: use letters, digits, '.', '-' and '_', "
            "starting with a letter or digit"
        )
    return value


def closest_ids(typed: str, ids: list[str], limit: int = 3) -> list[str]:
    """The ids most like `typed`, best first: each is compared by as many characters as were typed, so a
    mistyped prefix of a long id (a UUID) still finds it."""
    import difflib

    def likeness(candidate: str) -> float:
        return difflib.SequenceMatcher(None, typed, candidate[:len(typed)]).ratio()

    ranked = sorted(ids, key=lambda candidate: (-likeness(candidate), candidate))
    return [candidate for candidate in ranked[:limit] if likeness(candidate) >= 0.6]


def key_path(*keys: str) -> str:
    """A JSONPath naming nested keys exactly, whatever dots or dashes the (vetted) ids hold."""
    return "$" + "".join(f"['{key}']" for key in keys)


class StateDir:
    """The folders and documents under one state directory.

    Paths are kept as text and joined with os.path: pathlib (with the `re` it imports) costs ~7 ms of
    start-up, as much again as a whole `state get` takes. The Path attributes are made when asked for."""

    def __init__(self, root: Path | str) -> None:
        self.root_text = clean(os.fspath(root))
        self.sessions_text = os.path.join(self.root_text, "sessions")
        self.shared_text = os.path.join(self.root_text, "shared")

    root = property(lambda self: as_path(self.root_text))
    sessions = property(lambda self: as_path(self.sessions_text))
    shared = property(lambda self: as_path(self.shared_text))
    archive = property(lambda self: as_path(self.sessions_text, "archive"))
    # The tool registry: beside shared/, where no project id can reach; and where older versions kept it
    # (read while it is a JSON list).
    tools = property(lambda self: as_path(self.root_text, "tools.json"))
    legacy_tools = property(lambda self: as_path(self.shared_text, "tools.json"))

    def folder(self, relative: str, create: bool = True) -> str:
        """`root/relative`, every folder on the way checked not to be a symbolic link (made if `create`)."""
        from sudolang import safe_files

        return safe_files.folder(self.root_text, relative, create=create)

    def session(self, session_id: str) -> "Document":
        from sudolang.state.store import Document

        check_id("session", session_id)
        return Document(
            os.path.join(self.sessions_text, f"{session_id}.json"),
            label=f"session {session_id!r}",
            recover_command=f"sudolang session recover {session_id}",
            root=self.root_text,
        )

    def resolve_session(self, typed: str) -> str:
        """The session id `typed` stands for, as git reads a commit's prefix: `typed` itself when anything of
        that session is there (its document, backup, event log or archived copy: exact ids always win),
        else the one live session whose id starts with it. Several: a UsageError naming them. None: a
        NotFound naming the closest ids, or `typed` unchanged when none is close, for the command to report
        in its own words (as it does an id that cannot be a file name). Costs one stat for an exact id."""
        try:
            check_id("session", typed)
        except UsageError:
            return typed
        if self.knows_session(typed):
            return typed
        ids = self.session_ids()
        matches = [session_id for session_id in ids if session_id.startswith(typed)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            more = f" and {len(matches) - SHOWN_IDS} more" if len(matches) > SHOWN_IDS else ""
            raise UsageError(f"session id {typed!r} is ambiguous: {len(matches)} sessions start with it "
                             f"({', '.join(matches[:SHOWN_IDS])}{more}); type more of it")
        close = closest_ids(typed, ids)
        if close:
            raise NotFound(f"no session {typed!r}; did you mean {' or '.join(close)}?")
        return typed

    def knows_session(self, session_id: str) -> bool:
        """Whether anything of the session is here: its document, backup, event log or archived copy (the
        document's file is one stat; the folder is listed only when it is missing)."""
        if os.path.lexists(os.path.join(self.sessions_text, f"{session_id}.json")):
            return True
        try:
            names = set(os.listdir(self.folder("sessions", create=False)))
        except FileNotFoundError:
            return False
        return bool({f"{session_id}.json.bak", f"{session_id}.events.jsonl"} & names) or \
            os.path.lexists(os.path.join(self.sessions_text, "archive", f"{session_id}.json"))

    def project(self, project_id: str) -> "Document":
        from sudolang.state.store import Document

        check_id("project", project_id)
        if project_id == "tools" and self.has_legacy_tools():
            raise UsageError(f"{self.legacy_tools} is the tool registry of an older sudolang, not project 'tools'; "
                             f"move it to {self.tools} to use a project named 'tools'")
        return Document(
            os.path.join(self.shared_text, f"{project_id}.json"),
            label=f"project {project_id!r}",
            recover_command=f"sudolang shared recover {project_id}",
            root=self.root_text,
        )

    def has_legacy_tools(self) -> bool:
        """Whether shared/tools.json is an old tool registry (a JSON list) rather than project 'tools' (an object)."""
        from sudolang import safe_files

        try:
            raw = safe_files.read_bytes(os.path.join(self.shared_text, "tools.json"), 1 << 20, "tool registry")
        except (OSError, SudolangError):
            return False
        return raw.lstrip()[:1] == b"["

    def session_ids(self) -> list[str]:
        """Ids of the live sessions; temp files, backups and logs are not sessions."""
        try:
            names = os.listdir(self.folder("sessions", create=False))
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith("."))

    # --- the rest of the store interface (sudolang.state.interface): StateDir is the file store ----------

    store = "files"  # what `--store` names this store by (sudolang.state.stores)

    def document(self, kind: str, document_id: str) -> "Document":
        """The session or project document `document_id` (kind "session" or "project")."""
        return self.session(document_id) if kind == "session" else self.project(document_id)

    def ids(self, kind: str) -> list[str]:
        """The live sessions' ids, or the projects' ids."""
        if kind == "session":
            return self.session_ids()
        try:
            names = os.listdir(self.folder("shared", create=False))
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith(".") and n != "tools.json")

    def inbox(self, session_id: str) -> "Inbox":
        from sudolang.state.inbox import Inbox

        return Inbox(self.root_text, check_id("session", session_id))

    def inbox_ids(self) -> list[str]:
        """The sessions that have an inbox (messages/<id>/), whether or not a message waits in it."""
        try:
            names = os.listdir(self.folder("messages", create=False))
        except FileNotFoundError:
            return []
        return sorted(n for n in names if is_id(n))

    def archived(self, session_id: str) -> bool:
        """Whether the session expired and was archived (sessions/archive/<id>.json)."""
        return os.path.lexists(os.path.join(self.sessions_text, "archive", f"{check_id('session', session_id)}.json"))

    def wait_for_change(self, seen: dict[tuple[str, str], int | None], timeout: float) -> bool:
        """True as soon as a document `seen` names ((kind, id): the revision last drawn, None for absent) is
        at another revision; False after `timeout` seconds without a change (files: the revisions are polled)."""
        from sudolang.state.store import wait_for_change

        return wait_for_change([(self.document(*key), revision) for key, revision in seen.items()], timeout)

    def describe(self) -> str:
        return f"the file store in {self.root_text}"

    def close(self) -> None:
        """Nothing to let go of: a file store holds no connection between calls."""
