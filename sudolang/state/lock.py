"""The lock file beside each document: `fcntl.flock` on POSIX, which is the very lock filelock takes.

filelock 4.x costs 55-95 ms to import; a state command's whole budget is 50-100 ms.
On POSIX its `UnixFileLock` is an exclusive, non-blocking `flock` on the lock
file, opened without truncation and never unlinked, so taking that same `flock`
here excludes filelock users too (tests/state/test_lock.py races the two).
Elsewhere filelock itself is used. The document is never locked directly: it is
replaced by rename, and a lock on a replaced inode guards nothing.

The lock file is opened with O_NOFOLLOW (sudolang.safe_files.open_lock): a link planted at its name
is refused, never followed, and never truncated. A holder writes a note (its pid and command) into the
file and empties it on release, so a note found on taking the lock means the last holder died holding
it: `on_abandoned` is then called (a document sweeps the temp files such a holder leaves).
"""

from __future__ import annotations

import os
import sys
import time

from sudolang import safe_files
from sudolang.errors import LockTimeout

TYPE_CHECKING = False  # annotations only: filelock costs 55-95 ms to import, `typing` ~5 ms
if TYPE_CHECKING:
    import filelock

DEFAULT_TIMEOUT = 5.0


def timeout_seconds(text: str) -> float:
    """A --timeout given as text: a finite number of seconds, 0 or more; ValueError says what is wrong
    (the command line's readers make it a usage error)."""
    import math

    try:
        value = float(text)
    except (TypeError, ValueError):
        value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"--timeout must be a number of seconds, 0 or more (got {str(text)[:40]!r})")
    return value


class FileLock:
    """An exclusive lock on `path`, held for a `with` block, given up after `timeout` seconds."""

    def __init__(self, path: os.PathLike | str, timeout: float = DEFAULT_TIMEOUT, on_abandoned=None) -> None:
        self.path = path
        self.timeout = timeout
        self.on_abandoned = on_abandoned  # called, holding the lock, when the last holder died holding it
        self._fd: int | None = None
        self._fallback: filelock.BaseFileLock | None = None

    def __enter__(self) -> "FileLock":
        if sys.platform == "win32":  # pragma: no cover - POSIX machines run the suite
            self._acquire_with_filelock()
        else:
            self._acquire_with_flock()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fallback is not None:  # pragma: no cover
            self._fallback.release()
            return
        import fcntl

        assert self._fd is not None
        os.ftruncate(self._fd, 0)  # the holder note must not outlive the hold
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def _acquire_with_flock(self) -> None:
        import fcntl

        fd = safe_files.open_lock(self.path)
        deadline = time.monotonic() + self.timeout
        delay = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_nlink:
                    break
                # The file was unlinked (its document archived) while we waited: lock the new one.
                os.close(fd)
                fd = safe_files.open_lock(self.path)
                continue
            except (BlockingIOError, PermissionError):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise LockTimeout(self._timeout_message(holder)) from None
                # Jittered backoff keeps waiters from waking in lock-step.
                time.sleep(min(remaining, delay * (0.5 + (time.perf_counter_ns() % 1000) / 1000)))
                delay = min(delay * 2, 0.01)
        self._fd = fd
        abandoned = self.on_abandoned is not None and os.fstat(fd).st_size > 0
        note = f"pid {os.getpid()}: {' '.join(sys.argv[:4])}"[:200]
        try:
            if abandoned:
                self.on_abandoned()
            os.ftruncate(fd, 0)
            try:
                os.pwrite(fd, note.encode(errors="replace"), 0)
            except OSError:  # a full disk: the note only names the holder and marks a death; the flock is the lock
                pass
        except BaseException:
            self.__exit__()
            raise

    def _acquire_with_filelock(self) -> None:  # pragma: no cover
        import filelock

        self._fallback = filelock.FileLock(str(self.path), timeout=self.timeout)
        try:
            self._fallback.acquire()
        except filelock.Timeout:
            raise LockTimeout(self._timeout_message("")) from None

    def _timeout_message(self, holder: str) -> str:
        who = f" (held by {holder})" if holder else ""
        return f"timed out after {self.timeout:g}s waiting for the lock {self.path}{who}; retry, or raise --timeout"


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""
