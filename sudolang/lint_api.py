"""Linting files, as a library: which files a path names, how each is read, and what exit status a
run earns. `sudolang lint` (sudolang.cli.lint) is these functions plus printing; pyflakes' api.py is
the model. The checks themselves are in sudolang.lint, the output formats in sudolang.reporter."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator

from sudolang.errors import FAILURE, OK, USAGE, UsageError

EXTENSIONS = (".sudo", ".sudo.md", ".mdc")
STDIN = "<stdin>"
# The largest program `sudolang lint` reads (docs/language.md, "Limits and line endings"); the
# biggest real program is under 40 KB.
MAX_PROGRAM_BYTES = 4 * 1024 * 1024


def check_paths(paths: Iterable[str], select: Iterable[str] = (), ignore: Iterable[str] = (),
                notes: bool = False) -> list:
    """One reporter.FileReport per file the paths name (see iter_source_files), in order."""
    return [check_path(path, select, ignore, notes) for path in iter_source_files(paths)]


def check_path(path: str, select: Iterable[str] = (), ignore: Iterable[str] = (), notes: bool = False):
    """The FileReport of one file (STDIN for standard input): its diagnostics, or, when it cannot be read,
    one SL009 diagnostic and no source."""
    from sudolang import reporter
    from sudolang.diagnostics import UnreadableFile
    from sudolang.errors import SudolangError
    from sudolang.spans import Span

    try:
        source = read_program(path)
    except (OSError, UnicodeDecodeError, SudolangError) as error:
        line, column = _where(error)
        diagnostic = UnreadableFile.at(Span(path, line, column, line, column, 0, 0), reason=_reason(error))
        return reporter.FileReport(path, None, [diagnostic])
    return reporter.FileReport(path, source, diagnostics(source, path, list(select), list(ignore), notes))


def diagnostics(source: str, path: str, select: list[str], ignore: list[str], notes: bool) -> list:
    """lint(parse(source, path), select, ignore, notes): from the user's cache (sudolang.user_cache) when
    this sudolang linted the same text under the same name and options before, else linted now and cached.
    The key holds the text itself, not the file's size or time, so an edit is never missed; a hit needs
    neither the parser nor the rules (a 51-line program: ~230 ms before). One entry per name and options."""
    from sudolang import user_cache
    from sudolang.diagnostics import Diagnostic
    from sudolang.spans import Span

    options = (path, ",".join(select), ",".join(ignore), notes)
    name = f"lint-{user_cache.digest(*options)[:24]}.json"
    key = user_cache.digest(user_cache.code_digest(), source, *options)
    cached = user_cache.load(name, key)
    if isinstance(cached, list):
        try:
            return [Diagnostic(code, severity, message, Span(*span)) for code, severity, message, *span in cached]
        except (TypeError, ValueError):
            pass
    from sudolang.lint import lint
    from sudolang.parser import parse

    found = lint(parse(source, path), select, ignore, notes)
    spans = [[getattr(d.span, field) for field in Span.__slots__] for d in found]  # Span's arguments, in order
    user_cache.store(name, key, [[d.code, d.severity, d.message, *span] for d, span in zip(found, spans)])
    return found


def exit_code(reports: Iterable, exit_zero: bool = False) -> int:
    """2 when a file could not be read, else 0 with exit_zero, else 1 when any report holds an error."""
    reports = list(reports)
    if any(report.source is None for report in reports):
        return USAGE
    if exit_zero:
        return OK
    return FAILURE if any(d.is_error for report in reports for d in report.diagnostics) else OK


def rule_codes(text: str | None) -> list[str]:
    """`SL101,SL2` as a list; every entry must be a known code or the prefix of one (else UsageError)."""
    if not text:
        return []
    from sudolang.lint import CODES

    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    for code in codes:
        if not any(known.startswith(code) for known in CODES):
            raise UsageError(f"unknown rule code or prefix {code!r} (known: {', '.join(sorted(CODES))})")
    return codes


def iter_source_files(paths: Iterable[str]) -> Iterator[str]:
    """Each path in order, `-` as STDIN; a folder gives its lintable files (sorted, hidden folders skipped),
    or itself when it has none (so that read_program reports it, rather than a lint of nothing passing)."""
    seen: set[str] = set()
    for name in paths:
        found = [name]
        if name != "-" and os.path.isdir(name):
            from pathlib import Path  # only for a folder: a file's lint does without its ~2 ms of start-up

            path = Path(name)
            found = sorted(
                str(file) for file in path.rglob("*")
                if file.name.endswith(EXTENSIONS) and file.is_file()
                and not any(part.startswith(".") and part not in (".", "..") for part in file.relative_to(path).parts[:-1])
            ) or [name]
        for file in found:
            if file not in seen:
                seen.add(file)
                yield STDIN if file == "-" else file


def read_program(path: str) -> str:
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
