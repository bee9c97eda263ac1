"""A generated handler's text loaded as a module (not run as a script), and the Program it describes, so
`sudolang run` and Claude Code's `/sprint-move` take the same code path against the same state. The text
comes from the compiler (sudolang.compiler.cache.handler_source); this module does not import it."""

from __future__ import annotations

import types
from pathlib import Path


def handler_module(path: str, text: str, code=None) -> types.ModuleType:
    """The handler `text` (generated, from the file `path`) executed as a module; `code`, when given, is
    that text already compiled (sudolang.compiler.cache.handler_code keeps it)."""
    module = types.ModuleType(f"sudolang_handler_{Path(path).stem}")
    module.__file__ = path
    # Run-time errors name the program's line from the `# line N` comment of the generated line they
    # stopped at (sudolang.runtime.corelib), and tracebacks show it; the text may exist only in memory, so
    # the module's loader gives it to linecache, which asks only when an error needs a line (importing
    # linecache, and tokenize with it, on every run cost ~1 ms).
    module.__dict__["__loader__"] = _Text(text)
    exec(code if code is not None else compile(text, path, "exec"), module.__dict__)
    return module


class _Text:
    """A loader that has only the source: what linecache.lazycache asks of a module's `__loader__`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def get_source(self, name: str) -> str:
        return self.text


def program_of(module: types.ModuleType):
    """The runtime's Program (sudolang.runtime.handler) of a loaded handler module."""
    from sudolang.runtime.handler import Program

    return Program(module.PROGRAM, module.PATH, module.COMMANDS, module.FUNCTIONS, module.IN_MODEL, module.LAYOUT,
                   module.BINDINGS, module.VIEW_COMMAND)
