"""A generated handler's text loaded as a module (not run as a script), and the Program it describes, so
`sudolang run` and Claude Code's `/sprint-move` take the same code path against the same state. The text
comes from the compiler (sudolang.compiler.cache.handler_source); this module does not import it."""

from __future__ import annotations

import sys
import types

from sudolang.safe_files import stem


def handler_module(path: str, text: str, code=None) -> types.ModuleType:
    """The handler `text` (generated, from the file `path`) executed as a module; `code`, when given, is
    that text already compiled (sudolang.compiler.cache.handler_code keeps it)."""
    module = types.ModuleType(f"sudolang_handler_{stem(path)}")
    module.__file__ = path
    # Run-time errors name the program's line from the `# line N` comment of the generated line they
    # stopped at (sudolang.runtime.corelib reads it from the module's loader), and tracebacks show it
    # (linecache asks the loader when no file holds the text). Registering the text with linecache here
    # imported linecache, and tokenize with it, on every run: ~1 ms.
    module.__dict__["__loader__"] = HandlerText(text)
    lines = sys.modules.get("linecache")
    if lines is not None:  # an earlier handler's lines at this path would be shown for this one's
        lines.cache.pop(path, None)
    exec(code if code is not None else compile(text, path, "exec"), module.__dict__)
    return module


class HandlerText:
    """A handler module's loader, which has only its text: what linecache.lazycache asks of `__loader__`."""

    def __init__(self, text: str) -> None:
        self.sudolang_text = text

    def get_source(self, name: str) -> str:
        return self.sudolang_text


def program_of(module: types.ModuleType):
    """The runtime's Program (sudolang.runtime.handler) of a loaded handler module."""
    from sudolang.runtime.handler import Program

    return Program(module.PROGRAM, module.PATH, module.COMMANDS, module.FUNCTIONS, module.IN_MODEL, module.LAYOUT,
                   module.BINDINGS, module.VIEW_COMMAND)
