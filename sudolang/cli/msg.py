"""`sudolang msg`: messages between sessions, sent, polled and listed (sudolang.state.messages does the
work; its arguments are described in sudolang.cli.spec). It imports nothing at the top: a poll is what
sessions run most."""

from __future__ import annotations

import sys

PREVIEW_WIDTH = 72


def body(message: dict) -> str:
    """The text, or the payload as compact JSON."""
    if "text" in message:
        return message["text"]
    import json

    return json.dumps(message["payload"], ensure_ascii=False)


def preview(message: dict, width: int = PREVIEW_WIDTH) -> str:
    """The body on one line, cut to `width` characters."""
    text = " ".join(body(message).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def line(message: dict, text: str | None = None) -> str:
    """`[seq] at from: text` (`[seq, redelivered] ...` when a dead poller had taken it first)."""
    again = ", redelivered" if message.get("redelivered") else ""
    return f"[{message['seq']}{again}] {message['at']} {message['from']}: {body(message) if text is None else text}"


def show(messages: list[dict], as_json: bool) -> None:
    if as_json:
        from sudolang.cli.state import emit

        emit(messages)
    else:
        for message in messages:
            print(line(message))


# --- handlers ------------------------------------------------------------------------------------


def send(args) -> int:
    from sudolang import json_input
    from sudolang.state import messages
    from sudolang.cli.state import parse_json, state_dir, timeout

    # Checked here, before the inbox's lock and its next sequence number: a refused message uses up nothing.
    content = {} if args.payload is None else {"payload": parse_json(args.payload, "--json PAYLOAD")}
    if args.text is not None:
        json_input.check_value(args.text, "TEXT")
    sent = messages.send(state_dir(args), args.sender, args.recipient, args.text, timeout=timeout(args), **content)
    print(f"sent {sent['seq']} to {args.recipient}")
    return 0


def poll(args) -> int:
    from sudolang.state import messages
    from sudolang.cli.state import state_dir, timeout

    if args.peek:
        show(messages.pending(state_dir(args), args.sid), args.json)
        return 0
    with messages.receive(state_dir(args), args.sid, timeout(args)) as received:
        show(received, args.json)
        sys.stdout.flush()  # written out before the claim is confirmed; a failed write puts it back
    return 0


def list_(args) -> int:
    from sudolang.state import messages
    from sudolang.cli.state import emit, state_dir

    waiting = messages.pending(state_dir(args), args.sid)
    if args.json:
        emit({"unread": len(waiting), "messages": [_summary(m) for m in waiting]})
        return 0
    from sudolang.wording import count

    print(f"{count(len(waiting), 'unread message')} for {args.sid}")
    for message in waiting:
        print("  " + line(message, preview(message)))
    return 0


def _summary(message: dict) -> dict:
    """A message without its bulk: the one-line preview instead of the text or payload."""
    keep = {k: v for k, v in message.items() if k not in ("text", "payload")}
    return {**keep, "preview": preview(message)}
