"""`sudolang hook`: turn one Claude Code hook event, or the plan's explicit form, into orchestration state; never blocks.

The Claude session's `session_id` (a UUID) is the orchestration session's id: the
first event naming an unknown one creates it (mode development, project
$SUDOLANG_PROJECT else "default"). Every event is a heartbeat of that session;
SessionStart and UserPromptSubmit print a bounded summary of its state, which
Claude Code adds to the model's context, and SubagentStart gives a starting
sub-agent the board (as its additionalContext). Then the state triggers run
(triggers.py). Without --state-dir or $SUDOLANG_STATE_DIR, the state directory
is the project's above the input's `cwd` (where the session works), not above
the hook's own working folder.

Whatever happens the exit code is 0: a problem is one line on stderr and one
record in <state-dir>/hook-events.jsonl, where every run, good or bad, is logged.

On the hot path only json, os, re, sys, time and the state layer load: not
argparse, dataclasses or typing (about 10 ms each here), nor lark, jinja2,
jsonpath-ng or filelock. The board's changes (TaskCreated, TaskCompleted, TaskUpdate
after the call, TodoWrite, the explicit task events) are the sprint program's own compiled functions, which
`sudolang hook` (sudolang.cli.hook) hands in as `compiled` and which load only for
those events; the summary's read of the board restates two facts (COLUMNS,
active_sprint), which a test holds to the program's.
"""

from __future__ import annotations

import os
import sys
import time

from sudolang import json_text
from sudolang.errors import SudolangError, UsageError
from sudolang.state import clock
from sudolang.state.paths import StateDir, check_id, find_state_dir, key_path
from sudolang.state.stores import open_state

HOOK_TIMEOUT = 2.0  # the run's budget in seconds: well inside the 10 s Claude Code gives the hook (init sets it)
# (the command line's --timeout default, sudolang.cli.spec.HOOK_TIMEOUT, is the same; a test checks it)
# The budget runs from the process's start (the interpreter's start-up counts; see process_started) and
# every lock wait ends at start + budget - START_RESERVE, which leaves time for the log write and the exit.
START_RESERVE = 0.2
INPUT_LIMIT = 16 * 1024 * 1024  # bytes of hook input read at most; Claude Code's events are far smaller
LOG_NAME = "hook-events.jsonl"
LOG_LIMIT = 1_000_000  # bytes; past it the log moves to hook-events.jsonl.1 (replacing the older one)
SUMMARY_LINES = 12
SUMMARY_CHARS = 1500
LINE_CHARS = 200
LISTED = 3  # blocked tasks and agents named in the summary; the rest are counted
DEFAULT_PROJECT = "default"  # runtime.context.DEFAULT_PROJECT (restated: that module loads dataclasses)
SUMMARY_EVENTS = frozenset({"SessionStart", "UserPromptSubmit"})  # their plain stdout reaches the model
# Claude Code events that are only a heartbeat here (a user may register the router for them).
HEARTBEAT_EVENTS = frozenset({
    "PostToolUseFailure", "PostToolBatch", "Notification", "Stop", "StopFailure", "PreCompact", "PostCompact",
    "ConfigChange", "CwdChanged", "FileChanged", "PermissionRequest", "PermissionDenied", "UserPromptExpansion",
    "InstructionsLoaded", "TeammateIdle", "WorktreeRemove",
})
# Events whose output Claude Code reads as data (WorktreeCreate: the new worktree's path): the hook must
# never answer them, so it refuses them, and `sudolang init` never registers it for them.
DATA_OUTPUT_EVENTS = frozenset({"WorktreeCreate"})
TASK_EVENTS_SEEN = "$.execution.claude_tasks_seen_at"  # when this session last saw a Claude Code task event
_UNSAFE = r"[^A-Za-z0-9._-]+"  # compiled on first use: most events name no agent

def run(args, compiled=None) -> int:
    """The `hook` command: whatever happens, exit 0; a problem is one stderr line and a log record.
    `compiled(program, function)` gives (the program's path, the compiled Python function) of a shipped
    program's function: the runtime never imports the compiler, so the command line hands it in."""
    try:
        return _run(args, compiled)
    except BrokenPipeError:  # whoever read our output went away (`--list-triggers | head`): nothing to say
        from sudolang import safe_files

        safe_files.silence_stdout()
        return 0
    except Exception as error:  # the last guard: even a failure before the log is ready must not block
        if getattr(args, "debug", False):
            raise
        say(f"sudolang hook: internal error: {type(error).__name__}: {error}")
        return 0


def process_started(budget: float) -> float:
    """When this process started, on the time.monotonic() clock (Linux: /proc/self/stat), so the budget
    covers the interpreter's start-up too; now, where that cannot be read or the process is older than
    the budget (the hook called inside a long-running process, such as a test run)."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - age if 0 <= age < budget else now


def _run(args, compiled=None) -> int:
    budget = getattr(args, "timeout", HOOK_TIMEOUT)
    started = process_started(budget)
    problems = getattr(args, "problems", None)
    words = explicit_words(args)
    data, unreadable = first_input(args, words, deadline_of(started, budget))
    root = find_state_dir(getattr(args, "state_dir", None), input_cwd(data))
    hook = Hook(open_state(root, getattr(args, "store", None), connect_timeout=budget), budget, started, compiled)
    if problems:  # a command line we cannot trust: do nothing but say so
        hook.fail("usage_error", "; ".join(problems) + " (usage: sudolang hook [--timeout S] [EVENT SID PAYLOAD]"
                  " < input.json; see sudolang hook --help)")
        hook.finish(started)
        return 0
    if getattr(args, "list_triggers", False):
        from sudolang.runtime import triggers

        print(triggers.describe(root))
        return 0
    try:
        if unreadable is not None:
            raise unreadable
        if words:
            explicit_event(hook, words)
        else:
            claude_event(hook, data or {})
    except SudolangError as error:
        hook.fail(_kind(error), error.message)
    except Exception as error:  # a bug of ours must not block Claude Code either
        if getattr(args, "debug", False):
            raise
        hook.fail("internal", f"{type(error).__name__}: {error}")
    hook.finish(started)
    return 0


def _kind(error: SudolangError) -> str:
    """The log's name for an error class: lock_timeout, not_found, corrupt_state, usage_error, ..."""
    name = type(error).__name__
    return "".join("_" + c if "A" <= c <= "Z" and i else c for i, c in enumerate(name)).lower()


def explicit_words(args) -> list[str]:
    """EVENT SID PAYLOAD (and any extra words) of the explicit form; none: Claude Code's input on stdin."""
    return [w for w in (getattr(args, "event", None), getattr(args, "sid", None), getattr(args, "payload", None))
            if w is not None] + list(getattr(args, "extra", []))


def first_input(args, words: list[str], deadline: float) -> tuple[dict | None, SudolangError | None]:
    """Claude Code's input, read before anything else because its `cwd` says where the project is; or the
    reason it cannot be read. Nothing is read for the explicit form, --list-triggers or a bad command line."""
    if getattr(args, "problems", None) or words or getattr(args, "list_triggers", False):
        return None, None
    try:
        return read_input(sys.stdin, deadline), None
    except SudolangError as error:
        return None, error


def input_cwd(data: dict | None) -> str | None:
    """The folder the Claude Code session works in (the input's `cwd`), where the state directory is looked
    for when neither --state-dir nor $SUDOLANG_STATE_DIR names it; None: the hook's own working folder."""
    cwd = data.get("cwd") if isinstance(data, dict) else None
    return cwd if isinstance(cwd, str) and os.path.isabs(cwd) and os.path.isdir(cwd) else None


def deadline_of(started: float, budget: float) -> float:
    """When the run must stop waiting (for input or a lock): the budget less the reserve for the log and exit."""
    return started + budget - min(START_RESERVE, budget / 4)


# --- one run's state, effects and report --------------------------------------------------------------


class Hook:
    """One run: the state, the session it acts on, the writes it queues, and what it did."""

    __slots__ = ("state", "budget", "deadline", "moment", "at", "event", "session_id", "project", "created", "plans",
                 "events", "did", "warnings", "error", "summary", "subagent_context", "session_doc", "project_doc",
                 "compiled")

    def __init__(self, state: StateDir, budget: float, started: float | None = None, compiled=None) -> None:
        self.state, self.budget, self.compiled = state, budget, compiled
        self.deadline = deadline_of(time.monotonic() if started is None else started, budget)
        self.moment = clock.now()
        self.at = clock.iso(self.moment)
        self.event: str | None = None
        self.session_id = ""  # set by attach, which every step that acts on the session follows
        self.project = DEFAULT_PROJECT
        self.created = False
        self.plans: list = []  # (session document) -> operations, applied with the heartbeat in one write
        self.events: list[tuple[str, dict]] = []  # orchestration events for the triggers
        self.did: list[str] = []
        self.warnings: list[str] = []
        self.error: dict | None = None
        self.summary = False  # print the summary of the session for the model (plain text)
        self.subagent_context = False  # print the board for a starting sub-agent (SubagentStart's JSON)
        self.session_doc: dict | None = None
        self.project_doc: dict | None = None

    @property
    def timeout(self) -> float:
        """How long the next lock may be waited for: what is left of the budget (a deadline, not a fresh
        wait per lock, so a held lock cannot make the run last twice its budget)."""
        return max(0.0, round(self.deadline - time.monotonic(), 3))

    # -- the session --

    def attach(self, session_id: object, create: bool) -> None:
        """Use the session `session_id`; with `create` (Claude Code's form), make it when it does not exist yet."""
        from sudolang.errors import NotFound

        if not isinstance(session_id, str) or not session_id:
            raise UsageError("the input has no session_id")
        self.session_id = check_id("session", session_id)
        document = self.state.session(session_id)
        try:
            current = document.read()
        except NotFound:
            if not create:
                raise NotFound(f"no session {session_id!r}; the explicit form acts on an existing session") from None
            current = self._create(document)
        self.project = (current.get("session") or {}).get("project") or os.environ.get("SUDOLANG_PROJECT") \
            or DEFAULT_PROJECT

    def _create(self, document) -> dict:
        from sudolang.state import sessions, shared

        project = os.environ.get("SUDOLANG_PROJECT") or DEFAULT_PROJECT
        shared.ensure_project(self.state, project, self.timeout)
        fresh = sessions.new_document(self.session_id, "development", project, sessions.DEFAULT_TTL, self.moment)
        fresh["session"]["claude_session_id"] = self.session_id
        try:
            document.create(fresh, self.timeout)
        except SudolangError:
            if not document.exists():
                raise
            return document.read()  # another hook of the same Claude session created it first
        self.created = True
        self.note(f"created session (project {project})")
        return fresh

    def queue(self, plan) -> None:
        self.plans.append(plan)

    def commit(self) -> None:
        """One locked write of the session: the heartbeat and every queued change."""
        from sudolang.state.sessions import heartbeat_ops

        plans = self.plans

        def plan(document: dict) -> list[dict]:
            ops = heartbeat_ops(document, self.moment)
            for queued in plans:
                ops += queued(document)
            return ops

        self.session_doc = self.state.session(self.session_id).update(plan, self.timeout)

    def update_project(self, plan) -> dict:
        from sudolang.state import shared

        shared.ensure_project(self.state, self.project, self.timeout)
        self.project_doc = self.state.project(self.project).update(plan, self.timeout)
        return self.project_doc

    # -- the report --

    def emit(self, event: str, payload: dict) -> None:
        self.events.append((event, payload))

    def note(self, text: str) -> None:
        self.did.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def fail(self, kind: str, message: str) -> None:
        self.error = {"kind": kind, "message": message}

    def finish(self, started: float) -> None:
        """Log the run, then say what went wrong on stderr (one line, a log that could not be written included)."""
        event = self.event[:100] if isinstance(self.event, str) else None
        record = {"at": self.at, "event": event, "session": self.session_id or None,
                  "ok": self.error is None, "did": [d[:300] for d in self.did[:20]],
                  "ms": round((time.monotonic() - started) * 1000, 1)}
        if self.error:
            record["error"] = self.error["kind"]
            record["message"] = self.error["message"][:500]
        if self.warnings:
            record["warnings"] = [w[:300] for w in self.warnings[:5]]
        unlogged = append_log(self.state.root_text, record)
        problems = ([self.error["message"]] if self.error else []) + self.warnings + ([unlogged] if unlogged else [])
        if problems:
            where = f"{event}: " if event else ""
            text = " | ".join(problems)
            say(f"sudolang hook: {where}{text}")


def say(line: str) -> None:
    """One line on stderr, at most 1,000 characters; a closed stderr is no reason to fail."""
    try:
        print(line.replace("\n", " ")[:1000], file=sys.stderr)
    except (OSError, ValueError):
        pass


def append_log(root, record: dict) -> str | None:
    """One line in <state-dir>/hook-events.jsonl; past LOG_LIMIT the file becomes .1 first. Best effort:
    a log that cannot be written must not fail the hook. Never through a symbolic link (a planted
    `hook-events.jsonl -> ~/.bashrc` would otherwise grow a file outside the state directory): such a
    log is refused, and the reason is returned for the stderr line. A rotation renames the link itself."""
    from sudolang.safe_files import UnsafePath, open_append

    root = os.fspath(root)
    path = os.path.join(root, LOG_NAME)
    # Text that is not Unicode (a lone surrogate from an argument that was not UTF-8) becomes `?`.
    line = (json_text.dumps(record, allow_nan=True) + "\n").encode("utf-8", "replace")
    try:
        os.makedirs(root, exist_ok=True)
        try:
            if os.lstat(path).st_size >= LOG_LIMIT:
                os.replace(path, os.path.join(root, LOG_NAME + ".1"))
        except FileNotFoundError:
            pass
        fd = open_append(path)
        try:
            os.write(fd, line)  # one write per record: concurrent hooks' lines do not interleave
        finally:
            os.close(fd)
    except UnsafePath as error:
        return f"not logged: {error.message}"
    except OSError:
        pass
    return None


# --- Claude Code's input -------------------------------------------------------------------------------


def read_input(stream, deadline: float | None = None) -> dict:
    """The hook input object; a UsageError says what is wrong with it (empty, not JSON, not an object,
    not UTF-8, larger than INPUT_LIMIT, not finished by the deadline)."""
    from sudolang import json_input

    if stream is None or stream.isatty():  # a person ran `sudolang hook` at a terminal: do not wait
        raise UsageError("no hook input: Claude Code passes the event as JSON on stdin (or use EVENT SID PAYLOAD)")
    raw = _read_bounded(stream, deadline)
    if not raw.strip():
        raise UsageError("empty hook input: expected a JSON object on stdin")
    data = json_input.loads(raw, "hook input")
    if not isinstance(data, dict):
        raise UsageError(f"hook input is not a JSON object (got {type(data).__name__})")
    return data


def _read_bounded(stream, deadline: float | None) -> bytes | str:
    """Standard input, at most INPUT_LIMIT bytes, given up at `deadline` (a writer that never closes the
    pipe must not hold the hook past its budget)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (an in-process test's StringIO)
        raw = stream.buffer.read(INPUT_LIMIT + 1) if hasattr(stream, "buffer") else stream.read(INPUT_LIMIT + 1)
        fd = None
    if fd is not None:
        import select

        chunks, size = [], 0
        while size <= INPUT_LIMIT:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                ready = select.select([fd], [], [], wait)[0]
            except (OSError, ValueError):  # a descriptor select cannot watch: read it as it comes
                ready = [fd]
            if not ready:
                raise UsageError("the hook input did not end within the hook's time budget; nothing was changed")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    if len(raw) > INPUT_LIMIT:
        raise UsageError(f"the hook input is over {INPUT_LIMIT:,} bytes; nothing was changed")
    return raw


def claude_event(hook: Hook, data: dict) -> None:
    event = data.get("hook_event_name")
    hook.event = event if isinstance(event, str) else None
    if not hook.event:
        raise UsageError("the input has no hook_event_name")
    if hook.event in DATA_OUTPUT_EVENTS:
        raise UsageError(f"the router must not be registered for {hook.event}: Claude Code reads that event's "
                         "output as data; remove it from .claude/settings.json (nothing was changed)")
    handler = CLAUDE_EVENTS.get(hook.event)
    if handler is None and hook.event not in HEARTBEAT_EVENTS:
        raise UsageError(f"unknown hook event {hook.event!r}; nothing was changed")
    hook.attach(data.get("session_id"), create=True)
    if handler is not None:
        handler(hook, data)
    if text(data.get("agent_id")) and hook.event not in ("SubagentStart", "SubagentStop"):
        hook.queue(lambda doc: agent_heartbeat(hook, doc, text(data["agent_id"])))
    settle(hook)


def settle(hook: Hook) -> None:
    """Write the session, run the triggers, print the summary if the event wants one."""
    hook.commit()
    hook.note("heartbeat")
    run_triggers(hook)
    if hook.summary:
        write_stdout(summary_text(hook))
    elif hook.subagent_context:
        context = {"hookEventName": "SubagentStart", "additionalContext": subagent_text(hook)}
        write_stdout(json_text.dumps({"hookSpecificOutput": context}, allow_nan=True))


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def on_session_start(hook: Hook, data: dict) -> None:
    hook.summary = True
    source = text(data.get("source")) or "startup"
    if not hook.created:
        hook.queue(lambda doc: [_event_op("session_attached", hook.at, source=source)]
                   + _claude_id_ops(doc, hook.session_id))
        hook.note(f"attached ({source})")
    hook.emit("session_started", {"source": source})
    export_session(hook)


def _claude_id_ops(document: dict, session_id: str) -> list[dict]:
    if (document.get("session") or {}).get("claude_session_id"):
        return []
    return [{"op": "set", "path": "$.session.claude_session_id", "value": session_id}]


def export_session(hook: Hook) -> None:
    """Commands Claude runs in this session read $SUDOLANG_SESSION: say so in $CLAUDE_ENV_FILE."""
    path = os.environ.get("CLAUDE_ENV_FILE")
    if not path:
        return
    line = f"export SUDOLANG_SESSION={hook.session_id}\n"
    try:
        try:
            with open(path, encoding="utf-8") as stream:
                if line in stream.read():
                    return
        except FileNotFoundError:
            pass
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(line)
        hook.note("exported SUDOLANG_SESSION")
    except OSError as error:
        hook.warn(f"could not write CLAUDE_ENV_FILE {path}: {error.strerror or error}")


def on_prompt(hook: Hook, data: dict) -> None:
    hook.summary = True


def on_session_end(hook: Hook, data: dict) -> None:
    reason = text(data.get("reason")) or "other"

    def plan(document: dict) -> list[dict]:
        if ((document.get("session") or {}).get("lifecycle") or {}).get("status") not in ("active", "paused"):
            return []  # a completed (handed-off) session stays completed
        return [{"op": "set", "path": "$.session.lifecycle.status", "value": "paused"},
                _event_op("session_paused", hook.at, reason=reason)]

    hook.queue(plan)
    hook.note(f"paused ({reason})")
    hook.emit("session_ended", {"reason": reason})


def _event_op(kind: str, at: str, **data: object) -> dict:
    from sudolang.state.sessions import event_op

    return event_op(kind, at, **data)


# --- agents -----------------------------------------------------------------------------------------------


def agent_name(wanted: str) -> str:
    """A key the dashboard's @<agent> can name: the agent's type (or given name) made safe as an id."""
    import re

    return re.sub(_UNSAFE, "-", wanted).strip("-._")[:64] or "agent"


def _agents(document: dict) -> dict:
    agents = (document.get("execution") or {}).get("agents")
    return agents if isinstance(agents, dict) else {}


def free_agent_key(agents: dict, base: str) -> str:
    """`base`, unless a running agent holds it: then base-2, base-3, ... (a finished one's key is reused)."""
    key, number = base, 1
    while isinstance(agents.get(key), dict) and agents[key].get("status") == "running":
        number += 1
        key = f"{base}-{number}"
    return key


def start_agent(hook: Hook, document: dict, kind: str, source: str, **fields: object) -> list[dict]:
    agents = _agents(document)
    claude_id = fields.get("claude_agent_id")
    if source == "SubagentStart":
        adopted = _announced_by_task_tool(agents, kind)
        if adopted is not None:  # the same agent, already registered by its PreToolUse Task call
            hook.note(f"agent {adopted} started (id {claude_id})")
            return [{"op": "merge", "path": key_path("execution", "agents", adopted),
                     "value": {"claude_agent_id": claude_id, "last_heartbeat": hook.at}}]
    key = free_agent_key(agents, agent_name(text(fields.pop("name", None)) or kind))
    entry = {"type": kind, "status": "running", "started_at": hook.at, "last_heartbeat": hook.at,
             "source": source, **{k: v for k, v in fields.items() if v}}
    hook.note(f"agent {key} running")
    hook.emit("agent_spawned", {"agent": key, "type": kind})
    return [{"op": "set", "path": key_path("execution", "agents", key), "value": entry},
            _event_op("agent_spawned", hook.at, agent=key, agent_type=kind)]


def _announced_by_task_tool(agents: dict, kind: str) -> str | None:
    """Newer Claude Code sends both PreToolUse Task and SubagentStart for one agent; match them by type."""
    for key, agent in agents.items():
        if isinstance(agent, dict) and agent.get("source") == "Task" and agent.get("type") == kind \
                and agent.get("status") == "running" and not agent.get("claude_agent_id"):
            return key
    return None


def on_subagent_start(hook: Hook, data: dict) -> None:
    hook.subagent_context = True  # the sub-agent starts knowing the board
    kind = text(data.get("agent_type")) or "agent"
    claude_id = text(data.get("agent_id")) or None
    hook.queue(lambda doc: start_agent(hook, doc, kind, "SubagentStart", claude_agent_id=claude_id))


def on_subagent_stop(hook: Hook, data: dict) -> None:
    claude_id, kind = text(data.get("agent_id")), text(data.get("agent_type"))

    def plan(document: dict) -> list[dict]:
        key = stopped_agent(_agents(document), claude_id, kind)
        if key is None:
            hook.note("no running agent matched SubagentStop")
            return []
        hook.note(f"agent {key} done")
        hook.emit("agent_stopped", {"agent": key, "type": kind})
        return [{"op": "merge", "path": key_path("execution", "agents", key),
                 "value": {"status": "done", "ended_at": hook.at, "last_heartbeat": hook.at}},
                _event_op("agent_done", hook.at, agent=key)]

    hook.queue(plan)


def stopped_agent(agents: dict, claude_id: str, kind: str) -> str | None:
    """The agent a SubagentStop is about: by Claude's agent id, else a running one of that type, else
    (older Claude Code sends neither) the running agent started last."""
    running = {k: a for k, a in agents.items() if isinstance(a, dict) and a.get("status") in ("running", "stale")}
    for key, agent in running.items():
        if claude_id and agent.get("claude_agent_id") == claude_id:
            return key
    typed = [k for k, a in running.items()
             if kind and a.get("type") == kind and not (claude_id and a.get("claude_agent_id"))]
    if typed:
        return typed[0]
    if claude_id or kind:
        return None
    return max(running, key=lambda k: running[k].get("started_at") or "", default=None)


def agent_heartbeat(hook: Hook, document: dict, claude_id: str) -> list[dict]:
    """An event from inside a subagent keeps that agent alive (and brings a stale one back)."""
    for key, agent in _agents(document).items():
        if isinstance(agent, dict) and agent.get("claude_agent_id") == claude_id and agent.get("status") != "done":
            return [{"op": "merge", "path": key_path("execution", "agents", key),
                     "value": {"last_heartbeat": hook.at, "status": "running"}}]
    return []


def on_pre_tool_use(hook: Hook, data: dict) -> None:
    tool = TOOLS.get(text(data.get("tool_name")))
    if tool is not None:
        tool_input = data.get("tool_input")
        tool(hook, tool_input if isinstance(tool_input, dict) else {}, data)


def on_task_tool(hook: Hook, tool_input: dict, data: dict) -> None:
    """Older Claude Code announces a subagent only as a Task tool call."""
    kind = text(tool_input.get("subagent_type")) or "general-purpose"
    description = text(tool_input.get("description"))[:200]
    tool_use_id = text(data.get("tool_use_id")) or None
    hook.queue(lambda doc: start_agent(hook, doc, kind, "Task", description=description, tool_use_id=tool_use_id))


def on_post_tool_use(hook: Hook, data: dict) -> None:
    tool = POST_TOOLS.get(text(data.get("tool_name")))
    if tool is not None:
        tool_input, response = data.get("tool_input"), data.get("tool_response")
        tool(hook, tool_input if isinstance(tool_input, dict) else {}, response if isinstance(response, dict) else {},
             data)


def on_agent_result(hook: Hook, tool_input: dict, response: dict, data: dict) -> None:
    """The Agent (Task) tool's result: a background sub-agent's id (status async_launched) reaches the hook
    only here; a finished one (completed) is done. The agent is the one its PreToolUse call registered."""
    claude_id, status = text(response.get("agentId")), text(response.get("status"))
    tool_use_id = text(data.get("tool_use_id"))
    if not claude_id:
        return

    def plan(document: dict) -> list[dict]:
        agents = _agents(document)
        key = called_agent(agents, claude_id, tool_use_id)
        if key is None:
            if status != "async_launched":
                return []  # a finished agent nobody announced: nothing to track any more
            kind = text(tool_input.get("subagent_type")) or "general-purpose"
            return start_agent(hook, document, kind, "Agent", claude_agent_id=claude_id, tool_use_id=tool_use_id)
        change: dict = {"claude_agent_id": claude_id, "last_heartbeat": hook.at}
        if status == "async_launched":
            change["background"] = True
            hook.note(f"agent {key} runs in the background (id {claude_id})")
        elif status == "completed" and agents[key].get("status") != "done":
            change.update(status="done", ended_at=hook.at)
            hook.note(f"agent {key} done")
            hook.emit("agent_stopped", {"agent": key, "type": agents[key].get("type")})
        return [{"op": "merge", "path": key_path("execution", "agents", key), "value": change}]

    hook.queue(plan)


def called_agent(agents: dict, claude_id: str, tool_use_id: str) -> str | None:
    """The agent an Agent call's result is about: known by Claude's id (SubagentStart told it), else by the
    call's tool_use_id (its PreToolUse registered it)."""
    for key, agent in agents.items():
        if isinstance(agent, dict) and (agent.get("claude_agent_id") == claude_id
                                        or (tool_use_id and agent.get("tool_use_id") == tool_use_id)):
            return key
    return None


# --- the task board: the sprint program's own functions, run for this session ----------------------------


BOARD_PROGRAM = "sprint_execution"  # its functions (update_/)track_claude_task, track_todos, complete_task, block
BOARD_WRITES = frozenset({"project", "session"})  # what they write: the board, and the session's task references
TRIGGER_WARNING = "sudolang: triggers: "  # how triggers.fire reports a broken override (run_triggers reports it too)


def on_task_created(hook: Hook, data: dict) -> None:
    claude_task(hook, data, "todo")


def on_task_completed(hook: Hook, data: dict) -> None:
    claude_task(hook, data, "done")  # a task first seen here is made done


def claude_task(hook: Hook, data: dict, column: str) -> None:
    """TaskCreated/TaskCompleted: the sprint program's track_claude_task, told what the input says of the task
    (its team_name is deprecated in Claude Code and not used: a session has one task list)."""
    claude_id = task_id(data.get("task_id"))
    title = text(data.get("task_subject")) or text(data.get("task_description")).split("\n")[0] \
        or f"Claude task {claude_id}"
    saw_task_event(hook)
    board(hook, "track_claude_task", claude_id, title, column, text(data.get("teammate_name")))


def on_task_update(hook: Hook, tool_input: dict, response: dict, data: dict) -> None:
    """PostToolUse of TaskUpdate, the only event that shows a task started (status in_progress): the sprint
    program's update_claude_task moves the board task to the status's column. A failed update changes nothing."""
    claude_id = task_id(tool_input.get("taskId"))
    saw_task_event(hook)
    if response.get("success") is False:
        hook.note(f"TaskUpdate of task {claude_id} failed in Claude Code: the board is unchanged")
        return
    title = text(tool_input.get("subject")) or f"Claude task {claude_id}"
    board(hook, "update_claude_task", claude_id, title, text(tool_input.get("status")), text(tool_input.get("owner")))


def task_id(value: object) -> str:
    claude_id = text(value) or (str(value) if isinstance(value, int) and not isinstance(value, bool) else "")
    if not claude_id:
        raise UsageError("the input has no task id")
    return claude_id


def saw_task_event(hook: Hook) -> None:
    """The session has seen Claude Code's task tools at work (the SessionStart summary stops asking for them)."""
    hook.queue(lambda doc: [{"op": "set", "path": TASK_EVENTS_SEEN, "value": hook.at}])


def on_todo_write(hook: Hook, tool_input: dict, data: dict) -> None:
    """Older Claude Code keeps its task list with TodoWrite: the sprint program's track_todos."""
    listed = tool_input.get("todos")
    todos = [{"content": text(t["content"]), "status": t.get("status") if isinstance(t.get("status"), str) else ""}
             for t in (listed if isinstance(listed, list) else []) if isinstance(t, dict) and text(t.get("content"))]
    saw_task_event(hook)
    if todos:
        board(hook, "track_todos", todos)


def board(hook: Hook, function: str, *arguments: object) -> None:
    """Run the sprint program's `function` as one transaction of this session (corelib.execute: the project's
    lock, then the session's, waited for at most what is left of the budget), then the triggers for the
    events it emitted. The lines it returns and the triggers' lines go in the log; anything the run
    prints on stderr becomes a warning (the hook's stderr is one line)."""
    import contextlib
    import io

    from sudolang.runtime import corelib
    from sudolang.runtime.context import Context
    from sudolang.runtime.triggers import failed
    from sudolang.state import shared

    if hook.compiled is None:
        raise SudolangError(f"the {BOARD_PROGRAM} program is not loaded here: run the hook as `sudolang hook`")
    path, python_function = hook.compiled(BOARD_PROGRAM, function)
    shared.ensure_project(hook.state, hook.project, hook.timeout)
    ctx = Context(hook.state, hook.session_id, hook.project, os.environ.get("SUDOLANG_ACTOR", ""))
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        value, fired = corelib.execute(ctx, path, python_function, list(arguments), BOARD_WRITES, hook.timeout)
    lines = str(value.text).splitlines() if isinstance(value, corelib.Reply) else value if isinstance(value, list) else []
    hook.did += [str(line) for line in lines]
    fired = [line.strip().removeprefix("trigger ") for line in fired]
    hook.did += fired
    hook.warnings += failed(fired)
    hook.warnings += [line for line in printed.getvalue().splitlines() if line and not line.startswith(TRIGGER_WARNING)]


# --- the explicit form: sudolang hook EVENT SID PAYLOAD --------------------------------------------------


def explicit_event(hook: Hook, words: list[str]) -> None:
    hook.event = words[0]
    handler = EXPLICIT_EVENTS.get(words[0])
    if handler is None:
        raise UsageError(f"unknown event {words[0]!r}; expected one of {', '.join(EXPLICIT_EVENTS)}, "
                         "or no arguments and Claude Code's input on stdin")
    if len(words) != 3:
        raise UsageError(f"usage: sudolang hook {words[0]} SID PAYLOAD (got {len(words) - 1} argument(s))")
    from sudolang import json_input

    payload = json_input.loads(words[2], "PAYLOAD")
    if not isinstance(payload, dict):
        raise UsageError(f"PAYLOAD must be a JSON object, got {type(payload).__name__}")
    hook.attach(words[1], create=False)
    handler(hook, payload)
    settle(hook)


def _field(payload: dict, name: str) -> str:
    value = payload.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"the payload needs {name!r}")
    return value.strip()


def explicit_task_completed(hook: Hook, payload: dict) -> None:
    """{"task": "T-3"}: the sprint program's complete_task (task_completed fires even if it was done already)."""
    board(hook, "complete_task", _field(payload, "task"))


def explicit_task_blocked(hook: Hook, payload: dict) -> None:
    """{"task": "T-3", "reason": "..."}: the task is blocked by the sprint program's /block itself."""
    board(hook, "block", _field(payload, "task"), _field(payload, "reason"))


def explicit_agent_spawned(hook: Hook, payload: dict) -> None:
    """{"agent": "reviewer-1", "type": "code-reviewer"}: the agent runs under that name (type optional)."""
    name = _field(payload, "agent")
    kind = text(payload.get("type")) or name
    hook.queue(lambda doc: start_agent(hook, doc, kind, "explicit", name=name))


def explicit_epic_updated(hook: Hook, payload: dict) -> None:
    """{"epic": "E-1", "status": "active"}: shared.update_epic; in_progress and done are accepted."""
    from sudolang.state import shared

    epic, status = _field(payload, "epic"), _field(payload, "status")
    status = shared.epic_status(status)  # in_progress is active: the aliases live in the state layer
    shared.update_epic(hook.state, hook.project, epic, status, hook.timeout)
    hook.queue(lambda doc: [_event_op("epic_updated", hook.at, epic=epic, status=status)])
    hook.note(f"epic {epic} is {status}")
    hook.emit("epic_updated", {"epic": epic, "status": status})


# --- triggers and the summary ------------------------------------------------------------------------------


def run_triggers(hook: Hook) -> None:
    from sudolang.runtime import triggers

    ruleset = triggers.load_rules(hook.state.root_text)
    if ruleset.warning:
        hook.warn(ruleset.warning)
    facts = triggers.Facts(hook.state, hook.project, hook.session_id, hook.timeout,
                           session_doc=hook.session_doc, project_doc=hook.project_doc, deadline=hook.deadline)
    lines = triggers.run_rules(ruleset.rules, facts, [("heartbeat", {}), *hook.events])
    hook.did += lines
    hook.warnings += triggers.failed(lines)
    hook.session_doc, hook.project_doc = facts.session_doc(), facts.known_project_doc()


def summary_text(hook: Hook) -> str:
    """A few plain lines on the session's state (plain text: stdout starting with `{` is read as JSON)."""
    session = hook.session_doc or {}
    project = hook.project_doc if hook.project_doc is not None else _read_project(hook)
    lifecycle = (session.get("session") or {}).get("lifecycle") or {}
    lines = [f"sudolang session {hook.session_id} ({(session.get('session') or {}).get('mode')}, "
             f"project {hook.project}, {lifecycle.get('status')})"]
    lines += board_lines(project)
    if hook.event == "SessionStart" and not (session.get("execution") or {}).get("claude_tasks_seen_at"):
        lines.append(NO_TASK_EVENTS)
    lines += agent_lines(session)
    lines += message_lines(hook)
    events = [e for e in (project.get("events") or [])[-2:] if isinstance(e, dict)]
    if events:
        lines.append("Latest: " + "; ".join(_event_text(e) for e in events))
    return bounded(lines)


# Claude Code on newer models leaves its task tools out unless asked, and then the board never moves.
NO_TASK_EVENTS = ("Task sync: no Claude Code task event in this session yet; if its task tools are off, turn them on "
                  "(env CLAUDE_CODE_ENABLE_TODO_TOOLS=1 in .claude/settings.json) so the board follows them.")


def subagent_text(hook: Hook) -> str:
    """What a starting sub-agent is told (SubagentStart's additionalContext): the board it works on."""
    project = hook.project_doc if hook.project_doc is not None else _read_project(hook)
    return bounded([f"sudolang: the team's task board (project {hook.project}), as this sub-agent starts:",
                    *board_lines(project)])


def _read_project(hook: Hook) -> dict:
    from sudolang.errors import NotFound

    try:
        return hook.state.project(hook.project).read()
    except NotFound:
        return {}


COLUMNS = ("backlog", "todo", "doing", "review", "done")  # the sprint program's `columns`


def active_sprint(doc: dict) -> str | None:
    """The sprint program's active_sprint(): the active sprint activated last (restated, like COLUMNS, so
    the summary does not load the program; tests/runtime/test_hook.py holds both to the program's)."""
    active = [(s.get("activated_at") or "", k) for k, s in (doc.get("sprints") or {}).items()
              if isinstance(s, dict) and s.get("status") == "active"]
    return max(active)[1] if active else None


def board_lines(project: dict) -> list[str]:
    """The active sprint's points and columns (all tasks when no sprint is active) and what is blocked.
    One pass over the tasks: with 10,000 of them every extra pass costs milliseconds."""
    sprint = active_sprint(project)
    counts: dict[object, int] = dict.fromkeys(COLUMNS, 0)  # a task's column is whatever its document holds
    points, blocked, seen = {"all": 0, "done": 0}, [], 0
    for task in (project.get("tasks") or {}).values():
        if not isinstance(task, dict) or (sprint is not None and task.get("sprint") != sprint):
            continue
        seen += 1
        column = task.get("column")
        counts[column] = counts.get(column, 0) + 1
        value = _points(task)
        points["all"] += value
        if column == "done":
            points["done"] += value
        elif task.get("blocked"):
            blocked.append(task)
    if sprint is None and not seen:
        return ["No tasks yet (the sprint program's /add starts a sprint)."]
    from sudolang.wording import count
    lines = [f"Sprint {sprint}: {points['done']}/{count(points['all'], 'pt')} done, {count(seen, 'task')}"] if sprint else []
    lines.append(("Board: " if sprint else "Tasks (no active sprint): ")
                 + " | ".join(f"{column} {count}" for column, count in counts.items()))
    if blocked:
        named = "; ".join(f"{t.get('id')} ({_clip(str(t['blocked']), 40)})" for t in blocked[:LISTED])
        more = f"; +{len(blocked) - LISTED} more" if len(blocked) > LISTED else ""
        lines.append(f"Blocked ({len(blocked)}): {named}{more}")
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _points(task: dict) -> int:
    value = task.get("points")
    if type(value) is int:  # the usual case, without the cost of int() and a try per task
        return value
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def agent_lines(session: dict) -> list[str]:
    agents = _agents(session)
    running = sorted(k for k, a in agents.items() if isinstance(a, dict) and a.get("status") == "running")
    stale = sorted(k for k, a in agents.items() if isinstance(a, dict) and a.get("status") == "stale")
    lines = []
    for label, names in (("Agents running", running), ("Agents stale", stale)):
        if names:
            more = f", +{len(names) - LISTED} more" if len(names) > LISTED else ""
            lines.append(f"{label} ({len(names)}): {', '.join(names[:LISTED])}{more}")
    return lines


def message_lines(hook: Hook) -> list[str]:
    """Unread messages, with the command that reads them; a failure here must never break the hook."""
    try:
        from sudolang.state import messages

        count = len(messages.pending(hook.state, hook.session_id))
    except Exception:  # e.g. a damaged inbox: the summary goes without the line
        return []
    noun = "message" if count == 1 else "messages"
    return [f"Messages: {count} unread {noun}; read with: sudolang msg poll {hook.session_id}"] if count else []


def _event_text(event: dict) -> str:
    details = " ".join(f"{k}={str(v)[:40]}" for k, v in event.items()
                       if k not in ("at", "type", "session") and v is not None)
    return f"{event.get('type')} {details}".strip()


def bounded(lines: list[str]) -> str:
    """At most SUMMARY_LINES lines of LINE_CHARS and SUMMARY_CHARS in all, never starting with `{`."""
    kept, size = [], 0
    for line in lines[:SUMMARY_LINES]:
        line = line.replace("\n", " ")
        line = _clip(line, LINE_CHARS)
        if size + len(line) + 1 > SUMMARY_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept).lstrip("{")


def write_stdout(summary: str) -> None:
    try:
        sys.stdout.write(summary + "\n")
        sys.stdout.flush()
    except OSError:  # Claude Code stopped reading: the state is written, nothing else matters
        pass


# Event name -> handler. Events in HEARTBEAT_EVENTS are only heartbeats; any other name is unknown.
CLAUDE_EVENTS = {
    "SessionStart": on_session_start,
    "UserPromptSubmit": on_prompt,
    "SubagentStart": on_subagent_start,
    "SubagentStop": on_subagent_stop,
    "TaskCreated": on_task_created,
    "TaskCompleted": on_task_completed,
    "PreToolUse": on_pre_tool_use,
    "PostToolUse": on_post_tool_use,
    "SessionEnd": on_session_end,
}
# PreToolUse tool name -> handler (older Claude Code: subagents and the task list as tool calls).
TOOLS = {"Task": on_task_tool, "Agent": on_task_tool, "TodoWrite": on_todo_write}
# PostToolUse tool name -> handler (the tool's input and its result).
POST_TOOLS = {"TaskUpdate": on_task_update, "Agent": on_agent_result, "Task": on_agent_result}
EXPLICIT_EVENTS = {
    "task_completed": explicit_task_completed,
    "task_blocked": explicit_task_blocked,
    "agent_spawned": explicit_agent_spawned,
    "epic_updated": explicit_epic_updated,
}

