"""docs/language.md §8.7: every Core construct's example, compiled into a program of its own and run.

Each example is a function in the section's ```sudo fence whose value follows `// →` on its return line.
The test makes a one-command program around it, runs the command through `sudolang run` (compile, the
generated handler, corelib's transaction) and compares what it prints: as JSON when the expected value
parses as JSON, else as text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
SECTION = DOC.read_text(encoding="utf-8").split("### 8.7", 1)[1]
FENCE = re.search(r"```sudo\n(.*?)```", SECTION, re.S).group(1)
FUNCTIONS = re.findall(r"^fn (\w+)\(\) \{\n(.*?)^\}\n", FENCE, re.S | re.M)


def program(name: str, body: str) -> str:
    return (f'interface Example {{\n  name = "example"\n  commands = {{\n    "/{name}": "Run the example"\n  }}\n}}\n\n'
            f"fn {name}() {{\n{body}}}\n")


def expected(body: str) -> object:
    shown = re.search(r"// → (.*)$", body, re.M).group(1).strip()
    try:
        return json.loads(shown)
    except ValueError:
        return shown


def test_the_section_has_every_construct():
    names = [name for name, _ in FUNCTIONS]
    assert len(names) == 15, names
    for construct in ("let ", "+=", "if (", "else if", "match (", "for each", "while (", "continue", "=>", "|>",
                      "require", "warn", "delete", "append(", "merge(", "...", "`", "${", "$100", "\\$"):
        assert construct in FENCE, construct


@pytest.mark.parametrize("name,body", FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_example_runs_as_documented(name, body, cli, tmp_path):
    source = tmp_path / f"{name}.sudo"
    source.write_text(program(name, body), encoding="utf-8")
    done = cli("run", str(source), f"/{name}")
    assert done.code == 0, done
    want = expected(body)
    if isinstance(want, str):
        assert done.out.rstrip("\n") == want
    else:
        assert json.loads(done.out) == want


def test_the_warning_goes_to_stderr(cli, tmp_path):
    body = dict(FUNCTIONS)["requirements"]
    source = tmp_path / "requirements.sudo"
    source.write_text(program("requirements", body), encoding="utf-8")
    done = cli("run", str(source), "/requirements")
    assert done.err.strip().splitlines()[-1] == "warning: one is not more than two"
