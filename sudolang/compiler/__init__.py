"""The compiler: a SudoLang program becomes the files Claude Code loads, under `.claude/`.

`compile_program(source, path)` parses, refuses a program with lint errors,
builds a plain model (sudolang.compiler.model) and renders it through the
Jinja2 templates beside this module: an output style, a PEP 723 handler script
and one custom command per program command. Output is deterministic: no
timestamps, no machine paths; every generated part names its source line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sudolang import __version__
from sudolang.errors import SudolangError


class CompileError(SudolangError):
    """The program has lint errors; `diagnostics` holds them all."""

    def __init__(self, path: str, diagnostics: list) -> None:
        super().__init__(f"{path}: {len(diagnostics)} error(s); nothing was written")
        self.diagnostics = diagnostics


def load(program: str) -> tuple[str, str]:
    """(label, source) of a shipped program's name or a file's path."""
    from sudolang import programs

    if program in programs.names():
        return f"sudolang/programs/{program}.sudo", programs.source(program)
    path = Path(program)
    try:
        return program, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        shipped = ", ".join(programs.names())
        raise SudolangError(f"cannot read program {program!r} ({error}); shipped programs: {shipped}") from None


def parse_checked(source: str, label: str):
    """The program's AST, or CompileError listing its lint errors (warnings do not stop a compile)."""
    from sudolang.lint import lint
    from sudolang.parser import parse

    program = parse(source, label)
    errors = [d for d in lint(program) if d.is_error]
    if errors:
        raise CompileError(label, errors)
    return program


def compile_program(source: str, label: str) -> dict[str, str]:
    """Generated files, keyed by their path relative to `.claude/`."""
    from sudolang.compiler.model import build_model

    model = build_model(parse_checked(source, label))
    context = {"program": model, "version": __version__, "handler": f".claude/scripts/handlers/{model.name}.py"}
    files = {
        f"output-styles/{model.name}.md": render("output_style.md.j2", **context),
        f"scripts/handlers/{model.name}.py": render("handler.py.j2", **context),
    }
    for command in model.commands:
        files[f"commands/{model.prefix}-{command.slug}.md"] = render("command.md.j2", command=command, **context)
    return files


# What a compile's output depends on besides the source: these files of the package, and its version.
_COMPILE_INPUTS = ("grammar.lark", "parser.py", "nodes.py", "lint.py", "diagnostics.py", "compiler/*.py",
                   "compiler/templates/*.j2")


def fingerprint(source: str) -> str:
    """A digest that changes whenever compiling `source` could give a different output, so a cached
    handler can be reused without compiling (which costs ~250 ms of imports and parsing)."""
    import hashlib

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}\0{source}\0".encode())
    for pattern in _COMPILE_INPUTS:
        for path in sorted(package.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def compile_programs(programs: list[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    for program in programs:
        files.update(compile_program(*reversed(load(program))))
    return files


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["yaml"] = _yaml_string
    environment.filters["pystring"] = _python_string
    environment.filters["cell"] = lambda text: str(text).replace("|", "\\|")
    return environment


def render(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)


def _python_string(text: str) -> str:
    """A Python literal of `text`: triple-quoted and readable when that is safe, else repr()."""
    unsafe = '"""' in text or "\\" in text or text.endswith('"') or not all(line.isprintable() for line in text.split("\n"))
    return repr(text) if unsafe else '"""\\\n' + text + '\\\n"""'


def _yaml_string(text: str) -> str:
    """A YAML scalar that cannot be misread: JSON's double-quoted string is valid YAML."""
    import json

    return json.dumps(text, ensure_ascii=False)


# --- writing -------------------------------------------------------------------------------------


def stale(root: Path, files: dict[str, str]) -> list[str]:
    """The generated files that are missing under `root` or differ from what would be written."""
    out = []
    for relative, text in sorted(files.items()):
        try:
            if (root / relative).read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        out.append(relative)
    return out


def write_files(root: Path, files: dict[str, str]) -> list[Path]:
    """Write every file, or none: all are staged as temp files first, then renamed into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for relative, text in sorted(files.items()):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.tmp")
            temp.write_text(text, encoding="utf-8")
            if target.suffix == ".py":
                temp.chmod(0o755)
            staged.append((temp, target))
    except OSError:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in staged:
        os.replace(temp, target)
    return [target for _, target in staged]
