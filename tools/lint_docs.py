"""Generate docs/lint-rules.md from the rule classes of sudolang.lint and the syntax messages of sudolang.diagnostics.

Every code gets its severity, message template, explanation (the class
docstring), a program that fails and one that passes. A lint rule keeps its
examples on its class (`example_fails`, `example_passes`); the syntax codes
keep theirs here, in SYNTAX_EXAMPLES. What a failing example reports is taken
from a real `sudolang lint` run, so the page cannot show output the tool no
longer prints. tests/language/test_lint_docs.py fails when the page is stale.

    uv run python tools/lint_docs.py            # the page, on stdout
    uv run python tools/lint_docs.py --write    # rewrite docs/lint-rules.md

A tool of the repository, not part of the package: nothing in sudolang imports it.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sudolang.diagnostics import SYNTAX_MESSAGES, Message

PAGE = Path(__file__).resolve().parents[1] / "docs" / "lint-rules.md"
COMMAND = "uv run python tools/lint_docs.py --write"
EXAMPLE_NAME = "example.sudo"

# code -> (a file that reports it, the same file repaired). SL009 is about a file's bytes, so its
# examples are bytes; every other example is text.
SYNTAX_EXAMPLES: dict[str, tuple[str | bytes, str | bytes]] = {
    "SL001": (
        "Bot {\n  /go - Go somewhere\n",
        "Bot {\n  /go - Go somewhere\n}\n",
    ),
    "SL002": (
        "Bot {\n  /go - Go somewhere\n}\n}\n",
        "Bot {\n  /go - Go somewhere\n}\n",
    ),
    "SL003": (
        'Greet the user with "hello and nothing else.\n\nThen wait.\n',
        'Greet the user with "hello" and nothing else.\n\nThen wait.\n',
    ),
    "SL004": (
        'Dashboard {\n  layout = """\n    Tasks: {tasks}\n}\n',
        'Dashboard {\n  tasks = "none yet"\n  layout = """\n    Tasks: {tasks}\n  """\n}\n',
    ),
    "SL005": (
        "# Bot\n\n```sudo\nBot {\n  /go - Go somewhere\n}\n",
        "# Bot\n\n```sudo\nBot {\n  /go - Go somewhere\n}\n```\n",
    ),
    "SL006": (
        "/* draft: not ready\nBot {\n  /go - Go somewhere\n}\n",
        "/* draft: not ready */\nBot {\n  /go - Go somewhere\n}\n",
    ),
    # 101 brackets deep, one past the limit (sudolang.parser.MAX_DEPTH), and the same at the limit.
    "SL007": (
        "matrix = " + "[" * 101 + "]" * 101 + "\n",
        "matrix = " + "[" * 100 + "]" * 100 + "\n",
    ),
    "SL009": (
        'greeting = "caf\xe9"\n'.encode("latin-1"),
        'greeting = "caf\xe9"\n'.encode("utf-8"),
    ),
}


_BOT = 'interface Bot {{\n  name = "bot"\n{body}}}\n'

# What the program model (sudolang/program.py) reports: the reasons `sudolang compile` refuses a program,
# which lint reports first. SL104 is a lint rule too (its examples are on the rule); SL500 is compile's only.
MODEL_EXAMPLES: dict[str, tuple[str, str]] = {
    "SL501": ('interface Über {\n  /go - Go somewhere\n}\n', 'interface Über {\n  name = "ueber"\n  /go - Go somewhere\n}\n'),
    "SL502": (_BOT.format(body='  commands = {\n    "@agent": "Talk to an agent"\n  }\n'),
              _BOT.format(body='  commands = {\n    "@<agent>": "Talk to an agent"\n  }\n')),
    "SL503": (_BOT.format(body="  /café - Order a coffee\n"), _BOT.format(body="  /cafe - Order a coffee\n")),
    "SL504": (_BOT.format(body="  /Go - Go somewhere\n  /go - Go somewhere else\n"),
              _BOT.format(body="  /go - Go somewhere\n  /go_on - Go somewhere else\n")),
    "SL505": (_BOT.format(body='  view = "/board"\n  /go - Go somewhere\n'),
              _BOT.format(body='  view = "/board"\n  /board - Show the board\n  /go - Go somewhere\n')),
    "SL506": (_BOT.format(body='  view = "/board"\n  /board <column> - Show a column\n'),
              _BOT.format(body='  view = "/board"\n  /board [column] - Show a column, or all\n')),
    "SL512": (_BOT.format(body='  local = ["/go"]\n  /go <place> - Go somewhere\n') + "fn go(place) {\n  Walk to $place.\n}\n",
              _BOT.format(body='  local = ["/go"]\n  /go <place> - Go somewhere\n') + 'fn go(place) {\n  return "Walked to $place."\n}\n'),
    "SL513": (_BOT.format(body="  /go <place> - Go somewhere\n") + 'fn go() {\n  return "Walked."\n}\n',
              _BOT.format(body="  /go <place> - Go somewhere\n") + 'fn go(place) {\n  return "Walked to $place."\n}\n'),
}


def notes(code: str) -> str:
    """What a code's docstring leaves out and a reader of the page needs (empty for most codes)."""
    if code == "SL009":
        return ("Reported by `sudolang lint` itself, not by the parser, at 1:1 for a path it cannot read: missing, "
                "not a regular file (a FIFO or a device such as `/dev/zero` is refused, not read), a folder with no "
                "programs in it, or over the 4 MiB limit; and for bytes that are not UTF-8, at the first byte that "
                "cannot be decoded (its offset is in the message). The command exits 2, not 1.")
    if code == "SL007":
        return ("Nesting is counted over `{`, `(` and `[` together, outside strings and comments. "
                "The limit keeps a hostile file from exhausting the parser's stack; real programs nest under 10.")
    if code == "SL301":
        from sudolang.lint import BUILTINS

        return ("The BUILTINS: " + ", ".join(f"`{name}`" for name in sorted(BUILTINS)) + "; and the names of "
                "SudoLang Core's standard library (docs/language.md, section 8.6).")
    if code == "SL512":
        return ("`sudolang lint --notes` says for every command where it runs: SL510 (locally: its function is "
                "SudoLang Core) or SL511 (in the model, at the line that made it so). Those notes are information, "
                "not problems, and never change the exit code; SL512 is the error a program asks for with `local`.")
    return ""


@dataclass(frozen=True)
class Entry:
    """One code on the page: its message class and its two examples."""

    message: type[Message]
    fails: str | bytes
    passes: str | bytes

    @property
    def code(self) -> str:
        return self.message.code


def entries() -> list[Entry]:
    """Every syntax code, every lint rule and every program-model code lint reports, in code order."""
    from sudolang import program
    from sudolang.lint import RULES

    found = [Entry(message, *SYNTAX_EXAMPLES.get(message.code, ("", ""))) for message in SYNTAX_MESSAGES]
    found += [Entry(type(rule), rule.example_fails, rule.example_passes) for rule in RULES]
    found += [Entry(message, *MODEL_EXAMPLES[message.code]) for message in program.MESSAGES
              if message.code in MODEL_EXAMPLES]
    return sorted(found, key=lambda entry: entry.code)


def lint_run(source: str | bytes) -> tuple[int, str]:
    """(exit code, standard output) of `sudolang lint example.sudo` on a file holding `source`."""
    import contextlib
    import io
    import os
    import tempfile

    from sudolang.cli import main

    data = source if isinstance(source, bytes) else source.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, EXAMPLE_NAME)
        with open(path, "wb") as file:
            file.write(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["lint", path])
    return code, out.getvalue().replace(path, EXAMPLE_NAME)


# --- markdown ------------------------------------------------------------------------------------


def fenced(text: str, language: str) -> str:
    """A fenced block that `text` cannot close early, however many backticks it holds."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.rstrip("\n")
    return f"{fence}{language}\n{body}\n{fence}"


def code_span(text: str) -> str:
    """An inline code span for `text`: delimited by a run of backticks that `text` does not contain."""
    runs = {len(run) for run in re.findall("`+", text)}
    size = next(n for n in range(1, len(runs) + 2) if n not in runs)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{'`' * size}{pad}{text}{pad}{'`' * size}"


def readable(template: str) -> str:
    """A message template as people read it: each field that is filled in as `<field>`, `{{` as `{`."""
    import string

    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(literal + (f"<{field}>" if field is not None else ""))
    return "".join(parts)


def _anchor(entry: Entry) -> str:
    return f"#{entry.code.lower()}-{entry.message.__name__.lower()}"


def _example(label: str, source: str | bytes) -> list[str]:
    if isinstance(source, bytes):
        try:
            shown, note = source.decode("utf-8"), "a UTF-8 file"
        except UnicodeDecodeError:
            shown, note = source.decode("utf-8", "backslashreplace"), "each byte that is not UTF-8 shown as `\\xNN`"
        return [f"{label} ({note}):", "", fenced(shown, "text"), ""]
    return [f"{label}:", "", fenced(source, "sudo"), ""]


def section(entry: Entry) -> list[str]:
    message = entry.message
    code, output = lint_run(entry.fails)
    lines = [f"## {message.code} {message.__name__}", "",
             f"Severity: {message.severity}. Message: {code_span(readable(message.template))}", "",
             inspect.cleandoc(message.__doc__ or ""), ""]
    if notes(message.code):
        lines += [notes(message.code), ""]
    lines += _example("Fails", entry.fails)
    lines += [f"`sudolang lint {EXAMPLE_NAME}` prints, and exits {code}:", "", fenced(output, "text"), ""]
    lines += _example("Passes", entry.passes)
    return lines


INTRO = """\
`sudolang lint PATH…` parses each program and reports `path:line:col: CODE message`
(lines and columns count from 1). An error (a program that would not compile or
run) makes the command exit 1, and `sudolang compile` and `sudolang run` refuse a
program that has one; a warning (the model can still make sense of it) does
neither. `--select` and `--ignore` take codes or prefixes (`SL1` means SL1xx); see
[cli.md](cli.md#sudolang-lint).

SL001–SL007 come from the parser: they are in `Program.errors`, listed before the
rules' findings, and `parse(..., fail_fast=True)` raises `SudoLangSyntaxError` with
them (see [api.md](api.md)). SL009 comes from reading the file. SL1xx–SL4xx come
from the rule classes in `sudolang/lint.py`. SL501–SL506 come from the program
model (`sudolang/program.py`), the one reading of a program that compile and run
use too: whatever `sudolang compile` would refuse, lint reports first, at its line
(`compile` alone adds SL500 for a file that is not a program to compile). In a
message, `<name>` marks a part that is filled in.

Each section shows a program that reports the code and a corrected one that reports
nothing at all; `tests/language/test_lint_docs.py` checks both. The output shown is
from a real run."""


def render() -> str:
    """The whole page."""
    found = entries()
    lines = ["# Lint rules", "",
             f"<!-- Generated by `{COMMAND}` from sudolang/lint.py, sudolang/diagnostics.py and sudolang/program.py; do not edit. -->",
             "", INTRO, "",
             "| code | severity | name | message |", "|---|---|---|---|"]
    for entry in found:
        template = code_span(readable(entry.message.template)).replace("|", "\\|")
        lines.append(f"| [{entry.code}]({_anchor(entry)}) | {entry.message.severity} | "
                     f"{entry.message.__name__} | {template} |")
    lines.append("")
    for entry in found:
        lines += section(entry)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv not in ([], ["--write"]):
        print("usage: python tools/lint_docs.py [--write]", file=sys.stderr)
        return 2
    page = render()
    if argv:
        PAGE.parent.mkdir(parents=True, exist_ok=True)
        PAGE.write_text(page, encoding="utf-8")
        print(f"wrote {PAGE}", file=sys.stderr)
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
