"""Compiled Jinja2 templates, kept in the user's cache folder (sudolang.user_cache): a compile that its own
cache cannot answer (an edited program, `sudolang run` of a new one) still skips compiling the templates,
about 60 ms of Jinja2's parser and code generator in every such process."""

from __future__ import annotations

import jinja2
from jinja2.bccache import Bucket

from sudolang import user_cache


class TemplateCache(jinja2.BytecodeCache):
    """One file per template, `template-<key>.cache` (Jinja2's key: the template's name and file). Jinja2
    checks the template's source (a checksum) when it loads the code; the file starts with what Jinja2 does
    not check, a digest of this sudolang's code (the environment's options are set there) and Jinja2's
    version, and is ignored when that differs."""

    def load_bytecode(self, bucket: Bucket) -> None:
        path = _path(bucket)
        raw = user_cache.read(path) if path is not None else None
        stamp = _stamp()
        if raw is not None and raw.startswith(stamp):
            bucket.bytecode_from_string(raw[len(stamp):])

    def dump_bytecode(self, bucket: Bucket) -> None:
        path = _path(bucket)
        if path is not None:
            user_cache.write(path, _stamp() + bucket.bytecode_to_string())


def _path(bucket: Bucket) -> str | None:
    return user_cache.entry(f"template-{bucket.key[:24]}.cache")


def _stamp() -> bytes:
    return (user_cache.digest(user_cache.code_digest(), jinja2.__version__) + "\n").encode()
