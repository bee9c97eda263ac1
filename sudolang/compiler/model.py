"""What the compiler needs from a program's AST: a plain model the templates can read."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from sudolang import names
from sudolang import nodes as n
from sudolang.errors import UsageError


@dataclass(frozen=True)
class Param:
    name: str
    required: bool


@dataclass(frozen=True)
class CommandSpec:
    """One command: `name` as typed (`/move`, `@`), its Python action, and the file names Claude Code uses."""

    signature: str
    name: str
    params: tuple[Param, ...]
    description: str
    line: int

    @property
    def action(self) -> str:
        return "cmd_" + (self.params[0].name if self.name == "@" else self.name.lstrip("/").replace("-", "_"))

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


@dataclass(frozen=True)
class Binding:
    """`placeholder => view NAME` or `placeholder => query PATH`."""

    placeholder: str
    kind: str  # "view" or "query"
    target: str
    line: int


@dataclass(frozen=True)
class Line:
    text: str
    line: int


@dataclass(frozen=True)
class ProgramModel:
    name: str
    prefix: str
    title: str
    description: str
    role: str
    constraints: tuple[Line, ...]
    bindings: tuple[tuple[str, str, int], ...]  # (placeholder, source of its value, line)
    layout: str
    layout_line: int
    commands: tuple[CommandSpec, ...]
    source: str
    path: str
    interface_line: int

    @property
    def refresh_command(self) -> str:
        """The command that shows the program's main view: /refresh if it has one, else its first
        command without parameters."""
        names = [c.name for c in self.commands if not c.params and c.name != "/help"]
        return "/refresh" if "/refresh" in names else (names[0] if names else "/help")

    @property
    def binding_specs(self) -> tuple[Binding, ...]:
        """The bindings split into kind and target. Lint does not check the kind: an unknown one (not
        `view` or `query`) shows as `(unknown binding …)` when the layout is drawn."""
        specs = []
        for placeholder, source, line in self.bindings:
            kind, _, target = source.strip().partition(" ")
            specs.append(Binding(placeholder, kind, target.strip(), line))
        return tuple(specs)

    @property
    def module(self) -> str:
        """The Python name of the program's runtime actions module."""
        return re.sub(r"\W", "_", self.name)


def build_model(program: n.Program) -> ProgramModel:
    """The model of a program shaped `interface Name { name = "…" … commands = {…} }`."""
    interface = next((item for item in program.items if isinstance(item, n.Block)), None)
    if interface is None:
        raise UsageError(f"{program.path}: no `interface Name {{ … }}` block to compile")
    properties = {p.key: p for p in interface.body if isinstance(p, n.Property)}
    name = _text(properties, "name", program.path)
    for key in ("name", "prefix"):
        _check_name(properties, key, program.path)
    title = next((h.title for h in program.items if isinstance(h, n.Heading)), interface.name)
    layout_node = properties.get("layout")
    return ProgramModel(
        name=name,
        prefix=_text(properties, "prefix", program.path, default=name),
        title=title,
        description=_text(properties, "description", program.path, default=title),
        role=_text(properties, "role", program.path, default=""),
        constraints=_constraints(interface),
        bindings=_bindings(interface),
        layout=textwrap.dedent(layout_node.strings[0].text).strip("\n") if layout_node and layout_node.strings else "",
        layout_line=layout_node.span.line if layout_node else 0,
        commands=_commands(interface, program.path),
        source=program.source,
        path=program.path,
        interface_line=interface.span.line,
    )


def _text(properties: dict[str, n.Property], key: str, path: str, default: str | None = None) -> str:
    prop = properties.get(key)
    if prop is not None and prop.strings:
        return prop.strings[0].text
    if default is None:
        raise UsageError(f'{path}: the interface needs `{key} = "…"`')
    return default


def _check_name(properties: dict[str, n.Property], key: str, path: str) -> None:
    """`name` and `prefix` become file and command names: refuse one outside sudolang.names' pattern here,
    so even a caller that skips lint (SL104) cannot generate from it."""
    prop = properties.get(key)
    if prop is None or not prop.strings:
        return
    value = prop.strings[0]
    problem = names.problem(value.text)
    if problem:
        raise UsageError(f"{path}:{value.span.line}:{value.span.column}: {key} {value.text!r} {problem}; "
                         "nothing was written")


# A command's name becomes a file name (commands/<prefix>-<name>.md) and a Python action name: no '/',
# no '.', nothing Claude Code's command names would not hold.
COMMAND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
COMMAND_RULE = "ASCII letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters"


def _constraints(interface: n.Block) -> tuple[Line, ...]:
    blocks = [b for b in interface.body if isinstance(b, n.Block) and b.kind == "constraints"]
    return tuple(Line(node.text, node.span.line) for block in blocks for node in block.body if isinstance(node, (n.Prose, n.ListItem)))


def _bindings(interface: n.Block) -> tuple[tuple[str, str, int], ...]:
    blocks = [b for b in interface.body if isinstance(b, n.Block) and b.name == "bindings"]
    return tuple((p.key, p.value, p.span.line) for block in blocks for p in block.body if isinstance(p, n.Property))


def _commands(interface: n.Block, path: str) -> tuple[CommandSpec, ...]:
    found = [node for node in interface.walk() if isinstance(node, n.Command)]
    specs = []
    for command in found:
        name = command.names[0] if command.names else ""
        name = "@" if name.startswith("@") else name
        params = tuple(Param(p.name, p.required) for p in command.params)
        where = f"{path}:{command.span.line}:{command.span.column}"
        if name == "@" and not command.signature.lstrip().startswith("@<"):
            raise UsageError(f"{where}: command {command.signature!r}: an @ command names its parameter, "
                             "as in `@<agent>`; nothing was written")
        spec = CommandSpec(command.signature, name, params, command.description or "", command.span.line)
        if not COMMAND_NAME.fullmatch(spec.slug):
            raise UsageError(f"{where}: command {command.signature!r}: the name {spec.slug!r} becomes a file "
                             f"name and is not allowed: use {COMMAND_RULE}; nothing was written")
        specs.append(spec)
    return tuple(specs)
