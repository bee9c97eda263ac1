"""The `compile` command: argument table and wiring; the work is in sudolang.compiler."""

from __future__ import annotations

import sys
from pathlib import Path

EPILOG = """\
examples:
  sudolang compile sprint_execution                 # a shipped program, into the project's .claude/
  sudolang compile my.sudo --out build/.claude      # a file of yours, elsewhere
  sudolang compile all-team_dashboard --check       # exit 1 listing missing or stale files
  sudolang compile leadership_chat --emit markdown  # print one stage: ast, markdown or python
shipped programs: all-team_dashboard, leadership_chat, sprint_execution, config_manager"""


def default_out() -> Path:
    """The nearest .claude/ folder upwards, else ./.claude."""
    here = Path.cwd().resolve()
    return next((folder / ".claude" for folder in (here, *here.parents) if (folder / ".claude").is_dir()),
                here / ".claude")


def cmd_compile(args) -> int:
    from sudolang import compiler

    try:
        if args.emit:
            return _emit(args.programs, args.emit)
        files = compiler.compile_programs(args.programs)
    except compiler.CompileError as error:
        return report_compile_error(error)
    out = Path(args.out) if args.out else default_out()
    if args.check:
        stale = compiler.stale(out, files)
        for relative in stale:
            print(f"stale or missing: {out / relative}")
        return 1 if stale else 0
    for path in compiler.write_files(out, files):
        print(path)
    return 0


def report_compile_error(error) -> int:
    """The program's lint errors, as `sudolang lint` shows them, and exit code 1."""
    from sudolang import reporter

    path = error.diagnostics[0].span.path
    sys.stdout.write(reporter.text([reporter.FileReport(path, _source(error), error.diagnostics)]))
    print(f"sudolang: error: {error.message}", file=sys.stderr)
    return 1


def _source(error) -> str:
    from sudolang import compiler

    if error.source is not None:
        return error.source
    return compiler.load(error.diagnostics[0].span.path)[1]


def _emit(programs: list[str], stage: str) -> int:
    from sudolang import compiler

    for program in programs:
        label, source = compiler.load(program)
        if stage == "ast":
            from sudolang.parser import parse

            print(_dump(parse(source, label)))
            continue
        files = compiler.compile_program(source, label)
        wanted = ".md" if stage == "markdown" else ".py"
        for relative, text in sorted(files.items()):
            if relative.endswith(wanted) and (stage == "python" or relative.startswith("output-styles/")):
                sys.stdout.write(text)
    return 0


def _dump(node, depth: int = 0) -> str:
    from dataclasses import fields

    from sudolang import nodes

    scalars = {f.name: getattr(node, f.name) for f in fields(node)
               if f.name not in ("span", "source") and not isinstance(getattr(node, f.name), (tuple, nodes.Node))}
    shown = " ".join(f"{k}={v!r}" for k, v in scalars.items() if v not in (None, ""))[:120]
    lines = [f"{'  ' * depth}{node.span.line}:{node.span.column} {type(node).__name__} {shown}".rstrip()]
    lines += [_dump(child, depth + 1) for child in node.children()]
    return "\n".join(lines)


GROUPS = {
    "compile": (
        "Compile SudoLang programs into Claude Code output styles, command files and handler scripts.",
        EPILOG,
        (cmd_compile, (
            (("programs",), {"nargs": "+", "metavar": "PROGRAM", "help": "a shipped program's name or a .sudo file"}),
            (("--out",), {"metavar": "DIR", "help": "where to write (default: the project's .claude/)"}),
            (("--check",), {"action": "store_true", "help": "write nothing; exit 1 listing missing or stale files"}),
            (("--emit",), {"choices": ("ast", "markdown", "python"), "help": "print one stage to stdout instead"}),
        )),
    ),
}
