"""`sudolang run`: a program's commands run locally, through the handler Claude Code would call.

The program (a shipped name or a .sudo path) is compiled in memory and its
generated handler is loaded as a module, so `sudolang run` and Claude Code's
`/sprint-move` take the same code path against the same state. With no
command, an interactive loop starts (see sudolang.runtime.interactive).
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

EPILOG = """\
examples:
  sudolang run sprint_execution "/add 'Login page' 3"    # one command; quotes group words
  sudolang run sprint_execution /move T-1 doing          # or the words as separate arguments
  sudolang run all-team_dashboard /refresh               # the dashboard drawn from live state
  sudolang run all-team_dashboard @reviewer-1            # navigate to an agent
  sudolang run config_manager /rollback 2 --json         # the command's data instead of its text
  sudolang run sprint_execution /help                    # every command with its signature
  sudolang run all-team_dashboard                        # interactive: a prompt, Ctrl-D to leave

session: --session SID, else $SUDOLANG_SESSION, else the most recently active session
(of $SUDOLANG_PROJECT when set); when there is none a new one is created and named on stderr.
exit codes: 0 done, 1 the command cannot be done on this state, 2 wrong arguments or an unknown
command (the signature or the program's commands are printed), 3 not found, 4 lock timeout."""


def handler_module(program: str) -> types.ModuleType:
    """The generated handler of `program`, loaded as a module (not run as a script)."""
    path, text = handler_source(program)
    module = types.ModuleType(f"sudolang_handler_{Path(path).stem}")
    module.__file__ = path
    exec(compile(text, path, "exec"), module.__dict__)
    return module


CACHE_LIMIT = 4 * 1024 * 1024  # bytes: a generated handler is tens of KB


def handler_source(program: str) -> tuple[str, str]:
    """(label, text) of the program's generated handler: from the cache when the same source was
    compiled by the same sudolang before, else compiled now and cached. A cached file is used only when
    it is a regular file of ours (not a symbolic link, which could point the run at any code, and owned by
    this user); anything else there is compiled afresh and replaced."""
    from sudolang.compiler import fingerprint, load

    label, source = load(program)
    cached = cache_dir() / f"{Path(label).stem}-{fingerprint(source)}.py"
    text = _cached(cached)
    if text is not None:
        return str(cached), text
    from sudolang.compiler import compile_program

    files = compile_program(source, label)
    text = next(t for p, t in files.items() if p.startswith("scripts/handlers/"))
    _store(cached, text)
    return str(cached), text


def cache_dir() -> Path:
    """$SUDOLANG_CACHE_DIR, else $XDG_CACHE_HOME/sudolang, else ~/.cache/sudolang."""
    if os.environ.get("SUDOLANG_CACHE_DIR"):
        return Path(os.environ["SUDOLANG_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sudolang"


def _cached(path: Path) -> str | None:
    """The text of a cached handler, or None: absent, a link, not a regular file, not ours, not UTF-8."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import read_bytes

    try:
        info = os.lstat(path)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return read_bytes(path, CACHE_LIMIT, "cached handler").decode("utf-8")
    except (OSError, ValueError, SudolangError):
        return None


def _store(path: Path, text: str) -> None:
    """Cache a compiled handler; a cache that cannot be written only costs the next run a compile. The
    cache folder is the user's ($SUDOLANG_CACHE_DIR may be a link); the file is written to a new temp
    file (O_EXCL, a random name) and renamed over the name, so a link planted there is replaced, never
    written through."""
    from sudolang.errors import SudolangError
    from sudolang.safe_files import remove_quietly, write_temp

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = write_temp(path, text.encode("utf-8"), sync=False)
    except (OSError, SudolangError):
        return
    try:
        os.replace(temp, path)
    except OSError:
        remove_quietly(temp)


def program_of(module: types.ModuleType):
    from sudolang.runtime.handler import Program

    return Program(module.PROGRAM, module.ACTIONS, module.COMMANDS, module.LAYOUT, module.BINDINGS,
                   module.VIEW_COMMAND)


def cmd_run(args) -> int:
    from sudolang.compiler import CompileError
    from sudolang.runtime import handler

    try:
        module = handler_module(args.program)
    except CompileError as error:
        from sudolang.compiler.cli import report_compile_error

        return report_compile_error(error)
    # The words after PROGRAM go to the handler as they are, options among them (--json, --session),
    # exactly as Claude Code's command file passes them.
    argv = list(args.command)
    for flag, value in (("--session", args.session), ("--state-dir", getattr(args, "state_dir", None))):
        if value:
            argv += [flag, value]
    if args.json:
        argv.append("--json")
    if not handler.split_options(argv)[1]:
        from sudolang.runtime import interactive

        return interactive.loop(program_of(module), argv)
    sys.stdout.flush()
    return module.main(argv)


GROUPS = {
    "run": (
        "Run a SudoLang program's commands locally against the state, as Claude Code would.",
        EPILOG,
        (cmd_run, (
            (("program",), {"metavar": "PROGRAM", "help": "a shipped program's name (see `sudolang compile --help`) "
                                                          "or a .sudo file"}),
            (("command",), {"nargs": "...", "metavar": "COMMAND",
                            "help": "a command line such as \"/move T-3 review\" or @agent; none: interactive"}),
            (("--session",), {"metavar": "SID", "help": "the session to act in (default: see below)"}),
            (("--json",), {"action": "store_true", "help": "print the command's data as JSON instead of its text"}),
        )),
    ),
}
