"""Faults found on real public programs held out from the tests (issue 11), each with programs of our own
modelled on them: the class of fault, not the one file. Every program round-trips and nests."""

from __future__ import annotations

import pytest

from sudolang import errors, lint
from sudolang import nodes as n
from sudolang.diagnostics import SudoLangSyntaxError
from sudolang.parser import parse

from harness import check, found, source_of
from test_corpus import assert_nested, rebuild


def parsed(text: str) -> n.Program:
    source = source_of(text)
    program = parse(source, "t.sudo")
    assert rebuild(program) == source
    assert_nested(program)
    return program


def of(program: n.Program, kind: type) -> list:
    return [node for node in program.walk() if isinstance(node, kind)]


# --- a fenced block inside a { … } body, indented or after a list marker ---------------------------

FENCE_IN_LIST_ITEM = '''
    Helper {
      Examples:
      * ```js
        const greeting = "it's ok;
        if (ready) { start(
        ```
      - Then run it.
    }
    '''


def test_a_fence_after_a_list_marker_inside_a_block_is_opaque():
    program = parsed(FENCE_IN_LIST_ITEM)
    assert not program.errors  # the JavaScript's open string and brackets are not SudoLang's
    [block] = program.items
    prose, fence, item = block.body
    assert isinstance(fence, n.Fence) and fence.language == "js" and "if (ready)" in fence.text
    assert fence.span.line == 3 and fence.span.end_line == 6  # from the marker to the closing ```
    assert isinstance(item, n.ListItem) and item.text == "Then run it."
    assert found(FENCE_IN_LIST_ITEM) == []


@pytest.mark.parametrize("opener", ["```js", "  ```js", "1. ```python", "+ ~~~sh", "- ```"])
def test_fences_may_be_indented_and_follow_any_list_marker(opener):
    program = parsed(f'''
        Tool {{
          {opener}
          x = "unterminated
          {opener.split()[-1][:3] if opener.split()[-1].startswith(("`", "~")) else "```"}
          after = 1
        }}
        ''')
    assert not program.errors
    [block] = program.items
    assert [type(node).__name__ for node in block.body] == ["Fence", "Property"]


def test_fences_nest_at_every_level_and_at_the_top():
    program = parsed('''
        ```js
        top { level
        ```
        Outer {
          Inner {
            ```sh
            echo "(
            ```
          }
          f(x)
        }
        ''')
    assert not program.errors
    fences = of(program, n.Fence)
    assert [fence.language for fence in fences] == ["js", "sh"]
    assert fences[0] in program.items and fences[1] not in program.items  # the inner one is in its block


def test_a_list_item_that_follows_a_fence_is_not_swallowed_by_it():
    program = parsed('''
        - Intro:
          ```js
          a(
          ```
        - next
        ''')
    assert [type(item).__name__ for item in program.items] == ["ListItem", "Fence", "ListItem"]


def test_inline_triple_backticks_open_no_fence():
    program = parsed('''
        - ```inline``` code is prose
        x = { a }
        ''')
    assert not of(program, n.Fence) and not program.errors


def test_the_fence_marker_characters_in_the_source_are_text():
    program = parsed("note \ue001\ue000 here\nx = 1\n")
    assert not program.errors and not of(program, n.Fence)


def test_positions_after_a_fence_count_its_lines():
    program = parse("```js\na\nb\n```\nX {\n  a)\n}\n", "t.sudo")
    [stray] = program.errors
    assert (stray.code, stray.span.line) == ("SL002", 6) and "opened at 5:3" in stray.message


# --- alias lists are one command -------------------------------------------------------------------


def test_an_alias_list_repeating_its_parameters_is_one_command():
    program = parsed('''
        Reader {
          /summarize [title] | /sum [title] - Summarize a document
          /quit | /q - Leave
        }
        ''')
    summarize, quit_ = of(program, n.Command)
    assert summarize.names == ("/summarize", "/sum") and summarize.description == "Summarize a document"
    assert [(p.name, p.required) for p in summarize.params] == [("title", False)] and not summarize.problems
    assert quit_.names == ("/quit", "/q")
    assert found('''
        Reader {
          /summarize [title] | /sum [title] - Summarize a document
          /quit | /q - Leave
        }
        ''') == []


def test_an_alias_list_in_the_command_map_is_one_command():
    program = parsed('''
        Reader {
          commands = {
            "/summarize <doc> [style] | /sum <doc> [style]": "Summarize",
            "/help": "Show help"
          }
        }
        ''')
    summarize, _ = of(program, n.Command)
    assert summarize.names == ("/summarize", "/sum") and [p.name for p in summarize.params] == ["doc", "style"]


def test_a_commands_block_without_equals_declares_its_map_entries():
    """`commands { "/sig": "description" }` is the map form too, beside `/command - description` lines:
    read as plain properties, the commands compiled to nothing at all."""
    program = parsed('''
        Bot {
          commands {
            "/hi": "Say hi"
            "/add <task> [points]": "Add a task"
            /go - Go somewhere
          }
        }
        ''')
    commands = of(program, n.Command)
    assert [(c.names, [p.name for p in c.params], c.description) for c in commands] == [
        (("/hi",), [], "Say hi"), (("/add",), ["task", "points"], "Add a task"), (("/go",), [], "Go somewhere")]
    assert commands[1].span.line == 4 and rebuild(program) == program.source
    assert_nested(program)


def test_aliases_whose_parameters_differ_are_a_malformed_signature():
    check('''
        Reader {
          /summarize [title] | /sum <title> - Summarize
        }
        ''', ("SL102", 2, 3))


def test_an_alias_still_collides_with_another_command():
    check('''
        Reader {
          /summarize [title] | /sum [title] - Summarize
          /sum - Add numbers
        }
        ''', ("SL101", 3, 3))


# --- loops without braces, and assignments to member or index targets -----------------------------


def test_a_for_each_line_with_a_colon_heads_the_lines_indented_below_it():
    program = parsed('''
        Process {
          For each document in Documents:
            summarize(document)
            Tag it by topic.
          report()
        }
        ''')
    [block] = program.items
    loop, after = block.body
    assert isinstance(loop, n.Loop) and loop.kind == "for each"
    assert [v.text for v in loop.variables] == ["document"] and loop.subject.text == "Documents"
    assert [type(node).__name__ for node in loop.body] == ["Call", "Prose"]
    assert isinstance(after, n.Function) and after.name == "report"  # `name()` in a block body declares a method
    assert not of(program, n.Property)


def test_a_for_each_line_binds_its_variables_for_layouts():
    check('''
        Board {
          for each (column, cards) of board:
            draw(column)
          layout = """
            {column}: {cards}
          """
        }
        ''', select=["SL201"])


def test_a_for_each_sentence_without_a_body_stays_prose():
    program = parsed('''
        for each file in files
        Then stop.
        ''')
    assert [type(item).__name__ for item in program.items] == ["Prose", "Prose"]


@pytest.mark.parametrize(("line", "target", "operator", "value"), [
    ("game.superBats[0].current = 3", "game.superBats[0].current", "=", "3"),
    ("state.items[i] += 1", "state.items[i]", "+=", "1"),
    ('matrix[1][2] = "x"', "matrix[1][2]", "=", '"x"'),
])
def test_assignments_to_member_and_index_targets_are_code(line, target, operator, value):
    program = parsed(f"Game {{\n  {line}\n}}\n")
    [prop] = program.items[0].body
    assert isinstance(prop, n.Property) and (prop.key, prop.operator, prop.value.text) == (target, operator, value)


def test_an_index_target_is_bound_by_its_root():
    check('''
        Game {
          game.bats[0].current = 3
          layout = """
            {game.bats}
          """
        }
        ''', select=["SL201"])


# --- lint precision: an error must mean the program is wrong --------------------------------------


def test_english_words_before_a_parenthesis_are_not_calls():
    check('''
        Bot {
          tone: Warm (never saccharine)
          Respond (politely) to the user.
          Note (important)
        }
        ''', select=["SL301"])


def test_a_pipe_assigned_to_a_name_defines_it():
    check('''
        f = x => x + 1
        g = x => x * 2
        h = f |> g
        h(20)
        ''', select=["SL301"])


def test_a_call_touching_its_parenthesis_is_still_checked():
    check('''
        Bot {
          greet() {
            wave(hand)
          }
        }
        ''', ("SL301", 3, 5))


# --- one exception family, no module-global lint state ---------------------------------------------


def test_a_syntax_error_is_a_positioned_sudolang_error():
    with pytest.raises(errors.SudolangError) as raised:
        parse("A {\n  x = (1\n}\n", "prog.sudo", fail_fast=True)
    error = raised.value
    assert isinstance(error, SudoLangSyntaxError) and isinstance(error, errors.PositionedError)
    assert (error.path, error.line, error.column) == ("prog.sudo", 2, 7)
    assert str(error).startswith("prog.sudo:2:7: SL001") and error.exit_code == errors.FAILURE
    assert error.diagnostics[0].code == "SL001"


def test_a_positioned_error_may_be_built_at_a_span():
    span = parse("x = 1\n", "p.sudo").items[0].span
    error = errors.PositionedError.at(span, "something is wrong")
    assert str(error) == "p.sudo:1:1: something is wrong" and error.reason == "something is wrong"
    assert str(errors.PositionedError("no place")) == "no place"


def test_lint_keeps_no_module_global_cache():
    assert not hasattr(lint, "_last") and not hasattr(lint, "facts")
    first, second = parse("X {\n  a(b)\n}\n"), parse("X {\n  a(b)\n}\n")
    assert lint.lint(first) == lint.lint(second) == lint.lint(first)


# --- values are nodes with spans; the AST dump lives in nodes ---------------------------------------


def test_every_expression_is_its_exact_source():
    program = parsed('''
        Quiz {
          score = add(a, "b, c") |> round
          if (score > 10) { log("win", score) }
          match (input) {
            case "/help" => show(help)
          }
          for each q in questions { ask(q) }
          fn grade(answer, strict = false) { x }
        }
        ''')
    exprs = of(program, n.Expr)
    assert len(exprs) > 10
    for expr in exprs:
        assert program.source[expr.span.start:expr.span.end] == expr.text and expr.text.strip() == expr.text
        for string in expr.strings:
            assert expr.span.start <= string.span.start < string.span.end <= expr.span.end


def test_dump_prints_one_node_per_line():
    program = parse("A {\n  x = f(1, 2)\n}\n", "t.sudo")
    assert n.dump(program).splitlines() == [
        "1:1 Program path='t.sudo'",
        "  1:1 Block kind='block' name='A'",
        "    1:1 Expr text='A'",
        "    2:3 Property key='x' operator='='",
        "      2:7 Expr text='f(1, 2)'",
    ]
    deep = parse("if (a) { x }" + " else if (b) { y }" * 2_000 + "\n")
    assert len(n.dump(deep).splitlines()) > 6_000  # no recursion
