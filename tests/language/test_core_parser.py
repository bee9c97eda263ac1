"""sudolang.core, construct by construct: the Core nodes a function's text becomes, their absolute spans, and
the first line that is not Core (docs/language.md §8)."""

from __future__ import annotations

import random

import pytest

from sudolang import core
from sudolang.lalr import Token
from sudolang import core_nodes as c
from sudolang import nodes as n


# --- helpers ---------------------------------------------------------------------------------------


def shape(value):
    """A node as nested tuples without spans: (ClassName, field, field, …)."""
    if isinstance(value, n.Node):
        return (type(value).__name__, *(shape(getattr(value, name)) for name in n.field_names(value)[1:]))
    if isinstance(value, tuple):
        return tuple(shape(item) for item in value)
    return value


def expression(text: str):
    return core.parse_expression(n.Positions(text, "t.sudo"), 0, len(text))


def ex(text: str):
    result = expression(text)
    assert not isinstance(result, c.NotCore), result
    return shape(result)


def function(text: str, start: int = 0, end: int | None = None):
    return core.parse_function(n.Positions(text, "t.sudo"), start, len(text) if end is None else end)


def body(text: str):
    """The statements of `fn f() {\\n<text>\\n}` as shapes."""
    result = function("fn f() {\n" + text + "\n}")
    assert isinstance(result, c.Function), result
    return shape(result.body)


def not_core(text: str) -> tuple[int, str, str]:
    """(line, the line's trimmed text, reason) of a function that is not Core."""
    result = function(text)
    assert isinstance(result, c.NotCore), shape(result)
    return result.span.line, text[result.span.start:result.span.end], result.reason


def N(name):  # noqa: N802 - short constructors of shapes
    return ("Name", name)


def L(value):  # noqa: N802
    return ("Literal", value)


def B(op, left, right):  # noqa: N802
    return ("Binary", op, left, right)


def T(*parts):  # noqa: N802
    return ("Template", parts)


def call(function, *args, modifiers=()):
    return ("Call", function, args, modifiers)


# --- the grammar -----------------------------------------------------------------------------------


def test_every_mark_the_lexer_gives_is_a_terminal_of_the_grammar():
    marks = {"...", "..", "|>", "||", "&&", "==", "!=", "<=", ">=", "=>", "+=", "-=", "*=", "/=",
             *"-+*/%^!<>=.,:()[]{}|?"}
    assert marks | core.RESERVED <= set(core._terminal_names())


def test_no_token_leaves_the_parser():
    result = function('fn f(a: text = "x") {\n  let b = a.c[0] + 1\n  for each (k, v) in b { x = f(k):by=v }\n}')
    assert isinstance(result, c.Function)
    for node in result.walk():
        for name in n.field_names(node):
            value = getattr(node, name)
            values = value if isinstance(value, tuple) else (value,)
            for item in values:
                assert type(item) is not Token, (node, name)
                if isinstance(item, str):
                    assert type(item) is str, (node, name)


# --- functions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["fn add(title, points: number = 1)", "function add(title, points: number = 1)",
                                    "add(title, points: number = 1)"])
def test_function_forms(header):
    result = function(header + " {\n  return title\n}")
    assert shape(result) == ("Function", "add", (("Parameter", "title", None, None, False),
                                                 ("Parameter", "points", "number", L(1), True)),
                             (("Return", N("title")),))


def test_parameters():
    result = function("fn f(a, b?, c: integer, d = [], e: boolean = true,) { }")
    assert shape(result.params) == (
        ("Parameter", "a", None, None, False), ("Parameter", "b", None, None, True),
        ("Parameter", "c", "integer", None, False), ("Parameter", "d", None, ("Array", ()), True),
        ("Parameter", "e", "boolean", L(True), True))
    assert shape(function("fn f() {}")) == ("Function", "f", (), ())
    assert shape(function("fn f {}")) == ("Function", "f", (), ())


def test_unknown_parameter_type():
    assert not_core("fn f(a: date) {\n}") == (1, "fn f(a: date) {", "not Core: unknown type `date`")


@pytest.mark.parametrize("text", ["fn foo;", "function bar(name);", "fn foo(a, b)", "fn foo  // later"])
def test_declaration_without_a_body(text):
    result = function(text)
    assert isinstance(result, c.NotCore)
    assert (result.name, result.reason, result.span.line) == (text.split()[1].split("(")[0].rstrip(";"),
                                                            "declared without a body", 1)


def test_spans_are_absolute():
    source = "# Board\n\nIntro.\n\nfn move(task, column) {\n  t = project.tasks[task]\n\n  t.column = column\n}\n"
    start = source.index("fn move")
    result = core.parse_function(n.Positions(source, "board.sudo"), start, len(source) - 1)
    assert isinstance(result, c.Function)
    assert (result.span.line, result.span.end_line, result.span.start, result.span.end) == (5, 9, start,
                                                                                            len(source) - 1)
    first, second = result.body
    assert (first.span.line, first.span.column, first.span.path) == (6, 3, "board.sudo")
    assert source[first.span.start:first.span.end] == "t = project.tasks[task]"
    assert (second.span.line, source[second.value.span.start:second.value.span.end]) == (8, "column")
    assert source[second.target.span.start:second.target.span.end] == "t.column"
    parameter = result.params[1]
    assert (parameter.span.line, source[parameter.span.start:parameter.span.end]) == (5, "column")


def test_a_template_insertion_has_the_span_of_its_own_text():
    source = 'x\nfn f() {\n  say("a $b.c and ${ d + 1 }")\n}'
    result = core.parse_function(n.Positions(source, "t"), 2, len(source))
    template = result.body[0].expression.args[0]
    member, addition = template.parts[1], template.parts[3]
    assert source[member.span.start:member.span.end] == "b.c" and member.span.line == 3
    assert source[addition.span.start:addition.span.end] == "d + 1"


def test_pipe_call_span_covers_the_whole_pipe():
    source = "xs |> sort(x => x.k)"
    result = expression(source)
    assert (result.span.start, result.span.end) == (0, len(source))


# --- statements ------------------------------------------------------------------------------------


def test_assignments():
    assert body("x = 1\nlet y = 2\nconst z = 3\na.b[c] = 4\nn += 1; n -= 1; n *= 2; n /= 2") == (
        ("Assign", N("x"), "=", L(1), None), ("Assign", N("y"), "=", L(2), "let"),
        ("Assign", N("z"), "=", L(3), "const"),
        ("Assign", ("Index", ("Member", N("a"), "b"), N("c")), "=", L(4), None),
        ("Assign", N("n"), "+=", L(1), None), ("Assign", N("n"), "-=", L(1), None),
        ("Assign", N("n"), "*=", L(2), None), ("Assign", N("n"), "/=", L(2), None))


def test_assignment_needs_a_place():
    assert not_core("fn f() {\n  f(x) = 3\n}")[:2] == (2, "f(x) = 3")


def test_if_else_chain():
    assert body("if (a) { x = 1 } else if b { x = 2 } else { x = 3 }") == (
        ("If", N("a"), (("Assign", N("x"), "=", L(1), None),),
         (("If", N("b"), (("Assign", N("x"), "=", L(2), None),), (("Assign", N("x"), "=", L(3), None),)),)),)


def test_else_on_the_line_after_the_brace():
    assert body("if a {\n  return 1\n}\nelse {\n  return 2\n}\nreturn 3") == (
        ("If", N("a"), (("Return", L(1)),), (("Return", L(2)),)), ("Return", L(3)))


def test_if_condition_without_parentheses_and_with_an_object():
    assert body("if x == { a: 1 } { y = x }") == (
        ("If", B("==", N("x"), ("Object", (("Entry", "a", L(1)),))), (("Assign", N("y"), "=", N("x"), None),), ()),)
    assert body("if (a) || b {\n}") == (("If", B("||", N("a"), N("b")), (), ()),)


def test_loops():
    assert body("for each x in xs {\n  continue\n}\nfor each (k, v) in o { break }\nwhile (i < 3) { i += 1 }"
                "\nwhile true { }") == (
        ("ForEach", ("x",), N("xs"), (("Continue",),)),
        ("ForEach", ("k", "v"), N("o"), (("Break",),)),
        ("While", B("<", N("i"), L(3)), (("Assign", N("i"), "+=", L(1), None),)),
        ("While", L(True), ()))


def test_return_throw_require_warn_delete():
    assert body('return\nreturn x\nthrow "no"\nrequire a\nrequire a, "m"\nwarn b, "w"\ndelete o.k\ndelete o[k]') == (
        ("Return", None), ("Return", N("x")), ("Throw", T("no")),
        ("Require", "require", N("a"), None), ("Require", "require", N("a"), T("m")),
        ("Require", "warn", N("b"), T("w")), ("Delete", ("Member", N("o"), "k")),
        ("Delete", ("Index", N("o"), N("k"))))


def test_expression_statement_and_if_expression_statement():
    assert body("emit(\"done\", { task: id })\nif (x) a() else b()") == (
        ("ExpressionStatement", call(N("emit"), T("done"), ("Object", (("Entry", "task", N("id")),)))),
        ("ExpressionStatement", ("IfExpression", N("x"), call(N("a")), call(N("b")))))


def test_match():
    source = 'r = match (s) {\n  case "a" | "b" => 1\n  case 2 => {\n    x = 1\n    return x\n  }; default => null\n}'
    assert body(source) == (
        ("Assign", N("r"), "=", ("Match", N("s"), (
            ("Arm", (T("a"), T("b")), L(1)),
            ("Arm", (L(2),), (("Assign", N("x"), "=", L(1), None), ("Return", N("x")))),
            ("Arm", (), L(None)))), None),)
    assert body("match x { default => f(y => y) }") == (
        ("ExpressionStatement", ("Match", N("x"), (("Arm", (), call(N("f"), ("Arrow", ("y",), N("y")))),))),)


def test_separators_continuations_blank_lines_and_comments():
    source = """
    x = 1 +   // a line ending with an operator goes on
      2

    /* a block
       comment */ y = [
      1,
      2,
    ]; z = xs
      |> sort
      |> first
    w = a
      && b || c
    v = a
      .b
    s = "a // b /* c */"
    """
    assert body(source) == (
        ("Assign", N("x"), "=", B("+", L(1), L(2)), None),
        ("Assign", N("y"), "=", ("Array", (L(1), L(2))), None),
        ("Assign", N("z"), "=", call(N("first"), call(N("sort"), N("xs"))), None),
        ("Assign", N("w"), "=", B("||", B("&&", N("a"), N("b")), N("c")), None),
        ("Assign", N("v"), "=", ("Member", N("a"), "b"), None),
        ("Assign", N("s"), "=", T("a // b /* c */"), None))


def test_windows_line_endings():
    source = 'fn f() {\r\n  x = 1\r\n\r\n  y = """\r\n    a\r\n    b\r\n    """\r\n}'
    result = function(source)
    assert shape(result.body) == (("Assign", N("x"), "=", L(1), None), ("Assign", N("y"), "=", T("a\nb"), None))
    assert [statement.span.line for statement in result.body] == [2, 4]


def test_a_parenthesised_pattern_is_not_an_arrow():
    assert body('match (x) { case (1) => "one"; case 2 => (y) => y }') == (
        ("ExpressionStatement", ("Match", N("x"), (("Arm", (L(1),), T("one")),
                                                   ("Arm", (L(2),), ("Arrow", ("y",), N("y")))))),)


def test_a_brace_on_its_own_line():
    assert shape(function("fn f()\n{\n  if a\n  {\n    return 1\n  }\n}")) == (
        "Function", "f", (), (("If", N("a"), (("Return", L(1)),), ()),))


# --- expressions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", B("+", L(1), B("*", L(2), L(3)))),
    ("(1 + 2) * 3", B("*", B("+", L(1), L(2)), L(3))),
    ("-2^2", ("Unary", "-", B("^", L(2), L(2)))),
    ("2 ^ 3 ^ 2", B("^", L(2), B("^", L(3), L(2)))),
    ("a - b - c", B("-", B("-", N("a"), N("b")), N("c"))),
    ("a || b && c", B("||", N("a"), B("&&", N("b"), N("c")))),
    ("!a == b", B("==", ("Unary", "!", N("a")), N("b"))),
    ("a < b == c >= d", B("==", B("<", N("a"), N("b")), B(">=", N("c"), N("d")))),
    ("x in xs && 1..n != r", B("&&", B("in", N("x"), N("xs")), B("!=", B("..", L(1), N("n")), N("r")))),
    ("a + b .. c", B("..", B("+", N("a"), N("b")), N("c"))),
    ("a % b / c", B("/", B("%", N("a"), N("b")), N("c"))),
    ("-x", ("Unary", "-", N("x"))),
    ("-0.5", L(-0.5)),
    ("!!a", ("Unary", "!", ("Unary", "!", N("a")))),
    ("a |> f(b) |> g", call(N("g"), call(N("f"), N("a"), N("b")))),
    ("a |> f", call(N("f"), N("a"))),
    ("a || b |> f", call(N("f"), B("||", N("a"), N("b")))),
    ("xs |> sort(x => x.k):descending", call(N("sort"), N("xs"), ("Arrow", ("x",), ("Member", N("x"), "k")),
                                            modifiers=(("Modifier", "descending", None),))),
    ("x => x + 1", ("Arrow", ("x",), B("+", N("x"), L(1)))),
    ("(a, b) => a * b", ("Arrow", ("a", "b"), B("*", N("a"), N("b")))),
    ("() => 1", ("Arrow", (), L(1))),
    ("x => y => x", ("Arrow", ("x",), ("Arrow", ("y",), N("x")))),
    ("if (a) b else c", ("IfExpression", N("a"), N("b"), N("c"))),
    ("if (a) 1 else if (b) 2 else 3", ("IfExpression", N("a"), L(1), ("IfExpression", N("b"), L(2), L(3)))),
    ("a.b[c](d)", call(("Index", ("Member", N("a"), "b"), N("c")), N("d"))),
    ("a.default.in", ("Member", ("Member", N("a"), "default"), "in")),
    ("f()", call(N("f"))),
    ("f(x,)", call(N("f"), N("x"))),
    ("append(project.events, e):limit=50", call(N("append"), ("Member", N("project"), "events"), N("e"),
                                                  modifiers=(("Modifier", "limit", L(50)),))),
    ('f(x):by="k":desc:n=-1:p=a.b', call(N("f"), N("x"), modifiers=(
        ("Modifier", "by", T("k")), ("Modifier", "desc", None), ("Modifier", "n", L(-1)),
        ("Modifier", "p", ("Member", N("a"), "b"))))),
    ("3", L(3)),
    ("0.25", L(0.25)),
    ("true", L(True)),
    ("false", L(False)),
    ("null", L(None)),
    ('["backlog", "todo"]', ("Array", (T("backlog"), T("todo")))),
    ("[...xs, y,]", ("Array", (("Spread", N("xs")), N("y")))),
    ("[]", ("Array", ())),
    ('{ a: 1, "b c": x, d, ...o, default: 2, }', ("Object", (
        ("Entry", "a", L(1)), ("Entry", "b c", N("x")), ("Entry", "d", N("d")), ("Spread", N("o")),
        ("Entry", "default", L(2))))),
    ("{}", ("Object", ())),
    ("[\n  1,\n  { a: [\n 2 ] }\n]", ("Array", (L(1), ("Object", (("Entry", "a", ("Array", (L(2),))),))))),
    ("match (x) { case 1 => 2; default => 3 }", ("Match", N("x"), (("Arm", (L(1),), L(2)), ("Arm", (), L(3))))),
])
def test_expressions(text, expected):
    assert ex(text) == expected


def test_numbers_keep_their_kind():
    assert type(expression("3").value) is int and type(expression("3.0").value) is float


# --- strings ---------------------------------------------------------------------------------------


def test_template_insertions_and_dollars():
    assert ex(r'"a $b.c ${d + 1} \$5 $100"') == T("a ", ("Member", N("b"), "c"), " ",
                                                 B("+", N("d"), L(1)), " $5 $100")
    assert ex('"$ $- $x. $_y"') == T("$ $- ", N("x"), ". ", N("_y"))
    assert ex('"${ f("}") }"') == T(call(N("f"), T("}")))
    assert ex('"${ "${"x"}" }"') == T(T(T("x")))
    assert ex('"$true"') == T("$true")


def test_template_escapes():
    assert ex(r'"a\nb\t\"q\" \\ \u00e9 \' \x"') == T("a\nb\t\"q\" \\ é ' \\x")
    assert ex('""') == T()


def test_triple_quoted_strings_are_dedented():
    source = '"""\n    Hello $name,\n      indented\n\n    bye\n    """'
    assert ex(source) == T("Hello ", N("name"), ",\n  indented\n\nbye")
    assert ex('"""one line"""') == T("one line")
    assert ex('"""\n  a "quoted" word\n"""') == T('a "quoted" word')
    assert ex('"""\n  keep\\n escape\n  """') == T("keep\n escape")


def test_shell_words_are_split_once():
    assert ex('`git log -n $n "--format=%s $x"`') == ("Shell", (
        ("git",), ("log",), ("-n",), (N("n"),), ("--format=%s ", N("x"))))
    assert ex("`echo 'a $b' c\\ d \"\" x${ y + 1 }z`") == ("Shell", (
        ("echo",), ("a $b",), ("c d",), ("",), ("x", B("+", N("y"), L(1)), "z")))
    assert ex("`ls $dir.path`") == ("Shell", (("ls",), (("Member", N("dir"), "path"),)))


@pytest.mark.parametrize("text", ["``", "`   `", '`echo "x`', "`echo 'x`"])
def test_bad_shell_calls_are_not_core(text):
    assert isinstance(expression(text), c.NotCore)


# --- what is not Core ------------------------------------------------------------------------------


def test_prose_body():
    assert not_core("fn show() {\n  Tell the user about the board.\n}") == (
        2, "Tell the user about the board.", "prose")


def test_first_prose_line_after_code():
    text = "fn show() {\n  x = 1\n\n  - List the tasks, don't stop.\n  y = 2\n  Explain it.\n}"
    assert not_core(text) == (4, "- List the tasks, don't stop.", "prose")


def test_a_model_call_with_prose_arguments():
    line, shown, reason = not_core("fn explainIt(topic) {\n  x = 1\n  explain(content policy)\n}")
    assert (line, shown) == (3, "explain(content policy)")
    assert reason == "not Core: unexpected `policy` after `explain(content`"


def test_names_are_not_checked_here():
    assert isinstance(function("fn f(topic) {\n  explain(topic):length=short\n}"), c.Function)


@pytest.mark.parametrize("text, line, reason", [
    ("fn f() {\n  x = foo(1\n  y = 2\n}", 2, "not Core: unclosed `(`"),
    ("fn f() {\n  x = 1\n", 1, "not Core: unclosed `{`"),
    ("fn f() {\n  x = 1)\n}", 2, "not Core: unbalanced `)`"),
    ('fn f() {\n  x = "abc\n}', 2, "not Core: unterminated string"),
    ("fn f() {\n  /* never closed\n}", 2, "not Core: unterminated comment"),
    ("fn f() {\n  x = 1 # note\n}", 2, "not Core: unexpected character `#`"),
    ("fn f() {\n  x = $y\n}", 2, "not Core: unexpected character `$`"),
    ("fn f() {\n  if = 3\n}", 2, "not Core: unexpected `=` after `if`"),
    ("fn f() {\n  x = 1 +\n}", 2, "not Core: unexpected `}` after `x = 1 +`"),
    ("fn f() {\n  x = \"${}\"\n}", 2, "not Core: empty `${}`"),
    ("fn f() {\n  x = \"${a b}\"\n}", 2, "not Core: unexpected `b` after `x = \"${a`"),
    ("fn f() {\n  delete x\n}", 2, "not Core: `delete` takes a member or an item"),
    ("fn f() { } and more", 1, "not Core: unexpected `and` after `fn f() { }`"),
    ("fn f() {\n  x = { a: 1 } y\n}", 2, "not Core: unexpected `y` after `x = { a: 1 }`"),
    ("fn f() {\n  case 1 => 2\n}", 2, "not Core: unexpected `case` after ``"),
])
def test_not_core_lines(text, line, reason):
    result = function(text)
    assert isinstance(result, c.NotCore), shape(result)
    assert (result.span.line, result.reason.replace(" after ``", "")) == (line, reason.replace(" after ``", ""))
    assert result.name == "f"


def test_not_core_span_is_the_trimmed_line():
    source = "intro\n\nfn f() {\n    ok = 1\n    Say   hello.   \n}\n"
    result = core.parse_function(n.Positions(source, "t"), source.index("fn"), len(source) - 1)
    assert isinstance(result, c.NotCore)
    assert (result.span.line, result.span.column, source[result.span.start:result.span.end]) == (5, 5, "Say   hello.")


def test_expression_not_core():
    result = expression("the backlog, then todo")
    assert isinstance(result, c.NotCore) and result.name == "" and result.reason == "prose"
    assert isinstance(expression(""), c.NotCore)
    assert isinstance(expression("x = 1"), c.NotCore)


# --- hostile input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "[" * 150 + "]" * 150,
    "(" * 5000,
    "x = " + "{" * 5000,
    "!" * 20000 + "x",
    "1" + " + 1" * 5000,
    "a" + ".b" * 5000,
    "2" + " ^ 2" * 5000,
    "x => " * 3000 + "x",
    '"${"' * 50 + "x" + '}"' * 50,
    '"' + "${" * 3000,
])
def test_deep_nesting_is_not_core(text):
    result = expression(text)
    assert isinstance(result, c.NotCore)
    assert result.reason in ("nested too deep", "not Core: unclosed `(`", "not Core: unexpected `=` after `x`",
                             "not Core: unterminated string", "not Core: unterminated `${`"), result.reason


def test_a_long_run_of_minus_signs_is_one_number():
    assert ex("-" * 20001 + "1") == L(-1)


def test_deep_else_if_chain_is_not_core_but_a_long_one_is():
    chain = " else ".join(f"if x == {i} {{ y = {i} }}" for i in range(30))
    assert isinstance(function("fn f() {\n" + chain + "\n}"), c.Function)
    chain = " else ".join(f"if x == {i} {{ y = {i} }}" for i in range(300))
    result = function("fn f() {\n" + chain + "\n}")
    assert isinstance(result, c.NotCore) and result.reason == "nested too deep"


def test_nesting_within_the_limit_parses():
    depth = core.MAX_DEPTH - 2
    assert isinstance(function("fn f() {\n x = " + "[" * depth + "]" * depth + "\n}"), c.Function)


_SOUP = ["fn", "f", "(", ")", "{", "}", "[", "]", "x", "y", "1", "2.5", '"s"', '"$x"', '"${x}"', "`ls $a`",
         "\n", ";", ",", ":", ".", "..", "...", "=", "==", "=>", "+", "-", "*", "/", "^", "!", "|>", "||", "&&",
         "|", "?", "if", "else", "match", "case", "default", "for", "each", "in", "while", "return", "let",
         "delete", "require", "warn", "throw", "true", "null", "// c\n", "/* c */", "Tell", "the", "user", "'",
         "#", "$", '"', "`", "\\", '"""', "\r\n", "é"]


def _check(text: str, start: int = 0, end: int | None = None):
    end = len(text) if end is None else end
    positions = n.Positions(text, "fuzz")
    for result in (core.parse_function(positions, start, end), core.parse_expression(positions, start, end)):
        assert isinstance(result, (c.Function, c.NotCore)) or not isinstance(result, c.Function)
        assert isinstance(result, n.Node)
        if isinstance(result, c.NotCore):
            assert "parser failed" not in result.reason, (text, result.reason)
            assert 0 <= result.span.start <= result.span.end <= len(text)


def test_random_bytes_never_raise():
    rng = random.Random(1)
    for _ in range(1000):
        text = bytes(rng.randrange(256) for _ in range(rng.randrange(60))).decode("latin-1")
        _check(text)


def test_random_token_soup_never_raises():
    rng = random.Random(2)
    for _ in range(1000):
        words = [rng.choice(_SOUP) for _ in range(rng.randrange(40))]
        text = "fn f(a) {\n" + " ".join(words) + "\n}"
        _check(text)
        _check(" ".join(words))


def test_mutated_programs_never_raise():
    base = ('fn move(task, column: text = "todo") {\n  require column in columns, "no column $column"\n'
            '  t = project.tasks[task]\n  if (t.column == column) { return "already ${column}" }\n'
            '  for each (k, v) in t { warn v != null }\n  x = match (column) { case "a" | "b" => 1; default => {\n'
            '    return 2\n  } }\n  project.tasks[task].column = column\n  append(project.events, { task, column }):limit=50\n'
            '  return xs |> filter(x => x.k > 1) |> map((a, b) => -a ^ 2) |> join(", ")\n}')
    assert isinstance(function(base), c.Function)
    rng = random.Random(3)
    for _ in range(250):
        chars = list(base)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(chars))
            action = rng.randrange(3)
            if action == 0:
                del chars[at]
            elif action == 1:
                chars.insert(at, rng.choice("{}()[]\"'`$\\\n;:,.=|"))
            else:
                chars[at] = rng.choice(_SOUP)
        text = "".join(chars)
        _check(text)
        _check("lead\n" + text + "\ntail", 5, 5 + len(text))
