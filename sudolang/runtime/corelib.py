"""What a compiled SudoLang Core function runs against: one command's transaction over the state.

The compiler (sudolang.compiler.core_codegen) turns a program's functions into Python that takes a `Run`
as its first argument. A Run holds the command's view of the state, `project` (the project's shared
document) and `session` (this session's), read on first use, and the writes the function makes to them.
Nothing is written while the function runs: every write is applied to the in-memory documents and
recorded as the store's operation (set, merge, delete, incr, append); `execute` commits them at the end,
under the documents' locks (project first, then session), each write-ahead through the store. A `throw`,
a failed `require` or any run-time error leaves the documents unwritten and becomes one `RunError` whose
message ends with the program's `(file:LINE)`, found from the generated code's `# line N` comments.

Commands whose functions only read take no lock: they read the documents as they are.
"""

from __future__ import annotations

import sys

from sudolang.errors import NotFound, RunError, SudolangError, UsageError
from sudolang.runtime import values

MAX_STEPS = 1_000_000  # loop turns and calls per command: a runaway loop stops with its line
MAX_WRITES = 10_000  # state writes per command: each is logged and kept until the commit
ROOTS = ("project", "session")
# `re` is imported where a pattern is needed (a number argument, an error's line): a command that needs
# neither, such as /move, does without its ~2 ms of start-up.
_KEY_PUNCTUATION = frozenset("_ .:@/+-")  # with letters and digits, what a key in a logged path may hold


class Thrown(Exception):
    """A `throw` or a failed `require` inside a program: carries the error the command ends with."""

    def __init__(self, error: SudolangError) -> None:
        super().__init__(error.message)
        self.error = error


class Reply:
    """`result(text, data)`: the text a person reads, the data `--json` prints."""

    __slots__ = ("text", "data")

    def __init__(self, text: object, data: object) -> None:
        self.text, self.data = text, data


class ErrorValue:
    """`notFound(message)` / `usage(message)`: what `throw` ends the command with (exit 3 or 2)."""

    __slots__ = ("error",)

    def __init__(self, error: SudolangError) -> None:
        self.error = error


class Run:
    """One command's run: its context (sudolang.runtime.context.Context), documents, recorded writes,
    emitted events and step count."""

    def __init__(self, ctx, program_path: str) -> None:
        self.ctx = ctx
        self.path = program_path
        self.documents: dict[str, dict] = {}
        self.ops: dict[str, list[str]] = {"project": [], "session": []}  # JSON text of each recorded op
        # Whether every value written to each document is JSON data (sudolang.json_text.json_data): the
        # store keeps a large document's parse only on that word (execute(), sudolang.state.parsed).
        self.json_only = {"project": True, "session": True}
        self.events: list[tuple[str, dict]] = []
        self.warnings: list[str] = []
        self.steps = 0
        # Results of the program's pure functions (remembered()), shared by the views of one screen
        # (the context's memo, whose documents are read once) and forgotten at any write.
        self.memo: dict = ctx.memo.setdefault("functions", {}) if ctx.memo is not None else {}

    # --- the documents ----------------------------------------------------------------------------

    def project(self) -> dict:
        document = self.documents.get("project")
        if document is None:
            document = self.documents["project"] = self.ctx.read_project()
        return document

    def session(self) -> dict:
        document = self.documents.get("session")
        if document is None:
            document = self.documents["session"] = self.ctx.session().read()
        return document

    def document(self, root: str) -> dict:
        return self.project() if root == "project" else self.session()

    # --- writes to a state place: applied now, committed by execute() -----------------------------

    def write(self, root: str, keys: tuple, op: str, value: object = None, limit: int | None = None) -> None:
        from sudolang import json_text, jsonpath
        from sudolang.state.store import dumps

        location = tuple(_key(key) for key in keys)
        if not location or location[0] == "revision":
            raise RunError(f"{root}.revision is kept by sudolang; a program may not change it" if location
                           else f"a program changes members of {root}, not the whole document")
        if len(self.ops["project"]) + len(self.ops["session"]) >= MAX_WRITES:
            raise RunError(f"more than {MAX_WRITES:,} state writes in one command: a loop that does not end?")
        if op in ("set", "merge", "append"):
            if callable(value) or (isinstance(value, (list, dict)) and _holds_function(value)):
                raise RunError(f"a function cannot be stored in {root}: the state holds texts, numbers, booleans, "
                               "null, arrays and objects")
            value = own(value)  # the document keeps its own container: a later local change stays local
            if self.json_only[root] and not json_text.json_data(value):
                self.json_only[root] = False
        document = self.document(root)
        self.memo.clear()  # what the pure functions read may change now
        _detach(document, location, op in ("merge", "append"))
        try:
            if op == "set":
                result = jsonpath.set_at(document, location, value)
            elif op == "merge":
                result = jsonpath.merge_at(document, location, value)
            elif op == "delete":
                result = jsonpath.delete_at(document, location)
            elif op == "incr":
                result = jsonpath.incr_at(document, location, value)
            else:
                result = jsonpath.append_at(document, location, value, limit)
        except SudolangError as error:
            raise RunError(f"{root}{_shown(location)}: {error.message}") from None
        assert result is document  # a non-empty location never replaces the root
        record: dict = {"op": op, "path": _path(location)}
        if op != "delete":
            record["value"] = value
        if limit is not None:
            record["limit"] = limit
        self.ops[root].append(dumps(record))  # as text now: a later write may change the value in place

    def set(self, root: str, keys: tuple, value: object) -> None:
        self.write(root, keys, "set", value)

    def add(self, root: str, keys: tuple, amount: object) -> None:
        """`place += amount` on a number in the state: an incr, so two sessions adding at once both count."""
        self.write(root, keys, "incr", amount)

    def merge(self, root: str, keys: tuple, value: object) -> None:
        if not isinstance(value, dict):
            raise RunError(f"merge needs an object, got {values.kind(value)}")
        self.write(root, keys, "merge", value)

    def append(self, root: str, keys: tuple, value: object, limit: object = None) -> None:
        if limit is not None and (type(limit) is not int or limit < 1):
            raise RunError(f"append's limit must be a whole number, 1 or more, got {values.text(limit)}")
        self.write(root, keys, "append", value, limit)  # type: ignore[arg-type]

    def delete(self, root: str, keys: tuple) -> None:
        self.write(root, keys, "delete")

    # --- effects and context ----------------------------------------------------------------------

    def emit(self, event: object, data: object = None) -> None:
        if not isinstance(event, str) or not event:
            raise RunError(f"emit needs an event name, got {values.kind(event)}")
        if data is not None and not isinstance(data, dict):
            raise RunError(f"emit's data must be an object, got {values.kind(data)}")
        self.events.append((event, values.copy(data or {})))

    def record(self, kind: object, data: object = None) -> None:
        from sudolang.state.events import EVENT_LIMIT

        if not isinstance(kind, str) or not kind:
            raise RunError(f"record needs an event type, got {values.kind(kind)}")
        if data is not None and not isinstance(data, dict):
            raise RunError(f"record's data must be an object, got {values.kind(data)}")
        entry = {"at": self.ctx.stamp(), "type": kind, **(data or {})}
        self.append("session", ("observability", "events"), entry, EVENT_LIMIT)

    def warn(self, message: object) -> None:
        self.warnings.append(one_line(values.text(message)))

    def actor(self) -> str:
        return self.ctx.who

    def session_id(self) -> str:
        return self.ctx.session_id

    def project_id(self) -> str:
        return self.ctx.project

    def sessions(self) -> list:
        """The documents of the project's sessions, in id order (this one as the run sees it); a session that
        cannot be read (corrupt, being archived) is left out. Copies: a program reads them, never writes them."""
        found = []
        for session_id in self.ctx.state.session_ids():
            if session_id == self.ctx.session_id:
                document = self.session()
            else:
                try:
                    document = self.ctx.state.session(session_id).read()
                except SudolangError:
                    continue
            if isinstance(document.get("session"), dict) and document["session"].get("project") == self.ctx.project:
                found.append(values.copy(document))
        return found

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise RunError(f"stopped after {MAX_STEPS:,} steps: a loop that does not end?")

    def shell(self, words: list) -> str:
        """A backtick call: each word one argument (its parts' text forms joined), no shell in between."""
        import subprocess

        argv = ["".join(part if isinstance(part, str) else values.text(part) for part in word) for word in words]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise RunError(f"no program {argv[0]!r} to run") from None
        except subprocess.TimeoutExpired:
            raise RunError(f"`{' '.join(argv)[:80]}` ran past 10 seconds") from None
        except (OSError, ValueError) as error:
            raise RunError(f"cannot run {argv[0]!r}: {error}") from None
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or [""])[-1][:200]
            raise RunError(f"`{' '.join(argv)[:80]}` failed with exit code {done.returncode}" + (f": {detail}" if detail else ""))
        return done.stdout.removesuffix("\n")


# --- what the standard library leaves to the run: results and errors ---------------------------------


def remembered(function):
    """`function` (a compiled pure function: it only reads) computed once per arguments while the state it
    reads stays as it is: within one command until it writes, and across the views of one screen. Texts,
    numbers, booleans and null are compared by value; an array by identity, which is sound because compiled
    code never changes a container another name holds (see own_path). A call given an object is computed
    afresh: such a function works on one item (a task's line, its points), is called once per item, and
    remembering 10,000 of those cost more than computing them (a 10,000-task board: 420 ms against 275)."""

    def call(run: "Run", *arguments: object) -> object:
        for argument in arguments:  # a plain loop: the test every per-item call makes, done the cheapest way
            if type(argument) is dict:
                return function(run, *arguments)
        kinds = tuple(map(type, arguments))
        if list in kinds:
            key = (function, kinds, *(id(a) if kind is list else a for kind, a in zip(kinds, arguments)))
        else:
            key = (function, kinds, *arguments)
        entry = run.memo.get(key)
        if entry is not None and all(x is y for x, y in zip(entry[0], arguments)):
            return entry[1]
        value = function(run, *arguments)
        run.memo[key] = (arguments, value)  # the arguments are kept, so no id is reused while they are
        return value

    call.__wrapped__ = function  # type: ignore[attr-defined]  # _program_line finds the generated code here
    return call


def result(text: object, data: object = None) -> Reply:
    return Reply(text, data)


def not_found(message: object) -> ErrorValue:
    return ErrorValue(NotFound(values.text(message)))


def usage(message: object) -> ErrorValue:
    return ErrorValue(UsageError(values.text(message)))


def thrown(value: object) -> Thrown:
    """What `throw value` raises."""
    if isinstance(value, ErrorValue):
        return Thrown(value.error)
    return Thrown(RunError(values.text(value)))


def require_failed(message: object) -> Thrown:
    return thrown(message)


# --- arguments ---------------------------------------------------------------------------------------


def argument(value: str | None, kind: str, name: str, usage_line: str) -> object:
    """A command's word as its parameter's type wants it; a wrong word is a usage error naming the
    signature."""
    if value is None or kind == "text":
        return value
    word = value.strip()
    if kind == "boolean":
        lowered = word.lower()
        if lowered in ("true", "yes", "on"):
            return True
        if lowered in ("false", "no", "off"):
            return False
        raise UsageError(f"<{name}> must be true or false (yes/no, on/off), got {value!r}; {usage_line}")
    import re

    if re.fullmatch(r"-?\d{1,15}", word):
        return int(word)
    if kind == "number" and re.fullmatch(r"-?\d{1,15}(\.\d{1,15})?", word):
        return values.number(float(word))
    wanted = "a whole number" if kind == "integer" else "a number"
    raise UsageError(f"<{name}> must be {wanted}, got {value!r}; {usage_line}")


# --- running a command -------------------------------------------------------------------------------


def execute(ctx, program_path: str, function, arguments: list, writes: frozenset,
            timeout: float | None = None) -> tuple[object, list[str]]:
    """Run `function(run, *arguments)` as one transaction; (its value, the lines the triggers added).
    `writes` names the documents the function may write ("project", "session"): those are read and
    committed under their locks, taken project first, then session (the session's writes are committed
    just before the project's, inside its lock). With none, nothing is locked. `timeout`: the seconds
    all its lock waits (the triggers' included) may take together, from now (the hook's remaining
    budget); None, the store's default for each."""
    import time

    from sudolang.state.lock import DEFAULT_TIMEOUT

    deadline = None if timeout is None else time.monotonic() + timeout

    def wait() -> float:
        return DEFAULT_TIMEOUT if deadline is None else max(0.0, round(deadline - time.monotonic(), 3))

    run = Run(ctx, program_path)
    holder: dict = {}
    if "project" in writes:
        def change(document: dict) -> str | None:
            run.documents["project"] = document
            holder["value"] = _with_session(run, ctx, function, arguments, writes, wait())
            return "[" + ",".join(run.ops["project"]) + "]" if run.ops["project"] else None

        ctx.project_document().change(change, wait(), keep=lambda: run.json_only["project"])
    else:
        holder["value"] = _with_session(run, ctx, function, arguments, writes, wait())
    _print_warnings(run)
    committed = run.documents.get("project") if "project" in writes else None
    return holder["value"], _fire(ctx, run.events, wait, committed)


def _with_session(run: Run, ctx, function, arguments: list, writes: frozenset, timeout: float) -> object:
    if "session" not in writes:
        return _call(run, function, arguments)
    session = ctx.session()
    with session.lock(timeout):
        run.documents["session"] = document = session.read()
        revision = document.get("revision")
        value = _call(run, function, arguments)
        if run.ops["session"]:
            session.commit_changed(document, "[" + ",".join(run.ops["session"]) + "]", revision,
                                   keep=lambda: run.json_only["session"])
    return value


def _call(run: Run, function, arguments: list) -> object:
    try:
        return _returnable(function(run, *arguments))
    except Thrown as stop:
        error = stop.error
        error.message = f"{one_line(error.message)} ({run.path}:{_program_line(stop, function)})"
        error.args = (error.message,)
        raise error from None
    except RunError as error:
        raise RunError(f"{one_line(error.message)} ({run.path}:{_program_line(error, function)})") from None
    except RecursionError as error:
        raise RunError(f"calls nested too deep: a function that calls itself without end? ({run.path}:{_program_line(error, function)})") from None
    except SudolangError:
        raise  # a lock timeout, a corrupt document: the store's own message
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError, OverflowError,
            UnboundLocalError, NameError) as error:
        where = _program_line(error, function)
        raise RunError(f"{_plain(error)} ({run.path}:{where})") from None


def one_line(message: str) -> str:
    """A program's message on one line: a line break in `throw "a\nerror: b"` must not print a second,
    forged `error:` line, so breaks are shown as \\n."""
    return message.replace("\r", "\\r").replace("\n", "\\n") if "\n" in message or "\r" in message else message


def _returnable(value: object) -> object:
    """What a command may return: a value JSON can hold, or result(text, data). A function has no text; one
    nested inside a value is found when the value is printed as JSON (sudolang.runtime.handler.as_json),
    not here: walking a 10,000-task result cost 0.2 s."""
    if callable(value) or (isinstance(value, Reply) and callable(value.text)):
        raise RunError("the command returned a function, which has no text to print; return a text or a value")
    return value


def _holds_function(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if callable(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _program_line(error: BaseException, function) -> str:
    """The program line of the innermost generated frame the error passed through (its `# line N`)."""
    import linecache

    function = getattr(function, "__wrapped__", function)
    filename = function.__code__.co_filename
    # A handler loaded by runtime.loader carries its text; a handler run as a script is its own file.
    text = getattr(function.__globals__.get("__loader__"), "sudolang_text", None)
    lines = text.splitlines() if text is not None else None

    def generated(number: int) -> str:
        if lines is None:
            return linecache.getline(filename, number)
        return lines[number - 1] if 0 < number <= len(lines) else ""

    # Without a generated frame in the traceback (the error came after the function returned), the
    # function's own line: its first statement, `run.step()  # line N`, is the `fn` line.
    import re

    comment = re.compile(r"#\s*line (\d+)\s*$")
    found = comment.search(generated(function.__code__.co_firstlineno + 1))
    line = found.group(1) if found else "?"
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            found = comment.search(generated(trace.tb_lineno))
            line = found.group(1) if found else line
        trace = trace.tb_next
    return line


def _plain(error: BaseException) -> str:
    if isinstance(error, UnboundLocalError | NameError):
        name = str(error).split("'")[1] if "'" in str(error) else "a name"
        return f"{name.removeprefix('v_')} has no value yet"
    return f"run-time error: {error}"


def _print_warnings(run: Run) -> None:
    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _fire(ctx, events: list[tuple[str, dict]], wait, committed: dict | None) -> list[str]:
    """Run the state triggers (triggers.toml) for each event the command emitted, once it committed;
    `wait()` says how long their lock waits may be. `committed`: the project document the command read
    under its lock and committed (None: it wrote none). The rules' conditions read it rather than the file
    again (a 10,000-task document takes ~15 ms to read): it holds every write committed before this
    command's, as a read would, and a write committed since is another command's, whose own triggers
    see it; every action checks its condition again under the lock. Once a rule has fired, it may have
    written, so the next event's rules read the file."""
    if not events:
        return []
    from sudolang.runtime import triggers

    lines = []
    for event, payload in events:
        fired = triggers.fire(ctx.state, ctx.project, ctx.session_id, event, payload, wait(), committed)
        lines += [f"  trigger {line}" for line in fired]
        committed = committed if not fired else None
    return lines


def _detach(document: dict, location: tuple, target_too: bool) -> None:
    """Give the containers a write changes fresh (shallow) copies, from the root down: values the function
    read before keep what they were (Core's values are not references into the state), at the cost of one
    shallow copy per level (the 10,000-task `tasks` object: ~0.2 ms)."""
    current: object = document
    last = len(location) if target_too else len(location) - 1
    for key in location[:last]:
        if isinstance(current, dict) and isinstance(key, str) and isinstance(current.get(key), (dict, list)):
            current[key] = current[key].copy()
        elif isinstance(current, list) and isinstance(key, int) and -len(current) <= key < len(current) \
                and isinstance(current[key], (dict, list)):
            current[key] = current[key].copy()
        else:
            return
        current = current[key]


def _key(key: object) -> str | int:
    if isinstance(key, str):
        return key
    if type(key) is int:
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    raise RunError(f"a state path takes texts and whole numbers, got {values.kind(key)}")


def _path(location: tuple) -> str:
    """The JSONPath the event log records for a location; a key the path syntax could misread is refused."""
    parts = []
    for key in location:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif all(c.isalnum() or c in _KEY_PUNCTUATION for c in key):  # as [\w .:@/+-]*: \w is isalnum or _
            parts.append(f"['{key}']")
        else:
            raise RunError(f"the key {key[:40]!r} holds characters a state path cannot name (quotes, backslashes, "
                           "control characters); choose another")
    return "$" + "".join(parts)


def _shown(location: tuple) -> str:
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in location)


# --- local values changed in place ----------------------------------------------------------------------
#
# Core's arrays and objects are values (§8.2). The compiled code keeps that with copies where a change
# happens, not where a value is read: a local that is changed in place owns its top container (own(), a
# shallow copy, when it is bound), and a change below it copies each container on its path first
# (own_path()). A container is never changed in place while another name may hold it, and a 10,000-task
# list read into a local costs nothing until something in it changes.


def own(value: object) -> object:
    """A shallow copy of a container (the value itself otherwise)."""
    if type(value) is dict:
        return dict(value)
    if type(value) is list:
        return list(value)
    return value


def own_path(root: object, keys: tuple) -> object:
    """The container at `keys` below the local `root`, each container on the way (the last included)
    replaced by its own shallow copy, so changing it changes no other name's value."""
    container = root
    for key in keys:
        if type(container) is list:
            child = values.index(container, key)
            slot: object = int(key) if type(key) is float else key  # index() took a whole float as well
        else:
            child = values.member(container, key) if type(key) is str else values.index(container, key)
            slot = key
        if type(child) is dict or type(child) is list:
            child = own(child)
            container[slot] = child  # type: ignore[index]
        container = child
    return container


def spread_array(value: object) -> list:
    if not isinstance(value, list):
        raise RunError(f"...spread in an array needs an array, got {values.kind(value)}")
    return value


def spread_object(value: object) -> dict:
    if not isinstance(value, dict):
        raise RunError(f"...spread in an object needs an object, got {values.kind(value)}")
    return value


def append_local(target: object, value: object, limit: object = None) -> None:
    if not isinstance(target, list):
        raise RunError(f"append needs an array, got {values.kind(target)}")
    target.append(value)
    if limit is not None:
        if type(limit) is not int or limit < 1:
            raise RunError(f"append's limit must be a whole number, 1 or more, got {values.text(limit)}")
        del target[: max(0, len(target) - limit)]


def merge_local(target: object, patch: object) -> None:
    if not isinstance(target, dict) or not isinstance(patch, dict):
        raise RunError(f"merge needs two objects, got {values.kind(target)} and {values.kind(patch)}")
    target.update(patch)


def delete_local(target: object, key: object) -> None:
    if isinstance(target, dict) and isinstance(key, str):
        if key not in target:
            raise RunError(f"no member {key!r} to delete")
        del target[key]
    elif isinstance(target, list) and type(key) is int and -len(target) <= key < len(target):
        del target[key]
    else:
        raise RunError(f"cannot delete {values.text(key)} of {values.kind(target)}")
