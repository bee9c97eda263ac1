"""One reader of plain command lines, driven by sudolang.cli.spec, for commands that must start fast.

argparse costs 20-50 ms of imports and parser building against a start-up budget
of about 50 ms, and `state get`, `msg poll` and `hook` run on every step of a
Claude Code session. So a command line whose form is plain (its command's
positional arguments, its options and the common ones, each option's value a
separate word or `--opt=value`) is read here; anything else (--help, an
abbreviated or unknown option, a wrong number of arguments, a bad value, a
command that takes one or more words, `+`) is left to argparse, built from the
same table, which reads it the same way or says what is wrong. A command whose
last argument takes the rest of the line (`run PROGRAM COMMAND...`) is read
here too: once the words before it are there, every later word is its, options
included, as argparse's REMAINDER takes them. A lenient command (`hook`) is
never left to argparse: its problems are handed to its handler.
"""

from __future__ import annotations

from sudolang.cli import spec

TYPE_CHECKING = False  # annotations only: `typing` costs ~5 ms of start-up; parse imports `types` when it needs it
if TYPE_CHECKING:
    import types



class Parsed:
    """What the fast path made of a command line: the command (None when it names none), the namespace
    argparse would build (None: leave it to argparse), whether --help was asked for, the problems, and the
    words that name no command: (group, None) for an unknown group, (group, action) for an unknown action."""

    __slots__ = ("command", "namespace", "wants_help", "problems", "unknown")

    def __init__(self, command: spec.Command | None, namespace: types.SimpleNamespace | None, wants_help: bool,
                 problems: list[str], unknown: tuple[str, str | None] | None = None) -> None:
        self.command, self.namespace, self.wants_help, self.problems = command, namespace, wants_help, problems
        self.unknown = unknown


_NUMBER_STARTS = frozenset("0123456789.")


def is_option(word: str) -> bool:
    """A word starting with `-` but not a value: -5, -.5, -Infinity and -NaN are values (the last two are
    refused later, as JSON that is not JSON)."""
    return word.startswith("-") and word != "-" and not (word[1:2] in _NUMBER_STARTS
                                                          or word in ("-Infinity", "-NaN"))


def parse(argv: list[str]) -> Parsed:
    known = {option.flags[0]: option for option in spec.COMMON}
    command = None
    group: str | None = None
    words: list[str] = []  # positional words after the command's own
    places: list[int] = []  # where they stood in argv
    given: dict[str, object] = {}  # dest -> value (the text, for an option that takes one)
    problems: list[str] = []  # a lenient command reports these
    doubts = False  # forms argparse reads differently, or refuses: always left to it (lenient commands excepted)
    wants_help = False
    unknown: tuple[str, str | None] | None = None
    rest: list[str] | None = None  # the words of a `...` argument, taken as they are
    before_rest: int | None = None  # how many positional words come before it
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word in ("-h", "--help"):
            wants_help = True
        elif is_option(word):
            name, equals, inline = word.partition("=") if word.startswith("--") else (word, "", "")
            option = known.get(name)
            if option is None:
                problems.append(f"unknown option {word[:40]!r}")
            elif not option.takes_value:
                if equals:
                    problems.append(f"{name} takes no value")
                given[option.dest] = True
            elif equals:
                given[option.dest] = (option, inline)
            elif index < len(argv):
                given[option.dest] = (option, argv[index])
                doubts = doubts or is_option(argv[index])  # argparse: "expected one argument"
                index += 1
            else:
                problems.append(f"{name} needs a value")
        elif group is None:
            group = word
            if group not in spec.GROUP_NAMES:
                unknown = (group, None)
                break
            if not spec.has_actions(group):
                command = spec.command(group)
                if command is None:  # not reached: a group without actions is a command
                    break
                known.update((option.flags[0], option) for option in command.arguments if option.flags[0][0] == "-")
                before_rest = _before_rest(command)
        elif command is None:
            command = spec.command(group, word)
            if command is None:
                unknown = (group, word)
                break
            known.update((option.flags[0], option) for option in command.arguments if option.flags[0][0] == "-")
            before_rest = _before_rest(command)
        else:
            words.append(word)
            places.append(index)
            if len(words) == before_rest:
                rest = argv[index:]
                break
    if command is None:
        return Parsed(None, None, wants_help, problems, unknown)
    values = _values(command, given, problems)
    positionals = [option for option in command.arguments if option.flags[0][0] != "-"]
    if command.lenient:
        values.update((option.dest, words[n] if n < len(words) else None) for n, option in enumerate(positionals))
        values["extra"] = words[len(positionals):]
        values["problems"] = problems[:3]
    else:
        doubts = doubts or bool(problems) or wants_help or not _fill(positionals, words, places, values, rest)
        doubts = doubts or any(option.required and option.dest not in given for option in command.arguments)
    if doubts and not command.lenient:
        return Parsed(command, None, wants_help, problems)
    import types

    # An argument named `command` (run's COMMAND) replaces the group's name there, as in argparse's namespace.
    names = {"command": command.group, **({"action": command.action} if command.action else {}), **values}
    return Parsed(command, types.SimpleNamespace(handler=command.handler, **names), wants_help, problems)


def _values(command, given: dict[str, object], problems: list[str]) -> dict[str, object]:
    """The options' values, converted (a bad one is a problem), defaults for those not given; a common option
    not given is left out, as argparse leaves it out, unless the command has a default for it."""
    values: dict[str, object] = dict(command.defaults or {})
    for option in command.arguments:
        if option.flags[0][0] == "-":
            values[option.dest] = option.default
    for dest, value in given.items():
        if isinstance(value, tuple):
            option, value = value
            if option.choices and value not in option.choices:
                problems.append(f"{option.flags[0]} must be one of {', '.join(option.choices)} (got {value[:40]!r})")
                continue
            if option.type:
                try:
                    value = spec.resolve(option.type)(value)
                except ValueError as error:
                    problems.append(str(error))
                    continue
        values[dest] = value
    return values


def _before_rest(command) -> int | None:
    """How many positional arguments come before the command's last, when that one takes the rest of the line
    (`...`) and those before it take one word each; else None."""
    positionals = [option for option in command.arguments if option.flags[0][0] != "-"]
    if positionals and positionals[-1].nargs == "..." and all(option.nargs is None for option in positionals[:-1]):
        return len(positionals) - 1
    return None


def _fill(positionals, words: list[str], places: list[int], values: dict[str, object],
          rest: list[str] | None = None) -> bool:
    """Bind the words to the positional arguments as argparse would; False when argparse should read them
    (a count that does not fit, a `...` one whose words were not reached, a `+` one beside others, words split
    by options). `rest`: the words of the last, `...` argument; argparse drops a `--` among them, in a way that
    differs between Python versions, so those are left to it."""
    if rest is not None and "--" not in rest:
        values.update((option.dest, words[n]) for n, option in enumerate(positionals[:-1]))
        values[positionals[-1].dest] = rest
        return True
    split = bool(places) and places[-1] - places[0] != len(places) - 1
    if len(positionals) == 1 and positionals[0].nargs == "+":  # `lint PATH…`, `compile PROGRAM…`
        if not words or split:  # argparse takes one run of words: one after an option is left over
            return False
        values[positionals[0].dest] = list(words)
        return True
    if any(option.nargs in ("+", "...") for option in positionals):
        return False
    required = sum(option.nargs is None for option in positionals)
    optional = len(positionals) - required
    if not required <= len(words) <= required + optional:
        return False
    if optional and split:
        return False
    values.update((option.dest, words[n] if n < len(words) else None) for n, option in enumerate(positionals))
    return True
