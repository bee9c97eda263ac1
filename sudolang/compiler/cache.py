"""Compiled handlers, cached: `sudolang run` compiles a program in memory and keeps its generated handler
under $SUDOLANG_CACHE_DIR, so the next run of the same source by the same sudolang skips the compiler.
The runtime loads the text (sudolang.runtime.loader); it never imports the compiler."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_LIMIT = 4 * 1024 * 1024  # bytes: a generated handler is tens of KB


def handler_source(program: str) -> tuple[str, str]:
    """(label, text) of the program's generated handler: from the cache when the same source was
    compiled by the same sudolang before, else compiled now and cached. A cached file is used only when
    it is a regular file of ours (not a symbolic link, which could point the run at any code, and owned by
    this user); anything else there is compiled afresh and replaced. CompileError when it does not compile."""
    from sudolang.compiler import fingerprint, load

    label, source = load(program)
    # The label is part of the key: the handler names its program's path in errors (`(path.sudo:LINE)`), so
    # two copies of one program in different folders must not share a handler.
    cached = cache_dir() / f"{Path(label).stem}-{fingerprint(label + chr(0) + source)}.py"
    text = _cached(cached)
    if text is not None:
        return str(cached), text
    from sudolang.compiler import compile_program

    files = compile_program(source, label)
    text = next(t for p, t in files.items() if p.startswith("scripts/handlers/"))
    _store(cached, text)
    return str(cached), text


def handler_code(path: str, text: str):
    """The code object of a handler's `text` (from `path`): read from `<path>.<python tag>.code` when that
    holds this text's digest, else compiled and stored there. Compiling a 37 KB handler takes ~17 ms;
    loading its marshalled code ~0.3 ms, and every `sudolang run` and board event of the hook loads one.
    The file is trusted as the cached handler is: a regular file of this user's, never a link."""
    import marshal
    import sys

    from sudolang.compiler import sha256

    digest = sha256(text.encode("utf-8")).hexdigest().encode()
    code_path = Path(f"{path}.{sys.implementation.cache_tag}.code")
    raw = _cached_bytes(code_path)
    if raw is not None and raw[:65] == digest + b"\n":
        try:
            return marshal.loads(raw[65:])
        except (EOFError, ValueError, TypeError):
            pass
    code = compile(text, path, "exec")
    if Path(path).parent == cache_dir():
        _store_bytes(code_path, digest + b"\n" + marshal.dumps(code))
    return code


def cache_dir() -> Path:
    """$SUDOLANG_CACHE_DIR, else $XDG_CACHE_HOME/sudolang, else ~/.cache/sudolang."""
    if os.environ.get("SUDOLANG_CACHE_DIR"):
        return Path(os.environ["SUDOLANG_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sudolang"


def _cached(path: Path) -> str | None:
    """The text of a cached handler, or None: absent, a link, not a regular file, not ours, not UTF-8."""
    raw = _cached_bytes(path)
    try:
        return raw.decode("utf-8") if raw is not None else None
    except ValueError:
        return None


def _cached_bytes(path: Path) -> bytes | None:
    """A cache file's bytes, or None: absent, a link, not a regular file, not ours, too big."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import read_bytes

    try:
        info = os.lstat(path)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return read_bytes(path, CACHE_LIMIT, "cached handler")
    except (OSError, ValueError, SudolangError):
        return None


def _store(path: Path, text: str) -> None:
    _store_bytes(path, text.encode("utf-8"))


def _store_bytes(path: Path, data: bytes) -> None:
    """Cache a compiled handler; a cache that cannot be written only costs the next run a compile. The
    cache folder is the user's ($SUDOLANG_CACHE_DIR may be a link); the file is written to a new temp
    file (O_EXCL, a random name) and renamed over the name, so a link planted there is replaced, never
    written through."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import remove_quietly, write_temp

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = write_temp(path, data, sync=False)
    except (OSError, SudolangError):
        return
    try:
        os.replace(temp, path)
    except OSError:
        remove_quietly(temp)
