"""argparse, built from sudolang.cli.spec: for --help and for every command line the fast path leaves
to it. Building every parser costs time, so with a command line only the branch it takes is filled in;
the other commands are listed by name and help."""

from __future__ import annotations

import argparse

from sudolang import __version__
from sudolang.cli import spec


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="sudolang", description=spec.DESCRIPTION, epilog=spec.EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
    parser.add_argument("--version", action="version", version=f"sudolang {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted_group, wanted_action = _wanted(argv)
    for group in spec.GROUPS:
        if wanted_group in spec.GROUP_NAMES and group.name != wanted_group:
            commands.add_parser(group.name, help=group.help)  # listed, not built: this command line does not use it
            continue
        own = _common(group.name) if any(key[0] == group.name for key in spec.COMMON_HELP) else common
        node = commands.add_parser(group.name, help=group.help, description=group.help, epilog=group.epilog,
                                   formatter_class=argparse.RawDescriptionHelpFormatter, parents=[own])
        if not spec.has_actions(group.name):
            _fill(node, spec.command(group.name))
            continue
        sub = node.add_subparsers(dest="action", metavar="ACTION", required=True)
        entries = spec.actions(group.name)
        for entry in entries:
            if wanted_action in {e.action for e in entries} and entry.action != wanted_action:
                sub.add_parser(entry.action, help=entry.help)
                continue
            _fill(sub.add_parser(entry.action, help=entry.help, description=entry.description or entry.help,
                                 parents=[own]), entry)
    return parser


def _wanted(argv: list[str] | None) -> tuple[str | None, str | None]:
    """The group and action a command line names (read by the fast path), so only their parsers get built."""
    if argv is None:
        return None, None
    from sudolang.cli.fastpath import is_option

    words, skip = [], False
    values = {option.flags[0] for option in spec.COMMON if option.takes_value}
    for word in argv:
        if skip:
            skip = False
        elif word in values:
            skip = True
        elif not is_option(word) and word not in ("-h", "--help"):
            words.append(word)
    return (words + [None, None])[0], (words + [None, None])[1]


def _common(command: str | None = None) -> argparse.ArgumentParser:
    """Options accepted before or after any command (SUPPRESS keeps one position from erasing the other),
    with the help `command` gives them (spec.COMMON_HELP: the hook's --timeout is its whole run's budget)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    for option in spec.COMMON:
        own_help = spec.COMMON_HELP.get((command, option.flags[0]), option.help)
        _add(group, option.with_help(own_help), default=argparse.SUPPRESS)
    return common


def _fill(parser: argparse.ArgumentParser, command) -> None:
    for option in command.arguments:
        _add(parser, option)
    parser.set_defaults(handler=command.handler)


def _add(parser, option, **overrides) -> None:
    name = option.flags[0]
    if name[0] != "-":
        nargs = argparse.REMAINDER if option.nargs == "..." else option.nargs
        action = parser.add_argument(name, metavar=option.metavar, help=option.help, **({"nargs": nargs} if nargs else {}))
        if nargs is argparse.REMAINDER:
            action.required = False  # argparse counts a REMAINDER as required and would list it as missing
    elif not option.takes_value:
        parser.add_argument(*option.flags, dest=option.dest, action="store_true", help=option.help, **overrides)
    else:
        settings = {"dest": option.dest, "metavar": option.metavar, "help": option.help, "default": option.default,
                    "choices": option.choices, "required": option.required, **overrides}
        if option.type:
            settings["type"] = _typed(option.type)
        parser.add_argument(*option.flags, **settings)


def _typed(reference: str):
    """The spec's "module:function" as an argparse type: its ValueError becomes argparse's usage error."""

    def convert(text: str):
        try:
            return spec.resolve(reference)(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = reference.rpartition(":")[2]
    return convert
