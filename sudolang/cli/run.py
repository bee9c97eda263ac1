"""`sudolang run`: a program's commands run locally, through the handler Claude Code would call.

The program (a shipped name or a .sudo path) is compiled in memory (sudolang.compiler.cache) and its
generated handler is loaded as a module (sudolang.runtime.loader). With no command, the interactive loop
starts (sudolang.runtime.interactive). The arguments are described in sudolang.cli.spec.
"""

from __future__ import annotations

import sys


def run(args) -> int:
    from sudolang.compiler import CompileError
    from sudolang.compiler.cache import handler_code, handler_source
    from sudolang.runtime import handler, loader

    try:
        path, text = handler_source(args.program)
        module = loader.handler_module(path, text, handler_code(path, text))
    except CompileError as error:
        from sudolang.cli.compile import report_compile_error

        return report_compile_error(error)
    # The words after PROGRAM go to the handler as they are, exactly as Claude Code's command file passes them;
    # the handler takes the options out of them (sudolang.runtime.handler.split_options). Those given before
    # PROGRAM come first, so one given after it wins.
    argv = [*_options_before(args), *args.command]
    options, words = handler.split_options(argv)
    if options.debug:
        args.debug = True  # the command line's main shows the traceback of what the handler lets through
    if not words:
        from sudolang.runtime import interactive

        return interactive.loop(loader.program_of(module), argv)
    sys.stdout.flush()
    return module.main(argv)


def _options_before(args) -> list[str]:
    """The options argparse read before PROGRAM, as the words the handler reads."""
    words: list[str] = []
    for flag, value in (("--session", args.session), ("--state-dir", getattr(args, "state_dir", None)),
                        ("--store", getattr(args, "store", None)), ("--timeout", getattr(args, "timeout", None))):
        if value is not None:
            words += [flag, str(value)]
    return words + [flag for flag, on in (("--json", args.json), ("--debug", getattr(args, "debug", False))) if on]
