"""The `sudolang` command line: one table of commands (spec), two readers of it (fastpath, build), and one
module per command group that parses nothing itself, calls public stage functions and prints.

Only this package's spec and fastpath modules load up front; the chosen command's module is imported
when it runs, and every heavy library inside the command that needs it, so `sudolang state get` starts in
tens of milliseconds. Nothing in sudolang imports this package: it sits on top of every stage.
"""

from __future__ import annotations

import sys

from sudolang.errors import FAILURE, SudolangError, UsageError

TYPE_CHECKING = False  # annotations only: argparse costs 20-50 ms of start-up, `typing` ~5 ms
if TYPE_CHECKING:
    import argparse
    import types

    # A parsed command line: argparse's namespace, or the fast path's with the same attributes.
    Args = argparse.Namespace | types.SimpleNamespace


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


def namespace(argv: list[str]) -> Args:
    """The parsed command line: from the fast path when its form is plain, else from argparse (which exits
    on --help and on a usage error, as usual). A lenient command (`hook`) takes any command line: what is
    wrong with it (an argument that is not UTF-8 included) goes to its handler as `problems`."""
    from sudolang.cli import fastpath

    parsed = fastpath.parse(argv)
    # The fast path always builds a lenient command's namespace (the last test only tells the type checker).
    if parsed.command is not None and parsed.command.lenient and parsed.namespace is not None:
        if parsed.wants_help:
            import types

            return types.SimpleNamespace(handler="sudolang.cli:print_help", command=parsed.command.group)
        try:
            check_argv(argv)
        except UsageError as error:
            parsed.namespace.problems = [error.message, *parsed.namespace.problems][:3]
        return parsed.namespace
    check_argv(argv)
    if parsed.namespace is not None:
        return parsed.namespace
    if parsed.unknown is not None and not parsed.problems and not parsed.wants_help:
        raise unknown_name(*parsed.unknown)  # argparse's "invalid choice" lists every name but the one meant
    from sudolang.cli.build import build_parser

    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the (sub)command the words were for, with its usage: not the top level's
        _deepest(parser, argv).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _deepest(parser, argv: list[str]):
    """The parser of the subcommand `argv` names (`session create`), or `parser` itself."""
    import argparse

    for action in parser._actions:  # argparse keeps its subparsers here, and offers no other way to them
        if isinstance(action, argparse._SubParsersAction):
            chosen = next((word for word in argv if word in action.choices), None)
            if chosen is not None:
                rest = argv[argv.index(chosen) + 1:]
                return _deepest(action.choices[chosen], rest)
    return parser


def unknown_name(group: str, action: str | None = None) -> UsageError:
    """The usage error for a command (or, with `action`, an action of `group`) that does not exist, naming
    the closest: the names it begins, else the one difflib finds most like it, else all of them."""
    import difflib

    from sudolang.cli import spec

    word, what = (group, "command") if action is None else (action, f"{group} action")
    known = list(spec.GROUP_NAMES) if action is None else [entry.action for entry in spec.actions(group)]
    close = [name for name in known if name.startswith(word)][:3] or \
        difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return UsageError(f"unknown {what} {word!r}; did you mean {' or '.join(repr(name) for name in close)}?")
    plural = "commands" if action is None else f"{group} actions"
    return UsageError(f"unknown {what} {word!r}; the {plural} are {', '.join(known)}")


def help_(args) -> int:
    """`sudolang help [COMMAND [ACTION]]`: what `sudolang COMMAND [ACTION] --help` prints, exit 0."""
    from sudolang.cli import spec

    words = [word for word in (args.name, args.action_name) if word is not None]
    if words and words[0] not in spec.GROUP_NAMES:
        raise unknown_name(words[0])
    if len(words) == 2 and not spec.has_actions(words[0]):
        raise UsageError(f"`sudolang {words[0]}` has no actions; see `sudolang help {words[0]}`")
    if len(words) == 2 and spec.command(*words) is None:
        raise unknown_name(*words)
    return show_help(words)


def print_help(args) -> int:
    """--help of a lenient command: the help, and exit 0 whatever else its command line holds."""
    return show_help([args.command])


def show_help(words: list[str]) -> int:
    """The --help of the command `words` name (none: the top level's), printed by argparse."""
    from sudolang.cli.build import build_parser

    try:
        build_parser(words).parse_args([*words, "--help"])
    except SystemExit:
        pass
    return 0


def resolve_session_ids(args: Args) -> None:
    """Where the command takes a session id, a unique prefix of a live session's id becomes that id, as git
    reads a commit's (sudolang.state.paths.StateDir.resolve_session says the rest)."""
    from sudolang.cli.spec import session_dests

    dests = [dest for dest in session_dests(args.handler) if getattr(args, dest, None)]
    if dests:
        from sudolang.state.paths import StateDir, project_state_dir

        # sudolang.cli.state.state_dir's directory (that module imports this package, so not the reverse)
        state = StateDir(project_state_dir(getattr(args, "state_dir", None)))
        for dest in dests:
            setattr(args, dest, state.resolve_session(getattr(args, dest)))


def build_parser(argv: list[str] | None = None):
    """The argparse tree (sudolang.cli.build); with `argv`, only the branch that command line takes."""
    from sudolang.cli.build import build_parser as build

    return build(argv)


CLOSED_PIPE = 141  # what a shell reports for a tool that SIGPIPE stopped (128 + 13), as `cat big | head` does


def entry() -> None:
    """The `sudolang` command and `python -m sudolang`: main(), then exit at once. The interpreter's own exit
    first frees every module and object, ~10 ms of a 60 ms command and more after reading a large document,
    and sudolang leaves nothing for it to do: every file it writes is written with os-level calls and closed
    (and synced) before main returns, so only the standard streams need flushing. A tracer, a profiler or an
    exit handler (coverage, cProfile, logging) gets the interpreter's own exit, to write what it keeps.

    The cyclic garbage collector is off: a command runs once and exits, what it makes is bounded by its
    steps (sudolang.runtime.corelib.MAX_STEPS), and the objects a large document brings would be walked
    again and again as the command allocates (a /board of 10,000 tasks: ~8 ms of 115, the same peak
    memory). The interactive prompt, which runs for as long as a person likes, turns it back on."""
    import gc

    gc.disable()
    code = main()
    import atexit
    import os

    if sys.gettrace() is not None or sys.getprofile() is not None or atexit._ncallbacks() or "coverage" in sys.modules:
        raise SystemExit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away after our last line: as main() says it, quietly
        code = CLOSED_PIPE
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = namespace(argv)
    except SudolangError as error:
        print(f"sudolang: error: {error.message}", file=sys.stderr)
        return error.exit_code
    try:
        from sudolang.cli.spec import resolve

        resolve_session_ids(args)
        return resolve(args.handler)(args) or 0
    except SudolangError as error:
        if getattr(args, "debug", False):
            raise
        print(f"sudolang: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as `cat` does
        from sudolang import safe_files

        safe_files.silence_stdout()
        return CLOSED_PIPE
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
