"""`sudolang run PROGRAM` with no command: a prompt that runs commands and redraws the program's view.

The screen is the program's layout filled from state; a command's output is
drawn in the layout's main area (below the box when it has none), so the
view stays in place while you navigate. `/refresh` (the program's view
command) returns to the overview. Ctrl-D, `/quit` or `/exit` leave; Ctrl-C
drops the line being typed.
"""

from __future__ import annotations

import sys

from sudolang.errors import SudolangError
from sudolang.runtime import handler

CLEAR = "\x1b[H\x1b[2J"
LEAVE = frozenset({"/quit", "/exit", "/q"})


def loop(program: handler.Program, argv: list[str], stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    options, _ = handler.split_options(argv)
    ctx = handler.context(options)  # one session for the whole loop (created once, said on stderr)
    terminal = stdin.isatty() and stdout.isatty()
    if terminal:
        _enable_line_editing()
    draw(stdout, terminal, _view(program, ctx))
    while True:
        try:
            line = _read(stdin, stdout, terminal, f"{program.name}> ")
        except KeyboardInterrupt:
            stdout.write("\n")
            continue
        except UnicodeDecodeError:  # bytes that are not UTF-8: say so and read on
            draw(stdout, terminal, _view(program, ctx, "error: that line is not valid UTF-8; nothing was done"))
            continue
        if line is None or line.strip() in LEAVE:
            stdout.write("\n" if line is None and terminal else "")
            return 0
        if line.strip():
            draw(stdout, terminal, respond(program, ctx, line.strip()))


def respond(program: handler.Program, ctx, line: str) -> str:
    """The screen after one input line: the layout with the command's output in its main area."""
    import shlex

    if not line.startswith(("/", "@")):
        return _view(program, ctx, f"Commands start with / or @ (for example {program.view_command}); /help lists them.")
    try:
        words = shlex.split(line)
        if words[0] in ("/help", "help"):
            return _view(program, ctx, handler.help_text(program.name, program.commands) + "\n  /quit  Leave (or Ctrl-D)")
        invocation = handler.match(program.commands, words)
        result = handler.call(program, invocation, ctx)
    except ValueError as error:  # shlex: an unclosed quote
        return _view(program, ctx, f"error: {error}")
    except SudolangError as error:
        return _view(program, ctx, f"error: {error.message}")
    return _view(program, ctx, result.text)


def _view(program: handler.Program, ctx, main: str | None = None) -> str:
    if not program.layout:
        return main or ""
    if main is None and program.view_command == "/help":
        main = handler.help_text(program.name, program.commands)
    elif main is None:
        main = handler.call(program, handler.match(program.commands, [program.view_command]), ctx).text
    return handler.screen(program, ctx, main)


def draw(stdout, terminal: bool, text: str) -> None:
    stdout.write((CLEAR if terminal else "") + text + "\n")
    stdout.flush()


def _read(stdin, stdout, terminal: bool, prompt: str) -> str | None:
    """One line, or None at end of input (Ctrl-D)."""
    if terminal:
        try:
            return input(prompt)
        except EOFError:
            return None
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    return line.rstrip("\n") if line else None


def _enable_line_editing() -> None:
    try:
        import readline  # noqa: F401  (imported for its effect on input(): arrows, history)
    except ImportError:  # not on every platform
        pass
