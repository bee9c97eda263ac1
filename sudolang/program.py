"""The one reading of a program that compiles: `build(ast)` gives its `ProgramModel` and every reason it cannot compile.

Lint reports these diagnostics, the compiler refuses a program that has any,
and the handler runs what the model holds, so the three stages read a program
once and the same way.

**A program to compile** is a file whose first top-level block (`interface
Name { … }` by convention; a block inside a ```sudo fence is not top-level)
declares at least one command, as a `commands = {…}` entry or a `/command`
line. That is the test SL104 has always used. Any other file is prose, a data
shape or a persona (`interface User { name = "John" }`): `build` returns
`(None, [])` for it, so lint reports nothing here, and only `sudolang compile`
refuses it (SL500, with `require=True`).

The diagnostics (all errors; docs/language.md, section 5.4):

- SL104 (the rule of sudolang.lint, same message and place): `name` or `prefix`
  outside sudolang.names' pattern.
- SL500 nothing to compile (compile only): no top-level block, or the first
  one declares no command.
- SL501 the interface declares commands but has no `name = "…"` string, and its block's own name does
  not make one (`interface CodeReview` is named `code_review` when it says nothing else).
- SL502 an `@` command that does not name its parameter (`@agent`, not `@<agent>`).
- SL503 a command whose name cannot be a file name (commands/<prefix>-<name>.md).
- SL504 two commands written to one file (compared without case).
- SL505 `view = "…"` that names no command of the program, or is not a string.
- SL506 `view = "…"` naming a command with a required parameter.

Node fields read (the AST is another stage's contract; each read that may change
shape is in one small function below, marked "AST read"): Program.items,
Program.source, Program.path, Block.kind/name/header/body, Property.key/value/
strings/block, StringLit.text/quote/span, Command.names/signature/params/
description, Param.name/required, Heading.title, Prose.text, ListItem.text,
Function.name/params.
"""

from __future__ import annotations

import re
import textwrap

from sudolang import names as program_names
from sudolang import nodes as n
from sudolang.diagnostics import ERROR, INFO, Diagnostic, Message
from sudolang.spans import Frozen, field, record, replace

# --- diagnostics -----------------------------------------------------------------------------------


class ProgramName(Message):
    """`name` or `prefix` outside sudolang.names' pattern: the same check, code and message as lint's
    SL104, so lint and compile report it once (lint drops a diagnostic it already has)."""

    code = "SL104"
    severity = ERROR
    template = "program {key} {value} {problem}"


class NothingToCompile(Message):
    """Reported by `sudolang compile` only (`build(…, require=True)`): the file is not a program to
    compile. Lint never reports it: a file without a commands-declaring first block is prose."""

    code = "SL500"
    severity = ERROR
    template = ("nothing to compile: {why}; a program to compile is a top-level block that declares its "
                "commands, as in `interface Todo {{ name = \"todo\" commands = {{ \"/add <task>\": \"Add a task\" }} }}`")


class MissingName(Message):
    """The program's `name` names its files (the handler, the output style); without it nothing can be
    written."""

    code = "SL501"
    severity = ERROR
    template = "{block} declares commands, so it is a program to compile, and it needs {want}"


class UnnamedAgentCommand(Message):
    """An `@` command's name is its parameter, which names its command file: `@<agent>`, not `@agent`."""

    code = "SL502"
    severity = ERROR
    template = "command {signature}: an @ command names its parameter, as in `@<agent>`"


class BadCommandName(Message):
    """A command's name becomes a file name (commands/<prefix>-<name>.md) and names the function it runs."""

    code = "SL503"
    severity = ERROR
    template = "command {signature}: the name {slug} becomes a file name and is not allowed: use {rule}"


class CommandFileClash(Message):
    """Two commands whose files would be one (file names are compared without case, as macOS and
    Windows file systems compare them)."""

    code = "SL504"
    severity = ERROR
    template = "command {signature} would be written to {file}, as the command on line {line} is; rename one of them"


class UnknownView(Message):
    """`view = "/name"` must name one of the program's commands: the one the output style tells the model
    to run to redraw the layout."""

    code = "SL505"
    severity = ERROR
    template = "view {view} {problem}"


class ViewNeedsArguments(Message):
    """The view command is run with no arguments, so it cannot have a required parameter."""

    code = "SL506"
    severity = ERROR
    template = "view {view} has a required parameter (<{param}>); the view command is run with no arguments"


class RunsLocally(Message):
    """Informational: the command's function is SudoLang Core, so `sudolang run` and its handler run it."""

    code = "SL510"
    severity = INFO
    template = "command {command} runs locally: {function}() is SudoLang Core"


class RunsInModel(Message):
    """Informational: the command is carried out by the model from the output style; the span is the line
    that made it so (a line of prose, a call of a function nobody defines, ...), or the command itself
    when the program has no function for it."""

    code = "SL511"
    severity = INFO
    template = "command {command} runs in the model: {reason}"


class MustRunLocally(Message):
    """`local = ["/move", …]` names commands that must run locally; one of them runs in the model."""

    code = "SL512"
    severity = ERROR
    template = "command {command} must run locally (the program's `local` says so), but {reason}"


class BadParameter(Message):
    """A command's function whose parameters do not match the command's signature."""

    code = "SL513"
    severity = ERROR
    template = "command {command}: {problem}"


MESSAGES = (ProgramName, NothingToCompile, MissingName, UnnamedAgentCommand, BadCommandName, CommandFileClash,
            UnknownView, ViewNeedsArguments, RunsLocally, RunsInModel, MustRunLocally, BadParameter)

# A command's name becomes a file name (commands/<prefix>-<name>.md) and names its function: no '/',
# no '.', nothing Claude Code's command names would not hold.
COMMAND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
COMMAND_RULE = "ASCII letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters"

# The blocks (and `key = { … }` properties) that bind layout placeholders: `bindings { … }` or `bind { … }`,
# compared without case. sudolang.lint's SL201 accepts the same names (lint.BINDING_BLOCKS).
BINDING_BLOCKS = frozenset({"bindings", "bind"})


# --- the model -------------------------------------------------------------------------------------


@record
class Param(Frozen):
    name: str
    required: bool
    type: str = "text"  # text, number, integer or boolean: the type its function's parameter declares
    span: n.Span | None = field(default=None, compare=False)


@record
class CommandSpec(Frozen):
    """One command: `name` as typed (`/move`, `@`), the function it runs, and the file names Claude Code uses."""

    signature: str
    name: str
    params: tuple[Param, ...]
    description: str
    line: int
    names: tuple[str, ...] = ()  # every name, aliases included (`/l | learn` gives ('/l', '/learn'))
    span: n.Span | None = field(default=None, compare=False)
    local: bool = False  # its function is SudoLang Core: it runs without the model
    reason: str = ""  # why it runs in the model (when not local)
    function_name: str = ""  # set when an alias names the function (`/l | learn` runs learn() if there is one)

    @property
    def function(self) -> str:
        """The program function the command runs: `/move` runs move, `/set-wip` set_wip, `@<agent>` at."""
        return self.function_name or function_for(self.name)

    @property
    def param_types(self) -> tuple[tuple[str, bool, str], ...]:
        """((name, required, type), …) as the generated dispatch table holds them."""
        return tuple((p.name, p.required, p.type) for p in self.params)

    @property
    def slug(self) -> str:
        return self.params[0].name if self.name == "@" else self.name.lstrip("/")

    @property
    def param_pairs(self) -> tuple[tuple[str, bool], ...]:
        """The parameters as the generated dispatch table holds them: ((name, required), …)."""
        return tuple((p.name, p.required) for p in self.params)

    @property
    def usage(self) -> str:
        """The arguments part of the signature, for argument hints."""
        return " ".join(f"<{p.name}>" if p.required else f"[{p.name}]" for p in self.params
                        if not (self.name == "@" and p is self.params[0]))


@record
class Binding(Frozen):
    """`placeholder => view NAME` or `placeholder => query PATH`. Lint does not check the kind: an unknown
    one (not `view` or `query`) shows as `(unknown binding …)` when the layout is drawn."""

    placeholder: str
    source: str  # the value as written: `view teams.status`
    kind: str  # "view" or "query" (or what else the author wrote)
    target: str
    line: int
    span: n.Span | None = field(default=None, compare=False)


@record
class Line(Frozen):
    text: str
    line: int


@record
class FunctionSpec(Frozen):
    """A function the program defines (`fn name(a, b) { … }`, `name(a) { … }`, `function name;`)."""

    name: str
    params: tuple[str, ...]
    span: n.Span


@record
class ProgramModel(Frozen):
    name: str
    prefix: str
    title: str
    description: str
    role: str
    constraints: tuple[Line, ...]
    bindings: tuple[Binding, ...]
    layout: str
    layout_line: int
    commands: tuple[CommandSpec, ...]
    source: str
    path: str
    interface_line: int
    view: str | None = None  # the declared `view = "/name"`; None: no command draws the layout
    functions: tuple[FunctionSpec, ...] = ()
    spans: dict = field(default_factory=dict, compare=False)  # part -> Span: interface, name, prefix, view, …
    core: "Core | None" = field(default=None, compare=False)  # the functions that run, and the constants

    @property
    def view_command(self) -> str:
        """VIEW_COMMAND of the generated handler: the declared view, else "/help" (sudolang.runtime.handler's
        "no view": /help never draws the layout)."""
        return self.view or "/help"

    @property
    def binding_specs(self) -> tuple[Binding, ...]:
        return self.bindings


@record
class Core(Frozen):
    """What of the program runs: its SudoLang Core functions that run locally (name -> core_nodes.Function),
    its constants (name -> literal expression), and each function's check (sudolang.core_check)."""

    functions: dict
    constants: dict
    checks: dict

    def writes(self, function: str) -> frozenset:
        return self.checks[function].writes if function in self.checks else frozenset()


# --- building it -----------------------------------------------------------------------------------


# The last build, by its AST: `sudolang compile` lints (which builds the model) and then builds it itself;
# reading every function as Core twice would double the cost of both.
_last: list = []


def build(ast: n.Program, require: bool = False) -> tuple[ProgramModel | None, list[Diagnostic]]:
    """(model, diagnostics) of a program to compile; (None, diagnostics) when any diagnostic is an error;
    (None, []) for a file that is not a program to compile, unless `require` (the compiler's call), which
    makes that SL500."""
    if require and interface_block(ast) is None:
        return _build(ast, require)  # SL500: nothing to read, so nothing to remember
    if not (_last and _last[0] is ast):  # with an interface, `require` changes nothing
        _last[:] = [ast, _build(ast, False)]
    model, found = _last[1]
    return model, list(found)


def _build(ast: n.Program, require: bool) -> tuple[ProgramModel | None, list[Diagnostic]]:
    interface = interface_block(ast)
    if interface is None:
        if not require:
            return None, []
        first = next((item for item in ast.items if isinstance(item, n.Block)), None)
        why = (f"the first top-level block, {_header(first)!r}, declares no command" if first is not None
               else "the file has no top-level block")
        at = _header_span(first) if first is not None else n.Positions(ast.source, ast.path).span(0, 0)
        return None, [NothingToCompile.at(at, why=why)]

    found: list[Diagnostic] = []
    properties = _properties(interface)
    name_string = _string(properties.get("name"))
    derived = default_name(interface.name) if "name" not in properties else None
    if name_string is None and derived is None:
        prop = properties.get("name")
        want = ('`name = "…"` as a string (it names the handler and the output style)' if prop is not None
                else '`name = "…"`: it names the handler and the output style')
        found.append(MissingName.at(prop.span if prop is not None else _header_span(interface),
                                    block=repr(_header(interface)), want=want))
    for key in ("name", "prefix"):
        string = _string(properties.get(key))
        if string is not None and (problem := program_names.problem(string.text)):
            shown = repr(string.text if len(string.text) <= 40 else string.text[:40] + "…")
            found.append(ProgramName.at(string.span, key=key, value=shown, problem=problem))
    name = name_string.text if name_string is not None else derived or ""
    prefix_string = _string(properties.get("prefix"))
    prefix = prefix_string.text if prefix_string is not None else name

    commands = _commands(interface, prefix, found)
    view = _view(properties.get("view"), commands, found)
    core = read_core(ast, interface)
    commands = _command_modes(commands, core, properties.get("local"), found)

    found.sort(key=lambda d: (d.span.start, d.code))
    if any(d.is_error for d in found):
        return None, found
    title = next((h.title for h in ast.items if isinstance(h, n.Heading)), interface.name)
    layout_prop = properties.get("layout")
    layout_string = _string(layout_prop)
    spans = {"interface": _header_span(interface)}
    for key in ("name", "prefix", "description", "role", "layout", "view"):
        if key in properties:
            spans[key] = properties[key].span
    model = ProgramModel(
        name=name,
        prefix=prefix,
        title=title,
        description=_text(properties.get("description"), title),
        role=_text(properties.get("role"), ""),
        constraints=_constraints(interface),
        bindings=bindings(interface),
        layout=textwrap.dedent(layout_string.text).strip("\n") if layout_string is not None else "",
        layout_line=layout_prop.span.line if layout_prop is not None else 0,
        commands=commands,
        source=ast.source,
        path=ast.path,
        interface_line=interface.span.line,
        view=view,
        functions=_functions(ast),
        spans=spans,
        core=core,
    )
    return model, found


def read_core(ast: n.Program, interface: n.Block) -> Core:
    """The program's functions read as SudoLang Core (the first definition of a name counts), its
    constants (the interface's properties whose value is a literal) and what core_check says of each."""
    from sudolang import core, core_check
    from sudolang import core_nodes as c

    positions = n.Positions(ast.source, ast.path)
    functions: dict = {}
    for node in ast.walk():
        if isinstance(node, n.Function) and node.body is not None and node.name not in functions:
            functions[node.name] = core.parse_function(positions, node.span.start, node.span.end)
    constants = {}
    for prop in interface.body:
        if not (isinstance(prop, n.Property) and prop.operator == "=" and re.fullmatch(r"[A-Za-z_]\w*", prop.key)
                and prop.key not in functions):
            continue
        written = _value_node(prop)  # `columns = [...]`, or an object: `default_wip = { todo: 10 }`
        if written is not None:
            value = core.parse_expression(positions, written.span.start, written.span.end)
            if _is_literal(value, c):
                constants[prop.key] = value
    checks = core_check.check(functions, constants)
    local = {name: f for name, f in functions.items() if isinstance(f, c.Function) and checks[name].local}
    return Core(local, constants, checks)


def _is_literal(node, c) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, c.Literal):
            continue
        if isinstance(current, c.Template) and all(isinstance(part, str) for part in current.parts):
            continue
        if isinstance(current, c.Array):
            stack.extend(current.items)
        elif isinstance(current, c.Object):
            stack.extend(entry.value if isinstance(entry, c.Entry) else None for entry in current.entries)
        elif isinstance(current, c.Unary) and current.op == "-" and isinstance(current.operand, c.Literal):
            continue
        else:
            return False
    return True


def _command_modes(commands: tuple[CommandSpec, ...], core: Core, local_prop: n.Property | None,
                   found: list[Diagnostic]) -> tuple[CommandSpec, ...]:
    """Each command with whether it runs locally, its parameters typed by its function; SL510/SL511 say
    which, SL512 when `local = [...]` demands a command that does not, SL513 a function whose parameters
    do not fit the command."""
    demanded = set(_local_names(local_prop))
    result = []
    for command in commands:
        if command.name == "/help":
            result.append(command)
            continue
        label = command.name if command.name != "@" else command.signature
        where = command.span
        assert where is not None  # _commands gives every command its span
        named = next((function_for(alias) for alias in command.names if function_for(alias) in core.checks), None)
        if named is not None and named != command.function:
            command = replace(command, function_name=named)
        check = core.checks.get(command.function)
        function = core.functions.get(command.function)
        if check is None:
            wanted = " or ".join(dict.fromkeys(f"{function_for(alias)}()" for alias in command.names or (command.name,)))
            reason, span = f"the program has no function {wanted} for it", where
        elif not check.local:
            reason, span = check.reason, check.span or where
        else:
            assert function is not None  # a local function is one of core.functions
            problem = _parameter_problem(command, function)
            if problem:
                found.append(BadParameter.at(where, command=label, problem=problem))
                result.append(command)
                continue
            typed = tuple(replace(p, type=q.type or "text") for p, q in zip(command.params, function.params))
            found.append(RunsLocally.at(where, command=label, function=command.function))
            result.append(replace(command, params=typed, local=True))
            continue
        found.append(RunsInModel.at(span, command=label, reason=reason))
        if demanded & set(command.names or (command.name,)) or command.name in demanded:
            found.append(MustRunLocally.at(span, command=label, reason=reason))
        result.append(replace(command, reason=reason))
    return tuple(result)


def function_for(name: str) -> str:
    """The function a command name runs: `/move` move, `/set-wip` set_wip, `@` at."""
    return "at" if name == "@" else name.lstrip("/").replace("-", "_")


def _parameter_problem(command: CommandSpec, function) -> str:
    theirs = [p.name for p in function.params]
    ours = [p.name for p in command.params]
    if len(theirs) != len(ours):
        return (f"{command.function}() takes {len(theirs)} parameter(s) ({', '.join(theirs) or 'none'}), the command "
                f"gives {len(ours)} ({', '.join(ours) or 'none'})")
    for param, wanted in zip(command.params, function.params):
        if not param.required and not wanted.optional:
            return f"[{param.name}] is optional in the command, so {command.function}() must give it a default or `?`"
    return ""


def _local_names(prop: n.Property | None) -> list[str]:
    """AST read: the command names of `local = ["/move", "/add"]`."""
    if prop is None:
        return []
    return [string.text.strip() for string in prop.strings]


def default_name(block_name: str) -> str | None:
    """The name a program without `name = "…"` gets from its block: `interface CodeReview` is
    `code_review`, `TeamDashboard` is `team_dashboard`; None when that is not a valid name either."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", block_name).lower()
    return snake if program_names.problem(snake) is None else None  # never mangled into something else


def interface_block(ast: n.Program) -> n.Block | None:
    """The block a program to compile is read from: the first top-level block, when it declares a command."""
    first = next((item for item in ast.items if isinstance(item, n.Block)), None)
    if first is None or not any(isinstance(node, n.Command) for node in first.walk()):
        return None
    return first


def bindings(interface: n.Block) -> tuple[Binding, ...]:
    """Every `placeholder => source` of the interface's binding blocks: `bindings { … }`, `bind { … }`
    (any case) and `bindings = { … }` / `bind = { … }` properties, in source order."""
    found = []
    for item in interface.body:
        if isinstance(item, n.Block) and item.name.lower() in BINDING_BLOCKS:
            body = item.body
        elif isinstance(item, n.Property) and item.key.lower() in BINDING_BLOCKS \
                and (block := _block_value(item)) is not None:
            body = block.body
        else:
            continue
        for entry in body:
            if isinstance(entry, n.Property):
                source = _value_text(entry)
                kind, _, target = source.strip().partition(" ")
                found.append(Binding(entry.key, source, kind, target.strip(), entry.span.line, entry.span))
    return tuple(found)


def _properties(interface: n.Block) -> dict[str, n.Property]:
    """The interface's own properties by key; a key written twice: the last one wins."""
    return {item.key: item for item in interface.body if isinstance(item, n.Property)}


def _commands(interface: n.Block, prefix: str, found: list[Diagnostic]) -> tuple[CommandSpec, ...]:
    specs = []
    files: dict[str, CommandSpec] = {}
    for command in (node for node in interface.walk() if isinstance(node, n.Command)):
        name = command.names[0] if command.names else ""
        name = "@" if name.startswith("@") else name
        params = tuple(Param(p.name, p.required, "text", p.span) for p in command.params)
        spec = CommandSpec(command.signature, name, params, command.description or "", command.span.line,
                           tuple(command.names), command.span)
        signature = repr(command.signature)
        if name == "@" and not (command.signature.lstrip().startswith("@<") and params):
            found.append(UnnamedAgentCommand.at(command.span, signature=signature))
            continue
        if not COMMAND_NAME.fullmatch(spec.slug):
            found.append(BadCommandName.at(command.span, signature=signature, slug=repr(spec.slug), rule=COMMAND_RULE))
            continue
        relative = f"commands/{prefix}-{spec.slug}.md"
        if (clash := files.get(relative.lower())) is not None:
            if clash.slug != spec.slug:  # the same name twice is lint's SL101 (a duplicate command), said once
                found.append(CommandFileClash.at(command.span, signature=signature, file=relative, line=clash.line))
            continue
        files.setdefault(relative.lower(), spec)
        specs.append(spec)
    return tuple(specs)


def _view(prop: n.Property | None, commands: tuple[CommandSpec, ...], found: list[Diagnostic]) -> str | None:
    """The declared view command, `view = "/board"`. A `view = \"\"\"…\"\"\"` is a layout (lint's SL201
    and SL202 read it so), not a declaration."""
    if prop is None:
        return None
    string = _string(prop)
    if string is not None and string.quote == '"""':
        return None
    if string is None:
        found.append(UnknownView.at(prop.span, view=repr(_value_text(prop).strip()),
                                    problem='is not a string: name the view command as in `view = "/board"`'))
        return None
    wanted = string.text.strip()
    command = next((c for c in commands if wanted in c.names or wanted == c.name), None)
    if command is None:
        known = ", ".join(c.name if c.name != "@" else c.signature for c in commands)
        found.append(UnknownView.at(string.span, view=repr(wanted),
                                    problem=f"is not a command of this program (its commands: {known})"))
        return None
    required = next((p for p in command.params if p.required), None)
    if required is not None:
        found.append(ViewNeedsArguments.at(string.span, view=repr(wanted), param=required.name))
        return None
    return command.name


def _constraints(interface: n.Block) -> tuple[Line, ...]:
    blocks = [b for b in interface.body if isinstance(b, n.Block) and b.kind == "constraints"]
    return tuple(Line(node.text, node.span.line) for block in blocks for node in block.body
                 if isinstance(node, (n.Prose, n.ListItem)))


def _functions(ast: n.Program) -> tuple[FunctionSpec, ...]:
    return tuple(FunctionSpec(node.name, _function_params(node), node.span) for node in ast.walk()
                 if isinstance(node, n.Function))


def _text(prop: n.Property | None, default: str) -> str:
    string = _string(prop)
    return string.text if string is not None else default


def _header(block: n.Block) -> str:
    return " ".join(_header_text(block).split()) or "{ … }"


def _header_span(block: n.Block) -> n.Span:
    """The span of a block's header (`interface Todo`), not of the whole block (whose span it is when the
    block has none: a property's `{ … }` value)."""
    return block.header.span if block.header is not None else block.span


# --- AST reads whose shape another stage may change: one small function each --------------------------


def _string(prop: n.Property | None) -> n.StringLit | None:
    """AST read: the first string of a property's value (`name = "todo"` gives the StringLit of todo)."""
    if prop is None or not prop.strings:
        return None
    return prop.strings[0]


def _value_text(prop: n.Property) -> str:
    """AST read: a property's value as written (`view teams.status`); "" for a bare name or a block value."""
    return prop.value.text if prop.value is not None else ""


def _header_text(block: n.Block) -> str:
    """AST read: a block's header as written (`interface Todo`); "" for a property's block value."""
    return block.header.text if block.header is not None else ""


def _value_node(prop: n.Property) -> n.Node | None:
    """AST read: the node holding a property's value as written: its expression, or its `{ … }` block."""
    return prop.value if prop.value is not None else prop.block


def _block_value(prop: n.Property) -> n.Block | None:
    """AST read: the block a property's value holds (`bindings = { … }`), or None."""
    return prop.block


def _function_params(function: n.Function) -> tuple[str, ...]:
    """AST read: a function's parameter names, `(a, b = 1, { c })` gives a, b, c."""
    return tuple(param.name for param in function.params)
