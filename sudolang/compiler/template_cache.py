"""Compiled Jinja2 templates: shipped with sudolang as modules (sudolang/compiler/compiled_templates, written
by tools/build_templates.py) and, for a template those do not match, kept in the user's cache folder
(sudolang.user_cache). Either way a compile that its own cache cannot answer (an edited program, `sudolang
run` of a new one, no usable cache folder) skips compiling the templates: ~20 ms of Jinja2's lexer, parser
and code generator for a program's three."""

from __future__ import annotations

import os
from importlib.machinery import SourceFileLoader
from types import CodeType
from typing import Any, MutableMapping

import jinja2
from jinja2.bccache import Bucket

from sudolang import user_cache


class TemplateLoader(jinja2.FileSystemLoader):
    """The templates folder, each template loaded from its shipped module when that module was compiled by
    this Jinja2 from this very source, else compiled (through the environment's bytecode cache)."""

    @jinja2.utils.internalcode
    def load(self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
             ) -> jinja2.Template:
        source, _, _ = self.get_source(environment, name)
        code = _shipped_code(name, source)
        if code is None:
            return super().load(environment, name, globals)
        # Run in a namespace of its own, as Jinja2 runs compiled code, not imported: a module's globals would
        # be shared by every environment that loads the template, and each load rebinds `environment` there.
        return environment.template_class.from_code(environment, code, globals or {}, None)


def _shipped_code(name: str, source: str) -> CodeType | None:
    """The code of the template's shipped module (its .pyc when Python has written one), or None when that
    module is not of this Jinja2 or not of this source."""
    from sudolang.compiler import compiled_templates as shipped

    entry = shipped.TEMPLATES.get(name)
    if entry is None or jinja2.__version__ != shipped.JINJA2_VERSION:
        return None
    digest, module = entry
    if user_cache.sha256(source.encode("utf-8")).hexdigest() != digest:
        return None  # edited since the modules were written: compile it as it is now
    fullname = f"{shipped.__name__}.{module}"
    path = os.path.join(os.path.dirname(shipped.__file__), f"{module}.py")
    return SourceFileLoader(fullname, path).get_code(fullname)


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
