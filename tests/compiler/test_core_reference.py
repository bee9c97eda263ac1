"""Compiled SudoLang Core agrees with a small reference evaluator written from docs/language.md §8.3.

The reference below knows nothing of the compiler or of sudolang.runtime.values: it is the spec's table of
expressions (`+ - * / % ^`, unary `-`, `== != < <= > >=`, `in`, `&& || !`, string templates) over numbers,
texts, booleans, null and small arrays, with the decisions §8.3 leaves open taken from values.py's module
docstring (numbers beyond ±1e308 are errors, a whole float within ±2**53 is an int, `%` takes the divisor's
sign, a negative number to a fractional power is an error, texts order by code point, …).

Random expressions (seeded `random`) of bounded depth over three parameters `a`, `b`, `c` bound to random
values are rendered as SudoLang source — sometimes with the fewest parentheses the precedence allows, so
the parser's grouping is tested too — and compiled many to a program (`fn e17(a, b, c) { return … }`),
then each function is run through sudolang.runtime.corelib.execute and its value compared with the
reference's: the same value of the same kind, or both an error (the compiled side's a RunError naming the
function's return line).

Knobs: CORE_REFERENCE_SEED, CORE_REFERENCE_EXPRESSIONS (e.g. `CORE_REFERENCE_EXPRESSIONS=50000`).
"""

from __future__ import annotations

import json
import math
import os
import random
import re

import pytest

from sudolang.errors import RunError

SEED = int(os.environ.get("CORE_REFERENCE_SEED", os.environ.get("FUZZ_SEED", "20261202")))
EXPRESSIONS = int(os.environ.get("CORE_REFERENCE_EXPRESSIONS", "2400"))
BATCH = 800  # functions per compiled program (a compile costs ~3 ms a function: it is most of the time)
PATH = "ref.sudo"
PARAMS = ("a", "b", "c")


# --- the reference -------------------------------------------------------------------------------------


class RefError(Exception):
    """The reference's own error: the expression has no value."""


MAX_NUMBER = 10**308
SAFE = 2**53


def is_number(v) -> bool:
    return type(v) in (int, float)


def whole_float(f: float):
    """A float result in normal form: whole within ±2**53 → int; not finite → error."""
    if math.isnan(f):
        raise RefError("not a number")
    if math.isinf(f):
        raise RefError("too large")
    if f == int(f) and abs(f) <= SAFE:
        return int(f)
    return f


def checked(v):
    if type(v) is int:
        if abs(v) > MAX_NUMBER:
            raise RefError("too large")
        return v
    return whole_float(v)


def text_form(v) -> str:
    if type(v) is str:
        return v
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return str(v)
    if type(v) is float:
        if math.isfinite(v) and v == int(v) and abs(v) <= SAFE:
            return str(int(v))
        shown = repr(v)  # Python's shortest round-trip form, JavaScript's exponent (2.5e-7, 1e+300)
        if "e" in shown:
            mantissa, exponent = shown.split("e")
            sign, digits = exponent[0], exponent[1:].lstrip("0")
            shown = f"{mantissa}e{sign}{digits}"
        return shown
    if type(v) is list:
        return json.dumps(plain(v), ensure_ascii=False)
    raise AssertionError(f"no such value in the reference: {v!r}")


def plain(v):
    if type(v) is float and v == int(v) and abs(v) <= SAFE:
        return int(v)
    if type(v) is list:
        return [plain(x) for x in v]
    return v


def truthy(v) -> bool:
    if v is None or v is False:
        return False
    if is_number(v):
        return v != 0
    if type(v) in (str, list):
        return len(v) > 0
    return True


def equal(a, b) -> bool:
    if is_number(a) and is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return a == b


def order(a, b) -> int:
    if (is_number(a) and is_number(b)) or (type(a) is str and type(b) is str):
        return (a > b) - (a < b)
    if type(a) is list and type(b) is list:
        for x, y in zip(a, b):
            found = order(x, y)
            if found:
                return found
        return (len(a) > len(b)) - (len(a) < len(b))
    raise RefError("these do not order")


def add(a, b):
    if type(a) is str or type(b) is str:
        return text_form(a) + text_form(b)
    if type(a) is int and type(b) is int:
        return checked(a + b)
    if is_number(a) and is_number(b):
        return whole_float(float(a) + float(b)) if type(a) is float or type(b) is float else checked(a + b)
    if type(a) is list and type(b) is list:
        return a + b
    raise RefError("cannot add")


def numbers(a, b) -> None:
    if not (is_number(a) and is_number(b)):
        raise RefError("not numbers")


def arithmetic(op: str, a, b):
    if op == "+":
        return add(a, b)
    numbers(a, b)
    both_int = type(a) is int and type(b) is int
    if op == "-":
        return checked(a - b) if both_int else whole_float(float(a) - float(b))
    if op == "*":
        return checked(a * b) if both_int else whole_float(float(a) * float(b))
    if op == "/":
        if b == 0:
            raise RefError("division by zero")
        if both_int and a % b == 0:
            return a // b
        try:
            return whole_float(a / b)
        except OverflowError:
            raise RefError("too large") from None
    if op == "%":
        if b == 0:
            raise RefError("division by zero")
        return a % b if both_int else whole_float(float(a % b))
    if op == "^":
        if both_int and b >= 0:
            if abs(a) >= 2 and b * math.log2(abs(a)) > 1100:
                raise RefError("too large")
            return checked(a**b)
        if a == 0 and b < 0:
            raise RefError("division by zero")
        if a < 0 and b != int(b):
            raise RefError("a negative number to a fractional power")
        try:
            return checked(a**b)
        except OverflowError:
            raise RefError("too large") from None
    raise AssertionError(op)


def evaluate(node, env):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "var":
        return env[node[1]]
    if kind == "un":
        value = evaluate(node[2], env)
        if node[1] == "!":
            return not truthy(value)
        if not is_number(value):
            raise RefError("cannot negate")
        return -value
    if kind == "tpl":
        out = []
        for part in node[1]:
            out.append(part if isinstance(part, str) else text_form(evaluate(part[1], env)))
        return "".join(out)
    op, left = node[1], evaluate(node[2], env)
    if op == "&&":
        return evaluate(node[3], env) if truthy(left) else left
    if op == "||":
        return left if truthy(left) else evaluate(node[3], env)
    right = evaluate(node[3], env)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("<", "<=", ">", ">="):
        found = order(left, right)
        return {"<": found < 0, "<=": found <= 0, ">": found > 0, ">=": found >= 0}[op]
    if op == "in":
        if type(right) is list:
            return any(equal(x, left) for x in right)
        if type(right) is str and type(left) is str:
            return left in right
        raise RefError("cannot look for this in that")
    return arithmetic(op, left, right)


def same(x, y) -> bool:
    """The same value of the same kind (an int is not a float here: `6 / 2` must be the whole number 3)."""
    if type(x) is not type(y):
        return False
    if type(x) is list:
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if type(x) is float and math.isnan(x):
        return math.isnan(y)
    return x == y


# --- random expressions and their SudoLang text ---------------------------------------------------------

# Binary operators grouped by the parser (sudolang/core.py _PRECEDENCE; each level to the left). §8.3's
# table puts `||` and `&&` on one row; the parser binds `&&` tighter, as JavaScript does.
PRECEDENCE = {"||": 2, "&&": 3, "==": 4, "!=": 4, "<": 5, "<=": 5, ">": 5, ">=": 5, "in": 5, "+": 7, "-": 7,
              "*": 8, "/": 8, "%": 8}
BINARY = list(PRECEDENCE) + ["^"]
BINARY_WEIGHTS = [4, 4, 3, 3, 2, 2, 2, 2, 1, 6, 4, 4, 4, 3, 3]

LITERAL_FLOATS = [0.5, 0.1, 0.2, 2.5, 1.5, 3.0, 0.0, 0.25, 10.75, 123.456, 2.0]
INTS = [0, 1, 2, 3, 7, 10, -1, -3, 100, 2**53, 2**53 + 1, 10**15, 10**308, 12345678901234567890]
FLOATS = [0.5, -1.5, 0.1, 0.2, 3.0, -0.0, 1e-7, 1e300, 2.0**60, 1.5e308, 1e16, 0.3333333333333333]
TEXTS = ["", "a", "ab", "B", "1", "10", "$x", "${a}", "é", "\u4e2d", "\U0001f600", "\n", '"', "\\", "{}", " ", "null",
         "$(touch PWNED)", "`id`", "a b"]
CHARACTERS = 'abcAZ09 $${}\\"\'`é\u4e2d\n\t.!-_'
# Inside `${ … }` a string's text must not hold what the island grammar reads as code there (see
# test_strings_inside_insertions_hold_any_text below): quotes, backslashes, backticks, brackets, `/`, `$`.
NESTED_CHARACTERS = "abcAZ09 é\u4e2d.!-_'"
NESTED_TEXTS = [text for text in TEXTS if all(character in NESTED_CHARACTERS for character in text)]


def random_value(rng: random.Random, nested: bool = True):
    shape = rng.random()
    if shape < 0.35:
        return rng.choice(INTS) if rng.random() < 0.4 else rng.randint(-5, 12)
    if shape < 0.5:
        return rng.choice(FLOATS)
    if shape < 0.72:
        return rng.choice(TEXTS)
    if shape < 0.82:
        return rng.choice([True, False])
    if shape < 0.9 or not nested:
        return None
    return [random_value(rng, nested=rng.random() < 0.2) for _ in range(rng.randint(0, 3))]


def random_literal(rng: random.Random, nested: bool = False):
    """A literal's value; `nested`: one written inside a template's `${ … }`."""
    shape = rng.random()
    if shape < 0.45:
        return rng.randint(-4, 12) if rng.random() < 0.85 else rng.choice([100, 1000, 2**53, 10**20])
    if shape < 0.6:
        value = rng.choice(LITERAL_FLOATS)
        return -value if rng.random() < 0.2 else value
    if shape < 0.8:
        if rng.random() < 0.5:
            return rng.choice(NESTED_TEXTS if nested else TEXTS)
        return "".join(rng.choice(NESTED_CHARACTERS if nested else CHARACTERS) for _ in range(rng.randint(0, 5)))
    if shape < 0.9:
        return rng.choice([True, False])
    if shape < 0.95:
        return None
    return [random_literal(rng, nested) for _ in range(rng.randint(0, 3))] if rng.random() < 0.9 else [[1, "x"], []]


def random_expression(rng: random.Random, depth: int, strings: int = 0):
    if depth <= 0 or rng.random() < 0.18:
        return ("var", rng.choice(PARAMS)) if rng.random() < 0.45 else ("lit", random_literal(rng, strings > 0))
    shape = rng.random()
    if shape < 0.12:
        return ("un", rng.choice("-!"), random_expression(rng, depth - 1, strings))
    if shape < 0.25 and strings < 3:
        parts: list = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.45:
                alphabet = NESTED_CHARACTERS if strings else CHARACTERS
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))))
            elif rng.random() < 0.4:
                parts.append(("name", ("var", rng.choice(PARAMS))))
            else:
                parts.append(("expr", random_expression(rng, depth - 1, strings + 1)))
        return ("tpl", parts)
    op = rng.choices(BINARY, BINARY_WEIGHTS)[0]
    return ("bin", op, random_expression(rng, depth - 1, strings), random_expression(rng, depth - 1, strings))


ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def string_text(content: str) -> str:
    """`content` as the inside of a "…" literal: every escape §8.3 names, control characters as \\uXXXX."""
    out = []
    for character in content:
        if character in ESCAPES:
            out.append(ESCAPES[character])
        elif ord(character) < 0x20:
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return "".join(out)


def literal_text(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value) if value >= 0 else f"-{-value}"
    if type(value) is float:
        shown = repr(abs(value))
        assert re.fullmatch(r"[0-9]+\.[0-9]+", shown), shown
        return shown if math.copysign(1, value) > 0 else "-" + shown
    if type(value) is str:
        return '"' + string_text(value) + '"'
    return "[" + ", ".join(literal_text(item) for item in value) + "]"


NAME_CHARACTER = re.compile(r"[A-Za-z0-9_.]")


def render(node, minimal: bool) -> str:
    """SudoLang text of `node`: fully parenthesized, or (minimal) with the parentheses precedence needs."""
    kind = node[0]
    if kind == "lit":
        return literal_text(node[1])
    if kind == "var":
        return node[1]
    if kind == "tpl":
        out = []
        parts = node[1]
        for index, part in enumerate(parts):
            if isinstance(part, str):
                out.append(string_text(part))
            elif part[0] == "name":
                following = parts[index + 1] if index + 1 < len(parts) else None
                # `$a` ends where a name does: before a name character (or `.` and a name) use `${a}`
                if isinstance(following, str) and following and NAME_CHARACTER.match(following[0]):
                    out.append("${" + part[1][1] + "}")
                else:
                    out.append("$" + part[1][1])
            else:
                out.append("${" + render(part[1], minimal) + "}")
        return '"' + "".join(out) + '"'
    if kind == "un":
        operand = node[2]
        inner = render(operand, minimal)
        if not minimal or operand[0] == "bin" and operand[1] != "^":  # unary binds tighter than a chain, not ^
            inner = f"({inner})"
        return f"{node[1]} {inner}" if node[1] == "-" else f"!{inner}"
    op, left, right = node[1], node[2], node[3]
    if not minimal:
        left_text = render(left, False)
        if op == "^" and not atomic(left):  # `-0.1 ^ 2` is `-(0.1 ^ 2)`
            left_text = f"({left_text})"
        return f"({left_text} {op} {render(right, False)})"
    left_text, right_text = render(left, True), render(right, True)
    if op == "^":  # postfix ^ unary, to the right: the left is an atom, the right anything but a chain operator
        if not atomic(left):
            left_text = f"({left_text})"
        if right[0] == "bin" and right[1] != "^":
            right_text = f"({right_text})"
        return f"{left_text} ^ {right_text}"
    level = PRECEDENCE[op]
    if left[0] == "bin" and left[1] != "^" and PRECEDENCE[left[1]] < level:
        left_text = f"({left_text})"
    if right[0] == "bin" and right[1] != "^" and PRECEDENCE[right[1]] <= level:
        right_text = f"({right_text})"
    return f"{left_text} {op} {right_text}"


def atomic(node) -> bool:
    """A postfix expression: a name, a literal that is not negative, a template."""
    if node[0] in ("var", "tpl"):
        return True
    if node[0] == "lit":
        value = node[1]
        return not (is_number(value) and math.copysign(1, value) < 0)
    return False


# --- compiling and running many functions at once -------------------------------------------------------


class Case:
    def __init__(self, source: str, env: dict, expected=None, error: bool | None = None) -> None:
        self.source, self.env = source, env
        self.expected, self.error = expected, error  # given by hand, or computed from `node`
        self.node = None


def reference(case: Case):
    """(is an error, value) by the reference."""
    if case.error is not None:
        return case.error, case.expected
    try:
        return False, evaluate(case.node, case.env)
    except RefError:
        return True, None
    except RecursionError:  # pragma: no cover - depths are bounded
        return True, None


def program_text(cases: list[Case]) -> tuple[str, list[int]]:
    lines = ["interface Reference {", '  name = "reference"', "  commands = {", '    "/e0 <a> <b> <c>": "Run e0"',
             "  }", "}", ""]
    return_lines = []
    for number, case in enumerate(cases):
        lines.append(f"fn e{number}(a, b, c) {{")
        lines.append(f"  return {case.source}")
        return_lines.append(len(lines))
        lines += ["}", ""]
    return "\n".join(lines) + "\n", return_lines


@pytest.fixture
def runner(state):
    from sudolang.runtime.context import Context
    from sudolang.state import sessions

    ctx = Context(state, sessions.create(state, "development", "p"), "p")

    def run(cases: list[Case], lint: bool = True) -> list[str]:
        """Compile the cases into one program, run each, and return what disagrees with the reference.
        With `lint`, the whole compile (compile_program: lint, the model, the handler); without, the
        same parse, model and code generation without lint's pass (half the time) and the template."""
        from sudolang.compiler import build_model, compile_program
        from sudolang.compiler.core_codegen import generate
        from sudolang.parser import parse
        from sudolang.runtime import corelib, loader

        source, return_lines = program_text(cases)
        if lint:
            handler = compile_program(source, PATH)["scripts/handlers/reference.py"]
        else:
            core = build_model(parse(source, PATH)).core
            handler = "\n".join(["from sudolang.runtime import corelib as _rt", "from sudolang.runtime import stdlib as _std",
                                 "from sudolang.runtime import values as _v",
                                 generate(PATH, source, core.functions, core.constants)])
        module = loader.handler_module(PATH, handler)
        problems = []
        for number, case in enumerate(cases):
            function = getattr(module, f"f_e{number}", None)
            shown = f"`{case.source}` with {case.env!r}"
            if function is None:
                problems.append(f"not compiled as Core: {shown}")
                continue
            error, expected = reference(case)
            arguments = [case.env[name] for name in PARAMS]
            try:
                got, _ = corelib.execute(ctx, PATH, function, arguments, frozenset())
            except RunError as raised:
                if not error:
                    problems.append(f"{shown}: expected {expected!r}, got the error {raised.message!r}")
                elif not raised.message.endswith(f"({PATH}:{return_lines[number]})"):
                    problems.append(f"{shown}: the error names the wrong place: {raised.message!r}")
                continue
            except Exception as raised:  # anything but a RunError is a bug: a traceback for the user
                problems.append(f"{shown}: raised {type(raised).__name__}: {raised}")
                continue
            if error:
                problems.append(f"{shown}: expected an error, got {got!r}")
            elif not same(got, expected):
                problems.append(f"{shown}: expected {expected!r}, got {got!r}")
        return problems

    return run


def random_cases(rng: random.Random, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        node = random_expression(rng, rng.randint(1, 4))
        env = {name: random_value(rng) for name in PARAMS}
        case = Case(render(node, minimal=rng.random() < 0.6), env)
        case.node = node
        cases.append(case)
    return cases


def test_random_expressions_agree_with_the_reference(runner):
    rng = random.Random(SEED)
    problems: list[str] = []
    tried = 0
    while tried < EXPRESSIONS:
        cases = random_cases(rng, min(BATCH, EXPRESSIONS - tried))
        problems += runner(cases, lint=False)
        tried += len(cases)
    print(f"core reference: {tried} expressions, {len(problems)} disagreement(s)")
    assert not problems, f"{len(problems)} of {tried} disagree:\n" + "\n".join(problems[:25])


def test_minimal_and_full_parentheses_mean_the_same(runner):
    """The same random trees written both ways: the parser's grouping is the reference's."""
    rng = random.Random(SEED + 1)
    cases = []
    for _ in range(200):
        node = random_expression(rng, 4)
        env = {name: random_value(rng) for name in PARAMS}
        for minimal in (True, False):
            case = Case(render(node, minimal), env)
            case.node = node
            cases.append(case)
    assert not runner(cases)


NO = {"a": None, "b": None, "c": None}

# (source, a, expected value) — or an error, spelled ERROR — each from §8.3 or values.py's decisions.
ERROR = object()
EDGES = [
    ("-2 ^ 2", None, -4),
    ("(-2) ^ 2", None, 4),
    ("a ^ 2", -2, 4),
    ("- a ^ 2", 2, -4),
    ("2 ^ 3 ^ 2", None, 512),
    ("2 ^ -1", None, 0.5),
    ("4 ^ 0.5", None, 2),
    ("(-8) ^ 0.5", None, ERROR),
    ("0 ^ -1", None, ERROR),
    ("10 ^ 400", None, ERROR),
    ("7 % -3", None, -2),
    ("-7 % 3", None, 2),
    ("7.5 % 2", None, 1.5),
    ("5 % 0", None, ERROR),
    ('"a" + 1.5', None, "a1.5"),
    ('1.5 + "a"', None, "1.5a"),
    ('"a" + 3.0', None, "a3"),
    ('"a" + null', None, "anull"),
    ('true + "a"', None, "truea"),
    ('"a" + [1, 2.0, "x"]', None, 'a[1, 2, "x"]'),
    ("true + 1", None, ERROR),
    ("null + 1", None, ERROR),
    ("0.1 + 0.2", None, 0.30000000000000004),
    ("0.5 + 0.5", None, 1),
    ("6 / 2", None, 3),
    ("7 / 2", None, 3.5),
    ("1 / 3", None, 1 / 3),
    ("1 / 0", None, ERROR),
    ("1 / 0.0", None, ERROR),
    ("a * a", 1e300, ERROR),
    ("a + 1", 10**308, ERROR),
    ('"x" < 1', None, ERROR),
    ('"a" < "b"', None, True),
    ('"B" < "a"', None, True),
    ("[1, 2] < [1, 3]", None, True),
    ("[1] < [1, 0]", None, True),
    ("true < false", None, ERROR),
    ("null < null", None, ERROR),
    ("1 == 1.0", None, True),
    ('1 == "1"', None, False),
    ("true != 1", None, True),
    ("true == 1", None, False),
    ("null == null", None, True),
    ("null == false", None, False),
    ("[1, [2]] == [1.0, [2.0]]", None, True),
    ('"${"$a"}"', "q", "q"),
    ('"${"${"[$a]"}"}"', 7, "[7]"),
    ('"$a!"', 2.5, "2.5!"),
    ('"${a}px"', 3, "3px"),
    ('"$100 \\$a"', 1, "$100 $a"),
    ('"n=${3.0} ${1 / 4} ${a}"', 1e-7, "n=3 0.25 1e-7"),
    ('"$a"', 1e300, "1e+300"),
    ('"$a"', 2.0**53, "9007199254740992"),
    ('"$a"', 2.0**60, "1.152921504606847e+18"),  # whole, but past 2**53: the shortest form (JavaScript: all digits)
    ('"$a"', [1, "é", None, True], '[1, "é", null, true]'),
    ('"$a$b$c"', None, "nullnullnull"),
    ('"$true"', None, "$true"),
    ('"\\u00e9\\t"', None, "é\t"),
    ("true && \"yes\"", None, "yes"),
    ("null || \"fallback\"", None, "fallback"),
    ("0 || \"\"", None, ""),
    ("[] || a", {}, {}),
    ("!0", None, True),
    ('!""', None, True),
    ("![]", None, True),
    ("!a", -0.0, True),
    ("a && 1 / 0", 0, 0),
    ("a || 1 / 0", 1, 1),
    ("false || true && false", None, False),
    ("true || false && false", None, True),
    ("1 + 2 * 3", None, 7),
    ("10 - 2 - 3", None, 5),
    ("12 / 2 / 3", None, 2),
    ("1 < 2 == true", None, True),
    ('"T" in "T-1"', None, True),
    ("3 in [1, 2, 3.0]", None, True),
    ("1 in \"1\"", None, ERROR),
    ("- a", "x", ERROR),
    ("- a", True, ERROR),
    # `==` against a text or null compiles to Python's own `==` / `is None`: the same answers for every kind
    ('a == "1"', 1, False), ('"1" != a', 1, True), ('a == "x"', ["x"], False), ('a == "true"', True, False),
    ("a == null", False, False), ("a != null", 0, True), ("null == a", None, True), ('a == ""', None, False),
    ('a == upper("x")', "X", True), ('"$a" == "1"', 1, True), ("null == null", None, True),
]


def test_edge_cases_by_hand(runner):
    cases = [Case(source, {**NO, "a": a}, None if expected is ERROR else expected, expected is ERROR)
             for source, a, expected in EDGES]
    problems = runner(cases)
    assert not problems, "\n".join(problems)


def test_the_reference_agrees_with_the_hand_written_edges():
    """The reference itself, on the edges it can express (a check of the checker)."""
    trees = {
        "-2 ^ 2": ("un", "-", ("bin", "^", ("lit", 2), ("lit", 2))),
        "7 % -3": ("bin", "%", ("lit", 7), ("lit", -3)),
        '"a" + 1.5': ("bin", "+", ("lit", "a"), ("lit", 1.5)),
        "0.1 + 0.2": ("bin", "+", ("lit", 0.1), ("lit", 0.2)),
        "6 / 2": ("bin", "/", ("lit", 6), ("lit", 2)),
        "true || false && false": ("bin", "||", ("lit", True), ("bin", "&&", ("lit", False), ("lit", False))),
    }
    wanted = dict((source, expected) for source, _, expected in EDGES)
    for source, node in trees.items():
        assert same(evaluate(node, NO), wanted[source]), source
        assert render(node, True).replace(" ", "") == source.replace(" ", "")
    with pytest.raises(RefError):
        evaluate(("bin", "/", ("lit", 1), ("lit", 0)), NO)
    with pytest.raises(RefError):
        evaluate(("bin", "<", ("lit", "x"), ("lit", 1)), NO)


# §8.3: `${ expression }` holds any expression, strings included: the island grammar's STRING reads a string
# inside an insertion (one level deep) as part of the outer one, so its quote, backtick or bracket is text.
NESTED_STRINGS = [
    ('"${"a\\""}"', 'a"'),
    ('"${"`"}"', "`"),
    ('"${"{"}"', "{"),
    ('"${"a("}"', "a("),
]


def test_strings_inside_insertions_hold_any_text(runner):
    cases = [Case(source, NO, expected, False) for source, expected in NESTED_STRINGS]
    problems = runner(cases)
    assert not problems, "\n".join(problems)
