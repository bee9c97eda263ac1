"""A large document's parse, kept in the user's cache beside the very bytes it was parsed from.

Reading a 10,000-task project (2.7 MB) is mostly parsing it: ~16 ms of a ~58 ms `/board`. The same objects
come back from `marshal` in ~9 ms, and comparing the bytes costs ~0.2 ms. So a read of a document of
512 KB or more (the store's KEPT_FROM) looks for an entry in the user's cache (sudolang.user_cache: never under the
project, never followed through a link, only this user's files) before it parses.

An entry is a header, the document's bytes and their parse, and it is used only when the document holds
exactly those bytes now. No time stamp or revision is trusted, so an entry can never give back a stale
document, whoever changed the file and however: another process of ours, a person's editor, a restored
backup, a change within one clock tick. Anything else found there (another document's bytes, another
interpreter's marshal format, a foreign or torn file) is a miss: the document is parsed as without a cache.

Who makes an entry. A writer of a large document (`state set`, a compiled command's `/move`) makes one for
the bytes it has just written, from the objects it holds, under the document's lock: that costs ~7 ms at
10,000 tasks, and its own read, under the lock, took ~6 ms less from the entry the last writer made. It
may do so only when those objects are exactly what parsing the bytes gives, which the writer vouches for:
every value it wrote was JSON data (sudolang.json_text.json_data; a tuple or a number as a key would come
back from JSON as a list and a text). A document changed some other way (a person's editor, `git pull`,
another tool) is parsed by its next reader, and its parse kept on the second sight of the same file: the
first read leaves a mark (its size, modification time and inode, ~0.2 ms), the second read finding that
mark keeps the parse, and the third and later reads use it. The mark only decides whether to keep; what is
used is still checked byte for byte. A writer's read under its lock leaves no mark.

An entry is ~1.75x its document (4.7 MB at 10,000 tasks), written without fsync (it can be lost, never
wrong) and replaced by the next write, one per document path and interpreter. Each entry made removes the
entries not rewritten for 30 days (a deleted state folder's) and the temp files of killed writers.
"""

from __future__ import annotations

import os

from sudolang import user_cache

# The store calls here only for a document of KEPT_FROM bytes or more (sudolang.state.store: 512 KB; below
# that a document parses in ~3 ms, and an entry would not pay).
LARGEST = 64 * 1024 * 1024  # bytes: above this an entry (the bytes and their parse) would pass ~2x that
STALE_ENTRY = 30 * 24 * 3600  # seconds: an entry not rewritten for this long goes (its folder is likely gone)
STALE_TEMP = 3600  # seconds: a temp file this old was left by a writer killed mid-write
_FORMAT = b"sudolang parsed document 1"
_MARK = b"sudolang read document 1"


def read_through(path: str, raw: bytes, parse, keep: bool = True) -> dict:
    """The document whose bytes, `raw`, were just read at `path`: from the cache when it holds these bytes,
    else `parse(raw)`, then marked or kept (see the module) when `keep`."""
    entry = _entry(path) if len(raw) <= LARGEST else None
    if entry is None:  # no cache folder (no home) or too large: nothing is kept, nothing fails
        return parse(raw)
    found = user_cache.mapped(entry, 3 * LARGEST)
    try:
        document = _recall(found, raw) if found is not None else None
        mark = _mark(path, raw) if keep and document is None else b""
        seen = found is not None and mark != b"" and len(found) == len(mark) and found[:] == mark
    finally:
        if found is not None:
            found.close()
    if document is not None:
        return document
    document = parse(raw)
    if seen:
        _keep(entry, raw, document)
    elif keep:
        user_cache.write(entry, mark)
    return document


def keep_written(path: str, raw: bytes, document: dict, vouch) -> None:
    """A writer's entry: `raw`, the bytes it just wrote at `path`, and `document`, when `vouch()` says it is
    what parsing them gives (only JSON data: sudolang.json_text.json_data). Called under the document's
    lock, after the write is in."""
    entry = _entry(path) if len(raw) <= LARGEST else None
    if entry is not None and vouch():
        _keep(entry, raw, document)


def _recall(found, raw: bytes) -> dict | None:
    """The parse an entry holds, when it was made from `raw`; else None."""
    header = _header(raw)
    start = len(header)
    # The bytes are compared where they lie in the entry: one memcmp (a find in a window just their size).
    if found[:start] != header or found.find(raw, start, start + len(raw)) != start:
        return None
    import marshal

    # Both views are released on the way out: the map cannot be closed while one is held.
    with memoryview(found) as view, view[start + len(raw):] as parse:
        try:
            document = marshal.loads(parse)
        except (EOFError, ValueError, TypeError):  # a torn or foreign file
            return None
    return document if type(document) is dict else None


def _keep(entry: str, raw: bytes, document: dict) -> None:
    """Keep `document`, the parse of `raw`, before anyone changes it."""
    import marshal

    try:
        parse = marshal.dumps(document)
    except ValueError:  # nested deeper than marshal goes: this document is parsed each time
        return
    user_cache.write(entry, b"".join((_header(raw), raw, parse)))
    _prune(os.path.dirname(entry))


def _prune(folder: str) -> None:
    """Remove the entries (and marks) not rewritten for STALE_ENTRY seconds and the temp files older than
    STALE_TEMP: nothing else would. A few files to look at, on a write that has just cost milliseconds."""
    import time

    from sudolang.safe_files import remove_quietly

    now = time.time()
    try:
        with os.scandir(folder) as items:
            for item in items:
                limit = STALE_TEMP if item.name.endswith(".tmp") else STALE_ENTRY if \
                    item.name.endswith(".marshal") else None
                if limit is not None and item.is_file(follow_symlinks=False) and \
                        now - item.stat(follow_symlinks=False).st_mtime > limit:
                    remove_quietly(item.path)
    except OSError:  # the folder went away, or cannot be listed: the next write tries again
        pass


def _header(raw: bytes) -> bytes:
    return b"%s %d\n" % (_FORMAT, len(raw))


def _mark(path: str, raw: bytes) -> bytes:
    """What the first read of a document leaves: enough to know the file again, not to trust its bytes."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return b""
    return b"%s %d %d %d %d\n" % (_MARK, len(raw), info.st_size, info.st_mtime_ns, info.st_ino)


def _entry(path: str) -> str | None:
    """The cache file of the document at `path`: one per document and interpreter (marshal's format is the
    interpreter's), named by a digest of its absolute path, so no name from a stranger's folder is used."""
    import sys

    name = user_cache.digest(os.path.abspath(path))[:32]
    return user_cache.entry(os.path.join("documents", f"{name}.{sys.implementation.cache_tag}.marshal"))
