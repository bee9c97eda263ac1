"""The sprint program's actions: a kanban board of the project's shared tasks, with WIP limits, velocity and burndown."""

from __future__ import annotations

from datetime import timedelta

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.runtime.context import Context, Result, view
from sudolang.state import clock, shared
from sudolang.state.paths import key_path
from sudolang.state.sessions import event_op

COLUMNS = ("backlog", "todo", "doing", "review", "done")
BLOCKERS_SHOWN = 5  # a view line names this many blocked tasks, then counts the rest
DEFAULT_WIP = {"todo": 10, "doing": 3, "review": 3}  # backlog and done are unlimited

# --- reading the project document ------------------------------------------------------------


def read(ctx: Context) -> dict:
    return ctx.read_project()


def _number(task_id: str) -> int:
    try:
        return int(task_id.split("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def all_tasks(doc: dict, where=None) -> list[dict]:
    """The tasks `where` accepts (all by default) in id order, T-2 before T-10."""
    tasks = doc.get("tasks", {}).values()
    return sorted(tasks if where is None else filter(where, tasks), key=lambda t: _number(t["id"]))


def each_task(doc: dict):
    """The tasks in storage order: for counts and sums, where sorting 10,000 tasks would be wasted."""
    return doc.get("tasks", {}).values()


def active_sprint(doc: dict) -> str | None:
    """The active sprint's id; if several are active, the one activated last."""
    active = [(s.get("activated_at") or "", k) for k, s in doc.get("sprints", {}).items() if s.get("status") == "active"]
    return max(active)[1] if active else None


def column_counts(tasks) -> dict[str, int]:
    """How many of the tasks are in each column, in one pass."""
    from collections import Counter

    counts = Counter(t.get("column") for t in tasks)
    return {column: counts.get(column, 0) for column in COLUMNS}


def sprint_tasks(doc: dict, sprint: str | None, ordered: bool = True) -> list[dict]:
    if ordered:
        return all_tasks(doc, lambda t: t.get("sprint") == sprint)
    return [t for t in each_task(doc) if t.get("sprint") == sprint]


def wip_limits(doc: dict) -> dict[str, int | None]:
    """Each column's limit (None = unlimited); the config manager may override the defaults."""
    configured = doc.get("config", {}).get("settings", {}).get("wip", {}) or {}
    limits: dict[str, int | None] = {}
    for column in COLUMNS:
        try:
            limits[column] = int(configured[column])
        except (KeyError, TypeError, ValueError):
            limits[column] = DEFAULT_WIP.get(column)
    return limits


def review_required(doc: dict) -> bool:
    """The config manager's review.required: only a task in review may move to done."""
    return doc.get("config", {}).get("settings", {}).get("review", {}).get("required") is True


def agents(doc: dict) -> dict[str, dict]:
    return doc.get("config", {}).get("agents", {}) or {}


def open_points(doc: dict, skip: str | None = None) -> dict[str, int]:
    """Points of the tasks not done, per assigned agent (every configured agent appears)."""
    load = {name: 0 for name in agents(doc)}
    for task in each_task(doc):
        if task.get("assignee") and task.get("column") != "done" and task["id"] != skip:
            load[task["assignee"]] = load.get(task["assignee"], 0) + int(task.get("points", 0))
    return load


def find_task(doc: dict, raw: str) -> dict:
    """The task named `T-3`, `t-3` or `3`; NotFound otherwise."""
    task_id = "T-" + raw.strip().upper().removeprefix("T-")
    task = doc.get("tasks", {}).get(task_id)
    if task is None:
        raise NotFound(f"no task {raw!r}; /board lists the tasks")
    return task


def velocity(doc: dict) -> list[dict]:
    """Points done in each completed sprint, oldest first."""
    done = [(s.get("completed_at") or "", k) for k, s in doc.get("sprints", {}).items() if s.get("status") == "completed"]
    return [{"sprint": k, "points": _done_points(doc, k), "completed_at": at} for at, k in sorted(done)]


def _done_points(doc: dict, sprint: str) -> int:
    return sum(int(t.get("points", 0)) for t in sprint_tasks(doc, sprint, ordered=False) if t.get("column") == "done")


def average(rows: list[dict]) -> float:
    return round(sum(r["points"] for r in rows) / len(rows), 1) if rows else 0.0


def burndown(doc: dict, ctx: Context) -> list[dict]:
    """Remaining (not done) points of the active sprint at the end of each day up to today."""
    sprint = active_sprint(doc)
    if sprint is None:
        return []
    day = clock.parse(doc["sprints"][sprint].get("activated_at") or ctx.stamp()).date()
    tasks = sprint_tasks(doc, sprint, ordered=False)
    rows = []
    while day <= ctx.now().date():
        # ISO stamps in UTC sort as text, so a day's end is every stamp whose date is <= the day
        end = day.isoformat()
        rows.append({"date": end, "remaining": sum(_points_open_on(t, end) for t in tasks)})
        day += timedelta(days=1)
    return rows


def _points_open_on(task: dict, date: str) -> int:
    seen = [h["column"] for h in task.get("history", []) if h["at"][:10] <= date]
    return int(task.get("points", 0)) if seen and seen[-1] != "done" else 0


# --- text ------------------------------------------------------------------------------------


def task_line(task: dict) -> str:
    who = task.get("assignee") or "unassigned"
    blocked = f"  BLOCKED: {task['blocked']}" if task.get("blocked") else ""
    return f"{task['id']:<6} {task['points']:>3} pts  {who:<12} {task['title']}{blocked}"


def board_text(doc: dict) -> str:
    sprint = active_sprint(doc)
    if sprint is None:
        return "No active sprint: /add a task to start one."
    tasks, limits = sprint_tasks(doc, sprint), wip_limits(doc)
    lines = [f"Sprint {sprint}"]
    for column in COLUMNS:
        in_column = [t for t in tasks if t.get("column") == column]
        limit = f"/{limits[column]}" if limits[column] is not None else ""
        lines.append(f"{column.upper()} ({len(in_column)}{limit})")
        lines += [f"  {task_line(t)}" for t in in_column]
    return "\n".join(lines)


def _board_data(doc: dict) -> dict:
    sprint = active_sprint(doc)
    tasks = sprint_tasks(doc, sprint)
    return {"sprint": sprint, "wip": wip_limits(doc),
            "columns": {c: [t for t in tasks if t.get("column") == c] for c in COLUMNS}}


def velocity_text(rows: list[dict]) -> str:
    if not rows:
        return "No completed sprint yet."
    lines = [f"{'sprint':<14} {'points':>6}  completed"]
    lines += [f"{r['sprint']:<14} {r['points']:>6}  {r['completed_at'][:10]}" for r in rows]
    lines.append(f"average: {average(rows)} pts per sprint over {len(rows)} sprint(s)")
    return "\n".join(lines)


# --- writing ---------------------------------------------------------------------------------


def _update_task(ctx: Context, raw: str, change) -> dict:
    """Apply `change(doc, task) -> patch` to one task under the project lock; returns the updated task."""
    holder: dict = {}

    def plan(doc: dict) -> list[dict]:
        task = find_task(doc, raw)
        holder["id"] = task["id"]
        patch = change(doc, task)
        return [{"op": "merge", "path": key_path("tasks", task["id"]), "value": patch}] if patch else []

    return ctx.project_document().update(plan)["tasks"][holder["id"]]


def _fire(ctx: Context, event: str, **payload: object) -> list[str]:
    """Run the state triggers (triggers.toml) for an event of this program; what fired, one line each."""
    from sudolang.runtime import triggers

    return [f"  trigger {line}" for line in triggers.fire(ctx.state, ctx.project, ctx.session_id, event, payload)]


def _join_sprint(ctx: Context, sprint: str) -> None:
    """Record the sprint as this session's work (the layout shows $.active_work.sprint)."""
    if ctx.session().read().get("active_work", {}).get("sprint") != sprint:
        shared.activate_sprint(ctx.state, ctx.project, sprint, ctx.session_id)


def _parse_points(points: str | None) -> int:
    if points is None:
        return 1
    try:
        value = int(points)
    except ValueError:
        value = -1
    if value < 0:
        raise UsageError(f"points must be a whole number of 0 or more, got {points!r}")
    return value


def _parse_column(column: str) -> str:
    if column.lower() not in COLUMNS:
        raise UsageError(f"unknown column {column!r}; expected one of {', '.join(COLUMNS)}")
    return column.lower()


# --- commands --------------------------------------------------------------------------------


def cmd_board(ctx: Context) -> Result:
    doc = read(ctx)
    return Result(board_text(doc), _board_data(doc))


def cmd_add(ctx: Context, title: str, points: str | None = None) -> Result:
    value, title = _parse_points(points), title.strip()
    if not title:
        raise UsageError("the task needs a title")
    doc = read(ctx)
    if active_sprint(doc) is None:  # the first task starts the first free sprint-NNN
        taken = doc.get("sprints", {})
        sprint = next(f"sprint-{n:03d}" for n in range(1, len(taken) + 2) if f"sprint-{n:03d}" not in taken)
        shared.activate_sprint(ctx.state, ctx.project, sprint, ctx.session_id)
    at = ctx.stamp()
    added: dict = {}

    def plan(doc: dict) -> list[dict]:
        # The id comes from the document under the lock, so two sessions adding at once get distinct ids
        task_id = f"T-{int(doc.get('counters', {}).get('task', 0)) + 1}"
        added.update(id=task_id, title=title, points=value, column="backlog", assignee=None, blocked=None,
                     sprint=active_sprint(doc), created_at=at, history=[{"at": at, "column": "backlog"}])
        return [{"op": "incr", "path": key_path("counters", "task"), "value": 1},
                {"op": "set", "path": key_path("tasks", task_id), "value": added}]

    ctx.project_document().update(plan)
    _join_sprint(ctx, added["sprint"])
    return Result(f"Added {added['id']} {title!r} ({value} pts) to the backlog of {added['sprint']}.", added)


def cmd_assign(ctx: Context, task: str, agent: str | None = None) -> Result:
    chosen_load: list[int] = []
    agent = agent.lstrip("@") if agent else None

    def change(doc: dict, found: dict) -> dict:
        pool = agents(doc)
        if agent is not None and agent not in pool:
            raise NotFound(f"no agent {agent!r}; add it with the config manager (/agent {agent})")
        if not pool:
            raise SudolangError("no agents to assign to; add agents with the config manager (/agent <name>)")
        # Load without this task, so re-assigning does not count its own points against its owner
        load = open_points(doc, skip=found["id"])
        chosen = agent or min(pool, key=lambda name: (load.get(name, 0), name))
        chosen_load.append(load.get(chosen, 0))
        return {"assignee": chosen}

    updated = _update_task(ctx, task, change)
    how = "" if agent else f" (least loaded: {chosen_load[0]} open pts)"
    return Result(f"Assigned {updated['id']} to {updated['assignee']}{how}.", updated)


def cmd_move(ctx: Context, task: str, column: str) -> Result:
    target, before = _parse_column(column), []

    def change(doc: dict, found: dict) -> dict:
        before.append(found.get("column"))
        if found.get("column") == target:
            return {}
        if found.get("blocked"):
            raise SudolangError(f"{found['id']} is blocked ({found['blocked']}); /unblock it before moving it")
        if target == "done" and found.get("column") != "review" and review_required(doc):
            raise SudolangError(f"{found['id']} must pass review first (the setting review.required is on): "
                                f"/move {found['id']} review")
        limit = wip_limits(doc)[target]
        holding = [t["id"] for t in sprint_tasks(doc, found.get("sprint")) if t.get("column") == target]
        if limit is not None and len(holding) >= limit:
            raise SudolangError(f"{target} is at its WIP limit of {limit} ({', '.join(holding)}); "
                                f"move one of them on before adding {found['id']}")
        return {"column": target, "history": found.get("history", []) + [{"at": ctx.stamp(), "column": target}]}

    updated = _update_task(ctx, task, change)
    if before[0] == target:
        return Result(f"{updated['id']} is already in {target}.", updated)
    event = "task_completed" if target == "done" else "task_moved"
    fired = _fire(ctx, event, task=updated["id"], sprint=updated.get("sprint"), column=target, **{"from": before[0]})
    return Result("\n".join([f"Moved {updated['id']} from {before[0]} to {target}.", *fired]), updated)


def cmd_block(ctx: Context, task: str, reason: str) -> Result:
    if not reason.strip():
        raise UsageError("say why the task is blocked")
    at = ctx.stamp()
    updated = _update_task(ctx, task, lambda doc, t: {"blocked": reason.strip(), "blocked_at": at})
    ctx.session().update(lambda doc: [event_op("task_blocked", at, task=updated["id"], reason=reason.strip())])
    fired = _fire(ctx, "task_blocked", task=updated["id"], reason=reason.strip())
    return Result("\n".join([f"Blocked {updated['id']}: {reason.strip()}", *fired]), updated)


def cmd_unblock(ctx: Context, task: str) -> Result:
    was: list[str | None] = []

    def change(doc: dict, found: dict) -> dict:
        was.append(found.get("blocked"))
        return {"blocked": None, "blocked_at": None} if found.get("blocked") else {}

    updated = _update_task(ctx, task, change)
    if not was[0]:
        return Result(f"{updated['id']} is not blocked.", updated)
    ctx.session().update(lambda doc: [event_op("task_unblocked", ctx.stamp(), task=updated["id"])])
    fired = _fire(ctx, "task_unblocked", task=updated["id"])
    return Result("\n".join([f"Unblocked {updated['id']} (was: {was[0]}).", *fired]), updated)


def cmd_velocity(ctx: Context) -> Result:
    rows = velocity(read(ctx))
    return Result(velocity_text(rows), {"sprints": rows, "average": average(rows)})


def cmd_burndown(ctx: Context) -> Result:
    doc = read(ctx)
    rows = burndown(doc, ctx)
    if not rows:
        return Result("No active sprint: nothing to burn down.", {"sprint": None, "days": []})
    lines = [f"Burndown of {active_sprint(doc)}", f"{'day':<10}  remaining"]
    lines += [f"{r['date']:<10}  {r['remaining']:>5} pts" for r in rows]
    return Result("\n".join(lines), {"sprint": active_sprint(doc), "days": rows})


# --- views for the layout --------------------------------------------------------------------


@view
def view_board(ctx: Context) -> str:
    doc = read(ctx)
    counts, limits = column_counts(sprint_tasks(doc, active_sprint(doc), ordered=False)), wip_limits(doc)
    return " | ".join(f"{column} {counts[column]}" + (f"/{limits[column]}" if limits[column] is not None else "")
                      for column in COLUMNS)


@view
def view_blockers(ctx: Context) -> str:
    blocked = all_tasks(read(ctx), lambda t: t.get("blocked") and t.get("column") != "done")
    shown = ", ".join(f"{t['id']} ({t['blocked']})" for t in blocked[:BLOCKERS_SHOWN])
    more = f", and {len(blocked) - BLOCKERS_SHOWN} more" if len(blocked) > BLOCKERS_SHOWN else ""
    return shown + more or "none"


@view
def view_velocity(ctx: Context) -> str:
    rows = velocity(read(ctx))
    if not rows:
        return "none yet (no sprint completed)"
    return f"{average(rows)} pts/sprint (last {rows[-1]['points']}, {len(rows)} sprint(s))"


@view
def view_burndown(ctx: Context) -> str:
    doc = read(ctx)
    rows = burndown(doc, ctx)
    if not rows:
        return "no active sprint"
    total = sum(int(t.get("points", 0)) for t in sprint_tasks(doc, active_sprint(doc), ordered=False))
    return f"{rows[-1]['remaining']}/{total} pts left"


VIEWS = {
    "sprint.board": view_board,
    "sprint.blockers": view_blockers,
    "sprint.velocity": view_velocity,
    "sprint.burndown": view_burndown,
}
