"""The `sudolang` command line: parses arguments and hands each command to its stage.

Only argparse and the chosen stage's entry module are imported up front; every
heavy library loads inside the command that needs it, so `sudolang state get`
starts in tens of milliseconds.
"""

from __future__ import annotations

import math
import re
import sys

from sudolang import __version__
from sudolang.errors import FAILURE, SudolangError, UsageError

EXIT_CODES = """\
exit codes:
  0  success
  1  the operation cannot be done on this data (e.g. a path runs through a number)
  2  usage error: bad arguments, invalid JSON or JSONPath, an unsafe id
  3  not found: no such session, project, key or match; nothing was changed
  4  lock timeout: another process held the lock past --timeout; nothing was changed
  5  corrupt state: a file does not parse; run the recover command the message names

state directory: --state-dir DIR, else $SUDOLANG_STATE_DIR, else .claude/state in
the nearest folder upwards that has a .claude/ folder, else ./.claude/state."""


def common_options() -> argparse.ArgumentParser:
    """Options accepted before or after any command (SUPPRESS keeps one position from erasing the other)."""
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument("--state-dir", metavar="DIR", default=argparse.SUPPRESS,
                       help="state directory (default: see below)")
    group.add_argument("--timeout", metavar="SECONDS", type=_timeout_type, default=argparse.SUPPRESS,
                       help="how long to wait for a lock before giving up (default 5)")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the Python traceback of an error")
    return common


def timeout_seconds(text: str) -> float:
    """The value of --timeout: a finite number of seconds, 0 or more; ValueError says what is wrong."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"--timeout must be a number of seconds, 0 or more (got {str(text)[:40]!r})")
    return value


def _timeout_type(text: str) -> float:
    import argparse

    try:
        return timeout_seconds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def check_argv(argv: list[str]) -> None:
    """Refuse an argument that is not UTF-8: Python hands such bytes over as lone surrogates (`\\udcff`),
    which cannot be written to a JSON file, a message or a log. One UsageError names the argument."""
    for position, word in enumerate(argv, 1):
        if not word.isascii():
            try:
                word.encode("utf-8")
            except UnicodeEncodeError as error:
                shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
                    if all(0xDC80 <= ord(c) <= 0xDCFF for c in word if 0xD800 <= ord(c) <= 0xDFFF) else ascii(word)
                shown = shown if len(shown) <= 60 else shown[:59] + "…"
                raise UsageError(f"argument {position} ({shown}) is not valid UTF-8 (at character {error.start}); "
                                 "nothing was done") from None


# Command groups and the module whose GROUPS table defines them; a module is imported only when needed.
GROUP_MODULES = {
    "state": "sudolang.state.cli",
    "session": "sudolang.state.cli",
    "shared": "sudolang.state.cli",
    "lint": "sudolang.lint_cli",
    "compile": "sudolang.compiler.cli",
    "init": "sudolang.compiler.init_project",
    "run": "sudolang.runtime.run_cli",
    "hook": "sudolang.runtime.hook",
    "msg": "sudolang.state.msg_cli",
}
# Commands whose module parses a plain command line itself (no argparse, few imports): the module's
# fast_namespace(argv) returns the namespace, or None to fall back to argparse (--help, mistakes).
# `hook` goes further: sudolang.runtime.hook.namespace reads every command line itself (see _namespace).
_DIRECT = {"msg": "sudolang.state.msg_cli"}
_OPTIONS_WITH_VALUES = frozenset({"--state-dir", "--timeout"})


def _wanted(argv: list[str]) -> tuple[str | None, str | None]:
    """The group and action named on the command line, so only their parsers get built."""
    words = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _OPTIONS_WITH_VALUES:
            skip = True
        elif not word.startswith("-"):
            words.append(word)
    return (words + [None, None])[0], (words + [None, None])[1]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argparse tree; with `argv`, only the branch that command line takes is filled in."""
    import argparse
    import importlib

    common = common_options()
    parser = argparse.ArgumentParser(
        prog="sudolang",
        description="Lint, compile and run SudoLang programs that coordinate Claude Code sessions "
        "through JSON state files.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"sudolang {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser("demo", help="Set up a throw-away project, compile the four programs into it, "
                               "drive them with real commands and show the dashboard.", parents=[common])
    demo.add_argument("--dir", metavar="PROJECT", help="the project folder to set up (default: a new temporary one)")
    demo.set_defaults(handler=lambda args: _demo(args))
    group_name, action_name = _wanted(argv) if argv is not None else (None, None)
    for name, module in GROUP_MODULES.items():
        help_text, epilog, actions = importlib.import_module(module).GROUPS[name]
        if group_name in GROUP_MODULES and group_name != name:
            commands.add_parser(name, help=help_text)  # listed, not built: this command line does not use it
            continue
        _add_group(commands, common, name, help_text, epilog, actions, action_name)
    return parser


def _add_group(commands, common, name: str, help_text: str, epilog: str, actions, action_name: str | None) -> None:
    import argparse

    if isinstance(actions, tuple):  # a single command, not a group: (handler, arguments)
        handler, arguments = actions
        leaf = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog,
                                   formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
        for flags, options in arguments:
            leaf.add_argument(*flags, **options)
        leaf.set_defaults(handler=handler)
        return
    group = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, (handler, action_help, arguments) in actions.items():
        if action_name in actions and action != action_name:
            sub.add_parser(action, help=action_help)
            continue
        leaf = sub.add_parser(action, help=action_help, description=action_help, parents=[common])
        for flags, options in arguments:
            leaf.add_argument(*flags, **options)
        leaf.set_defaults(handler=handler)


def _demo(args) -> int:
    from sudolang import demo

    return demo.run(args.dir)


# The hottest commands skip argparse (~20 ms of imports and parser building against a 50 ms budget)
# when their command line is plain: the positional arguments and the common options, nothing else.
# Any other form, --help and every mistake included, goes through argparse and reads the same.
_FAST_PATHS = {
    ("state", "get"): ("sid", "path"),
    ("state", "set"): ("sid", "path", "value"),
    ("state", "merge"): ("sid", "path", "json"),
    ("state", "delete"): ("sid", "path"),
    ("session", "heartbeat"): ("sid",),
}


_NEGATIVE = re.compile(r"-(?:[0-9.]|Infinity$|NaN$)")  # a value, not an option: -5, -Infinity (refused later)


def _fast_namespace(argv: list[str]) -> object | None:
    import types

    words: list[str] = []
    options: dict[str, object] = {"raw": False}
    stream = iter(argv)
    for word in stream:
        if word in _OPTIONS_WITH_VALUES:
            options[word[2:].replace("-", "_")] = next(stream, None)
        elif word in ("--raw", "--debug"):
            options[word[2:]] = True
        elif word.startswith("-") and not _NEGATIVE.match(word):
            return None
        else:
            words.append(word)
    names = _FAST_PATHS.get(tuple(words[:2]))
    if names is None or len(words) != 2 + len(names) or None in options.values():
        return None
    if options["raw"] and words[:2] != ["state", "get"]:
        return None
    if "timeout" in options:
        try:
            options["timeout"] = timeout_seconds(options["timeout"])
        except ValueError:
            return None  # argparse says what is wrong, in its usual form
    from sudolang.state import cli as state_cli

    handler = state_cli.GROUPS[words[0]][2][words[1]][0]
    return types.SimpleNamespace(handler=handler, **dict(zip(names, words[2:])), **options)


def _direct_namespace(argv: list[str]) -> object | None:
    group, _ = _wanted(argv)
    if group not in _DIRECT or "-h" in argv or "--help" in argv:
        return None
    import importlib

    return importlib.import_module(_DIRECT[group]).fast_namespace(argv)


def _namespace(argv: list[str]) -> object:
    """The parsed command line. `hook` takes any command line (it must exit 0 whatever it is given, and log
    what was wrong); every other command first refuses arguments that are not UTF-8."""
    if _wanted(argv)[0] == "hook":
        from sudolang.runtime import hook

        return hook.namespace(argv)
    check_argv(argv)
    return _fast_namespace(argv) or _direct_namespace(argv) or build_parser(argv).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _namespace(argv)
    except SudolangError as error:
        print(f"sudolang: error: {error.message}", file=sys.stderr)
        return error.exit_code
    try:
        return args.handler(args) or 0
    except SudolangError as error:
        if getattr(args, "debug", False):
            raise
        print(f"sudolang: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`); nothing left to say
        return FAILURE
    except OSError as error:
        if getattr(args, "debug", False):
            raise
        print(f"sudolang: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return FAILURE
    except Exception as error:  # a bug of ours: still one line, with the way to see more
        if getattr(args, "debug", False):
            raise
        print(f"sudolang: internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return FAILURE
