"""Which store keeps a project's state, and opening it: --store, else $SUDOLANG_STORE, else .claude/sudolang.json, else files.

A store is named `files` (the default: JSON files under the state directory, no server) or by a
PostgreSQL URL, `postgresql://[user@]host[:port]/dbname[?param=value…]` (libpq's connection URL;
`postgres://` too). The password comes from libpq's own sources ($PGPASSWORD, ~/.pgpass, a service
file), never from a file sudolang writes: `.claude/` is committed with the project, so `sudolang init
--store URL` refuses a URL that holds one. The config file is `.claude/sudolang.json`, `{"store": URL}`,
read only when the state directory is that project's `.claude/state`.

Only a PostgreSQL store imports psycopg (sudolang.state.pg); choosing files reads one small file at most.
"""

from __future__ import annotations

import os

from sudolang.errors import CorruptState, UsageError
from sudolang.state.paths import StateDir, clean

TYPE_CHECKING = False  # annotations only: `typing` costs ~5 ms of start-up
if TYPE_CHECKING:
    from pathlib import Path

    from sudolang.state.interface import Store
    from sudolang.state.pg import PgStateDir

ENV_VAR = "SUDOLANG_STORE"
CONFIG_NAME = "sudolang.json"  # in .claude/, beside the state folder
FILES = "files"
SCHEMES = ("postgresql://", "postgres://")
CONFIG_LIMIT = 64 * 1024


def choose(explicit: str | None, root: Path | str) -> str:
    """`files` or a PostgreSQL URL: --store, else $SUDOLANG_STORE, else the project's config, else files."""
    if explicit:
        return check_url(explicit, "--store")
    if os.environ.get(ENV_VAR):
        return check_url(os.environ[ENV_VAR], f"${ENV_VAR}")
    return configured(root) or FILES


def config_path(root: Path | str) -> str | None:
    """.claude/sudolang.json when the state directory is a project's .claude/state, else None."""
    claude, name = os.path.split(clean(os.fspath(root)))
    return os.path.join(claude, CONFIG_NAME) if name == "state" and os.path.basename(claude) == ".claude" else None


def configured(root: Path | str) -> str | None:
    """The `store` the project's .claude/sudolang.json names, or None (no file, or no `store` in it)."""
    path = config_path(root)
    if path is None:
        return None
    settings = read_config(path)
    store = settings.get("store")
    if store is None:
        return None
    if not isinstance(store, str):
        raise CorruptState(f"{path}: \"store\" must be a string: files or a postgresql:// URL")
    return check_url(store, str(path))


def read_config(path: Path | str) -> dict:
    """The JSON object in `path` ({} when there is none); never read through a symbolic link."""
    from sudolang import json_input, safe_files

    try:
        raw = safe_files.read_bytes(path, CONFIG_LIMIT, "sudolang config")
    except FileNotFoundError:
        return {}
    try:
        settings = json_input.loads(raw, str(path))
    except UsageError as error:
        raise CorruptState(f"{error.message}; fix {path}") from None
    if not isinstance(settings, dict):
        raise CorruptState(f"{path} must hold a JSON object such as {{\"store\": \"postgresql://host/db\"}}")
    return settings


def check_url(url: str, where: str) -> str:
    """`url` when it names a store; a UsageError saying what is accepted otherwise."""
    if url == FILES or url.startswith(SCHEMES):
        return url
    raise UsageError(f"{where}: {url[:60]!r} is not a store: give `files` or a postgresql://host/dbname URL")


def has_password(url: str) -> bool:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    return parts.password is not None or "password" in parse_qs(parts.query)


def redact(url: str) -> str:
    """`url` as messages show it: a password in it becomes ***."""
    if not url.startswith(SCHEMES) or not has_password(url):
        return url
    import re

    url = re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


def open_state(root: Path | str, explicit: str | None = None, connect_timeout: float | None = None) -> StateDir:
    """The state under `root` in the store chosen (see `choose`); `connect_timeout` bounds the wait for a
    server (the hook's budget), in whole seconds of at least 2 as libpq counts them."""
    root = clean(os.fspath(root))
    url = choose(explicit, root)
    return StateDir(root) if url == FILES else open_postgresql(root, url, connect_timeout)


def open_postgresql(root: str, url: str, connect_timeout: float | None = None) -> PgStateDir:
    import math

    from sudolang.state.pg import PgStateDir

    seconds = None if connect_timeout is None else max(2, math.ceil(connect_timeout))
    return PgStateDir(root, url, redact(url), seconds)


def check_for_config(url: str) -> str:
    """`url` if it may be written into .claude/sudolang.json: a store, and without a password."""
    check_url(url, "--store")
    if has_password(url):
        raise UsageError("--store: the URL holds a password, and .claude/ is committed with the project: give the "
                         "URL without it and keep the password in $PGPASSWORD or ~/.pgpass (nothing was written)")
    return url


def write_config(claude: Path, url: str) -> str:
    """Record `url` as the project's store in .claude/sudolang.json (other keys kept); one report line."""
    from sudolang import safe_files
    from sudolang.state.store import dumps, write_atomically

    check_for_config(url)
    path = claude / CONFIG_NAME
    settings = read_config(path)
    if settings.get("store") == url:
        return f"{'unchanged':9} .claude/{CONFIG_NAME}"
    verb = "changed" if os.path.lexists(path) else "created"
    safe_files.folder(claude.parent, ".claude", create=True)  # refused if .claude is a symbolic link
    write_atomically(path, (dumps({**settings, "store": url}) + "\n").encode())
    return f"{verb:9} .claude/{CONFIG_NAME} (store: {url})"


if TYPE_CHECKING:
    def _conforms(files: StateDir, postgresql: PgStateDir) -> list[Store]:
        """Never called: mypy checks here that both stores have every method of the interface."""
        return [files, postgresql]
