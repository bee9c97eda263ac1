"""What a generated handler script runs: parse one command line by its signature, find the session, call the action.

Arguments are words (quotes group them, as in a shell); a required last
parameter takes every remaining word, so `/block T-3 waiting on the API`
needs no quotes.
With `--claude` (the form Claude Code's custom commands use) an error is
printed on stdout and the exit code is 0: a failing `!` line would abort the
command and hide the message from the model. Those command files pass what the
user typed on standard input (`--arguments-from-stdin`, read by
sudolang.runtime.command_text), never through a shell's parsing.
"""

from __future__ import annotations

import os
import sys

from sudolang.errors import SudolangError, UsageError

# signature -> (command, function or None, ((parameter, required, type), ...), description), as generated
# handlers hold it; a function of None is a command the model carries out
Table = dict

# The records below are plain classes, not dataclasses: every `sudolang run` and board event of the hook
# loads this module, and importing dataclasses (with inspect, ast, dis, tokenize) cost it ~10 ms.


class Program:
    """What a generated handler holds about its program."""

    __slots__ = ("name", "path", "commands", "functions", "in_model", "layout", "bindings", "view_command")

    def __init__(self, name: str, path: str, commands: Table, functions: dict | None = None,
                 in_model: dict | None = None, layout: str = "", bindings: dict | None = None,
                 view_command: str = "/help") -> None:
        self.name = name
        self.path = path  # the SudoLang source it was compiled from, as run-time errors name it
        self.commands = commands
        self.functions = functions or {}  # function name -> (compiled function, documents it writes)
        self.in_model = in_model or {}  # command -> why the model carries it out
        self.layout = layout
        self.bindings = bindings or {}  # placeholder -> ("view", NAME) or ("query", JSONPATH)
        self.view_command = view_command  # the command that draws the layout (the dashboard's /refresh)


class Invocation:
    """One command line bound to its command's signature."""

    __slots__ = ("signature", "function", "arguments", "params", "description")

    def __init__(self, signature: str, function: str | None, arguments: dict[str, str | None], params: tuple = (),
                 description: str = "") -> None:
        self.signature, self.function, self.arguments = signature, function, arguments
        self.params, self.description = params, description

    @property
    def command(self) -> str:
        return self.signature.split()[0]


class Options:
    """The options of a command line (OPTIONS), as split_options finds them."""

    __slots__ = ("session", "state_dir", "store", "as_json", "claude", "timeout", "debug", "arguments_from_stdin")

    def __init__(self) -> None:
        self.session: str | None = None
        self.state_dir: str | None = None
        self.store: str | None = None  # --store: files or a postgresql:// URL (sudolang.state.stores)
        self.as_json = False
        self.claude = False
        self.timeout: float | None = None  # seconds the command's lock waits may take together; None: 5 s each
        self.debug = False  # an error raises, for its traceback, instead of printing one line
        self.arguments_from_stdin = False  # the arguments are a command file's here-document (runtime.command_text)


# The options a command line may hold anywhere among its words: name -> (Options field, takes a value).
OPTIONS = {"--session": ("session", True), "--state-dir": ("state_dir", True), "--store": ("store", True),
           "--timeout": ("timeout", True),
           "--json": ("as_json", False), "--claude": ("claude", False), "--debug": ("debug", False),
           "--arguments-from-stdin": ("arguments_from_stdin", False)}


def run(program: Program, argv: list[str]) -> int:
    """Run one command line; print its text (the layout for the view command) or, with --json, its data."""
    options, words = split_options(argv)
    try:
        if options.arguments_from_stdin:  # what the user typed in Claude Code, as data (never shell syntax)
            from sudolang.runtime import command_text

            words = command_text.words_for(program.commands, words, command_text.read(sys.stdin))
        if not words or words[0] in ("/help", "help"):
            print(help_text(program.name, program.commands))
            return 0
        invocation = match(program.commands, words)
        check_local(program, invocation)  # before a session is created for nothing
        ctx = context(options)
        drawing = invocation.command == program.view_command and program.layout and not options.as_json
        if drawing:
            ctx = ctx.reading()  # the command and the layout's views read the state once, together
        result = call(program, invocation, ctx)
        if options.as_json:
            print(as_json(result.data))
        elif drawing:
            write = sys.stdout.write
            for part in screen_parts(program, ctx, result.text):  # a 10,000-task board is never one text
                write(part)
            write("\n")
        else:
            print(result.text)
        return 0
    except SudolangError as error:
        if options.debug:
            raise
        stream = sys.stdout if options.claude else sys.stderr
        print(f"error: {error.message}", file=stream)
        return 0 if options.claude else error.exit_code


def split_options(argv: list[str]) -> tuple[Options, list[str]]:
    """The options (OPTIONS, as `--name value` or `--name=value`) and the command's words, in order, from
    separate words or from one quoted command line ("/move T-1 doing --json"); `--` ends the options, so
    the words after it are the command's, `--json` included. `sudolang run` and the interactive loop read
    a command line the same way."""
    options = Options()
    words, ended = _take_options(argv, options)
    if len(words) == 1 and " " in words[0]:  # one quoted command line: "/move T-3 review"
        import shlex

        try:
            words = shlex.split(words[0])
        except ValueError as error:  # "No closing quotation": the user's typing, not our failure
            raise UsageError(f"{str(error).lower()} in {words[0]!r}: close the quote, or write the words apart "
                             "without one") from None
        if not ended:
            words, _ = _take_options(words, options)
    return options, words


def _take_options(argv: list[str], options: Options) -> tuple[list[str], bool]:
    """The words that are not options (those are set on `options`), and whether a `--` ended the options."""
    words: list[str] = []
    stream = iter(argv)
    for word in stream:
        if word == "--":
            return words + list(stream), True
        name, equals, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        field, takes_value = OPTIONS.get(name, (None, False))
        if field is None or (equals and not takes_value):
            words.append(word)
        elif takes_value:
            value = inline if equals else next(stream, None)
            if value is None:
                raise UsageError(f"{name} needs a value")
            setattr(options, field, _seconds(value) if field == "timeout" else value)
        else:
            setattr(options, field, True)
    return words, False


def _seconds(text: str) -> float:
    from sudolang.state.lock import timeout_seconds

    try:
        return timeout_seconds(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def help_text(program: str, commands: Table) -> str:
    width = max((len(signature) for signature in commands), default=0)
    lines = [f"{program} commands:"]
    lines += [f"  {signature.ljust(width)}  {entry[3]}" for signature, entry in commands.items()]
    if not any(entry[0] == "/help" for entry in commands.values()):
        lines.append(f"  {'/help'.ljust(width)}  List the commands with their signatures")
    return "\n".join(lines)


def match(commands: Table, words: list[str]) -> Invocation:
    """The command the words name, with its arguments bound by the signature."""
    first, rest = words[0], words[1:]
    for signature, (name, function, params, description) in commands.items():
        if name == "@" and first.startswith("@") and len(first) > 1:
            return Invocation(signature, function, bind(signature, description, params, [first[1:], *rest]),
                              params, description)
        if name == first:
            return Invocation(signature, function, bind(signature, description, params, rest), params, description)
    known = [entry[0] if entry[0] != "@" else "@<agent>" for entry in commands.values()]
    known += [] if "/help" in known else ["/help"]
    import difflib

    close = difflib.get_close_matches(first, [name for name in known if name != "@<agent>"], n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    raise UsageError(f"unknown command {first!r}; {hint}the commands are {', '.join(known)}")


def bind(signature: str, description: str, params: tuple, words: list[str]) -> dict[str, str | None]:
    """Words to parameters in order. A required last parameter (`<reason>`) takes the rest of the
    words, so a sentence needs no quotes; otherwise extra words are an error."""
    usage = f"usage: {signature} - {description}"
    if len(words) > len(params) and not (params and params[-1][1]):
        raise UsageError(f"too many arguments (quote one that has spaces); {usage}")
    arguments: dict[str, str | None] = {}
    for index, (name, required, *_) in enumerate(params):
        last = index == len(params) - 1
        value = " ".join(words[index:]) if last else (words[index] if index < len(words) else "")
        if not value and required:
            raise UsageError(f"missing <{name}>; {usage}")
        arguments[name] = value or None
    return arguments


def check_local(program: Program, invocation: Invocation) -> None:
    """A command the model carries out cannot run here: say so, and why (the program's own line)."""
    if invocation.function is None or invocation.function not in program.functions:
        reason = program.in_model.get(invocation.command, "the program has no function for it")
        raise SudolangError(f"{invocation.command} is carried out by the model, not run here: {reason}. In Claude Code, "
                            f"the command asks the model to do it")


def call(program: Program, invocation: Invocation, ctx):
    """Run the command's compiled function as one transaction (sudolang.runtime.corelib); its Result."""
    from sudolang.runtime import corelib

    check_local(program, invocation)
    function, writes = program.functions[invocation.function]
    usage = f"usage: {invocation.signature} - {invocation.description}"
    arguments = [corelib.argument(invocation.arguments.get(name), kind, name, usage)
                 for name, _, kind in invocation.params]
    value, fired = corelib.execute(ctx, program.path, function, arguments, frozenset(writes), ctx.timeout)
    return as_result(value, fired)


def as_json(value: object) -> str:
    """A command's value as JSON; one that holds a function (which JSON cannot show) is the command's error."""
    import json  # indented: json's own encoder (sudolang.json_text writes compact JSON only)

    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        from sudolang.errors import RunError

        raise RunError("the command's value holds a function, which has no text to print; return a text or a value") from None


def as_result(value: object, fired: list[str]):
    """What a function returned, as the text a person reads and the data --json prints."""
    from sudolang.runtime import corelib, values
    from sudolang.runtime.context import Result

    if isinstance(value, corelib.Reply):
        text, data = ("" if value.text is None else values.text(value.text)), value.data
    elif value is None:
        text, data = "", None
    elif isinstance(value, str):
        text, data = value, value
    else:
        text, data = as_json(value), value
    return Result("\n".join([text, *fired]) if fired else text, data)


def context(options: Options):
    from sudolang.runtime.context import Context, actor

    state, session_id, project = resolve_session(options)
    return Context(state, session_id, project, actor(session_id, options.claude), options.timeout)


def resolve_session(options: Options):
    """--session, else $SUDOLANG_SESSION (the hook sets it for a Claude Code session), else the only active
    session (of $SUDOLANG_PROJECT), said on stderr, else a new one; several active ones are a UsageError
    naming them: a session is never taken silently. The state directory must be a project's (or given)."""
    from sudolang.errors import NotFound
    from sudolang.runtime.context import DEFAULT_PROJECT
    from sudolang.state import sessions
    from sudolang.state.lock import DEFAULT_TIMEOUT
    from sudolang.state.paths import project_state_dir
    from sudolang.state.stores import open_state

    state = open_state(project_state_dir(options.state_dir), options.store)
    project = os.environ.get("SUDOLANG_PROJECT")
    typed = options.session and state.resolve_session(options.session)  # a unique prefix of an id, as git reads one
    session_id = typed or os.environ.get("SUDOLANG_SESSION")
    if not session_id:
        session_id = sessions.only_active(state, project)
        if session_id:
            print(f"sudolang: session {session_id} (the only active one; --session SID to choose)", file=sys.stderr)
    if not session_id:
        timeout = DEFAULT_TIMEOUT if options.timeout is None else options.timeout
        session_id = sessions.create(state, "development", project or DEFAULT_PROJECT, timeout=timeout)
        print(f"sudolang: no active session; created {session_id}", file=sys.stderr)
    try:
        document = state.session(session_id).read()
    except NotFound:
        raise NotFound(f"no session {session_id!r}") from None
    sessions.refuse_closed(document)  # a handed-off session stays closed: no more work is added to it
    return state, session_id, document["session"].get("project") or project or DEFAULT_PROJECT


# --- the layout ----------------------------------------------------------------------------------


def screen(program: Program, ctx, main: str | None = None) -> str:
    """The program's layout filled from state; `main` (a command's output) goes in its main area."""
    return "".join(screen_parts(program, ctx, main))


def screen_parts(program: Program, ctx, main: str | None = None):
    """screen()'s text in parts to write one after another (sudolang.runtime.layout.drawing). The views are
    read before the first part: an error in one is raised before anything is written."""
    from sudolang.runtime import layout

    values = binding_values(program, ctx.reading())
    area = layout.main_area(program.layout)
    if main is not None and area is not None:
        values[area] = main
    parts = layout.drawing(program.layout, values, layout.terminal_columns())  # the terminal's width, if any
    return parts if main is None or area is not None else [*parts, "\n", main]


def binding_values(program: Program, ctx) -> dict[str, str]:
    """Each placeholder's value as text: a view (a function of the program), or a JSONPath query of the session."""
    from sudolang.runtime import corelib

    values = {}
    for name, (kind, target) in program.bindings.items():
        if kind == "view":
            view = program.functions.get(target)
            values[name] = as_result(corelib.execute(ctx, program.path, view[0], [], frozenset(view[1]))[0], []).text \
                if view else f"(no view {target})"
        elif kind == "query":
            values[name] = show(query(ctx, target))
        else:
            values[name] = f"(unknown binding {kind} {target})"
    return values


def query(ctx, path: str) -> object:
    """The value at `path` in the session's document (a list for a filter or slice); None if absent."""
    from sudolang.jsonpath import compile_path, find

    try:
        compiled = compile_path(path)
        matches = [value for _, value in find(ctx.session().read(), compiled)]
    except SudolangError:
        return None
    return (matches[0] if matches else None) if compiled.singular else matches


def show(value: object) -> str:
    """A queried value as one short text: events as `HH:MM type`, lists joined, nothing as `-`."""
    if value is None or value == [] or value == {}:
        return "-"
    if isinstance(value, list):
        return ", ".join(show(item) for item in value)
    if isinstance(value, dict) and "type" in value:
        at = str(value.get("at", ""))[11:16]
        details = " ".join(f"{k}={v}" for k, v in value.items() if k not in ("at", "type") and not isinstance(v, (list, dict)))
        return " ".join(part for part in (at, str(value["type"]), details) if part)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    return str(value)
