"""sudolang.program: the one reading of a program to compile (issue 11), which lint, compile and the handler share."""

from __future__ import annotations

import runpy
import shlex

import pytest

from sudolang import compiler, programs
from sudolang import program as program_model
from sudolang.parser import parse

VIEWS = {"all-team_dashboard": "/refresh", "config_manager": "/show", "leadership_chat": "/decisions",
         "sprint_execution": "/board"}


def build(source: str, path: str = "p.sudo", require: bool = False):
    """The model and its problems (not its notes: where each command runs is tested apart)."""
    model, diagnostics = program_model.build(parse(source, path), require=require)
    return model, [d for d in diagnostics if d.severity != "info"]


def test_every_command_gets_a_note_saying_where_it_runs():
    model, diagnostics = program_model.build(parse(programs.source("sprint_execution"), "s.sudo"))
    notes = {d.message.split()[1]: d.code for d in diagnostics if d.severity == "info"}
    assert notes == {c.name: "SL510" for c in model.commands if c.name != "/help"}
    assert all(c.local for c in model.commands if c.name != "/help")


def codes(diagnostics) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in diagnostics]


def handler_values(files: dict[str, str], tmp_path, name: str) -> dict:
    path = tmp_path / f"{name}.py"
    path.write_text(files[f"scripts/handlers/{name}.py"])
    return runpy.run_path(str(path), run_name="not_main")


@pytest.mark.parametrize("name", programs.names())
def test_each_shipped_program_declares_the_view_it_always_had(name):
    model, diagnostics = build(programs.source(name), f"{name}.sudo")
    assert diagnostics == [] and model.view == VIEWS[name] == model.view_command
    assert model.spans["view"].line > model.commands[-1].line  # declared last, so no other line moved
    assert model.bindings and all(b.kind in ("view", "query") and b.span.line == b.line for b in model.bindings)
    assert all(c.span.line == c.line and c.names[0] == c.name or c.name == "@" for c in model.commands)
    assert all(p.type == "text" and p.span is not None for c in model.commands for p in c.params)
    assert model.spans["name"].line == 7 and model.spans["interface"].line == 6


def test_a_program_without_commands_is_not_a_program_and_lints_without_these_diagnostics():
    for text in ("# Notes\n\nJust prose.\n", 'interface User {\n  name = "John Smith"\n}\n',
                 "type Task {\n  title\n}\n\ninterface Board {\n  /go - Go\n}\n"):
        assert build(text) == (None, [])
        model, refused = build(text, require=True)
        assert model is None and [d.code for d in refused] == ["SL500"]
    _, [no_block] = build("# Notes\n\nJust prose.\n", require=True)
    assert (no_block.span.line, no_block.span.column) == (1, 1) and "no top-level block" in no_block.message
    _, [first] = build("type Task {\n  title\n}\n\ninterface Board {\n  /go - Go\n}\n", require=True)
    assert (first.span.line, first.span.column) == (1, 1) and "'type Task'" in first.message


def test_without_a_name_the_interface_names_the_program(cli, tmp_path):
    model, diagnostics = build('interface CodeReview {\n  commands = {\n    "/add <task>": "Add a task"\n  }\n}\n')
    assert diagnostics == [] and (model.name, model.prefix) == ("code_review", "code_review")
    path = tmp_path / "review.sudo"
    path.write_text('interface TodoList {\n  /add <task> - Add a task\n}\n')
    result = cli("compile", str(path), "--out", str(tmp_path / "out"))
    assert result.code == 0, result
    assert (tmp_path / "out" / "commands" / "todo_list-add.md").is_file()


def test_no_name_is_an_error_at_the_interface_for_lint_and_compile(cli, tmp_path):
    source = 'interface Über {\n  commands = {\n    "/add <task>": "Add a task"\n  }\n}\n'
    model, diagnostics = build(source)
    assert model is None and codes(diagnostics) == [("SL501", 1, 1)]
    assert diagnostics[0].span.end_column == len("interface Über") + 1  # the header, not the whole block
    path = tmp_path / "todo.sudo"
    path.write_text(source)
    result = cli("compile", str(path), "--out", str(tmp_path / "out"))
    assert result.code == 1 and f"{path}:1:1: SL501 " in result.out and "nothing was written" in result.err
    assert not (tmp_path / "out").exists()
    _, [not_a_string] = build('interface Todo {\n  name = todo\n  /add <task> - Add\n}\n')
    assert codes([not_a_string]) == [("SL501", 2, 3)] and "as a string" in not_a_string.message


def test_a_file_that_is_not_a_program_is_refused_by_compile_with_a_position(cli, tmp_path):
    path = tmp_path / "notes.sudo"
    path.write_text("# Notes\n\n/add <task> - Add a task\n")
    result = cli("compile", str(path), "--out", str(tmp_path / "out"))
    assert result.code == 1 and f"{path}:1:1: SL500 nothing to compile" in result.out


@pytest.mark.parametrize("spelling", [
    "  bind {\n    a => view x.y\n    b => query $.q\n  }\n",
    "  Bindings {\n    a => view x.y\n    b => query $.q\n  }\n",
    "  bindings = {\n    a => view x.y\n    b => query $.q\n  }\n",
])
def test_every_spelling_lint_accepts_binds_in_the_handler(spelling, tmp_path):
    source = ('interface T {\n  name = "t"\n' + spelling + '  layout = """\n    {a} {b}\n  """\n'
              '  view = "/show"\n  /show - Show\n}\n')
    model, diagnostics = build(source)
    assert diagnostics == [] and [(b.placeholder, b.kind, b.target) for b in model.bindings] == [
        ("a", "view", "x.y"), ("b", "query", "$.q")]
    values = handler_values(compiler.compile_program(source, "t.sudo"), tmp_path, "t")
    assert values["BINDINGS"] == {"a": ("view", "x.y"), "b": ("query", "$.q")}
    assert values["VIEW_COMMAND"] == "/show"


INCIDENT = '''interface Incident {
  name = "incident"
  layout = """
    Open: {open}
  """
  bindings {
    open => view incidents.open
  }
  commands = {
    "/resolve": "Resolve the incident",
    "/status": "Show the incident"
  }
}
'''


def test_without_a_declared_view_no_command_is_named_to_refresh_the_screen(tmp_path):
    """The old rule made /resolve, the first command without parameters, the view Claude is told to run."""
    model, diagnostics = build(INCIDENT)
    assert diagnostics == [] and model.view is None and model.view_command == "/help"
    files = compiler.compile_program(INCIDENT, "incident.sudo")
    style = files["output-styles/incident.md"]
    prose = style.split("## Commands")[0] + style.split("## Refreshing state")[1].split("## Program source")[0]
    assert "/resolve" not in prose and "/status" not in prose and "declares no view command" in prose
    assert handler_values(files, tmp_path, "incident")["VIEW_COMMAND"] == "/help"  # the runtime's "none"


@pytest.mark.parametrize(("view", "code", "column", "words"), [
    ('"/nope"', "SL505", 10, "is not a command of this program (its commands: /go, /resolve, /status)"),
    ('"/go"', "SL506", 10, "has a required parameter (<where>)"),
    ("status", "SL505", 3, "is not a string"),
])
def test_a_declared_view_must_be_a_command_run_without_arguments(view, code, column, words):
    source = INCIDENT.replace('  commands = {', f'  view = {view}\n  /go <where> - Go\n  commands = {{')
    model, [diagnostic] = build(source)
    assert model is None and codes([diagnostic]) == [(code, 9, column)] and words in diagnostic.message
    with pytest.raises(compiler.CompileError) as refused:
        compiler.compile_program(source, "p.sudo")
    assert codes(refused.value.diagnostics) == [(code, 9, column)]


def test_a_triple_quoted_view_is_a_layout_not_a_declaration():
    model, diagnostics = build(INCIDENT.replace("  bindings {", '  view = """\n    x\n  """\n  bindings {'))
    assert diagnostics == [] and model.view is None


def test_the_handler_names_the_source_it_was_compiled_from(tmp_path):
    label = str(tmp_path / "my programs" / "incident.sudo")
    files = compiler.compile_program(INCIDENT, label)
    handler = files["scripts/handlers/incident.py"]
    rebuild = next(line for line in handler.splitlines() if "Rebuild: " in line).split("Rebuild: ")[1]
    assert shlex.split(rebuild) == ["sudolang", "compile", label]
    assert f"Rebuild: sudolang compile {shlex.quote(label)} -->" in files["output-styles/incident.md"]
    quoted = compiler.compile_program(INCIDENT, str(tmp_path / "it's \"odd\".sudo"))["scripts/handlers/incident.py"]
    compile(quoted, "incident.py", "exec")  # a quote in the path cannot end the docstring
    shipped = compiler.compile_programs(["sprint_execution"])["scripts/handlers/sprint_execution.py"]
    assert "Rebuild: sudolang compile sprint_execution\n" in shipped


def test_every_part_has_its_position():
    source = ('# Title\n\ninterface T {\n  name = "t"\n  prefix = "tt"\n  description = "d"\n  role = "r"\n'
              '  constraints {\n    Be brief.\n  }\n  view = "/l"\n  /l | list [n] - List\n'
              '  commands = {\n    "@<agent>": "Talk"\n  }\n  fn helper(a, b = 1) {\n    log(a)\n  }\n}\n')
    model, diagnostics = build(source)
    assert diagnostics == []
    assert (model.name, model.prefix, model.title, model.description, model.role) == ("t", "tt", "Title", "d", "r")
    assert {key: span.line for key, span in model.spans.items()} == {
        "interface": 3, "name": 4, "prefix": 5, "description": 6, "role": 7, "view": 11}
    assert [(c.line, c.text) for c in model.constraints] == [(9, "Be brief.")]
    listing, agent = model.commands
    assert (listing.names, listing.name, listing.slug, listing.param_pairs) == (("/l", "/list"), "/l", "l", (("n", False),))
    assert (agent.name, agent.slug, agent.function, agent.span.line) == ("@", "agent", "at", 14)
    assert model.view == "/l"  # an alias names its command: the view is the command's first name
    [helper] = model.functions
    assert (helper.name, helper.params, helper.span.line) == ("helper", ("a", "b"), 16)


def test_a_compile_refusal_lists_lint_and_model_errors_once():
    source = 'interface T {\n  name = "Bad Name"\n  view = "/x"\n  /go - Go\n}\n'
    with pytest.raises(compiler.CompileError) as refused:
        compiler.compile_program(source, "p.sudo")
    assert codes(refused.value.diagnostics) == [("SL104", 2, 10), ("SL505", 3, 10)]
