"""sudolang/compiler/compiled_templates holds each template as Jinja2 compiles it (tools/build_templates.py).
The modules must be what the tool writes from the templates and environment as they are now, and a module
is used only when it was compiled by this Jinja2 from this very source: otherwise the template is compiled
from its file, and the output is the same either way."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jinja2
import pytest

from sudolang import compiler, programs
from sudolang.compiler import compiled_templates
from sudolang.compiler.template_cache import TemplateLoader

ROOT = Path(__file__).resolve().parents[2]
_TOOL = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
build_templates = importlib.util.module_from_spec(_TOOL)  # a tool of the repository (tools/), not of the package
_TOOL.loader.exec_module(build_templates)
STALE = f"sudolang/compiler/compiled_templates is stale: run `{build_templates.COMMAND}`"
FOLDER = ROOT / "sudolang" / "compiler" / "compiled_templates"


@pytest.fixture
def fresh_environment():
    compiler._environment.cache_clear()
    compiler._compiled.cache_clear()
    yield
    compiler._environment.cache_clear()
    compiler._compiled.cache_clear()


def test_the_modules_are_what_the_tool_writes(fresh_environment):
    expected = build_templates.files()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in FOLDER.glob("*.py")}
    assert on_disk == expected, STALE


def test_every_template_of_a_compile_comes_from_its_module(fresh_environment):
    environment = compiler._environment()
    for name in compiled_templates.TEMPLATES:
        assert Path(environment.get_template(name).filename).parent == FOLDER, name


def test_another_jinja2_compiles_the_templates_and_renders_the_same(fresh_environment, monkeypatch):
    shipped = compiler.compile_programs(programs.names())
    compiler._environment.cache_clear()
    compiler._compiled.cache_clear()
    monkeypatch.setattr(compiled_templates, "JINJA2_VERSION", "0.0")  # as if another Jinja2 were installed
    environment = compiler._environment()
    assert all(Path(environment.get_template(name).filename).parent != FOLDER for name in compiled_templates.TEMPLATES)
    assert compiler.compile_programs(programs.names()) == shipped


def test_an_edited_template_is_compiled_from_its_file(tmp_path):
    (tmp_path / "command.md.j2").write_text("edited {{ 1 + 1 }}\n", encoding="utf-8")
    environment = jinja2.Environment(loader=TemplateLoader(str(tmp_path)))
    template = environment.get_template("command.md.j2")
    assert template.render() == "edited 2"
    assert Path(template.filename).parent == tmp_path


def test_a_template_loaded_by_another_environment_leaves_this_one_alone(fresh_environment):
    """Each load runs the module's code in a namespace of its own, as Jinja2 does with compiled code: another
    environment (without sudolang's filters) loading the same template changes nothing for this one."""
    source, label = programs.source("sprint_execution"), "sudolang/programs/sprint_execution.sudo"
    files = compiler.compile_program(source, label)  # rendered here: compile_program uses no file cache
    compiler._compiled.cache_clear()
    other = jinja2.Environment(loader=TemplateLoader(str(ROOT / "sudolang" / "compiler" / "templates")))
    for name in compiled_templates.TEMPLATES:
        assert Path(other.get_template(name).filename).parent == FOLDER
    assert compiler.compile_program(source, label) == files
