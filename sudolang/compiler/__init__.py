"""The compiler: a SudoLang program becomes the files Claude Code loads, under `.claude/`.

`compile_program(source, path)` parses, reads the program once into its model
(sudolang.program.build), refuses it when lint or the model finds an error,
and renders the model through the Jinja2 templates beside this module: an
output style, a PEP 723 handler script and one custom command per program
command. Output is deterministic: no
timestamps, no machine paths; every generated part names its source line.
"""

from __future__ import annotations

import os
import sys

from sudolang import __version__
from sudolang.errors import SudolangError, UsageError
from sudolang.safe_files import stem

TYPE_CHECKING = False  # annotations only: pathlib and re load where they are used (a cached `run` needs neither)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any


class CompileError(SudolangError):
    """The program has lint errors; `diagnostics` holds them all, `source` the text they point into."""

    def __init__(self, path: str, diagnostics: list, source: str | None = None) -> None:
        super().__init__(f"{path}: {len(diagnostics)} error(s); nothing was written")
        self.diagnostics = diagnostics
        self.source = source


MAX_PROGRAM_BYTES = 4 * 1024 * 1024  # the largest program of the public corpus is 40 KiB


def load(program: str) -> tuple[str, str]:
    """(label, source) of a shipped program's name or a file's path. The path is the user's, so a link is
    followed; a FIFO, a device or a folder is a UsageError (exit 2) instead of a hang, as is a file over
    MAX_PROGRAM_BYTES or one that is not UTF-8 (the message names the offset)."""
    from sudolang import programs, safe_files

    if program in programs.names():
        return f"sudolang/programs/{program}.sudo", programs.source(program)
    from sudolang import json_input

    try:
        raw = safe_files.read_bytes(program, MAX_PROGRAM_BYTES, "program", follow=True)
    except FileNotFoundError:
        import difflib

        from sudolang.errors import NotFound

        spelled = [name.replace("_", "-") for name in programs.names()]
        wanted = program.replace("_", "-").lower()
        close = [name for name in spelled if name.startswith(wanted)] or \
            difflib.get_close_matches(wanted, spelled, n=1, cutoff=0.6)
        hint = f"did you mean {_shipped(close[0])}? " if len(close) >= 1 else ""
        raise NotFound(f"no program {program!r}: not a shipped program nor a file; {hint}"
                       f"shipped programs: {', '.join(programs.names())}") from None
    except OSError as error:
        shipped = ", ".join(programs.names())
        raise SudolangError(f"cannot read program {program!r} ({error.strerror or error}); "
                            f"shipped programs: {shipped}") from None
    return program, json_input.decode_utf8(raw, f"program {program!r}")


def _shipped(spelled: str) -> str:
    """A shipped program's name from its dashed spelling (the match compares `_` and `-` alike)."""
    from sudolang import programs

    return next(name for name in programs.names() if name.replace("_", "-") == spelled)


def parse_checked(source: str, label: str):
    """The program's AST and model, or CompileError listing every error of lint and of the model
    (sudolang.program.build: no interface, no name, a command that cannot be a file, …), each with its
    code and line:column, as `sudolang lint` shows them (warnings do not stop a compile)."""
    from sudolang import program as program_model
    from sudolang.lint import lint
    from sudolang.parser import parse

    ast = parse(source, label)
    errors = [d for d in lint(ast) if d.is_error]
    seen = {(d.code, d.span.start, d.message) for d in errors}
    model, found = program_model.build(ast, require=True)
    errors += [d for d in found if d.is_error and (d.code, d.span.start, d.message) not in seen]
    if errors or model is None:
        raise CompileError(label, errors, source)
    return ast, model


def build_model(ast):
    """The model of a program to compile, or CompileError with every reason the model refuses it (no
    lint: for a caller that has linted already, or that wants the model's own checks alone)."""
    from sudolang import program as program_model

    model, diagnostics = program_model.build(ast, require=True)
    if model is None:
        raise CompileError(ast.path, [d for d in diagnostics if d.is_error], ast.source)
    return model


def rebuild_argument(label: str, name: str) -> str:
    """What `sudolang compile` is given to rebuild this program: a shipped program's name, else the path it
    was compiled from, as one shell word."""
    from sudolang import programs

    if label == f"sudolang/programs/{name}.sudo" and name in programs.names():
        return name
    return shell_word(label)


def compile_program(source: str, label: str) -> dict[str, str]:
    """Generated files, keyed by their path relative to `.claude/`. The model has checked every name that
    becomes part of a path (sudolang.names for name and prefix, COMMAND_NAME for each command, and that
    no two commands share a file). The same source and label compile once per process: `compile --check`
    of the four programs after `init`, and the test suite, ask again and again (~150 ms each)."""
    return dict(_compiled(source, label))


def _remembered(limit: int):
    """functools.lru_cache(maxsize=limit) for these two functions, forgetting all at once when full: importing
    functools (with collections) costs ~1.3 ms of every `sudolang run`, which only needs load and fingerprint
    from this module. `cache_clear()` as lru_cache's."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        memo: dict = {}

        def call(*arguments: Any) -> Any:
            if arguments not in memo:
                if len(memo) >= limit:
                    memo.clear()
                memo[arguments] = function(*arguments)
            return memo[arguments]

        call.cache_clear = memo.clear  # type: ignore[attr-defined]
        return call

    return decorate


@_remembered(32)
def _compiled(source: str, label: str) -> tuple[tuple[str, str], ...]:
    _, model = parse_checked(source, label)
    from sudolang.compiler.core_codegen import generate

    core = model.core
    pure = frozenset(name for name, check in core.checks.items() if check.pure)
    code = generate(label, source, core.functions, core.constants, pure)
    writes = {c.function: sorted(core.writes(c.function)) for c in model.commands if c.local}
    views = {b.target: sorted(core.writes(b.target)) for b in model.bindings
             if b.kind == "view" and b.target in core.functions and not core.functions[b.target].params}
    context = {"program": model, "version": __version__, "handler": f".claude/scripts/handlers/{model.name}.py",
               "rebuild": rebuild_argument(label, model.name), "code": code, "writes": writes, "views": views}
    files = {
        f"output-styles/{model.name}.md": render("output_style.md.j2", **context),
        f"scripts/handlers/{model.name}.py": render("handler.py.j2", **context),
    }
    for command in model.commands:
        files[f"commands/{model.prefix}-{command.slug}.md"] = render("command.md.j2", command=command, **context)
    return tuple(files.items())


def fingerprint(source: str) -> str:
    """A digest that changes whenever compiling `source` could give a different output, so a cached
    compile can be reused without compiling (which costs ~250 ms of imports and parsing): the source,
    this sudolang's code (sudolang.user_cache.code_digest: its version, its modules by size and
    modification time, as the interpreter checks its .pyc files, and its templates by their bytes) and
    the Jinja2 that renders them."""
    from sudolang.user_cache import code_digest, digest

    return digest(code_digest(), _jinja2_version(), source)[:24]


def _jinja2_version() -> str:
    """The bytes of the `jinja2/__init__.py` an import would find first on sys.path (it holds the version),
    read rather than imported: importing Jinja2 costs ~90 ms, which a compile answered from the cache skips."""
    from sudolang.user_cache import sha256

    for folder in sys.path:
        try:
            with open(os.path.join(folder or ".", "jinja2", "__init__.py"), "rb") as file:
                return sha256(file.read()).hexdigest()
        except OSError:
            continue
    return ""


def compiled_files(source: str, label: str) -> dict[str, str]:
    """compile_program(source, label): from the cache when this sudolang compiled the same source under the
    same label before, else compiled now and cached. `compile --check` of the four shipped programs then
    needs neither the parser nor Jinja2 (0.9 s before; the files are compared as they were). One entry per
    label, replaced when the source or sudolang changes; CompileError (never cached) when it does not compile."""
    from sudolang import user_cache

    name = f"compiled-{stem(label)}-{user_cache.digest(label)[:16]}.json"
    key = fingerprint(label + chr(0) + source)
    files = user_cache.load(name, key)
    if isinstance(files, dict) and all(isinstance(text, str) for text in files.values()):
        return files
    files = compile_program(source, label)
    user_cache.store(name, key, files)
    return files


def compile_programs(programs: list[str]) -> dict[str, str]:
    """Every program's files (each from the user's cache when it is current: compiled_files); two programs that
    would write one file differently are refused."""
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    for program in programs:
        label, source = load(program)
        for relative, text in compiled_files(source, label).items():
            key = relative.lower()
            if key in owners and files.get(relative) != text:
                raise UsageError(f"{label} and {owners[key]} both generate {relative}; give them different "
                                 "names or prefixes")
            owners[key] = label
            files[relative] = text
    return files


# --- templates: every value a template embeds passes through the filter of the language it lands in ----


class Escaped(str):
    """Text a filter below has made safe for the place it is written to. The environment's `finalize`
    refuses anything else a `{{ … }}` produces (except numbers), so a template cannot paste raw text."""


def _finalize(value: object) -> object:
    from sudolang.compiler.core_codegen import Generated

    if isinstance(value, (Escaped, Generated)) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    import jinja2

    raise jinja2.TemplateError(f"a template embeds {str(value)[:80]!r} without an escaping filter "
                               "(py, pystring, pytext, yaml, sh, project_path, md, comment, code, fence)")


@_remembered(1)
def _environment():
    import jinja2

    from sudolang.compiler.template_cache import TemplateCache, TemplateLoader

    environment = jinja2.Environment(
        loader=TemplateLoader(os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")),
        bytecode_cache=TemplateCache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_finalize,
    )
    environment.filters.update({
        "py": python_literal, "pystring": python_block, "pytext": python_text, "yaml": yaml_scalar,
        "sh": shell_word, "project_path": project_path, "md": markdown_text, "comment": markdown_comment, "code": markdown_code,
        "fence": markdown_fence, "pyfunction": _python_function,
    })
    return environment


def _python_function(name: str) -> object:
    from sudolang.compiler.core_codegen import python_function

    return python_function(name)


def render(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)


_PY_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_code_point(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def python_literal(value: object) -> Escaped:
    """A double-quoted Python string literal of `value` (repr() for a number, tuple, …): backslashes, quotes,
    line breaks and every unprintable character escaped, so nothing in it can end the literal."""
    if not isinstance(value, str):
        return Escaped(repr(value))
    return Escaped('"' + "".join(_PY_ESCAPES.get(c) or (c if c.isprintable() else _escape_code_point(c))
                                   for c in value) + '"')


def python_block(text: str) -> Escaped:
    """A Python literal of multi-line `text`: triple-quoted and readable when that is safe, else escaped."""
    text = str(text)
    unsafe = '"""' in text or "\\" in text or text.endswith('"') or not all(line.isprintable() for line in text.split("\n"))
    return python_literal(text) if unsafe else Escaped('"""\\\n' + text + '\\\n"""')


def python_text(text: object) -> Escaped:
    """`text` for a comment or a docstring line of generated Python: as it is when it holds only printable
    characters and no quote or backslash, else as repr() shows it, its double quotes escaped, so it can
    neither end the line nor the docstring."""
    text = str(text)
    if text.isprintable() and '"' not in text and "\\" not in text:
        return Escaped(text)
    return Escaped(repr(text).replace('"', '\\"'))


def yaml_scalar(text: object) -> Escaped:
    """A YAML scalar that cannot be misread: JSON's double-quoted string is valid YAML, on one line; the
    characters YAML does not allow unescaped (DEL, C1 controls, line separators, BOM) are escaped too, and
    so is `!` before a backtick (Claude Code's shell syntax in command files), as \\u0021."""
    import json

    quoted = json.dumps(str(text), ensure_ascii=False).replace("!`", "\\u0021`")  # no !`…` shell syntax
    return Escaped("".join(c if c.isprintable() else _json_escape(c) for c in quoted))


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def shell_word(text: object, line: bool = False) -> Escaped:
    """One POSIX shell word (shlex.quote). With `line` (a command file's one-line !`…` span, which a line
    break or a backtick would end whatever the quoting) such a character is refused."""
    import shlex

    text = str(text)
    if line and any(c in text for c in "\n\r`\0"):
        raise UsageError(f"cannot put {text!r} on a generated command line: it holds a line break or a backtick")
    return Escaped(shlex.quote(text))


def project_path(relative: object) -> Escaped:
    """A file of the project as one shell word that holds wherever the shell's working directory is:
    `"${CLAUDE_PROJECT_DIR}/RELATIVE"`. Claude Code writes the project's folder in place of the variable, in a
    command file's body and in its allowed-tools alike, before any shell sees it (the Bash tool's environment
    has no such variable), so the double quotes keep a folder with spaces one word, and the permission rule
    and the command read the same. RELATIVE holds only characters that mean nothing inside double quotes."""
    import re

    text = str(relative)
    if not re.fullmatch(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*", text) or ".." in text.split("/"):
        raise UsageError(f"cannot put {text!r} in a generated command line: a path inside the project holds "
                         "only letters, digits, '.', '_', '-' and '/'")
    return Escaped('"${CLAUDE_PROJECT_DIR}/' + text + '"')


def _one_line(text: object) -> str:
    """`text` with every run of white space (line breaks included) made one space and every other
    unprintable character (controls, bidirectional overrides) shown as its escape."""
    return "".join(c if c.isprintable() else _escape_code_point(c) for c in " ".join(str(text).split()))


def markdown_text(text: object, cell: bool = False) -> Escaped:
    """Inline markdown: one line, so it can never start a heading, a list, a `---` or a `!` line; a leading
    markdown marker and `<!--` are backslash-escaped; `!` before or after a backtick (Claude Code's shell
    syntax in command files: !`…` and a ```! block) is escaped; in a table `cell`, `|` is escaped too."""
    text = _no_shell_syntax(_one_line(text)).replace("<!--", "\\<!--")
    if text[:1] in "#>-+*=|!<~`_[":
        text = "\\" + text if text else text
    return Escaped(text.replace("|", "\\|") if cell else text)


def _no_shell_syntax(text: str) -> str:
    """`text` without Claude Code's shell syntax, which it finds anywhere in a command file's body: `!` before
    a backtick (an inline !`…`) becomes `!\\``, and `!` after one (a ```! block) `\\!`; markdown shows both
    as they were."""
    return text.replace("!`", "!\\`").replace("`!", "`\\!")


def markdown_comment(text: object) -> Escaped:
    """Text inside an HTML comment `<!-- … -->`: one line that cannot close the comment or hold `!` before
    or after a backtick."""
    text = _no_shell_syntax(_one_line(text))
    while "-->" in text or "--!>" in text:
        text = text.replace("-->", "-- >").replace("--!>", "--! >")
    return Escaped(text)


def markdown_code(text: object, cell: bool = False) -> Escaped:
    """An inline code span of `text` on one line, delimited by more backticks than any run inside it."""
    text = _one_line(text)
    import re

    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    span = f"{ticks}{pad}{text}{pad}{ticks}"
    return Escaped(span.replace("|", "\\|") if cell else span)


def markdown_fence(text: object, info: str = "") -> Escaped:
    """A fenced code block holding `text` as it is, its fence longer than any run of backticks inside."""
    text = str(text)
    import re

    fence = "`" * max(3, max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return Escaped(f"{fence}{info}\n{text}\n{fence}")


# --- writing -------------------------------------------------------------------------------------

MAX_GENERATED_BYTES = 16 * 1024 * 1024  # what `stale` reads back to compare; a generated file is far smaller


def stale(root: Path, files: dict[str, str]) -> list[str]:
    """The generated files that are missing under `root` or differ from what would be written. A link or
    anything but a regular file counts as stale: it is never read through."""
    from sudolang import safe_files

    out = []
    for relative, text in sorted(files.items()):
        try:
            if safe_files.read_bytes(os.path.join(root, relative), MAX_GENERATED_BYTES, "generated file") == text.encode():
                continue
        except (OSError, SudolangError):
            pass
        out.append(relative)
    return out


def write_files(root: Path, files: dict[str, str]) -> list[Path]:
    """Write every file, or none: all are staged as new temp files with random names first (O_EXCL,
    O_NOFOLLOW), then renamed into place. `root` is the user's choice and may be a link; a link anywhere
    below it, at a folder or at a file to be written, is refused (UnsafePath, naming it) before anything
    is written."""
    from pathlib import Path

    from sudolang import safe_files

    root = Path(root)
    for relative in sorted(files):  # check everything first, so a refusal leaves the tree as it was
        parent = Path(safe_files.folder(root, Path(relative).parent, create=False))
        safe_files.check_not_link(parent / Path(relative).name)
    staged: list[tuple[str, Path]] = []
    try:
        for relative, text in sorted(files.items()):
            target = Path(safe_files.folder(root, Path(relative).parent)) / Path(relative).name
            safe_files.check_not_link(target)
            staged.append((_stage(target, text.encode()), target))
    except BaseException:
        for temp, _ in staged:
            safe_files.remove_quietly(temp)
        raise
    for temp, target in staged:
        os.replace(temp, target)
    return [target for _, target in staged]


def executable(relative: str) -> bool:
    return relative.endswith((".py", ".sh"))


def _stage(target: Path, data: bytes) -> str:
    from sudolang import safe_files

    fd, temp = safe_files.create_temp(target, 0o644)
    try:
        try:
            safe_files.write_all(fd, data)
            if executable(os.path.basename(target)):
                os.fchmod(fd, 0o755)
        finally:
            os.close(fd)
    except BaseException:
        safe_files.remove_quietly(temp)
        raise
    return temp
