"""Config manager actions: teams, agents and validated settings, every change a new version (history, diff, rollback)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence

from sudolang.errors import NotFound, UsageError
from sudolang.runtime.context import Context, Result, view
from sudolang.state.paths import check_id, key_path

# Declared settings: key -> (type, lowest, highest, default). Ranges are inclusive; bools have none.
SETTINGS: dict[str, tuple[type, int | None, int | None, object]] = {
    "wip.todo": (int, 1, 50, 10),  # most tasks waiting in To Do
    "wip.doing": (int, 1, 20, 3),  # most tasks in progress at once
    "wip.review": (int, 1, 20, 3),  # most tasks waiting for review
    "sprint.length_days": (int, 1, 30, 10),  # a sprint's length in days
    "leadership.quorum": (int, 1, 50, 3),  # votes that close a decision when /propose names no quorum
    "review.required": (bool, None, None, False),  # a task must pass review before it is done
    "dashboard.refresh_seconds": (int, 5, 3600, 30),  # how often a dashboard refreshes
}
PARTS = ("teams", "agents", "settings")  # what a version snapshots; version 0 has all three empty
TRUE, FALSE = ("true", "yes", "on"), ("false", "no", "off")
DEFAULT_ROLE = "developer"

Edit = Callable[[dict, dict], str]  # (config copy, document) -> one-line change; edits the copy in place


# --- reading -------------------------------------------------------------------------------------


def current(document: dict) -> dict:
    """A private copy of the configuration's versioned parts."""
    config = document.get("config", {})
    return {part: copy.deepcopy(config.get(part) or {}) for part in PARTS}


def version_of(document: dict) -> int:
    return int(document.get("config", {}).get("version", 0))


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Nested dicts as {dotted.key: leaf}."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, object] = {}
    for key, child in value.items():
        flat.update(flatten(child, f"{prefix}.{key}" if prefix else key))
    return flat


def effective_settings(document: dict) -> dict[str, object]:
    """Every declared setting: its set value, else its default."""
    chosen = flatten(document.get("config", {}).get("settings") or {})
    return {key: chosen.get(key, spec[3]) for key, spec in sorted(SETTINGS.items())}


def snapshot(document: dict, version: int) -> dict:
    """The configuration as it was at `version`."""
    latest = version_of(document)
    if version == latest:
        return current(document)
    if version == 0:
        return {part: {} for part in PARTS}
    for entry in document.get("config_history", []):
        if entry.get("version") == version:
            return entry["config"]
    raise NotFound(f"no version {version}; the versions are 0 to {latest}")


def show(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:  # an agent without a team
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(map(show, value)) + "]"
    return json.dumps(value)


def diff(before: dict, after: dict) -> list[str]:
    """`key: old -> new` for every leaf that differs."""
    old, new = flatten(before), flatten(after)
    missing = object()
    lines = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key, missing), new.get(key, missing)
        if a != b:
            lines.append(f"{key}: {'(none)' if a is missing else show(a)} -> {'(none)' if b is missing else show(b)}")
    return lines


# --- changing: every change goes through commit ---------------------------------------------------


def commit(ctx: Context, edit: Edit) -> Result:
    """Apply `edit` to the configuration and store it as the next version with its snapshot, in one update."""
    at = ctx.stamp()
    done: dict = {}

    def plan(document: dict) -> list[dict]:
        before = current(document)
        after = copy.deepcopy(before)
        change = edit(after, document)  # refusals raise here, before anything is written
        version = version_of(document)
        done.update(change=change, version=version, lines=diff(before, after))
        if after == before:
            return []
        done["version"] = version + 1
        entry = {"version": version + 1, "at": at, "by": ctx.who, "change": change, "config": copy.deepcopy(after)}
        ops = [{"op": "set", "path": key_path("config", part), "value": after[part]} for part in PARTS]
        ops.append({"op": "set", "path": key_path("config", "version"), "value": version + 1})
        return ops + [{"op": "append", "path": key_path("config_history"), "value": entry}]

    ctx.project_document().update(plan)
    data = {"version": done["version"], "change": done["change"], "diff": done["lines"], "changed": bool(done["lines"])}
    if not done["lines"]:
        return Result(f"no change ({done['change']}); still version {done['version']}", data)
    head = f"version {done['version']} by {ctx.who}: {done['change']}"
    return Result("\n".join([head, *("  " + line for line in done["lines"])]), data)


def place(config: dict, agent: str, team: str | None) -> None:
    """Move `agent` into `team` (None: no team); an agent is in one team at a time."""
    for members in (t.setdefault("members", []) for t in config["teams"].values()):
        if agent in members:
            members.remove(agent)
    if team is not None:
        members = config["teams"].setdefault(team, {}).setdefault("members", [])
        members[:] = sorted({*members, agent})
    if agent in config["agents"]:  # a hand-edited team may list an agent the pool lacks
        config["agents"][agent]["team"] = team


def need_agent(config: dict, agent: str) -> str:
    check_id("agent", agent)
    if agent not in config["agents"]:
        raise NotFound(f"unknown agent {agent!r}; add it with /agent {agent}")
    return agent


def allocate(ctx: Context, agent: str, team: str) -> Result:
    """Move an agent to a team (made if new), as a config version; /allocate in leadership chat uses it."""
    check_id("team", team)

    def edit(config: dict, document: dict) -> str:
        place(config, need_agent(config, agent), team)
        return f"allocate {agent} to team {team}"

    return commit(ctx, edit)


# --- commands ------------------------------------------------------------------------------------


def parse_setting(key: str, text: str) -> object:
    """`text` as the declared type of `key`, refused outside its range."""
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}; the settings are {', '.join(sorted(SETTINGS))}")
    kind, low, high, _ = SETTINGS[key]
    word = text.strip().lower()
    if kind is bool:
        if word not in TRUE + FALSE:
            raise UsageError(f"{key} must be true or false (or yes/no, on/off), got {text!r}")
        return word in TRUE
    try:
        value = int(word)
    except ValueError:
        raise UsageError(f"{key} must be a whole number from {low} to {high}, got {text!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise UsageError(f"{key} must be from {low} to {high}, got {value}")
    return value


def cmd_set(ctx: Context, key: str, value: str) -> Result:
    parsed = parse_setting(key, value)

    def edit(config: dict, document: dict) -> str:
        *parents, last = key.split(".")
        node = config["settings"]
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = parsed
        return f"set {key} = {show(parsed)}"

    return commit(ctx, edit)


def cmd_team(ctx: Context, name: str, members: str | None = None) -> Result:
    check_id("team", name)
    wanted = sorted({m.strip() for m in (members or "").split(",") if m.strip()})

    def edit(config: dict, document: dict) -> str:
        for agent in wanted:
            need_agent(config, agent)
        team = config["teams"].setdefault(name, {"members": []})
        if members is None:
            return f"team {name}"
        for agent in set(team.get("members", [])) - set(wanted):
            place(config, agent, None)
        for agent in wanted:
            place(config, agent, name)
        return f"team {name}: {', '.join(wanted) or 'no members'}"

    return commit(ctx, edit)


def cmd_agent(ctx: Context, name: str, role: str | None = None) -> Result:
    check_id("agent", name)

    def edit(config: dict, document: dict) -> str:
        agent = config["agents"].setdefault(name, {"role": DEFAULT_ROLE, "team": None})
        agent["role"] = (role or "").strip() or agent.get("role") or DEFAULT_ROLE
        return f"agent {name} ({agent['role']})"

    return commit(ctx, edit)


def cmd_rollback(ctx: Context, version: str) -> Result:
    number = parse_version(version)

    def edit(config: dict, document: dict) -> str:
        config.update(copy.deepcopy(snapshot(document, number)))
        return f"rollback to version {number}"

    return commit(ctx, edit)


def parse_version(text: str) -> int:
    try:
        number = int(text.strip().lstrip("vV"))
    except ValueError:
        raise UsageError(f"expected a version number (0, 1, 2, ...), got {text!r}") from None
    if number < 0:
        raise UsageError(f"versions start at 0, got {number}")
    return number


def cmd_diff(ctx: Context, from_: str, to: str | None = None) -> Result:
    document = ctx.read_project()
    old = parse_version(from_)
    new = version_of(document) if to is None else parse_version(to)
    lines = diff(snapshot(document, old), snapshot(document, new))
    text = "\n".join([f"version {old} -> {new}:", *("  " + line for line in lines)]) if lines \
        else f"no differences between version {old} and version {new}"
    return Result(text, {"from": old, "to": new, "diff": lines})


def cmd_history(ctx: Context) -> Result:
    history = ctx.read_project().get("config_history", [])
    rows = [(f"v{e['version']}", e["at"], e["by"], e["change"]) for e in reversed(history)]
    data = [{k: e[k] for k in ("version", "at", "by", "change")} for e in reversed(history)]
    return Result(table(rows) if rows else "no changes yet (version 0)", data)


def cmd_show(ctx: Context) -> Result:
    document = ctx.read_project()
    config, settings = current(document), effective_settings(document)
    chosen = flatten(config["settings"])
    lines = [f"version {version_of(document)}", "settings:"]
    teams, agents = sorted(config["teams"].items()), sorted(config["agents"].items())
    lines += table([("", k, show(v), "" if k in chosen else "(default)") for k, v in settings.items()]).splitlines()
    lines.append("teams:" if teams else "teams: none")
    lines += table([("", k, ", ".join(t.get("members", [])) or "-") for k, t in teams]).splitlines()
    lines.append("agents:" if agents else "agents: none")
    lines += table([("", k, a.get("role") or "-", a.get("team") or "-") for k, a in agents]).splitlines()
    return Result("\n".join(lines), {"version": version_of(document), "settings": settings,
                                     "teams": config["teams"], "agents": config["agents"]})


def table(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows as left-aligned columns two spaces apart."""
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


# --- views ---------------------------------------------------------------------------------------


@view
def view_version(ctx: Context) -> str:
    document = ctx.read_project()
    history = document.get("config_history", [])
    last = history[-1] if history else None
    return f"{version_of(document)}" + (f" ({last['change']}, by {last['by']} at {last['at']})" if last else "")


@view
def view_teams(ctx: Context) -> str:
    teams = current(ctx.read_project())["teams"]
    return ", ".join(f"{k} ({len(t.get('members', []))})" for k, t in sorted(teams.items())) or "none"


@view
def view_agents(ctx: Context) -> str:
    agents = current(ctx.read_project())["agents"]
    return ", ".join(f"{k} ({a.get('role')}, {a.get('team') or 'no team'})"
                     for k, a in sorted(agents.items())) or "none"


@view
def view_settings(ctx: Context) -> str:
    return ", ".join(f"{k}={show(v)}" for k, v in effective_settings(ctx.read_project()).items())


VIEWS = {
    "config.version": view_version,
    "config.teams": view_teams,
    "config.agents": view_agents,
    "config.settings": view_settings,
}
