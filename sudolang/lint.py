"""The linter: `lint(program)` returns the program's syntax errors, then what every rule finds.

Each rule is a small class with a stable `code`, a `severity` and a message
`template` (pyflakes style); its docstring says what it flags and why. Rules
read the AST of sudolang.nodes and share the facts below (every command, every
defined name, where code sits in a line), computed once per lint() call and
passed to each rule. No rule reads the source text: values, arguments,
conditions and headers are Expr nodes with their own spans.

Severity: an error would break compiling or running the program; what the
model can still make sense of is a warning.

This module imports no parser (no lark): the CLI builds its argument table
without it, and sudolang.jsonpath is imported only when SL302 finds a
state command.
"""

from __future__ import annotations

import re
from functools import cached_property

from sudolang import cells
from sudolang import program as program_model
from sudolang import core_library
from sudolang import nodes as n
from sudolang.diagnostics import ERROR, INFO, SYNTAX_MESSAGES, WARNING, Diagnostic, Message

TYPE_CHECKING = False  # annotations only: importing `typing` cost ~2.5 ms of every first lint
if TYPE_CHECKING:
    from typing import Iterable, Iterator

IDENTIFIER = r"[A-Za-z_$][\w$]*"
_WORD = re.compile(IDENTIFIER)


# --- facts shared by the rules ---------------------------------------------------------------------


class Facts:
    """What several rules need to know about one program, each fact computed on first use."""

    def __init__(self, program: n.Program) -> None:
        self.program = program
        self.source = program.source
        self.nodes: list[n.Node] = list(program.walk())
        self._positions = n.Positions(self.source, program.path)

    def span(self, start: int, end: int) -> n.Span:
        """The span of source offsets [start, end), counted as the parser counts."""
        return self._positions.span(start, end)

    def of(self, kind: type) -> list:
        return [node for node in self.nodes if isinstance(node, kind)]

    @cached_property
    def commands(self) -> list[n.Command]:
        """Every command declaration: `/command` lines and `commands = {…}` entries (not CommandCall)."""
        return self.of(n.Command)

    @cached_property
    def top_level(self) -> list[n.Node]:
        """The program's items outside every block: its own and those of its ```sudo fences."""
        items = list(self.program.items)
        return items + [item for fence in items if isinstance(fence, n.SudoFence) for item in fence.items]

    @cached_property
    def imports(self) -> bool:
        return bool(self.of(n.Import))

    @cached_property
    def pipe_targets(self) -> set[str]:
        """Names assigned a pipe: `h = f |> g` defines h."""
        return {node.target.text for node in self.nodes if isinstance(node, n.Pipe) and node.target}

    @cached_property
    def method_declarations(self) -> set[int]:
        """ids of Calls written directly in a block body: `Task { setDescription() }` declares a method."""
        return {id(item) for block in self.of(n.Block) for item in block.body if isinstance(item, n.Call)}

    @cached_property
    def callables(self) -> set[str]:
        """Names a call may use, lower-cased: functions, blocks, property keys, declared methods."""
        names: set[str] = set()
        for node in self.nodes:
            if isinstance(node, n.Function):
                names.add(node.name)
            elif isinstance(node, n.Block):
                names.add(node.name)
                if node.header is not None:
                    names.add(node.header.text)
            elif isinstance(node, n.Property):
                names.add(node.key)
            elif isinstance(node, n.Call) and id(node) in self.method_declarations:
                names.add(node.name)
        names.update(self.pipe_targets)
        return {name.lower() for name in names}

    @cached_property
    def bound(self) -> set[str]:
        """Names a layout placeholder may use (case-sensitive); see UnboundPlaceholder."""
        names: set[str] = set()
        for node in self.nodes:
            if isinstance(node, n.Property):
                names.update((node.key, _TARGET_ROOT.split(node.key, 1)[0]))
                if node.key.lower() in BINDING_BLOCKS and node.value is not None:
                    names.update(_WORD.findall(node.value.text))
            elif isinstance(node, n.Function):
                names.add(node.name)
            elif isinstance(node, n.Param):  # a command's or a function's
                names.add(node.name)
            elif isinstance(node, n.Loop):
                names.update(variable.text for variable in node.variables)
            elif isinstance(node, n.Block) and node.name.lower() in BINDING_BLOCKS:
                names.update(_binding_words(node))
        names.update(self.pipe_targets)
        return names

    def regions(self, node: n.Node) -> Iterator[tuple[int, str]]:
        """Where code sits in a node, as (offset, text) with string contents blanked: a property's value,
        each call argument, each pipe stage, a condition, a match arm's result. Prose has none."""
        exprs: tuple[n.Expr | None, ...] = ()
        if isinstance(node, n.Property) and node.operator:
            exprs = (node.value,)
        elif isinstance(node, n.Call):
            exprs = node.args
        elif isinstance(node, n.Pipe):
            exprs = node.stages
        elif isinstance(node, n.Conditional):
            exprs = (node.condition,)
        elif isinstance(node, n.MatchArm):
            exprs = (node.result,)
        for expr in exprs:
            if expr is not None:
                yield expr.span.start, _blank_strings(expr)


_TARGET_ROOT = re.compile(r"[.\[]")  # a binding target's root name ends at its first `.` or `[`


def _binding_words(block: n.Block) -> Iterator[str]:
    """Every name written in a `bindings { … }` block: its keys, values and lines."""
    for node in block.walk():
        if isinstance(node, n.Property):
            yield from _WORD.findall(node.key)
        elif isinstance(node, n.Expr) and node is not block.header:
            yield from _WORD.findall(node.text)
        elif isinstance(node, (n.Prose, n.ListItem)):
            yield from _WORD.findall(node.text)


def _blank_strings(expr: n.Expr) -> str:
    """The expression's text with the inside of each of its strings turned into spaces (offsets kept)."""
    text, base = expr.text, expr.span.start
    for string in expr.strings:
        start, end = string.span.start - base + len(string.quote), string.span.end - base - len(string.quote)
        if 0 <= start <= end <= len(text):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


# --- rules -----------------------------------------------------------------------------------------


class Rule(Message):
    """A lint rule: `check(facts)` yields its diagnostics, built with `self.at(span, …)`."""

    # A program the rule flags and one it passes: docs/lint-rules.md shows them (tools/lint_docs.py),
    # and tests/language/test_lint_docs.py checks that each does what the page says.
    example_fails = ""
    example_passes = ""

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        """The rule's diagnostics for the program whose facts are `found` (found.program)."""
        raise NotImplementedError


class DuplicateCommand(Rule):
    """The same command name declared twice: in the `commands = {…}` map, on `/command` lines, or
    as an alias (`/l | learn` declares /l and /learn). The model cannot tell which one the user
    means, and a compiled dispatcher cannot have two handlers for one name. A top-level bare
    `/name` that invokes a declared command (CommandCall) is a use, not a declaration."""

    code = "SL101"
    severity = ERROR
    template = "command '{name}' is declared twice (first at line {line})"
    example_fails = '''\
interface Bot {
  /go - Go somewhere
  /stop - Stop
  /go - Go somewhere else
}
'''
    example_passes = '''\
interface Bot {
  /go - Go somewhere
  /stop - Stop
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        first: dict[str, n.Command] = {}
        for command in found.commands:
            for name in dict.fromkeys(command.names):
                if name in first:
                    yield self.at(command.span, name=name, line=first[name].span.line)
                else:
                    first[name] = command


class MalformedSignature(Rule):
    """A command signature the parser could not read cleanly: an unclosed `<` or `[`, a name without
    its `/` or `@` prefix, a parameter named twice. A compiled command needs a well-formed signature
    to parse its arguments. One diagnostic per problem, at the command."""

    code = "SL102"
    severity = ERROR
    template = "malformed signature for command '{name}': {problem}"
    example_fails = '''\
interface Board {
  commands = {
    "/move <task> <column": "Move a task to a column"
  }
}
'''
    example_passes = '''\
interface Board {
  commands = {
    "/move <task> <column>": "Move a task to a column"
  }
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        for command in found.commands:
            for problem in command.problems:
                yield self.at(command.span, name=command.names[0] if command.names else command.signature,
                              problem=problem)


class UndescribedCommand(Rule):
    """A command with no description, in a program that describes its other commands (or keeps them
    in a `commands = {…}` map, whose values are descriptions). The description is what the model
    shows in help and uses to pick the command; in a program with no descriptions at all, the
    terse style is deliberate and nothing is reported. A bare `/name` line outside every block
    (no parameters, no description) reads as an invocation, e.g. the initializer under
    `## Initializer`, and is not reported either."""

    code = "SL103"
    severity = WARNING
    template = "command '{name}' has no description"
    example_fails = '''\
interface Bot {
  /go - Go somewhere
  /stop
}
'''
    example_passes = '''\
interface Bot {
  /go - Go somewhere
  /stop - Stop
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        commands = found.commands
        if not (found.of(n.CommandMap) or any(command.description for command in commands)):
            return
        top_level = {id(item) for item in found.top_level}
        for command in commands:
            if command.description is None and not (id(command) in top_level and not command.params):
                yield self.at(command.span, name=command.names[0] if command.names else command.signature)


class ProgramName(Rule):
    """A program's `name` or `prefix` that the compiler cannot use: it becomes file names
    (`commands/<prefix>-<command>.md`, the handler script) and command names, so it must match one
    pattern (sudolang.names): lower-case letters, digits, `-` and `_`, starting with a letter, at most
    64 characters. `name = "../../outside"` would write outside the output folder, and a space or `;`
    would land in a generated shell line. Checked where `sudolang compile` reads them: the string
    values in the first top-level block, when that block declares a command (a `commands = {…}` map
    or a `/command` line), which is what makes it a program to compile. A block without commands is a
    data shape or a persona (`interface User { name = "John" }`) and its `name` is ordinary data."""

    code = "SL104"
    severity = ERROR
    template = "program {key} {value} {problem}"
    example_fails = '''\
interface Todo {
  name = "My Todo List"
  commands = {
    "/add <task>": "Add a task"
  }
}
'''
    example_passes = '''\
interface Todo {
  name = "todo"
  commands = {
    "/add <task>": "Add a task"
  }
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        program = found.program
        from sudolang import names

        interface = next((item for item in program.items if isinstance(item, n.Block)), None)
        if interface is None or not any(isinstance(node, n.Command) for node in interface.walk()):
            return
        chosen: dict[str, n.Property] = {}  # the last one wins, as in sudolang.program.build
        for item in interface.body:
            if isinstance(item, n.Property) and item.key in ("name", "prefix"):
                chosen[item.key] = item
        for key, prop in chosen.items():
            if not prop.strings:
                continue  # not a string: the compiler says so itself (it needs `name = "…"`)
            string = prop.strings[0]
            if problem := names.problem(string.text):
                shown = repr(string.text if len(string.text) <= 40 else string.text[:40] + "…")
                yield self.at(string.span, key=key, value=shown, problem=problem)


LAYOUT_KEYS = ("layout", "Layout", "view", "View", "template", "Template")
BINDING_BLOCKS = {"bindings", "bind"}
_PLACEHOLDER = re.compile(rf"\{{\s*({IDENTIFIER}(?:\.{IDENTIFIER})*)\s*\}}")


def layouts(found: Facts) -> Iterator[tuple[n.Property, n.StringLit]]:
    """Every layout: a \"\"\" string that is the value of a property named `layout` or ending in
    `layout`, `Layout`, `view`, `View`, `template` or `Template`."""
    for node in found.of(n.Property):
        if node.key.endswith(LAYOUT_KEYS):
            for string in node.strings:
                if string.quote == '"""':
                    yield node, string


class UnboundPlaceholder(Rule):
    """A `{placeholder}` in a layout that nothing in the program binds, so the model has to invent its
    value. A name counts as bound when anything in the program defines it (compared case-sensitively):
    a property key (`team_status = …`, `team_status: …`, a bare `team_status` in a state block), a
    function's name or parameter, a command parameter (`<name>`, `[name]`), a loop variable
    (`for each task in tasks`), an assignment at the head of a pipe (`result = xs |> …`), or any name
    written inside a `bindings { … }` / `bind { … }` block (or a `bindings = {…}` property). A dotted
    `{a.b}` is bound when `a` is. Programs with an import are not checked: the import may bind it."""

    code = "SL201"
    severity = WARNING
    template = "layout placeholder '{{{name}}}' is never bound or computed"
    example_fails = '''\
Dashboard {
  layout = """
    Tasks: {task_summary}
  """
}
'''
    example_passes = '''\
Dashboard {
  bindings {
    task_summary => view tasks.summary
  }
  layout = """
    Tasks: {task_summary}
  """
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        if found.imports:
            return
        for _, string in layouts(found):
            content = string.span.start + len(string.quote)
            for match in _PLACEHOLDER.finditer(string.text):
                name = match.group(1)
                if name not in found.bound and name.split(".")[0] not in found.bound:
                    yield self.at(found.span(content + match.start(), content + match.end()), name=name)


def _is_box_char(char: str) -> bool:
    return "\u2500" <= char <= "\u257f"


class RaggedBox(Rule):
    """A box drawn in a layout whose rows have unequal display widths, so its right border is
    ragged on screen. A box is a run of consecutive rows whose first and last non-space characters
    are box-drawing characters (U+2500–U+257F); each row's width (from its first to its last
    non-space character) is compared with the box's top row, counting East Asian Wide and
    Fullwidth characters (emoji, CJK) as 2 columns and combining marks and zero-width characters
    as 0 — the usual cause is an emoji or a placeholder that pushes the border out."""

    code = "SL202"
    severity = WARNING
    template = "ragged box: this row is {width} columns wide, the top row (line {top_line}) is {top_width}"
    example_fails = '''\
Dashboard {
  title = "Sprint"
  layout = """
    ╭────────────╮
    │ {title}    │
    │ 🚀 launch   │
    ╰────────────╯
  """
}
'''
    example_passes = '''\
Dashboard {
  title = "Sprint"
  layout = """
    ╭────────────╮
    │ {title}    │
    │ 🚀 launch  │
    ╰────────────╯
  """
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        for _, string in layouts(found):
            offset = string.span.start + len(string.quote)
            top: tuple[int, int] | None = None  # (width, line) of the current box's top row
            for row in string.text.split("\n"):
                body = row.strip()
                if body and _is_box_char(body[0]) and _is_box_char(body[-1]):
                    start = offset + row.index(body[0])
                    width = cells.width(body)
                    if top is None:
                        top = (width, found.span(start, start).line)
                    elif width != top[0]:
                        yield self.at(found.span(start, start + len(body)), width=width,
                                      top_width=top[0], top_line=top[1])
                else:
                    top = None
                offset += len(row) + 1


# Called without being defined, by the SudoLang spec and by real programs (the corpus): output and
# dialogue verbs the model knows, `welcome()` (the customary initializer), `infer()` (let the model
# fill in a value), the spec's test helpers, and control words that can look like a call.
# `super` is SL401's business, not this rule's.
BUILTINS = frozenset({
    "log", "print", "echo", "say", "ask", "emit", "explain", "describe", "instruct", "list",
    "require", "warn", "assert", "run", "welcome", "infer", "super",
    "if", "for", "while", "match", "switch", "return", "not", "and", "or",
})
# A call touches its parenthesis: in `tone: Warm (never saccharine)` the word is English, not a call.
_CALL_TEXT = re.compile(rf"\s*({IDENTIFIER}(?:\.{IDENTIFIER})*)\(")


class UnknownMethod(Rule):
    """A call to a name the program never defines: not a function (`fn name`, `name() { … }`,
    `function name;`), a block (`Name { … }`), a property key, or a method declared in a block body
    (`Task { setDescription() }`). Checked: call lines, and match-arm results and property values
    that begin `name(`. Often a typo, or a step the author meant to define; the model will guess.
    A name followed by a space before its `(` is a word of a sentence (`Respond (politely)`), not a call.
    Not checked: the BUILTINS above, type aliases (`type id = string(cuid2)`), dotted calls
    (`obj.method()` runs on a value whose interface the program need not describe), and programs
    with an import (it may define the name). Names compare case-insensitively, as the model reads them."""

    code = "SL301"
    severity = WARNING
    template = "unknown method '{name}': the program never defines it"
    example_fails = '''\
Dashboard {
  refresh() {
    updateDisplay(state)
  }
}
'''
    example_passes = '''\
Dashboard {
  updateDisplay(state) {
    Redraw the layout from the state.
  }
  refresh() {
    updateDisplay(state)
  }
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        if found.imports:
            return
        for name, start in _calls(found):
            if "." not in name and name not in BUILTINS and not core_library.is_library(name) \
                    and name.lower() not in found.callables:
                yield self.at(found.span(start, start + len(name)), name=name)


def _calls(found: Facts) -> Iterator[tuple[str, int]]:
    """(name, offset) of every call: call lines (not method declarations), and match-arm results and
    property values (not type aliases) written `name(…)`."""
    for node in found.nodes:
        if isinstance(node, n.Call) and id(node) not in found.method_declarations:
            yield node.name, node.span.start
        elif isinstance(node, (n.MatchArm, n.Property)) and not _is_type_alias(node):
            for offset, text in found.regions(node):
                if call := _CALL_TEXT.match(text):
                    yield call.group(1), offset + call.start(1)


def _is_type_alias(node: n.Node) -> bool:
    """`type id = string(cuid2)`: the value is a type, and `string(…)` a constructor, not a call."""
    return isinstance(node, n.Property) and node.key.startswith("type ")


_STATE_COMMAND = re.compile(r"(?:\bstate_manager\.py|\bsudolang\s+state)\s+(?:get|set|merge|delete)\b")
# A word of the shell command: a <placeholder>, a quoted word, a plain word; or what ends the command.
_SHELL_WORD = re.compile(r"""<[^<>\s]*>|'[^'\n]*'|"[^"\n]*"|(?P<end>[|;&)`<>])|[^\s'"`|;&)<>]+""")
_OPTIONS_WITH_VALUES = ("--state-dir", "--timeout")
_PURE_PLACEHOLDER = re.compile(r"\{[^{}]*\}|<[^<>]*>|\$\{?[A-Za-z_]\w*\}?")
_TEMPLATE_HOLE = re.compile(r"\{[^{}]*\}")
_SHELL_VARIABLE = re.compile(r"\$(?:\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)")


def state_paths(text: str) -> Iterator[tuple[int, str]]:
    """(offset, path) of the PATH argument of every state command in `text`:
    `state_manager.py get|set|merge|delete SID PATH …` or `sudolang state get|… SID PATH …`."""
    for command in _STATE_COMMAND.finditer(text):
        words: list[re.Match] = []
        skip = False
        line_end = text.find("\n", command.end())
        for word in _SHELL_WORD.finditer(text, command.end(), len(text) if line_end < 0 else line_end):
            value = word.group(0)
            if word.group("end"):
                break
            if skip:
                skip = False
            elif value in _OPTIONS_WITH_VALUES:
                skip = True
            elif not value.startswith("--"):
                words.append(word)
            if len(words) == 2:
                break
        if len(words) == 2:
            path = words[1]
            quote = path.group(0)[0] if path.group(0)[0] in "'\"" else ""
            yield path.start() + len(quote), path.group(0)[len(quote): len(path.group(0)) - len(quote)]


class InvalidStatePath(Rule):
    """A state command in a string (or a fenced shell block) whose JSONPath does not compile:
    `state_manager.py get|set|merge|delete SID PATH` or `sudolang state get|set|merge|delete SID PATH`.
    The command would fail with a usage error when the program runs. Placeholders are not paths:
    a PATH that is only `{PATH}`, `<path>`, `$PATH`, `${PATH}` or `"$VAR"` is skipped, and inside
    a path `{hole}`, `$VAR` and `${VAR}` (template holes, SudoLang interpolations or shell
    variables, filled in before the command runs) each stand for one name."""

    code = "SL302"
    severity = ERROR
    template = "invalid JSONPath '{path}' in a state command: {reason}"
    example_fails = '''\
Sync {
  fetch() {
    tasks = `sudolang state get $SID '$.tasks['`
  }
}
'''
    example_passes = '''\
Sync {
  fetch() {
    tasks = `sudolang state get $SID '$.tasks[0]'`
  }
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        for node in found.nodes:
            if isinstance(node, n.StringLit):
                offset, text = node.span.start + len(node.quote), node.text
            elif isinstance(node, n.Fence):
                offset, text = node.content.start, node.text
            else:
                continue
            for at, path in state_paths(text):
                reason = _path_problem(path)
                if reason:
                    yield self.at(found.span(offset + at, offset + at + len(path)), path=path, reason=reason)


def _path_problem(path: str) -> str | None:
    """Why `path` is not a JSONPath, or None when it compiles (or is only a placeholder)."""
    if _PURE_PLACEHOLDER.fullmatch(path):
        return None
    concrete = _SHELL_VARIABLE.sub("x", _TEMPLATE_HOLE.sub("x", path))
    from sudolang.jsonpath import InvalidPath, compile_path

    try:
        compile_path(concrete)
    except InvalidPath as error:
        return error.reason if error.position is None else f"{error.reason} (character {error.position})"
    return None


_CLASS_HEADER = re.compile(r"^class\s|\s(extends|inherits)\s")
_CLASS_WORD = re.compile(r"\b(class|extends|inherits)\b")
_CLASS_CODE = re.compile(r"\b(new)\s+[A-Z][\w$.]*\s*\(|\b(super)\s*[(.]")


class ClassKeyword(Rule):
    """Class-based code: a block headed `class Name`, `… extends Base` or `… inherits Base`, a
    `new Name(…)` or `super(…)`/`super.x` in code (property values, call arguments, pipe stages,
    conditions, match-arm results), or a `super()` call. SudoLang favours interfaces, composition
    and factories; the spec's own linters prohibit classes and inheritance. Prose that mentions
    these words is not code and is not reported."""

    code = "SL401"
    severity = WARNING
    template = "class-based keyword '{keyword}': prefer interfaces, composition and factories"
    example_fails = '''\
class Dog extends Animal {
  bark() {
    log("woof")
  }
}
'''
    example_passes = '''\
interface Dog {
  bark() {
    log("woof")
  }
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        for node in found.nodes:
            if isinstance(node, n.Block) and node.header and _CLASS_HEADER.search(node.header.text):
                for word in _CLASS_WORD.finditer(node.header.text):
                    yield self._at(found, node.header.span.start + word.start(), word.group(1))
            elif isinstance(node, n.Call) and node.name.split(".")[0] == "super":
                yield self._at(found, node.span.start, "super")
            for offset, text in found.regions(node):
                for match in _CLASS_CODE.finditer(text):
                    group = 1 if match.group(1) else 2
                    yield self._at(found, offset + match.start(group), match.group(group))

    def _at(self, found: Facts, start: int, keyword: str) -> Diagnostic:
        return self.at(found.span(start, start + len(keyword)), keyword=keyword)


# English around "cap"/"cup" that is not an operand: "the cup", "a cup of tea", "cap and gown".
_NOT_LEFT = r"(?!(?:the|my|your|his|her|its|our|their|this|that)\b)"
_NOT_RIGHT = r"(?!(?:a|an|the|of|with|and|or|to|in|on|for|is|this|that)\b)"
_SET_OPERATOR = re.compile(rf"(?<![\w$]){_NOT_LEFT}[\w$.\])]+\s+(cap|cup)\s+{_NOT_RIGHT}(?=[\w$(\[{{])")


class DeprecatedOperator(Rule):
    """`cap` and `cup` used as set operators (`a cap b`, `a cup b`) in code: property values, call
    arguments, pipe stages, conditions, match-arm results. The SudoLang spec deprecates them in
    favour of `intersection` and `union` because models read them unreliably. Prose, comments and
    strings are not code and are not reported."""

    code = "SL402"
    severity = WARNING
    template = "deprecated operator '{operator}': write '{replacement}' instead"
    example_fails = '''\
Team {
  both = admins cap members
}
'''
    example_passes = '''\
Team {
  both = admins intersection members
}
'''

    def check(self, found: Facts) -> Iterator[Diagnostic]:
        for node in found.nodes:
            for offset, text in found.regions(node):
                for match in _SET_OPERATOR.finditer(text):
                    start = offset + match.start(1)
                    operator = match.group(1)
                    yield self.at(found.span(start, start + 3), operator=operator,
                                  replacement="intersection" if operator == "cap" else "union")


RULES: tuple[Rule, ...] = (
    DuplicateCommand(), MalformedSignature(), UndescribedCommand(), ProgramName(),
    UnboundPlaceholder(), RaggedBox(),
    UnknownMethod(), InvalidStatePath(),
    ClassKeyword(), DeprecatedOperator(),
)
_EVERY_MESSAGE: tuple[type[Message] | Message, ...] = (*SYNTAX_MESSAGES, *RULES, *program_model.MESSAGES)
CODES: dict[str, str] = {message.code: message.severity for message in _EVERY_MESSAGE}


# --- entry point -----------------------------------------------------------------------------------


def selected(code: str, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> bool:
    """Whether `code` passes --select/--ignore; both take codes or prefixes (`SL1` means SL1xx)."""
    if select and not any(code.startswith(prefix) for prefix in select):
        return False
    return not (ignore and any(code.startswith(prefix) for prefix in ignore))


def lint(program: n.Program, select: Iterable[str] | None = None,
         ignore: Iterable[str] | None = None, notes: bool = False) -> list[Diagnostic]:
    """The program's syntax errors, then every selected rule's diagnostics in source order. Notes (the info
    diagnostics: where each command runs, SL510/SL511) come only with `notes`, or when `select` names them."""
    select, ignore = list(select or ()), list(ignore or ())
    notes = notes or any(code.startswith("SL51") or "SL51".startswith(code) and len(code) > 2 for code in select)
    facts = Facts(program)  # once per call, shared by every rule
    found: list[Diagnostic] = []
    seen: set[tuple] = set()
    for rule in RULES:
        if selected(rule.code, select, ignore):
            for diagnostic in rule.check(facts):
                key = (diagnostic.code, diagnostic.span.start, diagnostic.message)
                if key not in seen:
                    seen.add(key)
                    found.append(diagnostic)
    # What the compiler would refuse, from the one reading of the program compile and run use too: lint
    # reports it first, at its line. SL104 comes from both places and is reported once.
    for diagnostic in program_model.build(program)[1]:
        key = (diagnostic.code, diagnostic.span.start, diagnostic.message)
        if selected(diagnostic.code, select, ignore) and key not in seen and (notes or diagnostic.severity != INFO):
            seen.add(key)
            found.append(diagnostic)
    found.sort(key=lambda d: (d.span.start, d.code))
    syntax = [d for d in program.errors if selected(d.code, select, ignore)]
    return syntax + found
