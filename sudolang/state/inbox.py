"""The file store's inbox: one file per message, numbered in sending order, claimed and confirmed by rename.

Layout, under the state directory:
  messages/<recipient>/inbox.lock                        the lock senders and pollers take
  messages/<recipient>/seq                               the last sequence number handed out
  messages/<recipient>/inbox/000000000042.json           a message waiting; sorted names are sending order
  messages/<recipient>/inbox/.000000000042.json.<hex>.tmp  a send in progress: never read, swept by the next send
  messages/<recipient>/claimed/<pid>-<token>/*.json      taken by poller <pid>, until it confirms delivery
  messages/<recipient>/.done-<pid>-<token>/              a confirmed delivery being deleted

Send, under the lock: bump `seq` (written atomically and before the message, so a killed sender
leaves a gap, never a reused number), then write the message to a temp file, fsync it, rename it
into inbox/ and fsync the folder. A reader sees a message whole or not at all, and since one
sender publishes at a time, message N is in the inbox before N+1 is numbered.

Poll: under the lock, read the waiting messages and move them into a claim folder of our own;
release the lock; print them; then confirm by renaming the claim folder to .done-* (one atomic
step) and delete it. Racing pollers never share a message (the lock, and a rename moves a file
once), and each sees ascending numbers. If printing raises, the claim goes back to the inbox.

Nothing here is opened or listed through a symbolic link: the folders (messages/, messages/<recipient>/,
inbox/, claimed/) are checked from the state root, files are written through new temp files (O_EXCL,
random names) and renames, and a message, `seq` or claim folder that is a link is refused with an
error naming it (a `.done-*` link is removed, not emptied).

The window: a poller that dies (SIGKILL, power loss) after claiming and before confirming leaves
its claim folder behind. The next poll finds that pid gone and delivers those messages again,
marked "redelivered": true, with the same id and seq (a peek lists them as unread). So no message
is lost, and a message is delivered twice only if its first poller died after writing its output
and before the one rename that confirms it -- and then the second copy says so. A redelivered
message may arrive after newer ones; its seq says where it belongs. Claims are not fsynced: losing
one in a power cut is such a death and ends in the same redelivery. A dead poller whose pid a live
process has reused (or a zombie not yet reaped) keeps its claim until that process is gone.
"""

from __future__ import annotations

import os

from sudolang import json_text, safe_files
from sudolang.errors import CorruptState, SudolangError
from sudolang.state.lock import FileLock
from sudolang.state.store import dumps, write_atomically

MAX_MESSAGE = 64 << 20  # bytes; a message file past this is refused rather than read into memory
SEQ_DIGITS = 12  # zero-padded, so sorting file names sorts by sequence number


class Claim:
    """Messages one poller moved out of the inbox into `folder`, in sending order."""

    __slots__ = ("folder", "messages")

    def __init__(self, folder: str, messages: list[dict]) -> None:
        self.folder = folder
        self.messages = messages


class Inbox:
    """The message folder of one recipient session under the state folder `root`; `session_id` is vetted
    (sudolang.state.paths.check_id) by the caller, StateDir.inbox, before it becomes a folder name."""

    def __init__(self, root: os.PathLike | str, session_id: str) -> None:
        # Paths as text, as in sudolang.state.paths (pathlib is ~7 ms of start-up for every hook).
        self.root = root = os.fspath(root)
        self.relative = f"messages/{session_id}"
        self.folder = os.path.join(root, "messages", session_id)
        self.waiting = os.path.join(self.folder, "inbox")
        self.claims = os.path.join(self.folder, "claimed")
        self.counter = os.path.join(self.folder, "seq")
        self.lock_path = os.path.join(self.folder, "inbox.lock")

    def lock(self, timeout: float) -> FileLock:
        self._create_folders()
        return FileLock(self.lock_path, timeout, on_abandoned=self._sweep_seq_temps)

    def _create_folders(self) -> None:
        """inbox/ and claimed/, made if missing; they and every folder up to the state root must not be links."""
        new = not os.path.lexists(self.waiting) or not os.path.lexists(self.claims)
        safe_files.folder(self.root, f"{self.relative}/inbox")
        safe_files.folder(self.root, f"{self.relative}/claimed")
        if new:
            messages = os.path.dirname(self.folder)
            for folder in (self.folder, messages, os.path.dirname(messages)):
                safe_files.fsync_folder(folder)  # the new folders survive a power cut, not only the files in them

    def _sweep_seq_temps(self) -> None:
        # Only a sender killed while holding the lock leaves a `.seq.<hex>.tmp` (the lock note tells).
        for name in _listing(self.folder):
            if name.startswith(".seq.") and name.endswith(".tmp"):
                safe_files.remove_if_present(os.path.join(self.folder, name))

    # --- what is unread (no lock) --------------------------------------------------------------

    def unread(self, dead_claims: list[str] | None = None) -> list[tuple[str, str, bool]]:
        """(name, path, redelivered) of every unread message in sending order: the waiting ones, and those
        a dead poller claimed and never confirmed."""
        found = [(name, os.path.join(self.waiting, name), False) for name in _message_names(_listing(self.waiting))]
        for folder in self._dead_claims() if dead_claims is None else dead_claims:
            found += [(name, os.path.join(folder, name), True) for name in _message_names(_listing(folder))]
        return sorted(found)

    def _dead_claims(self) -> list[str]:
        dead = []
        for name in _listing(self.claims):
            pid = name.split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                folder = os.path.join(self.claims, name)
                safe_files.check_not_link(folder, "read messages from")  # never list a folder elsewhere
                dead.append(folder)
        return dead

    def pending(self) -> list[dict]:
        """The unread messages without the lock: one claimed while we read is skipped, never half-read."""
        messages = []
        for _, path, redelivered in self.unread():
            try:
                messages.append(read_message(path, redelivered))
            except FileNotFoundError:
                continue
        return messages

    # --- sending (under the lock) --------------------------------------------------------------

    def next_seq(self) -> int:
        """The next number, recorded before its message exists: a sender killed after this leaves a gap."""
        listing = _listing(self.waiting)
        names = _message_names(listing)
        newest = int(names[-1][:SEQ_DIGITS]) if names else 0
        seq = max(self._last_seq(), newest) + 1  # the inbox too, in case `seq` was removed by hand
        write_atomically(self.counter, f"{seq}\n".encode())
        # Only the lock holder writes temps, so a temp seen under the lock is a killed sender's.
        for name in listing:
            if name.startswith("."):
                safe_files.remove_if_present(os.path.join(self.waiting, name))
        return seq

    def last_seq(self) -> int:
        """The last sequence number handed out (0: none yet)."""
        return self._last_seq()

    def _last_seq(self) -> int:
        try:
            text = safe_files.read_bytes(self.counter, 64, "sequence counter").decode(errors="replace")
        except FileNotFoundError:
            return 0
        try:
            return int(text)
        except ValueError:
            raise CorruptState(f"{self.counter} is corrupt ({text[:40]!r} is not a number); write the highest "
                               "sequence number any message to this session had") from None

    def publish(self, message: dict) -> None:
        name = f"{message['seq']:0{SEQ_DIGITS}d}.json"
        data = (dumps(message) + "\n").encode()
        write_atomically(os.path.join(self.waiting, name), data)

    def restore(self, messages: list[dict], last_seq: int) -> None:
        """Under the lock: unread `messages` and the counter at `last_seq`, copied from another store into
        this empty inbox (their numbers stay theirs)."""
        if self._last_seq() or _message_names(_listing(self.waiting)):
            raise SudolangError(f"{self.folder} already holds messages; nothing was copied into it")
        write_atomically(self.counter, f"{last_seq}\n".encode())
        for message in messages:
            self.publish({k: v for k, v in message.items() if k != "redelivered"})

    # --- polling -------------------------------------------------------------------------------

    def claim(self) -> Claim | None:
        """Under the lock: move every unread message into a new claim folder of ours."""
        self._sweep_done()
        dead = self._dead_claims()
        unread = self.unread(dead)
        if not unread:
            return None
        messages = [read_message(path, redelivered) for _, path, redelivered in unread]  # corrupt: stop before moving
        claim = Claim(os.path.join(self.claims, f"{os.getpid()}-{os.urandom(6).hex()}"), messages)
        os.makedirs(claim.folder)
        try:
            for name, path, _ in unread:
                os.rename(path, os.path.join(claim.folder, name))
        except BaseException:
            self.put_back(claim)
            raise
        for folder in dead:  # emptied now (or left empty by a poller killed before it moved anything)
            try:
                os.rmdir(folder)
            except OSError:  # something that is not a message is in it: leave it for a person to see
                pass
        return claim

    def put_back(self, claim: Claim) -> None:
        """Under the lock: return an unconfirmed claim to the inbox under the messages' own names."""
        for name in _listing(claim.folder):
            os.rename(os.path.join(claim.folder, name), os.path.join(self.waiting, name))
        os.rmdir(claim.folder)

    def confirm(self, claim: Claim) -> None:
        """Delivered: one rename ends the claim (no redelivery after it), then the files are deleted."""
        done = os.path.join(self.folder, f".done-{os.path.basename(claim.folder)}")
        os.rename(claim.folder, done)
        _remove_folder(done)

    def _sweep_done(self) -> None:
        # A poller killed between its confirming rename and the deletion leaves a .done-* folder.
        for name in _listing(self.folder):
            if name.startswith(".done-"):
                _remove_folder(os.path.join(self.folder, name))


# --- files ---------------------------------------------------------------------------------------


def read_message(path: str, redelivered: bool = False) -> dict:
    raw = safe_files.read_bytes(path, MAX_MESSAGE, "message")  # a link is refused, never followed
    try:
        message = json_text.loads(raw)
    except (ValueError, RecursionError) as error:
        raise CorruptState(f"{path} is corrupt ({error}); move it out of the inbox to unblock polling") from None
    if not isinstance(message, dict) or not isinstance(message.get("seq"), int):
        raise CorruptState(f"{path} is corrupt (not a message); move it out of the inbox to unblock polling")
    if redelivered:
        message["redelivered"] = True
    return message


def _listing(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []


def _message_names(listing: list[str]) -> list[str]:
    """Message files (`<seq>.json`) in sending order; temps start with a dot."""
    return sorted(n for n in listing if n.endswith(".json") and n[:SEQ_DIGITS].isdigit())


def _remove_folder(folder: str) -> None:
    if os.path.islink(folder):  # a planted `.done-*` link: remove the link, never empty what it points to
        safe_files.remove_if_present(folder)
        return
    for name in _listing(folder):
        safe_files.remove_if_present(os.path.join(folder, name))
    try:
        os.rmdir(folder)
    except FileNotFoundError:  # another sweeper finished it
        pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True
