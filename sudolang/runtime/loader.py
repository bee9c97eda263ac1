"""A generated handler's text loaded as a module (not run as a script), and the Program it describes, so
`sudolang run` and Claude Code's `/sprint-move` take the same code path against the same state. The text
comes from the compiler (sudolang.compiler.cache.handler_source); this module does not import it."""

from __future__ import annotations

import types
from pathlib import Path


def handler_module(path: str, text: str, code=None) -> types.ModuleType:
    """The handler `text` (generated, from the file `path`) executed as a module; `code`, when given, is
    that text already compiled (sudolang.compiler.cache.handler_code keeps it)."""
    import linecache

    module = types.ModuleType(f"sudolang_handler_{Path(path).stem}")
    module.__file__ = path
    # Run-time errors name the program's line from the `# line N` comment of the generated line they
    # stopped at (sudolang.runtime.corelib); the text may exist only in memory, so linecache is told it.
    linecache.cache[path] = (len(text), None, text.splitlines(keepends=True), path)
    exec(code if code is not None else compile(text, path, "exec"), module.__dict__)
    return module


def program_of(module: types.ModuleType):
    """The runtime's Program (sudolang.runtime.handler) of a loaded handler module."""
    from sudolang.runtime.handler import Program

    return Program(module.PROGRAM, module.PATH, module.COMMANDS, module.FUNCTIONS, module.IN_MODEL, module.LAYOUT,
                   module.BINDINGS, module.VIEW_COMMAND)
