"""`sudolang run PROGRAM` with no command: a prompt that runs commands and redraws the program's view.

The screen is a line naming the session and the actor, then the program's
layout filled from state; a command's output is drawn in the layout's main
area (below the box when it has none), so the view stays in place while you
navigate. `/refresh` (the program's view command) returns to the overview.
Ctrl-D, `/quit` or `/exit` leave; Ctrl-C drops the line being typed.

While the prompt waits, the screen is redrawn on its own when another process
changes the state (the documents' files are looked at twice a second) and
every `dashboard.refresh_seconds` (config_manager's setting): a command that
only reads (`@alice`, `/board`) is run again for it, another's output stays as
it was. Never while a line is being typed: that waits until the line is empty.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time

from sudolang.errors import SudolangError
from sudolang.runtime import handler

CLEAR = "\x1b[H\x1b[2J"
LEAVE = frozenset({"/quit", "/exit", "/q"})
POLL_SECONDS = 0.5  # how often the state's files are looked at: a change shows within a second
REFRESH_SECONDS = 30  # dashboard.refresh_seconds until one is set: config_manager.sudo's `initial` (a test holds it)
SETTLE_SECONDS = 0.2  # no redraw this soon after the prompt was asked for: it could be drawn twice


def loop(program: handler.Program, argv: list[str], stdin=None, stdout=None) -> int:
    import gc

    gc.enable()  # sudolang.cli.entry turns it off for a command that runs once; this one runs on
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    options, _ = handler.split_options(argv)
    ctx = handler.context(options)  # one session for the whole loop (chosen or created once, said on stderr)
    terminal = stdin.isatty() and stdout.isatty()
    screen = Screen(program, ctx, stdout, terminal, _line_editing() if terminal else None)
    screen.show(None)
    watcher = threading.Thread(target=screen.watch, name="sudolang-redraw", daemon=True)
    watcher.start()
    try:
        return converse(screen, stdin)
    finally:
        screen.stop.set()
        watcher.join(2 * POLL_SECONDS)


def converse(screen: Screen, stdin) -> int:
    """Read lines and answer each until /quit or the end of input."""
    while True:
        try:
            line = screen.read(stdin)
        except KeyboardInterrupt:
            screen.stdout.write("\n")
            continue
        except UnicodeDecodeError:  # bytes that are not UTF-8: say so and read on
            screen.show("error: that line is not valid UTF-8; nothing was done")
            continue
        if line is None or line.strip() in LEAVE:
            screen.stdout.write("\n" if line is None and screen.terminal else "")
            return 0
        if line.strip():
            screen.answer(line.strip())


class Screen:
    """What the loop shows, drawn by the loop after each line and by the watcher when the state changes or
    the refresh interval has passed. `lock` is held while a command runs or a screen is drawn."""

    def __init__(self, program: handler.Program, ctx, stdout, terminal: bool, editing) -> None:
        self.program, self.ctx, self.stdout, self.terminal = program, ctx, stdout, terminal
        self.editing = editing  # the readline module while a terminal's line is edited, else None
        self.prompt = f"{program.name}> "
        self.status = f"session {ctx.session_id} · actor {ctx.who}"
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.main: str | None = None  # the main area's text (None: the program's view)
        self.rerun: str | None = None  # the line that gave it, when it only reads: a redraw runs it again
        self.on_files = ctx.state.store == "files"
        self.watched = watched_files(ctx)
        self.revisions: dict[tuple[str, str], int | None] = {}  # on a server store: the documents as drawn
        self.seen: tuple = ()  # the watched files as they were at the last drawing
        self.drawn_at = 0.0
        self.interval: float = REFRESH_SECONDS
        self.prompted_at = math.inf  # when the prompt was last asked for; inf while a line is being answered

    def read(self, stdin) -> str | None:
        self.prompted_at = time.monotonic()
        return _read(stdin, self.stdout, self.terminal, self.prompt)

    def answer(self, line: str) -> None:
        with self.lock:
            self.prompted_at = math.inf
            main, reads_only = output(self.program, self.ctx, line)
            self._draw(main)
            self.rerun = line if reads_only else None

    def show(self, main: str | None) -> None:
        with self.lock:
            self.prompted_at = math.inf
            self._draw(main)
            self.rerun = None

    def watch(self) -> None:
        """The watcher thread: redraw, with the prompt, when it is due and the prompt waits on an empty line."""
        pause = POLL_SECONDS if self.on_files else 0.05  # a server store's own wait takes the rest
        while not self.stop.wait(pause):
            changed = self._changed()  # outside the lock: on a server store it waits for the server's notice
            if not self.lock.acquire(blocking=False):
                continue  # a command is running: the loop draws when it is done
            try:
                if self._waiting() and (changed or time.monotonic() - self.drawn_at >= self.interval):
                    main = output(self.program, self.ctx, self.rerun)[0] if self.rerun else self.main
                    self._draw(main)
                    self.stdout.write(self.prompt)
                    self.stdout.flush()
            finally:
                self.lock.release()

    def _waiting(self) -> bool:
        """The prompt has been shown, and no line is half typed (it would be lost from sight)."""
        if time.monotonic() - self.prompted_at < SETTLE_SECONDS or self.stop.is_set():
            return False
        return self.editing is None or not self.editing.get_line_buffer()

    def _changed(self) -> bool:
        """Whether the state moved since the last drawing: four stat calls on files; on PostgreSQL the store's
        wait_for_change (LISTEN/NOTIFY, on this thread's own connection), for up to POLL_SECONDS."""
        if self.on_files:
            return snapshot(self.watched) != self.seen
        try:
            return self.ctx.state.wait_for_change(dict(self.revisions), POLL_SECONDS)
        except SudolangError:  # the server went away: the next command says so; try again later
            time.sleep(POLL_SECONDS)
            return False

    def _draw(self, main: str | None) -> None:
        self.main = main
        try:
            text = _view(self.program, self.ctx, main)
        except SudolangError as error:  # a corrupt or unreadable document: say so, and keep the prompt
            text = f"error: {error.message}"
        draw(self.stdout, self.terminal, f"{self.status}\n{text}")
        self.interval = refresh_seconds(self.ctx)
        # Taken after drawing: a drawing may create the project's document, which is no change to show.
        self.seen, self.drawn_at = snapshot(self.watched), time.monotonic()
        if not self.on_files:
            self.revisions = revisions(self.ctx)


def output(program: handler.Program, ctx, line: str) -> tuple[str | None, bool]:
    """What one input line puts in the main area, and whether it only reads state (so it may run again)."""
    import shlex

    if not line.startswith(("/", "@")):
        return f"Commands start with / or @ (for example {program.view_command}); /help lists them.", False
    try:
        words = shlex.split(line)
        if words[0] in ("/help", "help"):
            return handler.help_text(program.name, program.commands) + "\n  /quit  Leave (or Ctrl-D)", False
        invocation = handler.match(program.commands, words)
        result = handler.call(program, invocation, ctx)
    except ValueError as error:  # shlex: an unclosed quote
        return f"error: {error}", False
    except SudolangError as error:
        return f"error: {error.message}", False
    return result.text, not program.functions[invocation.function][1]  # the documents it writes: none


def _view(program: handler.Program, ctx, main: str | None = None) -> str:
    if not program.layout:
        return main or ""
    if main is None and program.view_command == "/help":
        main = handler.help_text(program.name, program.commands)
    elif main is None:
        main = handler.call(program, handler.match(program.commands, [program.view_command]), ctx).text
    return handler.screen(program, ctx, main)


def draw(stdout, terminal: bool, text: str) -> None:
    stdout.write((CLEAR if terminal else "") + text + "\n")
    stdout.flush()


# --- noticing a change ---------------------------------------------------------------------------


def watched_files(ctx) -> tuple:
    """Every write of a document renames a new file into place, so the sessions/ and shared/ folders change
    with any session's or project's write; the two documents themselves too (a folder's time may be coarse)."""
    state = ctx.state
    return state.sessions, state.shared, state.sessions / f"{ctx.session_id}.json", state.shared / f"{ctx.project}.json"


def revisions(ctx) -> dict[tuple[str, str], int | None]:
    """The revisions of the session's and the project's documents (None: absent or unreadable)."""
    seen: dict[tuple[str, str], int | None] = {}
    for kind, document_id in (("session", ctx.session_id), ("project", ctx.project)):
        try:
            seen[kind, document_id] = ctx.state.document(kind, document_id).read().get("revision")
        except SudolangError:
            seen[kind, document_id] = None
    return seen


def snapshot(paths: tuple) -> tuple:
    """Each file's inode, change time and size (None when missing): four stat calls, cheap twice a second."""
    shot: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            found = os.stat(path)
        except OSError:
            shot.append(None)
            continue
        shot.append((found.st_ino, found.st_mtime_ns, found.st_size))
    return tuple(shot)


def refresh_seconds(ctx) -> float:
    """The project's dashboard.refresh_seconds (config_manager's /set checks its range), else REFRESH_SECONDS."""
    try:
        config = ctx.read_project().get("config")
    except SudolangError:
        return REFRESH_SECONDS
    value = _member(_member(_member(config, "settings"), "dashboard"), "refresh_seconds")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value
    return REFRESH_SECONDS


def _member(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, dict) else None


# --- the terminal ------------------------------------------------------------------------------------


def _read(stdin, stdout, terminal: bool, prompt: str) -> str | None:
    """One line, or None at end of input (Ctrl-D)."""
    if terminal:
        try:
            return input(prompt)
        except EOFError:
            return None
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    return line.rstrip("\n") if line else None


def _line_editing():
    """The readline module, which gives input() arrows and history and tells whether a line is half typed;
    None where there is none."""
    try:
        import readline
    except ImportError:  # not on every platform
        return None
    return readline
