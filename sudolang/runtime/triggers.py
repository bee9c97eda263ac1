"""State triggers: the declared rules of triggers.toml, run against the state when an orchestration event happens.

Each rule names the events it listens `on`, a condition (`when`) and an action
(`then`), both from the small registries below, with parameters. The rules come
from `triggers.toml` beside this module, unless the state directory holds its
own `triggers.toml`: that file then replaces the packaged one whole. An override
that does not parse or names an unknown condition or action is reported in one
line on stderr and the packaged rules are used; it never stops the caller.

Parsed rules are kept as JSON in `<state-dir>/.triggers-cache.json`, keyed by
the size and mtime of both files: importing tomllib costs 8-17 ms, a third of a
hook's budget, and the files change far less often than hooks fire. Neither the
override nor the cache is read through a symbolic link, and the cache is written
to a new temp file (O_EXCL, a random name) renamed into place, so a link planted
in the state directory cannot redirect a read or a write (see safe_files).

Conditions only read; actions re-check their condition under the document's
lock before writing, since another session may have acted in between. Actions
may emit further events (sprint_completed, agent_stale, ...), which run the rules
again, up to MAX_EVENTS per call so two rules cannot feed each other forever.
"""

from __future__ import annotations

import os
import sys
import time

from sudolang import json_text
from sudolang.errors import CorruptState, NotFound, SudolangError
from sudolang.state import clock
from sudolang.state.lock import DEFAULT_TIMEOUT
from sudolang.state.paths import StateDir, key_path
from sudolang.state.sessions import event_op

TYPE_CHECKING = False  # annotations only: the hook imports this module, and `typing` costs ~5 ms of its start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PACKAGED = os.path.join(os.path.dirname(__file__), "triggers.toml")
OVERRIDE_NAME = "triggers.toml"
CACHE_NAME = ".triggers-cache.json"
CACHE_VERSION = 1
OVERRIDE_LIMIT = 256 * 1024  # bytes: a rules file is a few KB
CACHE_LIMIT = 1024 * 1024
EVENT_LIMIT = 50  # project events kept in $.events, like a session's observability.events
MAX_EVENTS = 16  # events handled per fire(), the first included
DONE = "done"
STARTED_COLUMNS = frozenset({"doing", "review", "done"})
MANUAL_EPIC_STATUSES = frozenset({"blocked", "cancelled"})  # set by a person; tasks never override them
FINAL_SPRINT_STATUSES = frozenset({"completed", "cancelled"})

# Errors a rule may meet in a document a person edited by hand; the rule fails, the caller goes on.
RULE_ERRORS = (SudolangError, LookupError, TypeError, ValueError, AttributeError)


class RuleError(SudolangError):
    """A rules file that cannot be used: bad TOML, a missing field, an unknown condition or action."""


# --- helpers shared with the hook ------------------------------------------------------------------


def project_event_op(kind: str, at: str, **data: object) -> dict:
    """An operation appending one event to the project's bounded $.events list (the dashboard's feed)."""
    return {"op": "append", "path": "$.events", "value": {"at": at, "type": kind, **data}, "limit": EVENT_LIMIT}


def task_id(raw: object) -> str:
    """`T-3`, `t-3` and `3` all name T-3 (as sprint_execution.find_task reads them)."""
    return "T-" + str(raw).strip().upper().removeprefix("T-")


def tasks_of(doc: dict, field: str, value: object) -> list[dict]:
    return [t for t in (doc.get("tasks") or {}).values() if isinstance(t, dict) and t.get(field) == value]


def _task(doc: dict, raw: object) -> dict:
    if not raw:
        return {}
    return (doc.get("tasks") or {}).get(task_id(raw)) or {}


# --- the facts rules read, and their writes ----------------------------------------------------------


class Facts:
    """The state one burst of events works on; each document is read at most once and refreshed by writes."""

    __slots__ = ("state", "project", "session_id", "_timeout", "deadline", "moment", "_docs", "emitted")

    def __init__(self, state: StateDir, project: str, session_id: str, timeout: float = DEFAULT_TIMEOUT,
                 session_doc: dict | None = None, project_doc: dict | None = None,
                 deadline: float | None = None) -> None:
        self.state = state
        self.project = project
        self.session_id = session_id
        self._timeout = timeout
        self.deadline = deadline  # time.monotonic() past which no lock is waited for (the hook's budget)
        self.moment = clock.now()
        self._docs: dict[str, dict | None] = {"session": session_doc, "project": project_doc}
        self.emitted: list[tuple[str, dict]] = []

    @property
    def at(self) -> str:
        return clock.iso(self.moment)

    @property
    def timeout(self) -> float:
        """The wait for the next lock: `timeout`, or what is left before the deadline when there is one."""
        if self.deadline is None:
            return self._timeout
        return max(0.0, round(min(self._timeout, self.deadline - time.monotonic()), 3))

    def session_doc(self) -> dict:
        return self._read("session", lambda: self.state.session(self.session_id))

    def project_doc(self) -> dict:
        return self._read("project", lambda: self.state.project(self.project))

    def _read(self, kind: str, document) -> dict:
        found = self._docs[kind]
        if found is None:
            try:
                found = document().read()
            except NotFound:  # nothing there yet: no task, sprint or agent for a rule to find
                found = {}
            self._docs[kind] = found
        return found

    def known_project_doc(self) -> dict | None:
        """The project document if it was read or written, else None (without reading it)."""
        return self._docs["project"]

    def update_session(self, plan) -> dict:
        updated = self._docs["session"] = self.state.session(self.session_id).update(plan, self.timeout)
        return updated

    def update_project(self, plan) -> dict:
        from sudolang.state import shared

        shared.ensure_project(self.state, self.project, self.timeout)
        updated = self._docs["project"] = self.state.project(self.project).update(plan, self.timeout)
        return updated

    def emit(self, event: str, payload: dict) -> None:
        self.emitted.append((event, payload))


# --- conditions: (facts, params, payload) -> a subject for the action, or None --------------------------


def always(facts: Facts, params: dict, payload: dict) -> object:
    return True


def sprint_done(facts: Facts, params: dict, payload: dict) -> str | None:
    doc = facts.project_doc()
    sprint = payload.get("sprint") or _task(doc, payload.get("task")).get("sprint")
    return sprint if sprint and sprint_finished(doc, sprint) else None


def sprint_finished(doc: dict, sprint: str) -> bool:
    """The sprint exists, is still open, and every one of its (at least one) tasks is done."""
    entry = (doc.get("sprints") or {}).get(sprint)
    tasks = tasks_of(doc, "sprint", sprint)
    return (isinstance(entry, dict) and entry.get("status") not in FINAL_SPRINT_STATUSES
            and bool(tasks) and all(t.get("column") == DONE for t in tasks))


def epic_changed(facts: Facts, params: dict, payload: dict) -> str | None:
    doc = facts.project_doc()
    epic = _task(doc, payload.get("task")).get("epic") or payload.get("epic")
    return epic if epic and epic_target(doc, epic) else None


def epic_target(doc: dict, epic: str) -> str | None:
    """The status the epic's tasks call for, when it differs from the epic's own (else None).
    Statuses are shared.EPIC_STATUSES: `active` once a task is started, `completed` when all are done."""
    tasks = tasks_of(doc, "epic", epic)
    if not tasks:
        return None
    if all(t.get("column") == DONE for t in tasks):
        wanted = "completed"
    elif any(t.get("column") in STARTED_COLUMNS for t in tasks):
        wanted = "active"
    else:
        return None  # nothing started: leave a planned epic planned
    current = ((doc.get("epics") or {}).get(epic) or {}).get("status")
    return wanted if current != wanted and current not in MANUAL_EPIC_STATUSES else None


def agents_silent(facts: Facts, params: dict, payload: dict) -> dict | None:
    cutoff = clock.iso(clock.later(facts.moment, -float(params["stale_after_seconds"])))
    names = silent_agents(facts.session_doc(), cutoff)
    return {"agents": names, "cutoff": cutoff} if names else None


def silent_agents(doc: dict, cutoff: str) -> list[str]:
    """Running agents whose last heartbeat is older than `cutoff` (ISO stamps in UTC sort as text)."""
    agents = (doc.get("execution") or {}).get("agents") or {}
    return sorted(name for name, agent in agents.items()
                  if isinstance(agent, dict) and agent.get("status") == "running"
                  and (agent.get("last_heartbeat") or agent.get("started_at") or "") < cutoff)


# --- actions: (facts, subject, params, payload) -> what happened, one line each ----------------------


def complete_sprint(facts: Facts, sprint: str, params: dict, payload: dict) -> list[str]:
    done: dict = {}

    def plan(doc: dict) -> list[dict]:
        if not sprint_finished(doc, sprint):  # another session may have completed or reopened it
            return []
        tasks = tasks_of(doc, "sprint", sprint)
        done.update(sprint=sprint, points=sum(int(t.get("points") or 0) for t in tasks), tasks=len(tasks))
        return [{"op": "merge", "path": key_path("sprints", sprint), "value": {"status": "completed", "completed_at": facts.at}},
                project_event_op("sprint_completed", facts.at, session=facts.session_id, **done)]

    facts.update_project(plan)
    if not done:
        return []
    facts.emit("sprint_completed", done)
    from sudolang.wording import count
    return [f"sprint {sprint} completed ({count(done['tasks'], 'task')}, {count(done['points'], 'pt')})"]


def set_epic_status(facts: Facts, epic: str, params: dict, payload: dict) -> list[str]:
    changed: list[str] = []

    def plan(doc: dict) -> list[dict]:
        wanted = epic_target(doc, epic)
        if wanted is None:
            return []
        changed.append(wanted)
        patch = {"id": epic, "status": wanted, "updated_at": facts.at}
        return [{"op": "merge", "path": key_path("epics", epic), "value": patch},
                project_event_op("epic_updated", facts.at, session=facts.session_id, epic=epic, status=wanted)]

    facts.update_project(plan)
    if not changed:
        return []
    facts.emit("epic_updated", {"epic": epic, "status": changed[0]})
    return [f"epic {epic} is {changed[0]}"]


def mark_agents_stale(facts: Facts, silent: dict, params: dict, payload: dict) -> list[str]:
    marked: list[tuple[str, str | None]] = []

    def plan(doc: dict) -> list[dict]:
        agents = doc.get("execution", {}).get("agents", {})
        ops = []
        for name in silent_agents(doc, silent["cutoff"]):  # again under the lock: a heartbeat may have come
            last = agents[name].get("last_heartbeat")
            marked.append((name, last))
            ops += [{"op": "merge", "path": key_path("execution", "agents", name),
                     "value": {"status": "stale", "stale_at": facts.at}},
                    event_op("agent_stale", facts.at, agent=name, last_heartbeat=last)]
        return ops

    facts.update_session(plan)
    for name, last in marked:
        facts.emit("agent_stale", {"agent": name, "last_heartbeat": last})
    return [f"agent {name} is stale (last heartbeat {last or 'never'})" for name, last in marked]


def record_event(facts: Facts, subject: object, params: dict, payload: dict) -> list[str]:
    fields = params["fields"] or sorted(payload)
    data = {field: payload.get(field) for field in fields}
    # The event's own at, type and session win over a payload's fields of the same names.
    recorded = {k: v for k, v in data.items() if k not in ("at", "type")} | {"session": facts.session_id}
    facts.update_project(lambda doc: [project_event_op(params["type"], facts.at, **recorded)])
    facts.emit(params["type"], data)
    shown = ", ".join(f"{k}={v}" for k, v in data.items())
    return [f"project event {params['type']}" + (f" ({shown})" if shown else "")]


# name -> (function, default parameters); the defaults also name the parameters a rule may set,
# and their types the types it must use. A default of None marks a parameter the rule must give.
# A condition (facts, params, payload) returns the rule's subject (falsy: the rule does not fire);
# an action (facts, subject, params, payload) acts on it and returns what it did.
if TYPE_CHECKING:
    Condition = Callable[[Facts, dict, dict], Any]
    Action = Callable[[Facts, Any, dict, dict], list[str]]
CONDITIONS: dict[str, tuple[Condition, dict]] = {
    "always": (always, {}),
    "sprint_done": (sprint_done, {}),
    "epic_changed": (epic_changed, {}),
    "agents_silent": (agents_silent, {"stale_after_seconds": 900}),
}
ACTIONS: dict[str, tuple[Action, dict]] = {
    "complete_sprint": (complete_sprint, {}),
    "set_epic_status": (set_epic_status, {}),
    "mark_agents_stale": (mark_agents_stale, {}),
    "record_event": (record_event, {"type": None, "fields": []}),
}
_PARAM_TYPES = {int: (int, float), float: (int, float), list: (list,), type(None): (str,), str: (str,)}


# --- rules -----------------------------------------------------------------------------------------------


class Rule:
    """One declared rule, its condition and action already checked against the registries."""

    __slots__ = ("name", "description", "enabled", "on", "condition", "when", "action", "then")

    def __init__(self, name: str, description: str, enabled: bool, on: list[str],
                 condition: str, when: dict, action: str, then: dict) -> None:
        self.name, self.description, self.enabled, self.on = name, description, enabled, on
        self.condition, self.when, self.action, self.then = condition, when, action, then

    def listens(self, event: str) -> bool:
        return self.enabled and ("*" in self.on or event in self.on)

    def as_dict(self) -> dict:
        return {slot: getattr(self, slot) for slot in self.__slots__}


class RuleSet:
    """The rules in force, the file they come from, and why an override was not used (if it was not)."""

    __slots__ = ("rules", "source", "warning")

    def __init__(self, rules: list[Rule], source: str, warning: str | None = None) -> None:
        self.rules, self.source, self.warning = rules, source, warning


def parse_rules(data: dict) -> list[Rule]:
    """The rules of a parsed triggers.toml; RuleError names the first thing wrong."""
    entries = data.get("rules", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RuleError("`rules` must be an array of tables ([[rules]])")
    return [_rule(entry, number) for number, entry in enumerate(entries, 1)]


def _rule(entry: dict, number: int) -> Rule:
    name = entry.get("name") or f"rule-{number}"
    where = f"rule {number} ({name})"
    unknown = set(entry) - {"name", "description", "enabled", "on", "when", "then"}
    if unknown:
        raise RuleError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    on = [entry["on"]] if isinstance(entry.get("on"), str) else entry.get("on")
    if not on or not isinstance(on, list) or not all(isinstance(e, str) and e for e in on):
        raise RuleError(f"{where}: `on` must be an event name, a list of them, or \"*\"")
    if not isinstance(entry.get("enabled", True), bool):
        raise RuleError(f"{where}: `enabled` must be true or false")
    condition, when = _named(entry.get("when"), "condition", CONDITIONS, where)
    action, then = _named(entry.get("then"), "action", ACTIONS, where)
    return Rule(str(name), str(entry.get("description", "")), entry.get("enabled", True), on,
                condition, when, action, then)


def _named(value: object, key: str, registry: dict, where: str) -> tuple[str, dict]:
    """`"name"` or `{key = "name", param = value}` checked against the registry; returns (name, params)."""
    table = {key: value} if isinstance(value, str) else value
    field = "when" if key == "condition" else "then"
    if not isinstance(table, dict) or table.get(key) not in registry:
        known = ", ".join(registry)
        raise RuleError(f"{where}: `{field}` must name a {key} ({known}), got {value!r}")
    defaults = registry[table[key]][1]
    params = {k: v for k, v in table.items() if k != key}
    for param, given in params.items():
        if param not in defaults:
            raise RuleError(f"{where}: {key} {table[key]} has no parameter {param!r}")
        if not isinstance(given, _PARAM_TYPES[type(defaults[param])]) or isinstance(given, bool):
            raise RuleError(f"{where}: parameter {param} has the wrong type ({given!r})")
    missing = [p for p, default in defaults.items() if default is None and not params.get(p)]
    if missing:
        raise RuleError(f"{where}: {key} {table[key]} needs {', '.join(missing)}")
    return table[key], {**defaults, **params}


# --- loading, with the JSON cache ------------------------------------------------------------------------


def load_rules(root: os.PathLike | str) -> RuleSet:
    """The rules in force for the state directory `root`: its triggers.toml, else the packaged one."""
    root = os.fspath(root)
    override = os.path.join(root, OVERRIDE_NAME)
    stamp = [_stamp(override, follow=False), _stamp(PACKAGED)]
    cached = _read_cache(root, stamp)
    if cached is not None:
        return cached
    ruleset = _parse_files(override if stamp[0] else None)
    _write_cache(root, stamp, ruleset)
    return ruleset


def _stamp(path: str, follow: bool = True) -> list | None:
    try:
        status = os.stat(path) if follow else os.lstat(path)  # the override: a link is stamped, then refused
    except OSError:
        return None
    return [str(path), status.st_mtime_ns, status.st_size]


def _parse_files(override: str | None) -> RuleSet:
    warning = None
    if override is not None:
        try:
            return RuleSet(_parse_file(override), str(override))
        except (OSError, ValueError, SudolangError) as error:  # TOMLDecodeError is a ValueError; UnsafePath, too large
            reason = getattr(error, "message", None) or str(error) or type(error).__name__
            warning = f"{override} is not used ({reason}); the packaged rules apply"
    try:
        return RuleSet(_parse_file(PACKAGED), str(PACKAGED), warning)
    except (OSError, ValueError, RuleError) as error:  # pragma: no cover - the packaged file is tested
        return RuleSet([], "none", f"the packaged {PACKAGED} is not usable ({error}); no trigger runs")


def _parse_file(path: str) -> list[Rule]:
    """The rules of one file: the packaged one as it is, the state directory's override only as a regular
    file of at most OVERRIDE_LIMIT bytes, not through a link (UnsafePath, UsageError: it is not used)."""
    import tomllib  # only when a file changed: see the module docstring

    from sudolang.safe_files import read_bytes

    data = read_bytes(path, OVERRIDE_LIMIT, "trigger rules", follow=path == PACKAGED)
    return parse_rules(tomllib.loads(data.decode("utf-8")))  # not UTF-8: a ValueError, reported


def _read_cache(root: str, stamp: list) -> RuleSet | None:
    from sudolang.safe_files import read_bytes

    try:
        cached = json_text.loads(read_bytes(os.path.join(root, CACHE_NAME), CACHE_LIMIT, "trigger cache"))
        if cached.get("version") != CACHE_VERSION or cached.get("stamp") != stamp:
            return None
        return RuleSet([Rule(**r) for r in cached["rules"]], cached["source"], cached.get("warning"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SudolangError):  # absent, stale, damaged
        return None  # or a link: parse again (the write below replaces the link itself, never its target)


def _write_cache(root: str, stamp: list, ruleset: RuleSet) -> None:
    """Best effort: a cache that cannot be written costs the next run a parse, nothing more."""
    from sudolang.safe_files import remove_quietly, write_temp

    cached = {"version": CACHE_VERSION, "stamp": stamp, "source": ruleset.source, "warning": ruleset.warning,
              "rules": [rule.as_dict() for rule in ruleset.rules]}
    try:
        temp = write_temp(os.path.join(root, CACHE_NAME),
                          json_text.dumps(cached, allow_nan=True).encode("utf-8", "replace"), sync=False)
    except (OSError, SudolangError):
        return
    try:
        os.replace(temp, os.path.join(root, CACHE_NAME))  # renames over a planted link; the link's target is untouched
    except OSError:
        remove_quietly(temp)


# --- running ---------------------------------------------------------------------------------------------


def fire(state: StateDir, project: str, session_id: str, event: str, payload: dict,
         timeout: float = DEFAULT_TIMEOUT, project_doc: dict | None = None) -> list[str]:
    """Run the rules listening to `event` (and to the events their actions emit); returns what fired,
    one line each, `<rule>: <what happened>`. A failing rule is reported in its line, never raised;
    a malformed override file is reported on stderr. `project_doc`: the project document as the command
    that emitted the event committed it, which the conditions read instead of reading it again (None:
    they read it)."""
    ruleset = load_rules(state.root_text)
    if ruleset.warning:
        print(f"sudolang: triggers: {ruleset.warning}", file=sys.stderr)
    facts = Facts(state, project, session_id, timeout, project_doc=project_doc)
    return run_rules(ruleset.rules, facts, [(event, payload)])


def run_rules(rules: list[Rule], facts: Facts, events: list[tuple[str, dict]]) -> list[str]:
    """Run `events` and whatever the actions emit, oldest first, at most MAX_EVENTS of them."""
    queue, lines, handled = list(events), [], 0
    broken: set[int] = set()  # a rule that failed once is not retried for the events that follow
    while queue and handled < MAX_EVENTS:
        event, payload = queue.pop(0)
        handled += 1
        for number, rule in enumerate(rules):
            if rule.listens(event) and number not in broken:
                done = _apply(rule, facts, payload if isinstance(payload, dict) else {})
                broken.update([number] if failed(done) else [])
                lines += done
        queue += facts.emitted
        facts.emitted = []
    if queue:
        lines.append(f"stopped after {MAX_EVENTS} events; {len(queue)} left (do two rules feed each other?)")
    return lines


def _apply(rule: Rule, facts: Facts, payload: dict) -> list[str]:
    condition, action = CONDITIONS[rule.condition][0], ACTIONS[rule.action][0]
    try:
        subject = condition(facts, rule.when, payload)
        if not subject:
            return []
        return [f"{rule.name}: {line}" for line in action(facts, subject, rule.then, payload)]
    except CorruptState as error:
        return [f"{rule.name}: failed: {error.message}"]
    except RULE_ERRORS as error:
        reason = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        return [f"{rule.name}: failed: {reason}"]


def failed(lines: list[str]) -> list[str]:
    """The lines of rules that failed, for a caller that reports failures apart."""
    return [line for line in lines if ": failed: " in line]


def describe(root: os.PathLike | str) -> str:
    """The rules in force and where they come from, for `sudolang hook --list-triggers`."""
    ruleset = load_rules(root)
    override = os.path.join(root, OVERRIDE_NAME)
    origin = "the state directory's override" if ruleset.source == str(override) else "the packaged file"
    lines = [f"Trigger rules from {origin}: {ruleset.source}"]
    if ruleset.warning:
        lines.append(f"warning: {ruleset.warning}")
    if ruleset.source != str(override):
        lines.append(f"(copy it to {override} and edit the copy to change them)")
    for rule in ruleset.rules:
        lines.append(f"{'on ' if rule.enabled else 'off'}  {rule.name}: on {', '.join(rule.on)}; "
                     f"when {rule.condition}{_params(rule.when)}; then {rule.action}{_params(rule.then)}")
        if rule.description:
            lines.append(f"     {rule.description}")
    return "\n".join(lines)


def _params(table: dict) -> str:
    return "".join(f" {key}={value!r}" for key, value in table.items())
