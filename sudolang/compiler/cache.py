"""Compiled handlers, cached in the user's cache folder (sudolang.user_cache): `sudolang run` keeps each
program's generated handler, so the next run of the same source by the same sudolang skips the compiler.
The runtime loads the text (sudolang.runtime.loader); it never imports the compiler."""

from __future__ import annotations

import os

from sudolang import user_cache
from sudolang.safe_files import stem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def handler_source(program: str) -> tuple[str, str]:
    """(label, text) of the program's generated handler: from the cache when the same source was
    compiled by the same sudolang before, else compiled now and cached. A cached file is used only when
    it is a regular file of ours (not a symbolic link, which could point the run at any code, and owned by
    this user); anything else there is compiled afresh and replaced. CompileError when it does not compile."""
    from sudolang.compiler import fingerprint, load

    label, source = load(program)
    # The label is part of the key: the handler names its program's path in errors (`(path.sudo:LINE)`), so
    # two copies of one program in different folders must not share a handler.
    cached = os.path.join(user_cache.cache_dir(), f"{stem(label)}-{fingerprint(label + chr(0) + source)}.py")
    text = _cached(cached)
    if text is not None:
        return cached, text
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

    text_digest = user_cache.sha256(text.encode("utf-8")).hexdigest().encode()
    code_path = f"{path}.{sys.implementation.cache_tag}.code"
    raw = user_cache.read(code_path)
    if raw is not None and raw[:65] == text_digest + b"\n":
        try:
            return marshal.loads(raw[65:])
        except (EOFError, ValueError, TypeError):
            pass
    code = compile(text, path, "exec")
    if os.path.dirname(path) == user_cache.cache_dir():
        user_cache.write(code_path, text_digest + b"\n" + marshal.dumps(code))
    return code


def _cached(path: Path | str) -> str | None:
    """The text of a cached handler, or None: absent, a link, not a regular file, not ours, not UTF-8."""
    raw = user_cache.read(path)
    try:
        return raw.decode("utf-8") if raw is not None else None
    except ValueError:
        return None


def _store(path: Path | str, text: str) -> None:
    user_cache.write(path, text.encode("utf-8"))
