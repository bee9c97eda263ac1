"""The exception family every stage raises, and the exit code each one maps to."""

from __future__ import annotations

# Exit codes, documented in the CLI's --help and in docs/. Distinct so scripts can branch on them.
OK = 0
FAILURE = 1  # the operation cannot be done on this data (or an unexpected internal error)
USAGE = 2  # bad arguments: unknown option, invalid JSON or JSONPath, a hostile id
NOT_FOUND = 3  # the session, project, key or match does not exist; nothing was changed
LOCK_TIMEOUT = 4  # another process held the lock past --timeout; nothing was changed
CORRUPT = 5  # a state file does not parse; it was left untouched
STORE_UNAVAILABLE = 6  # the state's server (PostgreSQL) could not be reached, or the connection to it was lost


class SudolangError(Exception):
    """Base of every error a user can cause; the CLI prints it as one line."""

    exit_code = FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(SudolangError):
    """The command line or its arguments are wrong."""

    exit_code = USAGE


class NotFound(SudolangError):
    """What was asked for does not exist."""

    exit_code = NOT_FOUND


class LockTimeout(SudolangError):
    """The document's lock stayed held by another process past the timeout."""

    exit_code = LOCK_TIMEOUT


class CorruptState(SudolangError):
    """A state file exists but does not hold a JSON document."""

    exit_code = CORRUPT


class StoreUnavailable(SudolangError):
    """The server that keeps the state (a PostgreSQL store) could not be reached, or the connection broke;
    the message names the server and the cause, and says whether the change was made."""

    exit_code = STORE_UNAVAILABLE


class PositionedError(SudolangError):
    """An error at a place in a program: `path`, 1-based `line` and `column` (any may be None when
    unknown), shown as `path:line:column: message`; `reason` is the message without the place."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        place = ":".join(str(part) for part in (path, line, column) if part is not None)
        super().__init__(f"{place}: {message}" if place else message)
        self.reason = message
        self.path, self.line, self.column = path, line, column

    @classmethod
    def at(cls, span, message: str) -> "PositionedError":
        """The error at a sudolang.nodes.Span (or anything with path, line and column)."""
        return cls(message, span.path, span.line, span.column)


class RunError(SudolangError):
    """A SudoLang Core program stopped: a `throw`, a failed `require`, or a run-time error (a type error,
    a missing member, a runaway loop). The runtime adds the program's file:line to the message."""

    exit_code = FAILURE
