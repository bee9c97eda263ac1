"""Fuzz SudoLang Core end to end: random programs, broken programs and hostile strings never give a traceback.

Three kinds of input, all seeded:

(a) structurally valid Core programs: functions with typed and default parameters, assignments, ifs,
    loops (runaway `while (true) {}` loops among them), matches, calls of the standard library with random
    arguments, arrow functions and pipes, state writes (`project.x.y = …`, `+=`, append, merge, delete,
    emit, record), `throw`, `require`, `warn`, recursion that does not end, shell calls;
(b) the same programs with random fragments, bytes and cuts put into their function bodies;
(c) hostile strings everywhere a value goes: in the program's literals, in the state (a `seed` command
    writes them first), and as the commands' arguments (quotes, `$(…)`, backticks, newlines, `error: …`).

For each program `sudolang lint --notes` and `sudolang compile` answer with exit 0 or 1 (2 for a file that
is not UTF-8) and never an internal error, and every command of the program runs through `sudolang run`:
exit 0, 1, 2 or 3, and on an error exactly one error line (`error: …`, or the CLI's `sudolang: error: …`
after a program that does not compile), never a Python traceback; a runaway loop or recursion is stopped
by the step budget (1,000,000 steps) within the hang guard. Nothing may create a file named PWNED.

Each lint, compile or run is one input of the forked-worker harness (tests/fuzz/fuzz_harness.py).
Knobs: FUZZ_CORE_PROGRAMS (default 45, ~20 s), FUZZ_SEED, FUZZ_CORE_HANG_SECONDS (default 20),
A longer campaign: `FUZZ_CORE_PROGRAMS=2000 FUZZ_SEED=7 uv run pytest tests/fuzz/test_fuzz_core.py -s`.
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
from pathlib import Path

import pytest

import fuzz_harness as harness
import fuzz_inputs as generators

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
PROGRAMS = int(os.environ.get("FUZZ_CORE_PROGRAMS", "45"))
RUN_CODES = {0, 1, 2, 3}
CHECK_CODES = {0, 1, 2}  # 2: a file lint and compile cannot read (not UTF-8: SL009)
# A runaway loop runs its 1,000,000 steps in ~0.5-3 s depending on its body (the harness's default guard
# is 5 s per input; a run here is one command).
HANG_SECONDS = float(os.environ.get("FUZZ_CORE_HANG_SECONDS", "20"))


# --- hostile values ----------------------------------------------------------------------------------

HOSTILE = [
    "it's $(touch PWNED) a `touch PWNED` \"quoted\"", "a\nb", "line\nerror: not really", "${x}", "$x", "$(id)",
    "`id`", "\\", "'", '"', '"""', "é中😀", "x'; touch PWNED #", "]", "$.a['b']", "../../x", "--json", "{", "}",
    "\r", "\t", "", " ", "null", "true", "3", "-2.5", "1e999", "\u202e", "\\u0041", "%s%n", "{name}", "<b>",
    "x" * 300, "T-7",
]
WORDS = ["3", "-2", "0.5", "1e5", "true", "no", "on", "abc", "", "T-12", "99999999999999999999", "-0", "nan"]


def hostile(rng: random.Random) -> str:
    return rng.choice(HOSTILE)


def argument(rng: random.Random) -> str:
    return (rng.choice(WORDS) if rng.random() < 0.5 else hostile(rng)).replace("\x00", "")


ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\t": "\\t", "\r": "\\r", "`": "`"}


def string(value: str, keep_dollars: bool = False) -> str:
    """A "…" literal of `value` (with keep_dollars, its `$` stay templates)."""
    out = []
    for character in value:
        if character == "$" and keep_dollars:
            out.append("$")
        elif character in ESCAPES:
            out.append(ESCAPES[character])
        elif ord(character) < 0x20:
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


# --- (a) random Core programs ------------------------------------------------------------------------

LIBRARY = {  # name -> how many arguments (a few wrong counts too: the checker must refuse them calmly)
    "now": [0], "today": [0], "date": [1], "addDays": [2], "daysBetween": [2], "uuid": [0], "idNumber": [1],
    "len": [1], "count": [1, 2], "sum": [1, 2], "average": [1, 2], "round": [1, 2], "sort": [1, 2], "min": [1, 2],
    "max": [1, 2], "group": [2], "unique": [1], "keys": [1], "values": [1], "entries": [1], "filter": [2],
    "map": [2], "find": [2], "any": [2], "all": [2], "first": [1], "last": [1], "slice": [2, 3], "range": [2],
    "get": [2, 3], "has": [2], "reverse": [1], "text": [1], "number": [1], "join": [1, 2], "split": [2],
    "trim": [1], "upper": [1], "lower": [1], "startsWith": [2], "endsWith": [2], "replace": [3], "pad": [2],
    "padStart": [2], "repeat": [2], "fill": [2], "actor": [0], "sessionId": [0], "projectId": [0],
}
TAKES_FUNCTION = {"count", "sum", "average", "sort", "min", "max", "group", "filter", "map", "find", "any", "all"}
BINARY = ["+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in", ".."]
KEYS = ["a", "b", "tasks", "log", "counters", "config", "hostile", "x", "items"]
TYPES = ["", "", "", ": number", ": integer", ": boolean", ": text"]


class Generator:
    """One random program: its text, and the commands to run with their arguments."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.functions: list[tuple[str, list[str]]] = []  # (name, parameter names)
        self.calls: list[list[str]] = []

    # --- expressions ---

    def literal(self) -> str:
        rng = self.rng
        shape = rng.random()
        if shape < 0.35:
            return rng.choice(["0", "1", "2", "3", "-1", "10", "0.5", "2.5", "100", "1000000", "99999999999999999999"])
        if shape < 0.7:
            return string(hostile(rng) if rng.random() < 0.5 else rng.choice(["todo", "done", "a", "T-1", "x y"]))
        if shape < 0.85:
            return rng.choice(["true", "false", "null"])
        if shape < 0.93:
            return "[" + ", ".join(self.literal() for _ in range(rng.randint(0, 3))) + "]"
        return "{ " + ", ".join(f"{rng.choice(KEYS)}: {self.literal()}" for _ in range(rng.randint(0, 3))) + " }"

    def place(self, root: str | None = None) -> str:
        rng = self.rng
        out = root or rng.choice(["project", "project", "session"])
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.75:
                out += "." + rng.choice(KEYS)
            else:
                out += f"[{rng.choice([string(rng.choice(['T-1', 'k', hostile(rng)])), '0', '-1', 'n'])}]" \
                    if "n" in self.scope else f"[{string(rng.choice(['T-1', 'k', hostile(rng)]))}]"
        return out

    def name(self) -> str:
        return self.rng.choice(self.scope) if self.scope else self.literal()

    def expression(self, depth: int) -> str:
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            shape = rng.random()
            if shape < 0.45:
                return self.name()
            if shape < 0.55:
                return rng.choice(["project", "session", self.place(), "limit", "columns"])
            return self.literal()
        shape = rng.random()
        deeper = depth - 1
        if shape < 0.25:
            op = rng.choice(BINARY)
            if op == "..":
                return f"{rng.randint(-3, 5)}..{rng.choice([rng.randint(-3, 40), 'n'] if 'n' in self.scope else [rng.randint(-3, 40)])}"
            return f"({self.expression(deeper)} {op} {self.expression(deeper)})"
        if shape < 0.32:
            return f"{rng.choice(['-', '!'])}({self.expression(deeper)})"
        if shape < 0.45:
            return self.library_call(deeper)
        if shape < 0.52:
            parts = []
            for _ in range(rng.randint(1, 3)):
                choice = rng.random()
                if choice < 0.3 and self.scope:
                    parts.append("$" + rng.choice(self.scope) + " ")
                elif choice < 0.6:
                    inserted = self.expression(deeper)
                    if '"' in inserted or "`" in inserted:  # strings in `${ … }`: the island grammar's limit
                        inserted = self.name()
                    parts.append("${" + inserted + "}")
                else:
                    parts.append(string(hostile(rng))[1:-1])
            return '"' + "".join(parts) + '"'
        if shape < 0.58:
            return f"[{', '.join(self.expression(deeper) for _ in range(rng.randint(0, 3)))}]"
        if shape < 0.63:
            entries = [f"{rng.choice(KEYS)}: {self.expression(deeper)}" for _ in range(rng.randint(0, 3))]
            if self.scope and rng.random() < 0.3:
                entries.append("..." + self.name())
            return "{ " + ", ".join(entries) + " }"
        if shape < 0.7:
            return f"{self.expression(deeper)}.{rng.choice(KEYS)}"
        if shape < 0.75:
            return f"{self.expression(deeper)}[{self.expression(deeper)}]"
        if shape < 0.8:
            return f"if ({self.expression(deeper)}) {self.expression(deeper)} else {self.expression(deeper)}"
        if shape < 0.84:
            arms = [f"case {self.literal()} | {self.literal()} => {self.expression(deeper)}" for _ in range(rng.randint(0, 2))]
            arms.append(f"default => {self.expression(deeper)}")
            return f"match ({self.expression(deeper)}) {{\n" + "\n".join(arms) + "\n}"
        if shape < 0.88:
            return f"{self.expression(deeper)} |> {rng.choice(['map', 'filter', 'sort', 'count', 'find'])}(x => {self.arrow_body(deeper)})"
        if shape < 0.92 and self.functions:
            name, params = rng.choice(self.functions)
            count = len(params) + rng.choice([0, 0, 0, -1, 1])
            return f"{name}({', '.join(self.expression(deeper) for _ in range(max(0, count)))})"
        if shape < 0.94:
            return f"`printf %s {rng.choice(['$' + self.name(), 'plain', string(hostile(rng))])}`" if self.scope else "`printf x`"
        if shape < 0.96:
            return rng.choice([f"`{rng.choice(['false', 'no-such-program-here', 'sleep 0'])}`", "`printf %s ${project.hostile}`"])
        return f"(x => {self.arrow_body(deeper)})"

    def arrow_body(self, depth: int) -> str:
        saved = self.scope
        self.scope = saved + ["x"]
        try:
            return self.rng.choice([f"x.{self.rng.choice(KEYS)}", "x", self.expression(depth)])
        finally:
            self.scope = saved

    def library_call(self, depth: int) -> str:
        rng = self.rng
        name = rng.choice(list(LIBRARY))
        count = rng.choice(LIBRARY[name]) + (rng.choice([-1, 1]) if rng.random() < 0.05 else 0)
        args = []
        for index in range(max(0, count)):
            if index == 1 and name in TAKES_FUNCTION and rng.random() < 0.8:
                args.append(f"x => {self.arrow_body(depth)}")
            else:
                args.append(self.expression(depth))
        modifier = ""
        if name == "sort" and rng.random() < 0.3:
            modifier = ":descending"
        elif rng.random() < 0.03:
            modifier = rng.choice([":bogus", ":limit=3", ":length=short"])
        return f"{name}({', '.join(args)}){modifier}"

    # --- statements ---

    def block(self, depth: int, loops: int, indent: int) -> list[str]:
        lines = []
        for _ in range(self.rng.randint(0, 4 if depth > 0 else 2)):
            lines += self.statement(depth, loops, indent)
        return lines

    def statement(self, depth: int, loops: int, indent: int) -> list[str]:
        rng = self.rng
        pad = "  " * indent
        shape = rng.random()
        e = lambda: self.expression(rng.randint(0, 3))  # noqa: E731
        if shape < 0.18:
            name = rng.choice(["t", "n", "items", "total", "o", "s"])
            keyword = rng.choice(["", "", "let ", "const "])
            op = "=" if keyword or name not in self.scope else rng.choice(["=", "+=", "-=", "*=", "/="])
            line = f"{keyword}{name} {op} {e()}"
            if name not in self.scope:
                self.scope.append(name)
            return [pad + line]
        if shape < 0.24 and self.scope:
            target = f"{self.name()}{rng.choice(['.a', '.b', '[0]', '[-1]', '[' + string('k') + ']'])}"
            return [f"{pad}{target} {rng.choice(['=', '=', '+='])} {e()}"]
        if shape < 0.36:
            return [pad + self.state_write(e)]
        if shape < 0.46 and depth > 0:
            lines = [f"{pad}if ({e()}) {{", *self.block(depth - 1, loops, indent + 1)]
            if rng.random() < 0.4:
                lines += [f"{pad}}} else if {e()} {{", *self.block(depth - 1, loops, indent + 1)]
            if rng.random() < 0.5:
                lines += [f"{pad}}} else {{", *self.block(depth - 1, loops, indent + 1)]
            return lines + [f"{pad}}}"]
        if shape < 0.54 and depth > 0:
            names = rng.choice(["item", "(key, value)"])
            saved = list(self.scope)
            self.scope += ["item"] if names == "item" else ["key", "value"]
            iterable = rng.choice([e(), "1..5", "project.tasks", "keys(project)", string("abc"), "[1, 2, 3]"])
            lines = [f"{pad}for each {names} in {iterable} {{", *self.block(depth - 1, loops + 1, indent + 1), f"{pad}}}"]
            self.scope = saved + [name for name in self.scope if name not in saved and name not in ("item", "key", "value")]
            return lines
        if shape < 0.6 and depth > 0:
            kind = rng.random()
            if kind < 0.3:  # runaway
                # One that writes the state each turn stops at 10,000 writes (corelib.MAX_WRITES)
                bodies = [[], [f"{pad}  spin = 1"], [f"{pad}  project.spin = 1"]]
                body = rng.choice(bodies)
                return [f"{pad}while (true) {{", *body, f"{pad}}}"]
            if "i" not in self.scope:
                self.scope.append("i")
            return [f"{pad}i = 0", f"{pad}while (i < {rng.randint(0, 50)}) {{", f"{pad}  i += 1",
                    *self.block(depth - 1, loops + 1, indent + 1), f"{pad}}}"]
        if shape < 0.64 and loops:
            return [pad + rng.choice(["break", "continue"])]
        if shape < 0.7 and depth > 0:
            lines = [f"{pad}match ({e()}) {{"]
            for _ in range(rng.randint(0, 2)):
                lines += [f"{pad}  case {self.literal()} | {self.literal()} => {{", *self.block(depth - 1, loops, indent + 2),
                          f"{pad}  }}"]
            if rng.random() < 0.6:
                lines.append(f"{pad}  default => {e()}")
            return lines + [f"{pad}}}"]
        if shape < 0.75:
            return [pad + rng.choice([f"throw {e()}", f"throw notFound({e()})", f"throw usage({e()})",
                                      f"require {e()}, {e()}", f"require {e()}", f"warn {e()}, {e()}", f"warn {e()}"])]
        if shape < 0.8:
            return [pad + rng.choice([f"return {e()}", "return", f"return result({e()}, {e()})"])]
        if shape < 0.84 and self.scope:
            return [f"{pad}delete {self.name()}{rng.choice(['.a', '[0]', '[' + string('k') + ']'])}"]
        if shape < 0.9:
            return [pad + self.library_call(2)]
        return [f"{pad}{e()}"]

    def state_write(self, e) -> str:
        rng = self.rng
        shape = rng.random()
        if shape < 0.35:
            return f"{self.place()} = {e()}"
        if shape < 0.5:
            return f"{self.place()} {rng.choice(['+=', '-=', '*=', '/='])} {e()}"
        if shape < 0.62:
            return f"append({self.place()}, {e()})" + rng.choice(["", ":limit=3", ":limit=0", ":limit=x"])
        if shape < 0.72:
            return f"merge({self.place()}, {rng.choice([e(), '{ a: 1 }'])})"
        if shape < 0.8:
            return f"delete {self.place()}"
        if shape < 0.9:
            return f"emit({rng.choice([string('task_completed'), string('evt'), e()])}, {rng.choice(['{ task: 1 }', e()])})"
        return f"record({rng.choice([string('task_blocked'), e()])}, {rng.choice(['{ why: 1 }', e()])})"

    # --- the program ---

    def function(self, name: str) -> tuple[str, list[tuple[str, bool]]]:
        rng = self.rng
        params = []
        texts = []
        for index in range(rng.randint(0, 3)):
            pname = ["n", "who", "flag"][index]
            optional = rng.random() < 0.4
            kind = rng.choice(TYPES)
            default = f" = {self.literal()}" if optional and rng.random() < 0.5 else ""
            texts.append(f"{pname}{kind}{default}")
            params.append((pname, optional or bool(default)))
        self.scope = [p for p, _ in params] + ["limit", "columns"]
        body = self.block(3, 0, 1)
        if rng.random() < 0.8:
            body.append(f"  return {self.expression(3)}")
        keyword = rng.choice(["fn ", "fn ", "function ", ""])
        text = f"{keyword}{name}({', '.join(texts)}) {{\n" + "\n".join(body) + "\n}\n"
        return text, params

    def program(self) -> tuple[str, list[tuple[str, list[str]]]]:
        """(source, [(command, arguments), …]) — the seed command first."""
        rng = self.rng
        names = [f"f{index}" if rng.random() < 0.7 else f"do_{index}" for index in range(rng.randint(1, 5))]
        functions, commands = [], []
        for name in names:
            text, params = self.function(name)
            functions.append(text)
            self.functions.append((name, [p for p, _ in params]))
            words = " ".join(f"[{p}]" if optional else f"<{p}>" for p, optional in params)
            commands.append((name, words, params))
        if rng.random() < 0.3:
            functions.append("fn deep(n = 0) {\n  return deep(n + 1) + 1\n}\n")
            commands.append(("deep", "[n]", [("n", True)]))
        seed = "fn seed() {\n" + "\n".join(
            f"  {target} = {string(hostile(rng))}" for target in
            ("project.hostile", "session.hostile", "project.tasks[\"T-1\"]", "project.config.name")) + "\n}\n"
        table = [f'    "/{name.replace("_", "-")}{(" " + words) if words else ""}": {string(hostile(rng) if rng.random() < 0.2 else "Run it")},'
                 for name, words, _ in [("seed", "", []), *commands]]
        interface = ("interface Fuzz {\n  name = \"fuzz\"\n  limit = 3\n  columns = [\"todo\", \"done\"]\n"
                     "  commands = {\n" + "\n".join(table) + "\n  }\n}\n")
        source = interface + "\n" + seed + "\n" + "\n".join(functions)
        runs = [("/seed", [])]
        for name, _, params in commands:
            for _ in range(rng.randint(1, 2)):
                count = len(params) + rng.choice([0, 0, 0, -1, 1])
                runs.append(("/" + name.replace("_", "-"), [argument(rng) for _ in range(max(0, count))]))
        return source, runs


# --- (b) mutations -----------------------------------------------------------------------------------

CORE_FRAGMENTS = ["${", "}", "{", "(", ")", "[", "]", '"', "`", "=>", "|>", "..", "...", "match (x) {", "case",
                  "default =>", "while (true) {", "for each", "return", "throw", "require", "project.", "session.",
                  "\\", "$", "\x00", "\r", "\n", ";", ",", ":limit=", "delete ", "let ", "else", "if", "!", "^", "-",
                  "9" * 400, '"""', "/*", "*/", "//", "\ufeff", "\udcff", "é", "x" * 50]


def mutate(rng: random.Random, source: str) -> str:
    start = source.find("fn seed()")
    start = start if start >= 0 else 0
    for _ in range(rng.randint(1, 3)):
        if len(source) <= start + 1:
            break
        at = rng.randrange(start, len(source))
        shape = rng.random()
        if shape < 0.45:
            piece = rng.choice(CORE_FRAGMENTS + generators.SOURCE_FRAGMENTS)
            source = source[:at] + piece + source[at:]
        elif shape < 0.65:
            source = source[:at] + source[at + rng.randint(1, 30):]
        elif shape < 0.8:
            source = source[:at] + chr(rng.randrange(1, 256)) + source[at + 1:]
        else:
            end = min(len(source), at + rng.randint(1, 60))
            source = source[:at] + source[at:end] * rng.randint(2, 4) + source[end:]
    return source


# --- checking ------------------------------------------------------------------------------------------


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """`sudolang ARGV` in-process with its own streams: (exit code, stdout, stderr)."""
    from sudolang.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b"")), out, err
    try:
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        out.flush()
        err.flush()
        return code, out.buffer.getvalue().decode("utf-8", "replace"), err.buffer.getvalue().decode("utf-8", "replace")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def check(item: tuple[str, list[str]]):
    """item: (what, argv) — what is "lint", "compile" or "run"."""
    what, argv = item
    code, out, err = run_main(argv)
    if "Traceback" in err or "internal error" in err or "Traceback" in out:
        return "internal error", f"exit {code}; stderr: {err[-1200:]}"
    if what in ("lint", "compile"):
        if code not in CHECK_CODES:
            return f"{what} exit code", f"exit {code}; stderr: {err[-400:]}"
        return None
    if code not in RUN_CODES:
        return "run exit code", f"exit {code}; stderr: {err[-400:]}"
    if code != 0:  # one error line: a run-time error's, or the CLI's after a program that does not compile
        errors = [line for line in err.splitlines() if line.startswith(("error:", "sudolang: error:"))]
        if len(errors) != 1:
            return "error lines", f"exit {code}; {len(errors)} error lines; stderr: {err[-600:]}"
    return None


def inputs(rng: random.Random, folder: Path, count: int, session: str):
    """The harness's inputs for `count` programs: lint, compile, then each command run."""
    for index in range(count):
        source, runs = Generator(rng).program()
        shape = rng.random()
        if shape < 0.3:
            source = mutate(rng, source)
        path = folder / f"p{index}.sudo"
        path.write_text(source, encoding="utf-8", errors="surrogatepass")
        yield "lint", ["lint", "--notes", str(path)]
        yield "compile", ["compile", str(path), "--out", str(folder / "out")]
        for command, arguments in runs:
            options = ["--json"] if rng.random() < 0.2 else []
            yield "run", ["run", str(path), command, *arguments, "--session", session, *options]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    from sudolang.state import sessions
    from sudolang.state.paths import StateDir

    for name in ("CLAUDE_ENV_FILE", "CLAUDE_PROJECT_DIR", "SUDOLANG_SESSION", "SUDOLANG_PROJECT", "SUDOLANG_NOW"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(harness, "HANG_SECONDS", HANG_SECONDS)
    state = StateDir(tmp_path / "state")
    return tmp_path, sessions.create(state, "development", "fuzz")


def test_random_core_programs_lint_compile_and_run_without_a_traceback(sandbox):
    root, session = sandbox
    programs = root / "programs"
    programs.mkdir()
    rng = random.Random(SEED)
    figures = harness.run("core programs", inputs(rng, programs, PROGRAMS, session), check)
    print(f"core programs: {PROGRAMS} programs")
    harness.assert_clean(figures)
    bait = [str(p) for p in root.rglob("PWNED")]
    assert not bait, bait


def test_the_known_hard_cases(sandbox):
    """Written by hand, each once: the same checks, and then what each run must say."""
    root, session = sandbox
    path = root / "hard.sudo"
    path.write_text(HARD, encoding="utf-8")
    cases = [("lint", ["lint", "--notes", str(path)]), ("compile", ["compile", str(path), "--out", str(root / "out")])]
    for command, arguments, _, _ in HARD_RUNS:
        cases.append(("run", ["run", str(path), command, *arguments, "--session", session]))
    figures = harness.run("core hard cases", iter(cases), check)
    harness.assert_clean(figures)
    assert not list(root.rglob("PWNED"))
    assert run_main(["lint", "--notes", str(path)])[0] == 0  # notes only: every command runs locally
    for command, arguments, code, wanted in HARD_RUNS:
        got, out, err = run_main(["run", str(path), command, *arguments, "--session", session])
        said = re.search(wanted, out if got == 0 else err, re.M) is not None
        assert (got, said) == (code, True), (command, arguments, got, out, err)


@pytest.mark.parametrize("command,argument", [("/throw-lines", "x"), ("/warn-lines", "x")])
def test_a_message_with_line_breaks_is_one_line(sandbox, command, argument):
    root, session = sandbox
    path = root / "hard.sudo"
    path.write_text(HARD, encoding="utf-8")
    _, _, err = run_main(["run", str(path), command, argument, "--session", session])
    assert sum(line.startswith(("error:", "warning:")) for line in err.splitlines()) == 1
    assert not [line for line in err.splitlines() if line.startswith("error: second")], err


@pytest.mark.parametrize("command", ["/fun", "/funs", "/fun-data"])
def test_a_returned_function_is_an_error_not_a_crash(sandbox, command):
    root, session = sandbox
    path = root / "hard.sudo"
    path.write_text(HARD, encoding="utf-8")
    code, _, err = run_main(["run", str(path), command, "--json", "--session", session])
    assert code == 1 and "internal error" not in err and err.startswith("error: "), err


def test_a_runaway_loop_that_writes_stops_within_the_hang_guard(sandbox, monkeypatch):
    root, session = sandbox
    path = root / "hard.sudo"
    path.write_text(HARD, encoding="utf-8")
    monkeypatch.setattr(harness, "HANG_SECONDS", 5.0)
    figures = harness.run("core runaway writes", iter([("run", ["run", str(path), "/spin-body", "--session", session])]),
                          check)
    harness.assert_clean(figures)


HARD = r"""interface Hard {
  name = "hard"
  commands = {
    "/spin": "a runaway loop",
    "/spin-body": "a runaway loop that writes",
    "/deep [n]": "recursion without end",
    "/wide": "a huge range",
    "/say <what>": "a hostile argument in a template and a shell call",
    "/throw-lines <what>": "an error message with line breaks",
    "/warn-lines <what>": "a warning with line breaks",
    "/key <what>": "a hostile key in the state",
    "/big": "numbers past 1e308",
    "/nest": "a value nested deeply",
    "/self": "a value holding itself",
    "/fun": "a function returned",
    "/funs": "a function in an array returned",
    "/fun-data": "a function in --json data"
  }
}

fn spin() {
  while (true) {
  }
}

fn spin_body() {
  n = 0
  while (true) {
    n += 1
    project.counter = n
  }
}

fn deep(n?) {
  return deep(n) + 1
}

fn wide() {
  return len(1..100000000)
}

fn say(what) {
  return [`printf %s $what`, "$what ${what} \$what", trim(what)]
}

fn throw_lines(what) {
  throw "first\nerror: second $what"
}

fn warn_lines(what) {
  warn false, "first\nerror: second $what"
  return "ok"
}

fn key(what) {
  project.tasks[what] = { title: what }
  return project.tasks[what]
}

fn big() {
  return [10 ^ 308 * 10, 2 ^ 1024, 1.5 * 10 ^ 308 + 10 ^ 308]
}

fn nest() {
  x = []
  for each i in 1..5000 {
    x = [x]
  }
  return text(x)
}

fn self() {
  o = { a: 1 }
  o.me = o
  o.me.me = o
  return o.me.me.me.a
}

fn fun() {
  return x => x
}

fn funs() {
  return [x => x]
}

fn fun_data() {
  return result("text", { f: x => x })
}
"""
def line(snippet: str) -> int:
    """The line of HARD where `snippet` is."""
    return HARD[:HARD.index(snippet)].count("\n") + 1


# (command, arguments, exit code, a pattern of what stdout (exit 0) or stderr says)
HARD_RUNS = [
    ("/spin", [], 1, r"^error: stopped after 1,000,000 steps: a loop that does not end\? \(\S*hard\.sudo:" + str(line("while (true) {\n  }")) + r"\)$"),
    ("/deep", [], 1, r"^error: calls nested too deep: a function that calls itself without end\? \(\S*hard\.sudo:(" + str(line("fn deep")) + "|" + str(line("return deep(n)")) + r")\)$"),
    ("/wide", [], 1, r"^error: a\.\.b: a range of more than 1,000,000 numbers \(\S*hard\.sudo:" + str(line("return len(1..")) + r"\)$"),
    ("/say", ["$(touch PWNED) `touch PWNED`"], 0, re.escape('"$(touch PWNED) `touch PWNED` $(touch PWNED) `touch PWNED` $what"')),
    ("/say", ["it's \"x\""], 0, re.escape('"it\'s \\"x\\""')),
    ("/key", ["T-1"], 0, r'"title": "T-1"'),
    ("/key", ["it's"], 1, r"^error: the key .* holds characters a state path cannot name"),
    ("/key", ["a\nb"], 1, r"^error: the key .* holds characters a state path cannot name"),
    ("/key", ["$..*"], 1, r"^error: the key .* holds characters a state path cannot name"),
    ("/big", [], 1, r"^error: number too large \(beyond ±1e308\) \(\S*hard\.sudo:" + str(line("return [10 ^ 308")) + r"\)$"),
    ("/nest", [], 1, r"^error: .* \(\S*hard\.sudo:" + str(line("return text(x)")) + r"\)$"),
    ("/self", [], 0, r"^1$"),
]
