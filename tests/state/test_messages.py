"""`sudolang msg`: messages arrive whole, in sending order, once each, under racing pollers and SIGKILLs."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers_proc import GO, await_line, finish, forked, kill_all, spawn

from sudolang.errors import FAILURE, NOT_FOUND, USAGE
from sudolang.cli import fastpath
from sudolang.state import messages, sessions
from sudolang.state.paths import StateDir
from sudolang.state.stores import open_state

pytestmark = pytest.mark.both_stores  # each test runs on the file store and on PostgreSQL (conftest)

# --- helpers -------------------------------------------------------------------------------------

LINE = re.compile(r"\[(\d+)(, redelivered)?\] \S+ \S+: (.*)\n")  # one message as `msg poll` prints it


def new_session(state: StateDir, ttl: int = sessions.DEFAULT_TTL) -> str:
    return sessions.create(state, "development", ttl=ttl)


def inbox_folder(state: StateDir, sid: str) -> Path:
    return state.root / "messages" / sid / "inbox"


def message_files(folder: Path) -> list[Path]:
    """Every file in `folder` that is not a temp (temps start with a dot)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def printed(path: Path) -> list[tuple[int, str, bool]]:
    """(seq, text, redelivered) of each whole line a poller printed; a line cut short by a kill was not received."""
    text = path.read_text() if path.exists() else ""
    return [(int(m[1]), m[3], bool(m[2])) for m in map(LINE.fullmatch, text.splitlines(keepends=True)) if m]


# --- round trips -----------------------------------------------------------------------------------


@pytest.fixture
def pair(state, monkeypatch) -> tuple[str, str]:
    monkeypatch.setenv("SUDOLANG_NOW", "2030-01-01T00:00:00Z")
    return new_session(state), new_session(state)


@pytest.mark.parametrize("content", [{"text": "caf\udce9"}, {"payload": {"n": float("nan")}},
                                     {"payload": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}])
def test_a_message_the_api_refuses_uses_no_sequence_number(state, pair, content):
    """Checked before the inbox lock, by API callers too (the CLI checks its own input earlier)."""
    a, b = pair
    with pytest.raises(messages.UsageError):
        messages.send(state, a, b, **content)
    assert messages.send(state, a, b, "good")["seq"] == 1


def test_cli_send_poll_peek_list_round_trip(cli, state, pair):
    a, b = pair
    assert cli("msg", "send", a, b, "T-3 is ready for review").out == f"sent 1 to {b}\n"
    assert cli("msg", "send", a, b, "--json", '{"task": "T-3", "points": [1, 2]}').out == f"sent 2 to {b}\n"

    listing = cli("msg", "list", b)
    assert listing.code == 0 and listing.out.splitlines() == [
        f"2 unread messages for {b}",
        f"  [1] 2030-01-01T00:00:00Z {a}: T-3 is ready for review",
        f'  [2] 2030-01-01T00:00:00Z {a}: {{"task": "T-3", "points": [1, 2]}}',
    ]
    peeked = cli("msg", "poll", b, "--peek")
    assert peeked.out == listing.out.replace("  [", "[").split("\n", 1)[1]  # the same lines, whole
    assert cli("msg", "poll", b, "--peek").out == peeked.out  # peeking consumed nothing

    polled = json.loads(cli("msg", "poll", b, "--json").out)
    assert [(m["seq"], m.get("text"), m.get("payload")) for m in polled] == [
        (1, "T-3 is ready for review", None), (2, None, {"task": "T-3", "points": [1, 2]})]
    assert set(polled[0]) == {"id", "seq", "from", "to", "at", "text"}
    assert (polled[0]["from"], polled[0]["to"], polled[0]["at"]) == (a, b, "2030-01-01T00:00:00Z")
    assert polled[0]["id"] != polled[1]["id"] and re.fullmatch(r"[0-9a-f-]{36}", polled[0]["id"])

    empty = cli("msg", "poll", b)
    assert (empty.code, empty.out, empty.err) == (0, "", "")  # nothing waits: nothing printed
    assert cli("msg", "poll", b, "--json").out == "[]\n"
    assert cli("msg", "list", b).out == f"0 unread messages for {b}\n"
    assert message_files(inbox_folder(state, b)) == []


def test_api_keeps_sending_order_over_many_sends_and_consumes_once(state, pair):
    a, b = pair
    for n in range(150):
        content = {"text": f"m{n}"} if n % 3 else {"payload": {"n": n}}
        messages.send(state, a, b, **content)
    assert [m["seq"] for m in messages.pending(state, b)] == list(range(1, 151))
    received = messages.poll(state, b)
    assert [m["seq"] for m in received] == list(range(1, 151))
    assert [m.get("text", m.get("payload")) for m in received] == [
        f"m{n}" if n % 3 else {"n": n} for n in range(150)]
    assert messages.poll(state, b) == [] and messages.pending(state, b) == []
    assert messages.send(state, a, b, text="after")["seq"] == 151  # numbers are never reused


def test_null_and_empty_values_are_messages_too(state, pair):
    a, b = pair
    messages.send(state, a, b, payload=None)
    messages.send(state, a, b, text="")
    assert [(m.get("payload", "-"), m.get("text", "-")) for m in messages.poll(state, b)] == [(None, "-"), ("-", "")]


def test_a_failed_delivery_puts_the_messages_back_in_order(state, pair):
    a, b = pair
    for n in range(3):
        messages.send(state, a, b, text=f"m{n}")
    with pytest.raises(BrokenPipeError):
        with messages.receive(state, b) as received:
            assert len(received) == 3 and messages.pending(state, b) == []  # claimed while delivering
            raise BrokenPipeError  # e.g. `sudolang msg poll SID | head` went away
    messages.send(state, a, b, text="m3")
    assert [m["text"] for m in messages.poll(state, b)] == ["m0", "m1", "m2", "m3"]
    if state.store == "files":
        assert os.listdir(state.root / "messages" / b / "claimed") == []


@pytest.mark.files_only("a temp file in the inbox folder")
def test_a_temp_file_left_by_a_killed_sender_is_never_read_and_is_swept(state, pair):
    a, b = pair
    messages.send(state, a, b, text="first")
    stale = inbox_folder(state, b) / ".000000000002.json.tmp"
    stale.write_bytes(b'{"seq": 2, "text": "half a mess')
    assert [m["text"] for m in messages.poll(state, b)] == ["first"]
    messages.send(state, a, b, text="second")
    assert not stale.exists()
    assert [m["text"] for m in messages.poll(state, b)] == ["second"]


def test_help_teaches_with_examples(cli):
    group = cli("msg", "--help")
    assert group.code == 0 and "examples:" in group.out and "sudolang msg poll $LEAD --peek" in group.out
    send = cli("msg", "send", "--help")
    assert send.code == 0 and "--json PAYLOAD" in send.out and "FROM TO [TEXT]" in send.out


@pytest.mark.parametrize("argv", [
    ["msg", "poll", "S"], ["msg", "poll", "S", "--peek", "--json"], ["--state-dir", "d", "msg", "list", "S", "--json"],
    ["msg", "send", "A", "B", "hello there"], ["msg", "send", "A", "B", "--json", '{"x": 1}'],
    ["msg", "send", "--json", "[1]", "A", "B", "--timeout", "2.5", "--debug"],
    # forms argparse reads too, and the handler then refuses (no TEXT, or TEXT and --json): read the same way
    ["msg", "send", "A", "B"], ["msg", "send", "A", "B", "hi", "--json", "1"], ["msg", "send", "A", "B", "--json=1"],
])
def test_the_direct_path_reads_a_plain_command_line_exactly_as_argparse_does(argv):
    from sudolang.cli import build_parser

    parsed = vars(build_parser(argv).parse_args(argv))
    assert vars(fastpath.parse(argv).namespace) == parsed


@pytest.mark.parametrize("argv", [
    ["msg", "poll", "S", "--help"], ["msg", "-h"], ["msg"], ["msg", "poll"], ["msg", "poll", "S", "T"],
    ["msg", "list", "S", "--peek"], ["msg", "send", "A", "B", "-x"], ["msg", "poll", "S", "--timeout", "soon"],
    ["msg", "send", "A", "--json", "1", "B"], ["msg", "send", "--state", "d", "A", "B", "hi"],
    ["msg", "send", "A", "B", "--json"], ["msg", "--json", "send", "A", "B", "hi"], ["msg", "wait", "S"],
])
def test_anything_else_is_left_to_argparse(argv):
    assert fastpath.parse(argv).namespace is None


# --- errors: exit codes, and nothing written ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("send", "{a}", "ghost", "hi"), NOT_FOUND, "no session 'ghost' to send to"),
        (("send", "ghost", "{b}", "hi"), NOT_FOUND, "no session 'ghost' (sender)"),
        (("send", "{a}", "{b}", "--json", "{oops"), USAGE, "--json PAYLOAD is not valid JSON"),
        (("send", "{a}", "{b}", "hi", "--json", "1"), USAGE, "not both"),
        (("send", "{a}", "{b}"), USAGE, "not neither"),
        (("send", "{a}", "../{b}", "hi"), USAGE, "is not allowed"),
        (("poll", "ghost"), NOT_FOUND, "no session 'ghost'"),
        (("poll", "ghost", "--peek"), NOT_FOUND, "no session 'ghost'"),
        (("list", "ghost"), NOT_FOUND, "no session 'ghost'"),
    ],
)
def test_errors_exit_with_their_code_and_write_nothing(cli, state, pair, args, code, message):
    a, b = pair
    result = cli("msg", *(arg.replace("{a}", a).replace("{b}", b) for arg in args))
    assert result.code == code and message in result.err, result
    assert len(result.err.splitlines()) == 1  # one line, as every sudolang error
    assert not (state.root / "messages").exists()


@pytest.mark.parametrize("ending", ["expired", "completed", "archived"])
def test_a_recipient_that_will_not_read_is_an_error_not_a_drop(cli, state, monkeypatch, ending):
    a, b = new_session(state, ttl=100 * 365 * 86400), new_session(state, ttl=60)
    messages.send(state, a, b, text="sent while live")
    if ending == "completed":
        assert cli("state", "set", b, "session.lifecycle.status", "completed").code == 0
    else:
        monkeypatch.setenv("SUDOLANG_NOW", "2099-01-01T00:00:00Z")
    if ending == "archived":
        assert b in cli("state", "cleanup-expired").out
    result = cli("msg", "send", a, b, "too late")
    assert result.code == FAILURE and f"cannot send to session {b!r}" in result.err and ending in result.err
    # Nothing was added, and what arrived before stays readable by the session (archived or not).
    assert [m["text"] for m in messages.poll(state, b)] == ["sent while live"]
    assert cli("msg", "send", b, a, "a finished session may still speak").code == 0


# --- a poller killed after claiming: the window, shown deterministically ---------------------------


def die_holding_claim(state: StateDir, sid: str, printing: bool) -> int:
    """Fork a poller that claims the inbox (and, if `printing`, writes it out) and is SIGKILLed before it
    confirms; returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            received = messages.receive(state, sid).__enter__()
            if printing:
                os.write(1, b"".join(f"{m['seq']}\n".encode() for m in received))
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL
    return pid


def test_what_a_killed_poller_claimed_is_delivered_again_and_marked(cli, state, pair):
    a, b = pair
    messages.send(state, a, b, text="taken by a poller that died")
    pid = die_holding_claim(state, b, printing=False)
    if state.store == "files":  # the dead poller's claim folder names it
        assert (state.root / "messages" / b / "claimed").iterdir().__next__().name.startswith(f"{pid}-")
    messages.send(state, a, b, text="sent after the crash")
    listing = cli("msg", "list", b).out
    assert listing.startswith("2 unread") and "[1, redelivered]" in listing and "[2]" in listing
    polled = cli("msg", "poll", b).out.splitlines()
    assert polled[0].startswith("[1, redelivered] ") and polled[0].endswith(": taken by a poller that died")
    assert polled[1].startswith("[2] ")
    assert messages.poll(state, b) == [] and messages.pending(state, b) == []
    if state.store == "files":
        assert os.listdir(state.root / "messages" / b / "claimed") == []


def test_a_poller_killed_after_printing_causes_the_only_duplicate_and_it_is_marked(state, pair, capfd):
    a, b = pair
    first = messages.send(state, a, b, text="printed, never confirmed")
    die_holding_claim(state, b, printing=True)
    assert capfd.readouterr().out == "1\n"  # the dead poller did write it out
    [again] = messages.poll(state, b)
    assert again == {**first, "redelivered": True}  # same id and seq: the reader can tell it saw this one


# --- many processes at once ------------------------------------------------------------------------

# argv: root sender recipient count tag go -> sends "<tag>-<n>" for n < count; prints the seqs it got.
SENDER = GO + """
from sudolang.state import messages
from sudolang.state.stores import open_state
root, sender, recipient, count, tag, go = sys.argv[1:7]
state = open_state(root)
ready_then_wait(go)
seqs = [messages.send(state, sender, recipient, f"{tag}-{n}", timeout=30)["seq"] for n in range(int(count))]
print(json.dumps({"seqs": seqs}))
"""

# argv: root sid stop go mode -> polls until the stop-file exists and then a poll comes back empty (the
# senders are done by then, so empty means drained). mode "api" calls messages.poll; "cli" runs a
# whole `sudolang msg poll SID --json` process each time. Prints [[seq, text], ...] in receiving order.
POLLER = GO + """
import subprocess
from sudolang.state import messages
from sudolang.state.stores import open_state
root, sid, stop, go, mode = sys.argv[1:6]
state = open_state(root)
command = [sys.executable, "-m", "sudolang", "--timeout", "30", "msg", "poll", sid, "--json"]
def poll():
    if mode == "api":
        return messages.poll(state, sid, timeout=30)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"msg poll exited {done.returncode}: {done.stderr}")
    return json.loads(done.stdout)
ready_then_wait(go)
got, polls = [], 0
while True:
    finished = os.path.exists(stop)
    batch = poll()
    polls += 1
    got += [[m["seq"], m["text"], m.get("redelivered", False)] for m in batch]
    if finished and not batch:
        break
    if not batch:
        time.sleep(0.002)  # an idle poller must not starve the senders of the machine's two cores
print(json.dumps({"got": got, "polls": polls}))
"""

# argv: root sid stop -> lists and parses the inbox (and peeks through the API) until the stop-file
# appears; counts whole messages, torn ones (must stay 0), files gone before they could be read, temps.
READER = """
import json, os, sys
from sudolang.state import messages
from sudolang.state.stores import open_state
root, sid, stop = sys.argv[1:4]
state, inbox = open_state(root), os.path.join(root, "messages", sid, "inbox")
seen = {"whole": 0, "torn": 0, "vanished": 0, "temps": 0, "peeks": 0, "unordered": 0}
print("ready", flush=True)
while not os.path.exists(stop):
    for name in (os.listdir(inbox) if os.path.isdir(inbox) else []):
        if name.startswith("."):
            seen["temps"] += 1
            continue
        try:
            raw = open(os.path.join(inbox, name), "rb").read()
        except FileNotFoundError:
            seen["vanished"] += 1
            continue
        try:
            json.loads(raw)
            seen["whole"] += 1
        except ValueError:
            seen["torn"] += 1
    seqs = [m["seq"] for m in messages.pending(state, sid)]
    seen["peeks"] += 1
    seen["unordered"] += seqs != sorted(seqs)
print(json.dumps(seen))
"""


def run_race(root: Path, recipient: str, senders: list[str], count: int, pollers: list[str], reader: bool):
    """Start the senders (one per sender id), pollers (one per mode) and maybe a reader; release them
    together; stop the pollers once every sender is done. Returns (sent seqs, received per poller, reader)."""
    go, stop = root / "go", root / "stop"
    children = []
    try:
        sending = [spawn(root, SENDER, root, sid, recipient, count, f"s{k}", go) for k, sid in enumerate(senders)]
        polling = [spawn(root, POLLER, root, recipient, stop, go, mode) for mode in pollers]
        reading = [spawn(root, READER, root, recipient, stop)] if reader else []
        children = [*sending, *polling, *reading]
        for child in children:
            await_line(child, "ready")
        go.touch()
        sent = [finish(child) for child in sending]
        stop.touch()
        return sent, [finish(child)["got"] for child in polling], [finish(child) for child in reading]
    finally:
        kill_all(children)


def test_six_pollers_racing_two_senders_receive_every_message_exactly_once(tmp_path):
    state = open_state(tmp_path)
    recipient, senders = new_session(state), [new_session(state), new_session(state)]
    started = time.monotonic()
    sent, received, _ = run_race(tmp_path, recipient, senders, 200, ["api"] * 4 + ["cli"] * 2, reader=False)
    everything = [tuple(item) for got in received for item in got]
    assert len(everything) == len(set(everything)) == 400  # no duplicate, no loss
    assert not any(redelivered for _, _, redelivered in everything)  # nobody died: nothing delivered twice
    assert sorted(seq for seq, _, _ in everything) == list(range(1, 401))
    assert {text for _, text, _ in everything} == {f"s{k}-{n}" for k in range(2) for n in range(200)}
    assert sorted(seq for result in sent for seq in result["seqs"]) == list(range(1, 401))
    for got in received:  # each poller sees ascending numbers, and each sender's messages in its order
        assert [seq for seq, _, _ in got] == sorted(seq for seq, _, _ in got)
        for k in range(2):
            mine = [int(text.split("-")[1]) for _, text, _ in got if text.startswith(f"s{k}-")]
            assert mine == sorted(mine)
    assert sum(1 for got in received if got) >= 3  # the pollers really raced for the inbox
    assert messages.pending(state, recipient) == []
    if state.store == "files":
        assert message_files(inbox_folder(state, recipient)) == []
        assert os.listdir(tmp_path / "messages" / recipient / "claimed") == []
    print(f"\n2 senders x 200 messages, 6 pollers (4 API, 2 CLI processes) got "
          f"{[len(got) for got in received]} in {time.monotonic() - started:.1f}s")


@pytest.mark.files_only("a reader of the inbox folder's files")
def test_a_reader_never_sees_half_a_message(tmp_path):
    state = open_state(tmp_path)
    recipient, senders = new_session(state), [new_session(state), new_session(state)]
    _, received, [seen] = run_race(tmp_path, recipient, senders, 150, ["api"], reader=True)
    assert len(received[0]) == 300
    assert seen["whole"] > 0 and seen["peeks"] > 0, seen  # it really read while messages came and went
    assert seen["torn"] == 0 and seen["unordered"] == 0, seen
    print(f"\nreader: {seen}")


# --- SIGKILL at random moments ---------------------------------------------------------------------


def kill_and_reap(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL  # it was still working: it never failed


def reap_all(pids: list[int]) -> None:
    """SIGKILL and reap children a failing test left running (they loop forever)."""
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def send_forever(state: StateDir, sender: str, recipient: str, log: Path, tag: str):
    """Send "<tag>-<n>" for n = 0, 1, ...; each line of `log` is written once its send has returned."""
    def work() -> None:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        for n in range(10**9):
            message = messages.send(state, sender, recipient, f"{tag}-{n}", timeout=30)
            os.write(fd, f"{message['seq']} {message['text']}\n".encode())
    return work


def poll_forever_cli(recipient: str, out: Path):
    """`sudolang msg poll SID` over and over, in-process, its standard output a file of its own."""
    def work() -> None:
        from sudolang.cli import main

        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        sys.stdout = open(1, "w", closefd=False)  # block-buffered, as to a pipe: only the CLI's flush saves it
        while True:
            if main(["--timeout", "30", "msg", "poll", recipient]) != 0:
                raise SystemExit("msg poll failed")
    return work


def poll_forever_api(state: StateDir, recipient: str, out: Path):
    """messages.receive over and over, writing each message as a line of `out` inside the claim."""
    def work() -> None:
        from sudolang.cli.msg import line

        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        while True:
            with messages.receive(state, recipient, timeout=30) as batch:
                for message in batch:
                    os.write(fd, (line(message) + "\n").encode())
    return work


def test_sigkilled_senders_and_pollers_lose_nothing_and_mark_every_second_copy(tmp_path, state, cli):
    recipient, sender = new_session(state), new_session(state)
    rng = random.Random(20261125)
    logs, outputs, poller_pids = tmp_path / "sent", tmp_path / "printed", set()
    logs.mkdir(), outputs.mkdir()
    rounds = 15
    for r in range(rounds):  # three kills a round: a sender, a CLI poller and an API poller, at random moments
        pids = []
        try:
            pids.append(forked(send_forever(state, sender, recipient, logs / f"{r}.log", f"r{r}")))
            time.sleep(rng.uniform(0.01, 0.03))  # a few messages wait, so the pollers have something to claim
            pids += [forked(poll_forever_cli(recipient, outputs / f"{r}-cli.out")),
                     forked(poll_forever_api(state, recipient, outputs / f"{r}-api.out"))]
            poller_pids.update(pids[1:])
            for pid in rng.sample(pids, len(pids)):
                time.sleep(rng.uniform(0.002, 0.03))
                kill_and_reap(pid)
                pids.remove(pid)
        finally:
            reap_all(pids)
    kills = rounds * 3

    folder, claims, temps = state.root / "messages" / recipient, [], []
    if state.store == "files":  # no message is ever half-visible: what the kills left in the inbox or claims parses whole
        holders = list((folder / "claimed").iterdir())
        assert {int(claim.name.split("-")[0]) for claim in holders} <= poller_pids  # only killed pollers hold claims
        claims = [path for claim in holders for path in message_files(claim)]
        left = message_files(folder / "inbox") + claims
        assert all(isinstance(messages.read_message(path), dict) for path in left)
        temps = [p.name for p in (folder / "inbox").iterdir() if p.name.startswith(".")]

    # A last clean poll delivers what waits, and again what killed pollers had claimed without confirming.
    final = [(m["seq"], m["text"], m.get("redelivered", False)) for m in messages.poll(state, recipient)]
    assert messages.pending(state, recipient) == []
    if state.store == "files":
        assert os.listdir(folder / "claimed") == [] and message_files(folder / "inbox") == []
    got = [printed(path) for path in sorted(outputs.iterdir())] + [final]
    received = [item for batch in got for item in batch]
    confirmed = {text for log in logs.iterdir() for text in log.read_text().split()[1::2]}

    # Nothing lost: every send that returned was printed.
    assert confirmed <= {text for _, text, _ in received}
    # Nothing duplicated unmarked: a message printed twice was first taken by a poller killed before it
    # confirmed, and every copy after the first says "redelivered".
    first_copies = Counter(seq for seq, _, redelivered in received if not redelivered)
    assert max(first_copies.values()) == 1
    copies = Counter(seq for seq, _, _ in received)
    for batch in got if state.store == "files" else ():  # each poller got first deliveries in sending order
        # (PostgreSQL: a poller killed inside its claim's transaction never printed what it held; those come
        # back unmarked and may reach another poller after newer ones. sudolang.state.pg says so.)
        firsts = [seq for seq, _, redelivered in batch if not redelivered]
        assert firsts == sorted(firsts)
    # Each killed sender burns at most one number (counter bumped, message never written); no other gap.
    last = state.inbox(recipient).last_seq()
    gaps = set(range(1, last + 1)) - set(copies)
    assert len(gaps) <= rounds

    twice = sum(n - 1 for n in copies.values())
    again = sum(redelivered for _, _, redelivered in received)
    print(f"\n{kills} SIGKILLs: {last} numbers handed out, {len(copies)} messages delivered, {len(confirmed)} "
          f"sends confirmed; {again} delivered again after a poller died holding them ({len(claims)} of them by "
          f"the final poll), {twice} of which that poller had printed; {len(gaps)} numbers skipped by killed "
          f"senders; {len(temps)} sender temp file(s) left")
    assert len(copies) > 50 and len(temps) <= 1  # the children worked; only the last killed sender's temp is left
