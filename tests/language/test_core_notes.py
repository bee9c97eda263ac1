"""`sudolang lint --notes`: for every command, whether it runs locally or in the model, and the line that
decided it. Over the public corpus and over hand-made cases whose right line is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from sudolang import program as program_model
from sudolang.lint import lint
from sudolang.parser import parse

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "sudolang"

CASES = '''\
interface Notes {
  name = "notes"
  commands = {
    "/local <x>": "Runs here",
    "/prose": "A line of prose",
    "/model-call <topic>": "Calls a function only the model has",
    "/indirect": "Calls a function whose body is prose",
    "/missing": "Has no function",
    "/wrong-arity": "Calls the library with too many arguments",
    "/help": "The commands"
  }
}

fn local(x) {
  return upper(x)
}

fn prose() {
  total = 1
  Tell the user how the sprint is going.
}

fn model_call(topic) {
  note = "x"
  explain(topic):length=short
}

fn indirect() {
  return helper()
}

fn helper() {
  n = 2
  Summarise the board for the user.
}

fn wrong_arity() {
  return upper("a", "b")
}
'''


def notes(source: str, path: str = "notes.sudo") -> dict[str, tuple[str, int, str]]:
    """command -> (code, line, message) of its SL510/SL511 note."""
    found = {}
    for diagnostic in lint(parse(source, path), notes=True):
        if diagnostic.code in ("SL510", "SL511"):
            command = diagnostic.message.split()[1]
            assert command not in found, f"two notes for {command}"
            found[command] = (diagnostic.code, diagnostic.span.line, diagnostic.message)
    return found


def line_of(text: str) -> int:
    return CASES.splitlines().index(text) + 1


def test_each_command_gets_one_note_at_the_line_that_decided_it():
    found = notes(CASES)
    assert set(found) == {"/local", "/prose", "/model-call", "/indirect", "/missing", "/wrong-arity"}
    assert found["/local"][0] == "SL510"
    assert found["/prose"][:2] == ("SL511", line_of("  Tell the user how the sprint is going."))
    assert found["/model-call"][:2] == ("SL511", line_of("  explain(topic):length=short"))
    assert "explain() is neither a function of this program nor of the standard library" in found["/model-call"][2]
    assert found["/indirect"][:2] == ("SL511", line_of("  Summarise the board for the user."))
    assert "it calls helper(), which runs in the model" in found["/indirect"][2]
    assert found["/missing"][:2] == ("SL511", line_of('    "/missing": "Has no function",'))
    assert "no function missing()" in found["/missing"][2]
    assert found["/wrong-arity"][:2] == ("SL511", line_of('  return upper("a", "b")'))
    assert "upper() takes 1 argument(s), given 2" in found["/wrong-arity"][2]


def test_notes_are_off_unless_asked_for():
    assert not [d for d in lint(parse(CASES, "notes.sudo")) if d.severity == "info"]
    assert {d.code for d in lint(parse(CASES, "notes.sudo"), select=["SL51"])} == {"SL510", "SL511"}


CORPUS_FILES = sorted(CORPUS.glob("*.sudo")) + sorted(CORPUS.glob("*.md")) + sorted(CORPUS.glob("*.mdc"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus (../shared/corpus/sudolang) is not beside this checkout")
def test_every_command_of_every_corpus_program_gets_a_note_on_a_line_of_its_function_or_itself():
    checked = 0
    for path in CORPUS_FILES:
        source = path.read_text(encoding="utf-8", errors="replace")
        ast = parse(source, str(path))
        model, _ = program_model.build(ast)
        if model is None:
            continue
        found = notes(source, str(path))
        functions = {f.name: f.span for f in model.functions}
        for command in model.commands:
            if command.name == "/help":
                continue
            label = command.name if command.name != "@" else command.signature
            assert label in found, (path.name, label)
            code, line, _ = found[label]
            if code == "SL511":
                spans = [command.span] + list(functions.values())
                assert any(s.line <= line <= s.end_line for s in spans), (path.name, label, line)
            checked += 1
    assert checked >= 20
