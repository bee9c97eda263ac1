"""Files the tool creates, appends to or reads, opened so that a planted symbolic link can never redirect them.

A project folder may come from a stranger's repository, and a repository can
carry symbolic links: `.claude/state/shared/default.lock -> ~/.bashrc` would
let an ordinary write empty a file outside the project. So every file the tool
writes is opened here, with O_NOFOLLOW (a link at the final name is refused,
not followed), temp files get unpredictable names and O_EXCL (nothing planted
in advance can be at that name), and the folders between a root the user chose
and the file are checked not to be links (`folder`). A refusal is an
`UnsafePath` that names the link, exit code 1, and nothing has been written.

Reads go through `read_bytes`: no link followed, only a regular file (a FIFO or
/dev/zero is refused instead of hanging or filling memory), and a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

from sudolang.errors import SudolangError, UsageError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# A link at an O_NOFOLLOW name fails with ELOOP on Linux, EMLINK on FreeBSD and EFTYPE on NetBSD.
_LINK_ERRNOS = {errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", errno.ELOOP)}


class UnsafePath(SudolangError):
    """A path the tool would write or read through is a symbolic link (or not a regular file)."""


def clean(path: str) -> str:
    """`path` as pathlib writes it: no empty or `.` parts, no trailing separator (`..` stays: it may cross a link)."""
    if not path:
        return "."
    parts = [part for part in path.split(os.sep) if part and part != "."]
    text = os.sep.join(parts)
    return os.sep + text if path.startswith(os.sep) else text or "."


def stem(path: str) -> str:
    """The file name without its last suffix, as Path(path).stem gives it."""
    return os.path.splitext(os.path.basename(path))[0]


def as_path(*parts: str):
    """A pathlib.Path, for the callers that ask for one (imported here, when the first is asked for)."""
    from pathlib import Path

    return Path(*parts)


def refusal(path: os.PathLike | str, verb: str = "write") -> UnsafePath:
    harm = "show you" if verb == "read" else "change"
    return UnsafePath(f"refusing to {verb} {path}: it is a symbolic link, and following it could {harm} a file "
                      "outside this folder; remove the link (a cloned repository may have carried it)")


def _open(path: os.PathLike | str, flags: int, mode: int, verb: str) -> int:
    try:
        return os.open(path, flags | NOFOLLOW | _CLOEXEC, mode)
    except OSError as error:
        if error.errno in _LINK_ERRNOS and os.path.islink(path):
            raise refusal(path, verb) from None
        raise


def open_append(path: os.PathLike | str, mode: int = 0o644) -> int:
    """A write-only, appending descriptor for a log; created if missing, never through a link."""
    return _open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, mode, "append to")


def open_lock(path: os.PathLike | str, mode: int = 0o644) -> int:
    """A read-write descriptor for a lock file, created if missing and never truncated on open."""
    return _open(path, os.O_RDWR | os.O_CREAT, mode, "lock")


def open_existing(path: os.PathLike | str, flags: int = os.O_RDONLY) -> int:
    """An existing file, never through a link (FileNotFoundError when absent)."""
    return _open(path, flags, 0, "open")


def create_temp(target: os.PathLike | str, mode: int = 0o644) -> tuple[int, str]:
    """A new, empty temp file beside `target`, named `.<name>.<random>.tmp`: O_EXCL, so nothing that was
    at that name before can receive the data. Returns (descriptor, path)."""
    folder, name = os.path.split(os.fspath(target))
    while True:
        temp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return _open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode, "create"), temp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (os.write may write fewer than asked, on a full disk or a signal)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_temp(target: os.PathLike | str, data: bytes, mode: int = 0o644, sync: bool = True) -> str:
    """Stage `data` in a new temp file beside `target` (fsynced unless `sync` is False); the caller renames
    it over `target`. On any failure the temp file is gone, so no disk space is held by a failed write."""
    fd, temp = create_temp(target, mode)
    try:
        try:
            write_all(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        remove_quietly(temp)
        raise
    return temp


def remove_if_present(path: os.PathLike | str) -> None:
    """Remove a file that may already be gone (Path.unlink(missing_ok=True)); any other failure is raised."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_quietly(path: os.PathLike | str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def folder(root: os.PathLike | str, relative: os.PathLike | str = "", create: bool = True) -> str:
    """`root/relative`, every folder from `root` down checked not to be a link (and made when missing,
    unless `create` is False). `root` itself is the user's choice and may be a link. Paths are text here:
    pathlib costs ~7 ms of start-up, which a `state get` cannot spare."""
    root = os.fspath(root)
    current = root
    if create and not os.path.isdir(root):
        os.makedirs(root, exist_ok=True)
    parts = [part for part in os.fspath(relative).split(os.sep) if part and part != "."]
    for part in parts:
        current = os.path.join(current, part)
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if not create:
                return os.path.join(root, *parts)
            try:
                os.mkdir(current)
            except FileExistsError:  # made by a racing process: check what it is below
                pass
            info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            raise refusal(current, "use the folder")
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafePath(f"{current} should be a folder but is a file; move it aside")
    return current


def fsync_folder(folder: os.PathLike | str) -> None:
    """Make a folder's entries (a rename, a new file) durable, not only the files' contents."""
    fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def keep_backup(path: os.PathLike | str, backup: os.PathLike | str, old: bytes | None = None) -> None:
    """Make `backup` the file now at `path` (whose bytes are `old`, read when needed and not given), never
    through a link: a hard link to
    its inode under a new random name (writes that replace by rename never change that inode again, so
    the link is a whole copy for free), else a copied temp file; then one rename over whatever is at
    `backup`, a planted link included, without following it."""
    folder, name = os.path.split(os.fspath(backup))
    temp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
    try:
        os.link(path, temp, follow_symlinks=False)  # fails if anything is at `temp`; never follows it
    except OSError:  # a file system without hard links
        temp = write_temp(backup, old if old is not None else read_bytes(path, 1 << 30, "file"))
    try:
        os.replace(temp, backup)
    finally:
        # rename() of one hard link over another of the same file does nothing and leaves `temp` (POSIX):
        # so it is when a killed writer left the backup and the document as one inode.
        remove_quietly(temp)


def check_not_link(path: os.PathLike | str, verb: str = "write") -> None:
    """Refuse a path whose final name is a link (for steps that name a path without opening it: rename, link)."""
    if os.path.islink(path):
        raise refusal(path, verb)


def open_regular(path: os.PathLike | str, limit: int, what: str = "file",
                 follow: bool = False) -> tuple[int, os.stat_result]:
    """(an open read-only descriptor, its stat) of a regular file of at most `limit` bytes, for the caller to
    close. A link is refused unless `follow` (a path the user typed may be a link; a file the tool found in
    a project may not); a FIFO, a device or a folder is a UsageError instead of a hang; FileNotFoundError
    passes through."""
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow else NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if not follow and error.errno in _LINK_ERRNOS and os.path.islink(path):
            raise refusal(path, "read") from None
        if error.errno == errno.EISDIR:
            raise UsageError(f"{what} {path} is a folder, not a file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{what} {path} is not a regular file (a pipe, device or folder); give a file")
        if info.st_size > limit:
            raise UsageError(f"{what} {path} is {info.st_size:,} bytes; the limit is {limit:,}")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_bytes(path: os.PathLike | str, limit: int, what: str = "file", follow: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (open_regular's rules)."""
    fd, info = open_regular(path, limit, what, follow)
    try:
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, max(65536, info.st_size + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # grew while we read
            raise UsageError(f"{what} {path} is over {limit:,} bytes; the limit is {limit:,}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def silence_stdout() -> None:
    """Point stdout at /dev/null: after a reader of our output went away (`| head`), the interpreter's last
    flush of the closed pipe would otherwise print a BrokenPipeError on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
