"""The user's cache folder: where it is, what a cached result is keyed by, and its files read and written so
that nothing planted there is followed.

A result is cached under a key that hashes everything it was computed from: its own input, byte for byte,
and `code_digest()`, this sudolang's code. An entry whose key differs is never used, so a cache can be slow
to fill but never stale. Nothing is cached under the project: only here, in $SUDOLANG_CACHE_DIR, else
$XDG_CACHE_HOME/sudolang, else ~/.cache/sudolang.
"""

from __future__ import annotations

import os

from sudolang import __version__
from sudolang.safe_files import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

LIMIT = 16 * 1024 * 1024  # bytes: what a cache file may hold; a generated handler is tens of KB


def cache_dir() -> str:
    """$SUDOLANG_CACHE_DIR, else $XDG_CACHE_HOME/sudolang, else ~/.cache/sudolang; a RuntimeError when there
    is no home folder to find the last in. (Paths are text here: pathlib is ~7 ms of every `sudolang run`.)"""
    if os.environ.get("SUDOLANG_CACHE_DIR"):
        return clean(os.environ["SUDOLANG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home == "~":
            raise RuntimeError("Could not determine home directory.")
        base = os.path.join(home, ".cache")
    return os.path.join(clean(base), "sudolang")


def entry(name: str) -> str | None:
    """The cache file `name`, or None when there is no cache folder (no $HOME and no home in the password
    database): then nothing is cached, and nothing fails for it."""
    try:
        return os.path.join(cache_dir(), name)
    except RuntimeError:
        return None


def digest(*parts: object) -> str:
    """A SHA-256 of the parts, each as text and kept apart from the next (so ("ab", "c") is not ("a", "bc"))."""
    hashed = sha256()
    for part in parts:
        text = str(part).encode("utf-8", "surrogatepass")
        hashed.update(b"%d:" % len(text) + text)
    return hashed.hexdigest()


def sha256(data: bytes = b""):
    """hashlib.sha256(data), without importing hashlib: it loads OpenSSL, ~5 ms of every `sudolang run`,
    where the interpreter's own implementation of the same digest loads in a tenth of one."""
    try:
        from _sha256 import sha256 as built_in  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256 as built_in  # type: ignore[import-not-found]  # 3.12+
        except ImportError:  # pragma: no cover - an interpreter built without them
            from hashlib import sha256 as built_in
    return built_in(data)


_code_digest: list[str] = []  # computed once per process


def code_digest() -> str:
    """What every cached result depends on besides its input: the interpreter (its version: `re` and
    `unicodedata` change with it), and the version and every file of this package (folder_digest). ~1 ms."""
    import sys

    if not _code_digest:
        _code_digest.append(digest(sys.version, folder_digest(os.path.dirname(os.path.abspath(__file__)))))
    return _code_digest[0]


def folder_digest(package: str) -> str:
    """The version and every file of the package at `package`. A module counts by its size and modification
    time, the test the interpreter applies to its own .pyc: a result cached under them was computed by the
    bytecode that would run again. Every other file (templates, grammars, the shipped programs) is read as
    it is, so it counts by its bytes."""
    parts = [__version__]
    for relative in _package_files(package):
        path = os.path.join(package, relative)
        if relative.endswith(".py"):
            info = os.stat(path)
            parts.append(f"{relative}:{info.st_size}:{info.st_mtime_ns}")
        else:
            with open(path, "rb") as file:
                parts.append(f"{relative}:{sha256(file.read()).hexdigest()}")
    return digest(*parts)


def _package_files(package: str, folder: str = "") -> list[str]:
    """The package's files, relative to it, in a fixed order; caches of bytecode and hidden entries left out."""
    found: list[str] = []
    with os.scandir(os.path.join(package, folder)) as items:
        for item in sorted(items, key=lambda item: item.name):
            if item.name.startswith(".") or item.name == "__pycache__" or item.name.endswith((".pyc", ".pyo")):
                continue
            relative = f"{folder}/{item.name}" if folder else item.name
            if item.is_dir(follow_symlinks=False):
                found += _package_files(package, relative)
            elif item.is_file(follow_symlinks=False):
                found.append(relative)
    return found


def load(name: str, key: str) -> object | None:
    """The value stored as `name` under `key`, or None: no entry, another key, or a file that is not one of
    ours (see read) or not what store wrote."""
    path = entry(name)
    raw = read(path) if path is not None else None
    if raw is None:
        return None
    import json  # only with an entry to read: where nothing can be kept, no run pays for its import

    try:
        stored = json.loads(raw)
    except ValueError:
        return None
    return stored.get("value") if isinstance(stored, dict) and stored.get("key") == key else None


def store(name: str, key: str, value: object) -> None:
    """Keep `value` (plain JSON data) as `name` under `key`, replacing what was there. ASCII JSON: a path
    that is not UTF-8 (a surrogate escape from the file system) is kept as its escape, not refused."""
    path = entry(name)
    if path is not None:
        import json

        write(path, json.dumps({"key": key, "value": value}).encode("ascii"))


def read(path: Path | str) -> bytes | None:
    """A cache file's bytes, or None: absent, a link, not a regular file, not this user's, too big."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import read_bytes

    try:
        info = os.lstat(path)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return read_bytes(path, LIMIT, "cache file")
    except (OSError, ValueError, SudolangError):
        return None


def mapped(path: str, limit: int):
    """A cache file mapped read-only (an mmap.mmap, to close after use), or None: absent, a link, not a
    regular file, not this user's, empty or over `limit`. Reading a large entry through the page cache
    spares copying it (a 4.7 MB entry: ~1,200 fresh pages, ~2 ms). Safe because cache files are only ever
    replaced whole (write: a new file renamed over the name), never cut short in place, which would make
    reading the mapped bytes past the new end a SIGBUS."""
    import mmap

    from sudolang.errors import SudolangError
    from sudolang.safe_files import open_regular

    try:
        fd, info = open_regular(path, limit, "cache file")
    except (OSError, SudolangError):
        return None
    try:
        if info.st_size == 0 or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            return None
        return mmap.mmap(fd, info.st_size, access=mmap.ACCESS_READ)
    except (OSError, ValueError, OverflowError):
        return None
    finally:
        os.close(fd)


def write(path: Path | str, data: bytes) -> None:
    """Replace a cache file; a cache that cannot be written only costs the next run the work. The cache
    folder is the user's ($SUDOLANG_CACHE_DIR may be a link); the file is written to a new temp file
    (O_EXCL, a random name) and renamed over the name, so a link planted there is replaced, never written
    through."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import remove_quietly, write_temp

    try:
        os.makedirs(os.path.dirname(os.fspath(path)), exist_ok=True)
        temp = write_temp(path, data, sync=False)
    except (OSError, SudolangError):
        return
    try:
        os.replace(temp, path)
    except OSError:
        remove_quietly(temp)
