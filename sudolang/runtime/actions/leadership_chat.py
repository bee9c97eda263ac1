"""Leadership chat actions: threads, decisions voted to a quorum, agent allocation and the strategic plan."""

from __future__ import annotations

from sudolang.errors import NotFound, SudolangError, UsageError
from sudolang.runtime.actions import config_manager
from sudolang.runtime.context import Context, Result, view
from sudolang.state.paths import key_path
from sudolang.state.sessions import event_op

CHOICES = {"yes": "yes", "y": "yes", "no": "no", "n": "no"}
QUORUM_RANGE = (1, 50)


def _next_id(document: dict, counter: str, prefix: str) -> tuple[str, dict]:
    """The next id from the document being updated (so concurrent sessions get distinct ids) and the op claiming it."""
    number = int(document.get("counters", {}).get(counter, 0)) + 1
    return f"{prefix}-{number}", {"op": "incr", "path": key_path("counters", counter), "value": 1}


def _ref(text: str, prefix: str) -> str:
    """`TH-2`, `th-2` or `2` -> `TH-2`."""
    word = text.strip().upper()
    return f"{prefix}-{word}" if word.isdigit() else word


def _number(item_id: str) -> int:
    tail = item_id.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def _section(document: dict, name: str) -> dict:
    return document.get("leadership", {}).get(name) or {}


def _sorted(items: dict) -> list[dict]:
    return sorted(items.values(), key=lambda item: _number(item["id"]))


def _text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise UsageError(f"expected a {what}, got nothing")
    return value.strip()


# --- threads -------------------------------------------------------------------------------------


def cmd_thread(ctx: Context, topic: str) -> Result:
    topic, at = _text(topic, "topic"), ctx.stamp()
    made: dict = {}

    def plan(document: dict) -> list[dict]:
        thread_id, claim = _next_id(document, "thread", "TH")
        made.update(id=thread_id, topic=topic, opened_by=ctx.who, at=at, messages=[])
        return [claim, {"op": "set", "path": key_path("leadership", "threads", thread_id), "value": dict(made)}]

    ctx.project_document().update(plan)
    return Result(f"opened {made['id']}: {topic}\npost with /say {made['id']} <message>", made)


def cmd_say(ctx: Context, thread: str, message: str) -> Result:
    thread_id, message, at = _ref(thread, "TH"), _text(message, "message"), ctx.stamp()
    seen: dict = {}

    def plan(document: dict) -> list[dict]:
        found = _section(document, "threads").get(thread_id)
        if found is None:
            raise NotFound(f"no thread {thread_id}; open one with /thread <topic>")
        seen.update(topic=found["topic"], count=len(found.get("messages", [])) + 1)
        entry = {"at": at, "by": ctx.who, "text": message}
        return [{"op": "append", "path": key_path("leadership", "threads", thread_id, "messages"), "value": entry}]

    ctx.project_document().update(plan)
    text = f"{thread_id} ({seen['topic']}) {ctx.who}: {message}\n{seen['count']} message(s) in the thread"
    return Result(text, {"thread": thread_id, "by": ctx.who, "text": message, "messages": seen["count"]})


# --- decisions -----------------------------------------------------------------------------------


def _quorum(text: str | None) -> int | None:
    if text is None:
        return None
    low, high = QUORUM_RANGE
    try:
        quorum = int(text.strip())
    except ValueError:
        raise UsageError(f"quorum must be a whole number from {low} to {high}, got {text!r}") from None
    if not low <= quorum <= high:
        raise UsageError(f"quorum must be from {low} to {high}, got {quorum}")
    return quorum


def cmd_propose(ctx: Context, title: str, quorum: str | None = None) -> Result:
    title, chosen, at = _text(title, "title"), _quorum(quorum), ctx.stamp()
    made: dict = {}

    def plan(document: dict) -> list[dict]:
        decision_id, claim = _next_id(document, "decision", "D")
        # Without a quorum, the configured leadership.quorum applies (default 3).
        size = chosen or config_manager.effective_settings(document)["leadership.quorum"]
        made.update(id=decision_id, title=title, quorum=size, proposed_by=ctx.who, at=at,
                    votes={}, status="open", closed_at=None)
        return [claim, {"op": "set", "path": key_path("leadership", "decisions", decision_id), "value": dict(made)}]

    ctx.project_document().update(plan)
    text = f"proposed {made['id']}: {title} (closes after {made['quorum']} vote(s))\nvote with /vote {made['id']} yes|no"
    return Result(text, made)


def _tally(decision: dict) -> tuple[int, int]:
    choices = list(decision.get("votes", {}).values())
    return choices.count("yes"), choices.count("no")


def cmd_vote(ctx: Context, decision: str, choice: str) -> Result:
    decision_id, at = _ref(decision, "D"), ctx.stamp()
    outcome: dict = {}
    vote = CHOICES.get(choice.strip().lower())
    if vote is None:
        raise UsageError(f"choice must be yes or no, got {choice!r}")

    def plan(document: dict) -> list[dict]:
        found = _section(document, "decisions").get(decision_id)
        if found is None:
            raise NotFound(f"no decision {decision_id}; see /decisions")
        if found["status"] != "open":
            raise SudolangError(f"{decision_id} is closed ({found['status']} at {found['closed_at']}); "
                                "votes are no longer taken")
        updated = {**found, "votes": {**found.get("votes", {}), ctx.who: vote}}
        yes, no = _tally(updated)
        if yes + no >= updated["quorum"]:
            updated.update(status="accepted" if yes > no else "rejected", closed_at=at)  # a tie is rejected
        outcome.update(previous=found.get("votes", {}).get(ctx.who), decision=updated)
        return [{"op": "set", "path": key_path("leadership", "decisions", decision_id), "value": updated}]

    ctx.project_document().update(plan)
    result = outcome["decision"]
    yes, no = _tally(result)
    previous = outcome["previous"]
    lines = [f"{ctx.who} changed the vote on {decision_id} from {previous} to {vote}" if previous
             else f"{ctx.who} voted {vote} on {decision_id}",
             f"{decision_id} {result['status']}: {yes} yes, {no} no (quorum {result['quorum']})"]
    if result["status"] != "open":
        ctx.session().update(lambda doc: [event_op("decision_closed", at, decision=decision_id,
                                                   outcome=result["status"], yes=yes, no=no)])
    return Result("\n".join(lines), {**result, "replaced": previous})


def cmd_decisions(ctx: Context) -> Result:
    decisions = _sorted(_section(ctx.read_project(), "decisions"))
    if not decisions:
        return Result("no decisions yet; propose one with /propose <title> [quorum]", [])
    rows = []
    for d in decisions:
        yes, no = _tally(d)
        rows.append((d["id"], d["status"], f"{yes} yes", f"{no} no", f"{yes + no}/{d['quorum']}", d["title"]))
    lines = config_manager.table(rows).splitlines()
    # Voters under each decision, so every outcome can be traced to who voted what.
    for index, d in reversed(list(enumerate(decisions))):
        voters = ", ".join(f"{who} {choice}" for who, choice in sorted(d.get("votes", {}).items()))
        if voters:
            lines.insert(index + 1, f"    {voters}")
    return Result("\n".join(lines), decisions)


# --- allocation and plan -------------------------------------------------------------------------


def cmd_allocate(ctx: Context, agent: str, team: str) -> Result:
    # A config change like any other: versioned by the config manager.
    return config_manager.allocate(ctx, agent.strip(), team.strip())


def cmd_plan(ctx: Context, item: str) -> Result:
    item, at = _text(item, "plan item"), ctx.stamp()
    made: dict = {}

    def plan(document: dict) -> list[dict]:
        plan_id, claim = _next_id(document, "plan", "P")
        count = len(document.get("leadership", {}).get("plan", [])) + 1
        made.update(id=plan_id, item=item, by=ctx.who, at=at, count=count)
        entry = {k: made[k] for k in ("id", "item", "by", "at")}
        return [claim, {"op": "append", "path": key_path("leadership", "plan"), "value": entry}]

    ctx.project_document().update(plan)
    return Result(f"added {made['id']}: {item}\n{made['count']} item(s) in the plan", made)


# --- views ---------------------------------------------------------------------------------------


@view
def view_threads(ctx: Context) -> str:
    threads = _sorted(_section(ctx.read_project(), "threads"))
    return "; ".join(f"{t['id']} {t['topic']} ({len(t.get('messages', []))})" for t in threads) or "none"


@view
def view_open_decisions(ctx: Context) -> str:
    decisions = _sorted(_section(ctx.read_project(), "decisions"))
    return "; ".join(f"{d['id']} {d['title']} {sum(_tally(d))}/{d['quorum']}"
                     for d in decisions if d["status"] == "open") or "none"


@view
def view_allocation(ctx: Context) -> str:
    teams = config_manager.current(ctx.read_project())["teams"]
    return "; ".join(f"{name}: {', '.join(t.get('members', [])) or '-'}"
                     for name, t in sorted(teams.items())) or "none"


@view
def view_plan(ctx: Context) -> str:
    items = ctx.read_project().get("leadership", {}).get("plan", [])
    return "; ".join(f"{p['id']} {p['item']}" for p in items) or "none"


VIEWS = {
    "leadership.threads": view_threads,
    "leadership.open_decisions": view_open_decisions,
    "leadership.allocation": view_allocation,
    "leadership.plan": view_plan,
}
