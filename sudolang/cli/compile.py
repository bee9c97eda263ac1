"""`sudolang compile` and `sudolang init`: sudolang.compiler and sudolang.compiler.init_project do the work;
the arguments are described in sudolang.cli.spec."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def default_out() -> Path:
    """The nearest .claude/ folder upwards, else ./.claude."""
    here = Path.cwd().resolve()
    return next((folder / ".claude" for folder in (here, *here.parents) if (folder / ".claude").is_dir()),
                here / ".claude")


def compile_(args) -> int:
    from sudolang import compiler

    if args.emit and args.json:
        from sudolang.errors import UsageError

        raise UsageError("--json does not go with --emit, which prints a stage as it is")
    try:
        if args.emit:
            return _emit(args.programs, args.emit)
        files = compiler.compile_programs(args.programs)
    except compiler.CompileError as error:
        return report_compile_error(error)
    out = Path(args.out) if args.out else default_out()
    if args.check:
        return _check(out, compiler.stale(out, files), args.json)
    written = compiler.write_files(out, files)
    if args.json:
        print_json({"out": str(out), "written": [str(path) for path in written]})
    else:
        for path in written:
            print(path)
    return 0


def _check(out: Path, stale: list[str], as_json: bool) -> int:
    """--check: the generated files that are missing or differ under `out`; exit 1 when there is any."""
    if as_json:
        missing = [relative for relative in stale if not os.path.lexists(out / relative)]  # a link: stale
        print_json({"out": str(out), "missing": missing, "stale": [r for r in stale if r not in missing]})
    else:
        for relative in stale:
            print(f"stale or missing: {out / relative}")
    return 1 if stale else 0


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def report_compile_error(error) -> int:
    """The program's lint errors, as `sudolang lint` shows them, and exit code 1."""
    from sudolang import reporter

    path = error.diagnostics[0].span.path
    sys.stdout.write(reporter.text([reporter.FileReport(path, _source(error), error.diagnostics)]))
    print(f"sudolang: error: {error.message}", file=sys.stderr)
    return 1


def _source(error) -> str:
    if error.source is not None:
        return error.source
    from sudolang import compiler

    return compiler.load(error.diagnostics[0].span.path)[1]


def _emit(programs: list[str], stage: str) -> int:
    from sudolang import compiler

    for program in programs:
        label, source = compiler.load(program)
        if stage == "ast":
            from sudolang.nodes import dump
            from sudolang.parser import parse

            print(dump(parse(source, label)))
            continue
        files = compiler.compile_program(source, label)
        wanted = ".md" if stage == "markdown" else ".py"
        for relative, text in sorted(files.items()):
            if relative.endswith(wanted) and (stage == "python" or relative.startswith("output-styles/")):
                sys.stdout.write(text)
    return 0


def init(args) -> int:
    from sudolang.compiler.init_project import init_project
    from sudolang.errors import NotFound

    project = Path(args.dir)
    if not project.is_dir():
        raise NotFound(f"no folder {project}")
    store = getattr(args, "store", None)
    if store is not None:
        from sudolang.state import stores

        stores.check_for_config(store)  # a URL with a password stops init before it writes anything
    report = init_project(project)
    if store is not None:
        report.append(stores.write_config(project / ".claude", store))
    if args.json:
        print_json(_by_outcome(project, report))
        return 0
    print("\n".join(report))
    if all(line.startswith("unchanged") for line in report):
        print(f"nothing to do: {project / '.claude'} is up to date")
    return 0


def _by_outcome(project: Path, report: list[str]) -> dict:
    """init's report lines (`created   .claude/x/`, `changed   .claude/y (made executable)`) as lists of paths
    by what happened to them; `up_to_date` when nothing was created or changed."""
    outcome: dict = {"project": str(project.resolve() / ".claude"), "created": [], "changed": [], "unchanged": []}
    for line in report:
        verb, item = line.split(None, 1)
        outcome[verb].append(item.split(" (", 1)[0])
    outcome["up_to_date"] = not outcome["created"] and not outcome["changed"]
    return outcome
