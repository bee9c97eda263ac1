"""The parser, construct by construct: what becomes code, what stays prose, and where syntax fails."""

from __future__ import annotations


import pytest

from sudolang import nodes as n
from sudolang.diagnostics import SudoLangSyntaxError
from sudolang.parser import parse


def items(source: str) -> tuple[n.Node, ...]:
    program = parse(source, "t.sudo")
    assert program.errors == (), program.errors
    return program.items


def one(source: str) -> n.Node:
    [node] = items(source)
    return node


def errors(source: str) -> list[tuple[str, int, int]]:
    return [(e.code, e.span.line, e.span.column) for e in parse(source, "t.sudo").errors]


def test_no_lark_object_leaves_the_parser():
    program = parse('interface A {\n  x = "y"\n  /go [a] - Go\n}\n', "t.sudo")
    for node in program.walk():
        assert isinstance(node, n.Node) and n.field_names(node)[0] == "span"
        for name in n.field_names(node):
            value = getattr(node, name)
            assert "lark" not in type(value).__module__, (node, name)


def test_prose_is_legal_anywhere_and_kept_verbatim():
    source = "Roleplay as a friendly bot; don't break character (ever).\nIt's 5 o'clock:  fine"
    nodes = items(source)
    assert [type(x) for x in nodes] == [n.Prose, n.Prose]
    assert nodes[0].text == "Roleplay as a friendly bot; don't break character (ever)."


def test_spans_are_one_based_and_exact():
    program = parse("A {\n  name = \"x\"\n}\n", "t.sudo")
    [block] = program.items
    [prop] = block.body
    assert (prop.span.line, prop.span.column, prop.span.end_line, prop.span.end_column) == (2, 3, 2, 13)
    assert program.source[prop.span.start:prop.span.end] == 'name = "x"'
    assert prop.span.path == "t.sudo"


def test_markdown_container():
    source = "---\ntitle: x\n---\n# Title\n\n- item one\n1. first\n\n---\n```js\nif (x) {\n```\n"
    front, heading, bullet, numbered, rule, fence = items(source)
    assert isinstance(front, n.FrontMatter) and front.text.startswith("---\ntitle")
    assert (heading.level, heading.title) == (1, "Title")
    assert (bullet.marker, bullet.text, numbered.marker) == ("-", "item one", "1.")
    assert isinstance(rule, n.Rule)
    assert (fence.language, fence.text) == ("js", "if (x) {\n")  # opaque: its open brace is no error


def test_sudo_fences_are_parsed():
    fence = one("```sudo\nfn greet(name);\n```\n")
    assert isinstance(fence, n.SudoFence) and fence.language == "sudo"
    [function] = fence.items
    assert (function.keyword, function.name, function.body) == ("fn", "greet", None)
    assert [(p.name, p.required) for p in function.params] == [("name", True)]


def test_comments():
    line, block = items("// a note: http://x.y\n/* several\nlines */\n")
    assert isinstance(line, n.Comment) and line.text == "// a note: http://x.y"
    assert isinstance(block, n.Comment) and block.span.end_line == 3
    assert isinstance(one("See https://example.com/a//b for more"), n.Prose)
    assert isinstance(one("Match files/*.json please"), n.Prose)


@pytest.mark.parametrize(("header", "kind", "name"), [
    ("interface User", "interface", "User"),
    ("constraint MinimumSalary", "constraint", "MinimumSalary"),
    ("type logEntry", "type", "logEntry"),
    ("Constraints", "constraints", "Constraints"),
    ("Start game", "block", "Start game"),
    ("StudyBot", "block", "StudyBot"),
])
def test_blocks_with_one_or_many_word_headers(header, kind, name):
    block = one(f"{header} {{\n  Be kind.\n}}")
    assert (block.kind, block.name) == (kind, name)
    assert isinstance(block.body[0], n.Prose)


def test_block_modifiers():
    block = one('Recommendation {\n  Artist\n}:format="$Artist - $Score"')
    assert [(m.name, m.value) for m in block.modifiers] == [("format", '"$Artist - $Score"')]


@pytest.mark.parametrize(("source", "key", "operator", "value"), [
    ('name = "x"', "name", "=", '"x"'),
    ("key: value", "key", ":", "value"),
    ("Include research papers: true", "Include research papers", ":", "true"),
    ('mode: "light" | "dark"', "mode", ":", '"light" | "dark"'),
    ('Score => "$a / $b"', "Score", "=>", '"$a / $b"'),
    ("over13", "over13", None, None),
    ("failedTestCount;", "failedTestCount", None, None),
])
def test_properties(source, key, operator, value):
    text = f"A {{\n  {source}\n}}"
    prop = one(text).body[0]
    assert isinstance(prop, n.Property)
    assert (prop.key, prop.operator, prop.value and prop.value.text) == (key, operator, value)
    if value is not None:  # the value is an Expr with its own span
        assert text[prop.value.span.start:prop.value.span.end] == value


def test_property_continuation_lines_belong_to_it():
    prop = one("A {\n  description: a long\n    continued value\n  next: 1\n}").body
    assert [p.key for p in prop] == ["description", "next"]
    assert prop[0].span.end_line == 3


def test_strings_and_interpolation():
    source = 'greeting = "Hi $name, ${ the user }, $a.b and $fn() cost \\$5 or $100,000"'
    prop = one(source)
    [string] = prop.strings
    assert string.quote == '"'
    assert [i.expression for i in string.interpolations] == ["name", " the user ", "a.b", "fn()"]
    first = string.interpolations[0]
    assert prop.span.start < first.span.start and source[first.span.start:first.span.end] == "$name"


def test_backtick_and_triple_strings():
    prop = one('layout = """\n  {title}\n  """')
    assert prop.strings[0].quote == '"""' and "{title}" in prop.strings[0].text
    call = one("state = `uv run state_manager.py get $SID $`")
    assert call.strings[0].quote == "`"


def test_command_map():
    node = one('commands = {\n  "/team <name>": "Show team details",\n  "@<agent>": "Navigate to agent"\n}')
    assert isinstance(node, n.CommandMap)
    team, agent = node.entries
    assert (team.form, team.names, team.description) == ("map", ("/team",), "Show team details")
    assert [(p.name, p.required) for p in team.params] == [("name", True)]
    assert [(p.name, p.required) for p in agent.params] == [("agent", True)]


@pytest.mark.parametrize(("line", "names", "params", "description"), [
    ("/help - Show help", ("/help",), [], "Show help"),
    ("/l | learn [topic] - Learn about a topic", ("/l", "/learn"), [("topic", False)], "Learn about a topic"),
    ("/list | /ls - List things", ("/list", "/ls"), [], "List things"),
    ("/randomize [short description?] - Randomize", ("/randomize",), [("short description", False)], "Randomize"),
    ("/next Generate the next name", ("/next",), [], "Generate the next name"),
    ("/help: Provide help", ("/help",), [], "Provide help"),
    ("❓ /help - Ask", ("/help",), [], "Ask"),
    ("/revise", ("/revise",), [], None),
])
def test_command_lines(line, names, params, description):
    command = one(f"Commands {{\n  {line}\n}}").body[0]
    assert isinstance(command, n.Command) and command.form == "line"
    assert command.names == names
    assert [(p.name, p.required) for p in command.params] == params
    assert command.description == description


def test_command_description_continues_on_indented_lines():
    command = one("Commands {\n  /craft - Generate a description,\n    imperatively.\n  /list - List\n}").body[0]
    assert command.description == "Generate a description, imperatively."


def test_a_bare_command_naming_a_declared_one_is_an_invocation():
    program = items("Bot {\n  /start - Begin\n}\n/start\n")
    assert isinstance(program[-1], n.CommandCall) and program[-1].name == "/start"


@pytest.mark.parametrize(("source", "keyword", "name", "params", "has_body"), [
    ("fn foo;", "fn", "foo", [], False),
    ("function bar(name);", "function", "bar", [("name", True)], False),
    ("fn foo() {\n  Say hi.\n}", "fn", "foo", [], True),
    ("craft(subject, n=5) {\n  Write.\n}", None, "craft", [("subject", True), ("n", False)], True),
    ("describe({ given?, should }) => ActionObject {\n  x\n}", None, "describe", [("given", False), ("should", True)], True),
    ("Task {\n  toggle(done, ...rest)\n}", None, "toggle", [("done", True), ("rest", True)], False),
])
def test_functions(source, keyword, name, params, has_body):
    function = one(source)
    if isinstance(function, n.Block):  # a method declared in a block body
        function = function.body[0]
    assert isinstance(function, n.Function)
    assert (function.keyword, function.name, function.body is not None) == (keyword, name, has_body)
    assert [(p.name, p.required) for p in function.params] == params
    for param in function.params:  # each parameter has its own span
        assert param.name in source[param.span.start:param.span.end]


def test_function_modifiers():
    function = one("function list():select=state,format=yaml")
    assert [(m.name, m.value) for m in function.modifiers] == [("select", "state,format=yaml")]


def test_calls_with_modifiers():
    call = one("explain(topic):length=short, detail=simple;")
    assert isinstance(call, n.Call) and (call.name, [a.text for a in call.args]) == ("explain", ["topic"])
    assert [(m.name, m.value) for m in call.modifiers] == [("length", "short, detail=simple")]
    assert [a.text for a in one("explain(content policy)").args] == ["content policy"]  # prose arguments


def test_call_arguments_split_at_top_level_commas():
    source = 'f(a, "b, c", [1, 2], g(x, y), { k: v, w },)'
    call = one(source)
    assert [a.text for a in call.args] == ["a", '"b, c"', "[1, 2]", "g(x, y)", "{ k: v, w }"]
    assert all(source[a.span.start:a.span.end] == a.text for a in call.args)
    assert [s.text for s in call.args[1].strings] == ["b, c"] and call.strings == call.args[1].strings
    assert one("f()").args == ()


def test_requirements():
    require, warn, constraint = items("require users must be over 13.\nwarn name should be defined.\nconstraint: be brief")
    assert (require.kind, require.text) == ("require", "users must be over 13.")
    assert (warn.kind, constraint.kind, constraint.text) == ("warn", "constraint", "be brief")
    block = one('require {\n  throw "too young"\n}')
    assert isinstance(block, n.Requirement) and block.body


def test_conditionals_loops_and_match():
    conditional = one('if (score > 10) {\n  log("win")\n} else {\n  log("lose")\n}')
    assert (conditional.keyword, conditional.condition.text) == ("if", "score > 10")
    assert conditional.orelse[0].keyword == "else" and conditional.orelse[0].condition is None
    prose_if = one("If the player picks up coins {\n  add them\n}")
    assert isinstance(prose_if, n.Conditional) and prose_if.condition.text == "the player picks up coins"
    chain = one("if (a) { x } else if (b == 2) { y } else { z }")
    assert chain.orelse[0].condition.text == "b == 2" and chain.orelse[0].orelse[0].condition is None
    loops = items("for each x in xs {\n  x\n}\nwhile (alive) {\n  play\n}\nloop {\n  again\n}")
    assert [loop.kind for loop in loops] == ["for each", "while", "loop"]
    assert [([v.text for v in loop.variables], loop.subject and loop.subject.text) for loop in loops] == [
        (["x"], "xs"), ([], "alive"), ([], None)]
    pair, paren = items("for each (key, value) of map {\n  x\n}\nfor (const x of items(2)) {\n  y\n}")
    assert ([v.text for v in pair.variables], pair.subject.text) == (["key", "value"], "map")
    assert ([v.text for v in paren.variables], paren.subject.text) == (["x"], "items(2)")
    match = one('match (input) {\n  case "/help" => showHelp()\n  (no matching commands) => explain\n  default => ask\n}')
    assert match.subject.text == "input"
    assert [(a.pattern.text, a.result.text) for a in match.arms] == [
        ('case "/help"', "showHelp()"), ("(no matching commands)", "explain"), ("default", "ask")]


def test_pipes_options_and_imports():
    pipe = one("input |> summarize(x) |> /save")
    assert pipe.target is None and [s.text for s in pipe.stages] == ["input", "summarize(x)", "/save"]
    assigned = one("result = tasks |> sort")
    assert assigned.target.text == "result" and [s.text for s in assigned.stages] == ["tasks", "sort"]
    options = one("Options {\n  -depth | d [1..10] - how deep\n}")
    assert options.kind == "options"
    imported = items("import 'ai/skills/x/SKILL.md'\n@interfaces User from \"./file.su\"")
    assert [i.target for i in imported] == ["ai/skills/x/SKILL.md", "./file.su"]


# --- syntax errors: structure only, reported where the opener was, all of them ------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("A {\n  x\n", [("SL001", 1, 3)]),
    ("call(a,\n  b\n", [("SL001", 1, 5)]),
    ("list = [1, 2\n", [("SL001", 1, 8)]),
    ("A {\n}\n}\n", [("SL002", 3, 1)]),
    ("x = (1))\n", [("SL002", 1, 8)]),
    ('say "hello\n\nnext', [("SL003", 1, 5)]),
    ("run `ls\n\n", [("SL003", 1, 5)]),
    ('layout = """\n  box\n', [("SL004", 1, 10)]),
    ("```sudo\nA {\n", [("SL005", 1, 1)]),
    ("/* never\nends", [("SL006", 1, 1)]),
    ("A {\n  f(x\n}\nB {\n", [("SL001", 2, 4), ("SL001", 4, 3)]),
])
def test_syntax_errors(source, expected):
    assert errors(source) == expected


def test_errors_keep_going_and_the_tree_is_still_built():
    program = parse("A {\n  ok = 1\n)\nB {\n  also = 2\n", "t.sudo")
    assert [(e.code, e.span.line) for e in program.errors] == [("SL001", 1), ("SL002", 3), ("SL001", 4)]
    assert [type(i) for i in program.items] == [n.Block]  # B nests in the unclosed A, closed at the end
    assert "SL001 unclosed '{'" in str(pytest.raises(SudoLangSyntaxError, parse, "A {", "t.sudo", fail_fast=True).value)


def test_a_paren_left_open_inside_a_block_is_closed_at_the_brace():
    program = parse("A {\n  f(x\n}\n", "t.sudo")
    [error] = program.errors
    assert "before the '}' at 3:1" in error.message


def test_prose_apostrophes_and_quotes_across_lines():
    prop = one('results = "Clarify and prettify\n  results. Be terse."')
    assert prop.strings[0].text.startswith("Clarify") and prop.span.end_line == 2


def test_nodes_behave_as_frozen_slotted_records():
    """sudolang.nodes.node() gives what @dataclass(frozen=True, slots=True) gave: fields in order, by position or
    by name with the class's defaults, equality and hash by value, the dataclass repr, no assignment."""
    from sudolang import core_nodes as c

    span = n.Span("t.sudo", 1, 1, 1, 2, 0, 1)
    made = c.Assign(span, c.Name(span, "x"), "=", c.Literal(span, 1))
    assert made == c.Assign(span=span, target=c.Name(span, "x"), op="=", value=c.Literal(span, 1), keyword=None)
    assert made.keyword is None and n.field_names(made) == ("span", "target", "op", "value", "keyword")
    assert hash(made) == hash((span, c.Name(span, "x"), "=", c.Literal(span, 1), None))
    assert made != c.Assign(span, c.Name(span, "x"), "=", c.Literal(span, 2)) and made != "Assign"
    assert repr(c.Name(span, "x")) == f"Name(span={span!r}, name='x')"
    assert list(made.children()) == [c.Name(span, "x"), c.Literal(span, 1)]
    with pytest.raises(AttributeError):
        made.op = "+="
    with pytest.raises(AttributeError):
        made.other = 1  # slotted: no __dict__
    with pytest.raises(TypeError):
        c.Name(span)  # a field without a default is required
    assert not hasattr(made, "__dict__")
    import copy
    import pickle

    assert copy.deepcopy(made) == made and pickle.loads(pickle.dumps(made)) == made


def test_a_record_takes_defaults_factories_and_fields_left_out_of_equality():
    """sudolang.spans.record, for the program model: as dataclasses' field(default_factory=…, compare=False)
    and replace()."""
    from sudolang.program import CommandSpec, Param, ProgramModel
    from sudolang.spans import replace

    span = n.Span("t.sudo", 1, 1, 1, 2, 0, 1)
    param = Param("task", True, span=span)
    assert param == Param("task", True) and hash(param) == hash(Param("task", True))  # the span is not compared
    assert param.type == "text" and repr(param) == f"Param(name='task', required=True, type='text', span={span!r})"
    command = CommandSpec("/go <task>", "/go", (param,), "Go", 3)
    assert replace(command, local=True).local and not command.local and replace(command) == command
    model = dict(name="t", prefix="t", title="T", description="", role="", constraints=(), bindings=(), layout="",
                 layout_line=0, commands=(), source="", path="t.sudo", interface_line=1)
    first, second = ProgramModel(**model), ProgramModel(**model)
    assert first.spans == {} and first.spans is not second.spans  # a new dict each time
