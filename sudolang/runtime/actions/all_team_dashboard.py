"""The dashboard program's actions: the project's teams, tasks, sprint, metrics and agents at a glance, from live state."""

from __future__ import annotations

from sudolang.errors import NotFound, SudolangError
from sudolang.runtime.actions import sprint_execution as sprint
from sudolang.runtime.context import Context, Result, view
from sudolang.state import clock

# --- reading ---------------------------------------------------------------------------------


def teams(doc: dict) -> dict[str, list[str]]:
    """Each team's members: its member list, plus the agents whose own record names the team."""
    members = {name: set(team.get("members") or []) for name, team in (doc.get("config", {}).get("teams") or {}).items()}
    for name, agent in sprint.agents(doc).items():
        if agent.get("team"):
            members.setdefault(agent["team"], set()).add(name)
    return {team: sorted(names) for team, names in sorted(members.items())}


def open_tasks(doc: dict, agent: str) -> list[dict]:
    return [t for t in sprint.all_tasks(doc) if t.get("assignee") == agent and t.get("column") != "done"]


def agent_sessions(ctx: Context, agent: str) -> list[dict]:
    """The project's sessions whose execution.agents lists the agent, with its status there."""
    found = []
    for session_id in ctx.state.session_ids():
        try:
            document = ctx.state.session(session_id).read()
        except SudolangError:  # a corrupt or vanished session says nothing about the agent
            continue
        entry = document.get("execution", {}).get("agents", {}).get(agent)
        if document.get("session", {}).get("project") == ctx.project and isinstance(entry, dict):
            lifecycle = document["session"].get("lifecycle", {})
            found.append({"session": session_id, "status": entry.get("status", "unknown"),
                          "last_heartbeat": entry.get("last_heartbeat") or lifecycle.get("last_activity")})
    return found


def blocked_hours(doc: dict, ctx: Context) -> list[dict]:
    """Open blocked tasks with how long they have been blocked, longest first."""
    rows = []
    for task in sprint.all_tasks(doc):
        if task.get("blocked") and task.get("column") != "done":
            since = task.get("blocked_at")
            hours = round((ctx.now() - clock.parse(since)).total_seconds() / 3600, 1) if since else None
            rows.append({"id": task["id"], "reason": task["blocked"], "hours": hours})
    return sorted(rows, key=lambda r: -(r["hours"] or 0))


# --- commands --------------------------------------------------------------------------------


def cmd_team(ctx: Context, name: str) -> Result:
    doc = sprint.read(ctx)
    known = teams(doc)
    if name not in known:
        hint = f"the teams are {', '.join(known)}" if known else "create one with the config manager (/team <name> <members>)"
        raise NotFound(f"no team {name!r}; {hint}")
    agents = sprint.agents(doc)
    rows: list[dict] = []
    for member in known[name]:
        tasks = open_tasks(doc, member)
        rows.append({"name": member, "role": agents.get(member, {}).get("role") or "-",
                     "open_points": sum(int(t.get("points", 0)) for t in tasks), "tasks": [t["id"] for t in tasks]})
    lines = [f"Team {name}: {len(rows)} member(s), {sum(r['open_points'] for r in rows)} open pts",
             f"{'member':<14} {'role':<14} {'open pts':>8}  tasks"]
    lines += [f"{r['name']:<14} {r['role']:<14} {r['open_points']:>8}  {', '.join(r['tasks']) or '-'}" for r in rows]
    return Result("\n".join(lines), {"team": name, "members": rows})


def cmd_sprint(ctx: Context) -> Result:
    return sprint.cmd_board(ctx)


def cmd_metrics(ctx: Context) -> Result:
    doc = sprint.read(ctx)
    rows = sprint.velocity(doc)
    done = [t for t in sprint.each_task(doc) if t.get("column") == "done"]
    in_active = sum(t.get("sprint") == sprint.active_sprint(doc) for t in done)
    blocked = blocked_hours(doc, ctx)
    longest = f", longest {blocked[0]['id']} for {blocked[0]['hours']}h" if blocked and blocked[0]["hours"] is not None else ""
    text = "\n".join([
        sprint.velocity_text(rows),
        f"throughput: {len(done)} task(s) done ({in_active} in the active sprint)",
        f"blocked: {len(blocked)} task(s){longest}",
    ])
    data = {"velocity": rows, "average": sprint.average(rows),
            "throughput": {"done": len(done), "active_sprint": in_active}, "blocked": blocked}
    return Result(text, data)


def cmd_agent(ctx: Context, agent: str) -> Result:
    doc = sprint.read(ctx)
    name = agent.lstrip("@")
    config = sprint.agents(doc).get(name)
    tasks = [t for t in sprint.all_tasks(doc) if t.get("assignee") == name]
    running = agent_sessions(ctx, name)  # e.g. a subagent Claude Code started (the hook records it)
    if config is None and not tasks and not running:
        known = ", ".join(sorted(sprint.agents(doc))) or "none yet (add one with the config manager: /agent <name>)"
        raise NotFound(f"no agent {name!r}; the agents are {known}")
    config = config or {}
    open_points = sum(int(t.get("points", 0)) for t in tasks if t.get("column") != "done")
    lines = [f"Agent {name}: role {config.get('role') or '-'}, team {config.get('team') or '-'}",
             f"{len(tasks)} task(s), {open_points} open pts"]
    for t in tasks:
        blocked = f"  BLOCKED: {t['blocked']}" if t.get("blocked") else ""
        lines.append(f"  {t['id']:<6} {t['points']:>3} pts  {t['column']:<8} {t['title']}{blocked}")
    lines += [f"session {s['session']}: {s['status']}, last heartbeat {s['last_heartbeat']}" for s in running]
    lines += [] if running else ["not running in any session"]
    return Result("\n".join(lines), {"agent": name, **config, "tasks": tasks, "open_points": open_points,
                                     "sessions": running})


def cmd_refresh(ctx: Context) -> Result:
    """The overview: the runtime draws it in the layout's main area, under the header views."""
    ctx = ctx.reading()  # the views below share one read of the project document
    header = {"teams": view_teams(ctx), "tasks": view_tasks(ctx),
              "sprint": view_progress(ctx), "velocity": sprint.view_velocity(ctx)}
    main = view_main(ctx)
    return Result(main, {**header, "main": main, "activity": view_activity(ctx)})


# --- views for the layout --------------------------------------------------------------------


@view
def view_teams(ctx: Context) -> str:
    doc = sprint.read(ctx)
    load = sprint.open_points(doc)
    parts = [f"{team} {len(names)} ({sum(load.get(n, 0) for n in names)} open pts)" for team, names in teams(doc).items()]
    return ", ".join(parts) or "no teams yet"


@view
def view_tasks(ctx: Context) -> str:
    tasks = sprint.each_task(sprint.read(ctx))
    if not tasks:
        return "no tasks yet"
    counts = sprint.column_counts(tasks)
    blocked = sum(1 for t in tasks if t.get("blocked") and t.get("column") != "done")
    return f"{len(tasks)} tasks: " + ", ".join(f"{counts[c]} {c}" for c in sprint.COLUMNS if counts[c]) + f"; {blocked} blocked"


@view
def view_progress(ctx: Context) -> str:
    doc = sprint.read(ctx)
    active = sprint.active_sprint(doc)
    if active is None:
        return "no active sprint"
    tasks = sprint.sprint_tasks(doc, active, ordered=False)
    total = sum(int(t.get("points", 0)) for t in tasks)
    done = sum(int(t.get("points", 0)) for t in tasks if t.get("column") == "done")
    return f"{active} {done}/{total} pts ({round(100 * done / total) if total else 0}%)"


@view
def view_main(ctx: Context) -> str:
    """The overview the main area returns to: the board by column and what is blocked."""
    return f"{sprint.view_board(ctx)}\nBlocked: {sprint.view_blockers(ctx)}"


# Session events whose project-wide twin (raised by a trigger in triggers.toml) is the one shown.
SHOWN_AS_PROJECT_EVENTS = frozenset({"task_blocked", "task_unblocked"})


@view
def view_activity(ctx: Context, count: int = 3) -> str:
    """The latest events of the project (blockers raised, sprints completed…) and of this session."""
    project_events = sprint.read(ctx).get("events") or []
    session_events = [e for e in ctx.session().read().get("observability", {}).get("events") or []
                      if e.get("type") not in SHOWN_AS_PROJECT_EVENTS]
    # Newest last; within the same second a project event counts as the newer (it is what everyone sees).
    ranked = [(str(e.get("at", "")), 0, e) for e in session_events] + [(str(e.get("at", "")), 1, e) for e in project_events]
    latest = [e for _, _, e in sorted(ranked, key=lambda r: r[:2])[-count:]]
    return ", ".join(_event_text(e) for e in reversed(latest)) or "none yet"


def _event_text(event: dict) -> str:
    details = " ".join(str(v) for k, v in event.items() if k in ("task", "sprint", "agent", "reason", "from", "to"))
    return " ".join(part for part in (str(event.get("at", ""))[11:16], str(event.get("type", "?")), details) if part)


VIEWS = {
    "teams.status": view_teams,
    "tasks.summary": view_tasks,
    "sprint.progress": view_progress,
    "sprint.velocity": sprint.view_velocity,
    "dashboard.main": view_main,
    "activity.recent": view_activity,
}
