"""`sudolang msg`: messages between sessions, sent, polled and listed from the command line.

Every `sudolang` command imports this module to build its parser, so it imports nothing at the
top; the handlers load sudolang.state.messages when they run.
"""

from __future__ import annotations

import sys

MSG_EXAMPLES = """\
examples:
  sudolang msg send $ME $LEAD "T-3 is ready for review"        # prints: sent 1 to <LEAD>
  sudolang msg send $ME $LEAD --json '{"task": "T-3", "status": "review"}'
  sudolang msg poll $LEAD                 # prints and consumes them: [seq] at from: text
  sudolang msg poll $LEAD --json          # a JSON array of messages; [] when none waits
  sudolang msg poll $LEAD --peek          # the same, left unread
  sudolang msg list $LEAD                 # how many wait, one line each
delivery: each message is one file, written whole; a recipient's messages are numbered in
sending order and a poll returns them in that order. Racing pollers never get the same
message: a poll claims what it prints, and confirms once it has printed. If a poller dies
before confirming, the next poll delivers its messages again, marked redelivered (same seq).
errors: no such sender or recipient exits 3; a recipient that is completed, expired or
archived exits 1; TEXT and --json together, or invalid JSON, exits 2. Nothing is sent on error."""

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
        from sudolang.state.cli import emit

        emit(messages)
    else:
        for message in messages:
            print(line(message))


# --- handlers ------------------------------------------------------------------------------------


def cmd_send(args) -> int:
    from sudolang import json_input
    from sudolang.state import messages
    from sudolang.state.cli import parse_json, state_dir, timeout

    # Checked here, before the inbox's lock and its next sequence number: a refused message uses up nothing.
    content = {} if args.payload is None else {"payload": parse_json(args.payload, "--json PAYLOAD")}
    if args.text is not None:
        json_input.check_value(args.text, "TEXT")
    sent = messages.send(state_dir(args), args.sender, args.recipient, args.text, timeout=timeout(args), **content)
    print(f"sent {sent['seq']} to {args.recipient}")
    return 0


def cmd_poll(args) -> int:
    from sudolang.state import messages
    from sudolang.state.cli import state_dir, timeout

    if args.peek:
        show(messages.pending(state_dir(args), args.sid), args.json)
        return 0
    with messages.receive(state_dir(args), args.sid, timeout(args)) as received:
        show(received, args.json)
        sys.stdout.flush()  # written out before the claim is confirmed; a failed write puts it back
    return 0


def cmd_list(args) -> int:
    from sudolang.state import messages
    from sudolang.state.cli import emit, state_dir

    waiting = messages.pending(state_dir(args), args.sid)
    if args.json:
        emit({"unread": len(waiting), "messages": [_summary(m) for m in waiting]})
        return 0
    print(f"{len(waiting)} unread message(s) for {args.sid}")
    for message in waiting:
        print("  " + line(message, preview(message)))
    return 0


def _summary(message: dict) -> dict:
    """A message without its bulk: the one-line preview instead of the text or payload."""
    keep = {k: v for k, v in message.items() if k not in ("text", "payload")}
    return {**keep, "preview": preview(message)}


# --- the command table ---------------------------------------------------------------------------
# The same shape as sudolang.state.cli: group -> (help, epilog, {action: (handler, help, arguments)}).

SID = (("sid",), {"metavar": "SID", "help": "the recipient session's id"})
AS_JSON = (("--json",), {"action": "store_true", "help": "print JSON instead of text"})

MSG = {
    "send": (cmd_send, "Send TEXT, or a JSON payload, from session FROM to session TO; prints its sequence number.", (
        (("sender",), {"metavar": "FROM", "help": "the sending session's id"}),
        (("recipient",), {"metavar": "TO", "help": "the receiving session's id (must be live)"}),
        (("text",), {"metavar": "TEXT", "nargs": "?", "help": "the message (or give --json instead)"}),
        (("--json",), {"metavar": "PAYLOAD", "dest": "payload", "help": "send this JSON value instead of TEXT"}))),
    "poll": (cmd_poll, "Print SID's unread messages in sending order and consume them; each message "
             "goes to exactly one poller. Prints nothing when none waits.", (
                 SID, (("--peek",), {"action": "store_true", "help": "show them without consuming"}), AS_JSON)),
    "list": (cmd_list, "Show how many messages wait for SID, one line each, without consuming them.",
             (SID, AS_JSON)),
}

GROUPS = {"msg": ("Send and receive messages between sessions.", MSG_EXAMPLES, MSG)}


# --- the direct path -----------------------------------------------------------------------------
# A poll is what sessions run most, and argparse costs 35-55 ms of it: building the parser imports
# every command group. With this module in sudolang.cli's _DIRECT table, a plain command line skips
# argparse; anything else (--help, --opt=value, a value starting with '-', every mistake) returns
# None and goes through argparse, so it reads exactly the same.

_POSITIONALS = {"send": ("sender", "recipient", "text"), "poll": ("sid",), "list": ("sid",)}
_FLAGS = {"send": (), "poll": ("peek", "json"), "list": ("json",)}
_DEFAULTS = {"send": {"text": None, "payload": None}, "poll": {"peek": False, "json": False}, "list": {"json": False}}


def fast_namespace(argv: list[str]) -> object | None:
    """The namespace argparse would build for a plain `msg send|poll|list` command line, else None."""
    words: list[str] = []
    options: dict[str, object] = {}
    stream = iter(argv)
    for word in stream:
        if word in ("--state-dir", "--timeout") or (word == "--json" and words[1:2] == ["send"]):
            value = next(stream, "-")
            if value.startswith("-"):
                return None
            options["payload" if word == "--json" else word[2:].replace("-", "_")] = value
        elif word in ("--debug", "--peek", "--json"):
            options[word[2:]] = True
        elif word.startswith("-"):
            return None
        else:
            words.append(word)
    return _namespace(words, options)


def _namespace(words: list[str], options: dict[str, object]) -> object | None:
    import types

    if words[:1] != ["msg"] or len(words) < 2 or words[1] not in _POSITIONALS:
        return None
    action, values = words[1], words[2:]
    names = _POSITIONALS[action]
    wanted = len(names) - (action == "send" and "payload" in options)  # TEXT is optional with --json
    if len(values) != wanted or not set(options) <= {"state_dir", "timeout", "debug", "payload", *_FLAGS[action]}:
        return None
    if "timeout" in options:
        from sudolang.cli import timeout_seconds

        try:
            options["timeout"] = timeout_seconds(options["timeout"])
        except ValueError:
            return None  # argparse says what is wrong
    handler = MSG[action][0]
    return types.SimpleNamespace(handler=handler, action=action, **{**_DEFAULTS[action], **dict(zip(names, values)),
                                                                     **options})
