"""The `lint` command: argument table and driver; the checks are in sudolang.lint, the output in
sudolang.reporter. Nothing heavy is imported until the command runs (the CLI imports this module
just to build its parser)."""

from __future__ import annotations

import sys

from sudolang.errors import FAILURE, OK, USAGE, UsageError

EXTENSIONS = (".sudo", ".sudo.md", ".mdc")
STDIN = "<stdin>"
# The largest program `sudolang lint` reads (docs/language.md, "Limits and line endings"); the
# biggest real program is under 40 KB.
MAX_PROGRAM_BYTES = 4 * 1024 * 1024

EPILOG = """\
rules (error: breaks compiling or running; warning: the model can still cope):
  SL001-6  error  syntax: unclosed or stray brackets, unterminated strings, fences, comments
  SL007  error    brackets nested deeper than 100
  SL009  error    the file cannot be read (not a regular file, over 4 MiB) or decoded as UTF-8
  SL101  error    a command name declared twice (map entries, /command lines, aliases)
  SL102  error    a malformed command signature
  SL103  warning  a command with no description, where the others have one
  SL104  error    a program name or prefix that cannot become file and command names
  SL201  warning  a layout {placeholder} that nothing binds
  SL202  warning  a ragged box in a layout (rows of unequal display width)
  SL301  warning  a call to a method the program never defines
  SL302  error    an invalid JSONPath in a state command
  SL401  warning  class-based keywords (class, extends, inherits, new, super) in code
  SL402  warning  the deprecated set operators cap and cup

CODES for --select and --ignore are comma-separated codes or prefixes (SL1 means SL1xx).
Folders are searched for *.sudo, *.sudo.md and *.mdc files (hidden folders are skipped).

exit codes:
  0  no errors (warnings allowed), or --exit-zero
  1  at least one error
  2  usage error, or a file that cannot be read (reported as SL009)"""


def cmd_lint(args) -> int:
    from sudolang import reporter
    from sudolang.diagnostics import UnreadableFile
    from sudolang.errors import SudolangError
    from sudolang.lint import CODES, lint, selected
    from sudolang.nodes import Span
    from sudolang.parser import parse

    select, ignore = _codes(args.select, CODES), _codes(args.ignore, CODES)
    reports: list[reporter.FileReport] = []
    unreadable = False
    for path in _files(args.paths):
        try:
            source = _read(path)
        except (OSError, UnicodeDecodeError, SudolangError) as error:
            unreadable = True
            line, column = _where(error)
            diagnostic = UnreadableFile.at(Span(path, line, column, line, column, 0, 0), reason=_reason(error))
            reports.append(reporter.FileReport(path, None, [diagnostic]))
            continue
        program = parse(source, path)
        reports.append(reporter.FileReport(path, source, lint(program, select, ignore)))
    sys.stdout.write(reporter.REPORTERS[args.format](reports))
    if args.format == "text":
        sys.stdout.flush()  # the summary goes after the findings, also on a shared terminal
        print(reporter.summary(reports), file=sys.stderr)
    if unreadable:
        return USAGE
    if args.exit_zero:
        return OK
    return FAILURE if any(d.is_error for report in reports for d in report.diagnostics) else OK


def _codes(text: str | None, known) -> list[str]:
    """`SL101,SL2` as a list; every entry must be a known code or the prefix of one."""
    if not text:
        return []
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    for code in codes:
        if not any(known_code.startswith(code) for known_code in known):
            raise UsageError(f"unknown rule code or prefix {code!r} (known: {', '.join(sorted(known))})")
    return codes


def _files(paths: list[str]):
    """Each path in order; a folder gives its lintable files (sorted, hidden folders skipped), or itself
    when it has none (so that _read reports it, rather than a lint of nothing passing quietly)."""
    from pathlib import Path

    seen: set[str] = set()
    for name in paths:
        found = [name]
        path = Path(name)
        if name != "-" and path.is_dir():
            found = sorted(
                str(file) for file in path.rglob("*")
                if file.name.endswith(EXTENSIONS) and file.is_file()
                and not any(part.startswith(".") and part not in (".", "..") for part in file.relative_to(path).parts[:-1])
            ) or [name]
        for file in found:
            if file not in seen:
                seen.add(file)
                yield STDIN if file == "-" else file


def _read(path: str) -> str:
    """The text of a program: a regular file (a FIFO, a device or a folder is refused, not read) of at
    most MAX_PROGRAM_BYTES, decoded as UTF-8 (strictly: a byte that is not UTF-8 is an error)."""
    if path == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # pragma: no cover - a text-only stdin (embedding)
            data = sys.stdin.read(MAX_PROGRAM_BYTES + 1).encode("utf-8")
        else:
            data = stream.read(MAX_PROGRAM_BYTES + 1)
        if len(data) > MAX_PROGRAM_BYTES:
            raise UsageError(f"standard input is over {MAX_PROGRAM_BYTES:,} bytes; the limit is {MAX_PROGRAM_BYTES:,}")
    else:
        import os

        from sudolang.safe_files import read_bytes

        if os.path.isdir(path):
            raise UsageError(f"{path} is a folder with no {', '.join('*' + e for e in EXTENSIONS)} files in it")
        data = read_bytes(path, MAX_PROGRAM_BYTES, what="program", follow=True)
    return data.decode("utf-8")


def _where(error: Exception) -> tuple[int, int]:
    """The line and (byte) column of an undecodable byte; 1:1 for a file that cannot be opened."""
    if isinstance(error, UnicodeDecodeError):
        before = error.object[: error.start]
        return before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
    return 1, 1


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8: byte 0x{error.object[error.start]:02x} at offset {error.start} cannot be decoded"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


GROUPS = {
    "lint": ("Check SudoLang programs and report path:line:col: CODE message.", EPILOG, (cmd_lint, (
        (("paths",), {"nargs": "+", "metavar": "PATH", "help": "files or folders to check, or - for standard input"}),
        (("--format",), {"choices": ("text", "json", "github"), "default": "text",
                         "help": "text for people (default), json for tools, github for workflow annotations"}),
        (("--select",), {"metavar": "CODES", "help": "report only these codes or prefixes, e.g. SL1,SL302"}),
        (("--ignore",), {"metavar": "CODES", "help": "do not report these codes or prefixes"}),
        (("--exit-zero",), {"action": "store_true", "help": "exit 0 even when errors are found"}),
    ))),
}
