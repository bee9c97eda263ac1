"""Fuzz every command line: random arguments and standard input to state, session, shared, msg, hook, run,
lint, compile and init. Each answer must be a documented exit code with no internal error, within the
hang guard, and nothing may be written outside the state folder, the cache, `--out` or the project's
`.claude/` — in particular not through the links planted in the state folder, which point outside.

Each command runs in-process (in the harness's forked worker) with its own standard streams, the way
`python -m sudolang` would run it, which makes a thousand command lines affordable.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fuzz_harness as harness
import fuzz_inputs as generators

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
INPUTS = int(os.environ.get("FUZZ_CLI_INPUTS", "800"))
EXIT_CODES = {0, 1, 2, 3, 4, 5}
PROGRAMS = ("sprint_execution", "leadership_chat", "config_manager", "all-team_dashboard")
HOOK_EVENTS = ("SessionStart", "UserPromptSubmit", "SubagentStart", "SubagentStop", "TaskCreated", "TaskCompleted",
               "PreToolUse", "PostToolUse", "SessionEnd", "Stop", "Bogus", "", None, 7)


class Sandbox:
    """A project folder with a state folder holding two sessions and links planted toward `outside/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.state = self.project / ".claude" / "state"
        self.cache = root / "cache"
        self.out = root / "out"
        self.programs = root / "programs"
        self.outside = root / "outside"
        self.allowed = [self.project / ".claude", self.cache, self.out, self.programs]

    def build(self, rng: random.Random) -> None:
        from sudolang.state import sessions
        from sudolang.state.paths import StateDir

        for folder in (self.project, self.cache, self.out, self.programs, self.outside):
            folder.mkdir(parents=True, exist_ok=True)
        state = StateDir(self.state)
        self.sids = [sessions.create(state, "sprint", "default"), sessions.create(state, "leadership", "default")]
        for name in ("victim.txt", "victim.json", "victim.lock"):
            (self.outside / name).write_text('{"keep": "me"}\n')
        # Links at names the tool writes, toward files it must never touch.
        victim = self.outside / "victim.txt"
        for planted in (self.state / "sessions" / "planted.json", self.state / "sessions" / "planted.lock",
                        self.state / "shared" / "linked.lock", self.state / "shared" / "linked.json",
                        self.state / "shared" / "linked.events.jsonl", self.state / "hook-events.jsonl.1"):
            planted.parent.mkdir(parents=True, exist_ok=True)
            planted.symlink_to(victim)
        for index in range(12):  # programs the fuzz can name: random text, some of it compilable
            source = generators.sudolang_source(rng) if index else _valid_program()
            (self.programs / f"p{index}.sudo").write_text(source, encoding="utf-8", errors="surrogatepass")
        os.mkfifo(self.programs / "fifo.sudo")
        (self.programs / "folder.sudo").mkdir()

    def fingerprint_outside(self) -> dict[str, str]:
        """Every file outside the allowed folders, with a digest of its content."""
        seen = {}
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            dirs[:] = [d for d in dirs if not any(here / d == allowed for allowed in self.allowed)]
            for name in files:
                path = here / name
                if path.is_fifo():
                    seen[str(path)] = "fifo"
                    continue
                seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() if not path.is_symlink() else "link"
        return seen


def _valid_program() -> str:
    return ('interface Bot {\n  name = "fuzzbot"\n  prefix = "fz"\n  description = "A bot"\n'
            '  commands {\n    "/hello [who]": "Say hello"\n    "/count <n>": "Count"\n  }\n}\n')


def _text(rng: random.Random) -> str:
    return rng.choice(["hello", "don't $5 (now); rm x | y & `z` #c", "\udcff\udcfe", "é" * 10, "", " ",
                       "a\nb", "x" * 5000, "$(touch PWNED)", "../../outside/victim.txt", "{}", "-", "--",
                       "\x00", "\u202e", generators.json_text(rng)])


def _sid(rng: random.Random, sandbox: Sandbox) -> str:
    return rng.choice(sandbox.sids * 3 + ["nope", "../x", "", "a" * 200, "planted", "linked", ".hidden", "\udcff",
                                          "x/y", "-rf", "tools", "archive"])


def _options(rng: random.Random) -> list[str]:
    choices = [[]] * 8 + [["--json"], ["--timeout", rng.choice(["nan", "inf", "-1", "abc", "0", "1e999", "", "0.5"])],
               ["--bogus"], ["--raw"], ["-h"]]
    return rng.choice(choices)


def _ops(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.3:
        return generators.json_text(rng)
    ops = []
    for _ in range(rng.randint(0, 4)):
        op = {"op": rng.choice(["set", "merge", "delete", "incr", "append", "bogus", None]),
              "path": rng.choice([generators.jsonpath_text(rng), "revision", "$", "$..*", "tasks.x", 7])}
        if rng.random() < 0.8:
            op["value"] = rng.choice([1, "x", {"a": 1}, [1], None, 1.5, -3, "\udcff"])
        if rng.random() < 0.3:
            op["limit"] = rng.choice([-1, 0, 2, "x", 1.5, True, 10**30])
        ops.append(op)
    try:
        return json.dumps(ops)
    except (TypeError, ValueError):
        return "[]"


def _hook_input(rng: random.Random, sandbox: Sandbox) -> str:
    if rng.random() < 0.25:
        return generators.json_text(rng)
    event = {"hook_event_name": rng.choice(HOOK_EVENTS), "session_id": _sid(rng, sandbox), "cwd": str(sandbox.project)}
    for key, choices in (("prompt", ["hi", "\udcff", "x" * 10000]), ("agent_type", ["code-reviewer", "../x", ""]),
                         ("agent_id", ["a1", 7, None]), ("task_id", ["1", "../t", {}]),
                         ("task_subject", ["Write tests", "\x00", ""]), ("tool_name", ["Agent", "TaskUpdate", "Bash"]),
                         ("tool_input", [{"subagent_type": "reviewer"}, {"todos": [{"content": "x", "status": "pending"}]},
                                         "junk", None])):
        if rng.random() < 0.4:
            event[key] = rng.choice(choices)
    return json.dumps(event, ensure_ascii=rng.random() < 0.5)


def _program(rng: random.Random, sandbox: Sandbox) -> str:
    return rng.choice(list(PROGRAMS) * 2 + [str(sandbox.programs / f"p{rng.randrange(12)}.sudo"),
                                            str(sandbox.programs / "fifo.sudo"), str(sandbox.programs / "folder.sudo"),
                                            "/dev/zero", "missing.sudo", "\udcff.sudo"])


def command_line(rng: random.Random, sandbox: Sandbox) -> tuple[list[str], str]:
    """(argv, standard input) for one random command."""
    sid, path, value = _sid(rng, sandbox), generators.jsonpath_text(rng), generators.json_text(rng)
    stdin = ""
    choices = [
        ["state", "get", sid, path], ["state", "set", sid, path, value], ["state", "merge", sid, path, value],
        ["state", "delete", sid, path], ["state", "batch", sid, "-"], ["state", "list-sessions"],
        ["state", "cleanup-expired", "--dry-run"],
        ["session", "create", "--mode", rng.choice(["sprint", "bogus", ""]), "--project", rng.choice(["default", "tools", "../p", "\udcff"])],
        ["session", "create", "--mode", "development", "--ttl", rng.choice(["-1", "0", "abc", "99999999999999999999"])],
        ["session", "heartbeat", sid], ["session", "handoff", sid, _sid(rng, sandbox)], ["session", "list"],
        ["session", "recover", sid],
        ["shared", "get-config", rng.choice(["default", "tools", "linked", "x"])],
        ["shared", "update-epic", "default", _text(rng)[:20] or "E", "--status", rng.choice(["active", "x"])],
        ["shared", "list-sprints", "default"], ["shared", "list-tools"], ["shared", "recover", rng.choice(["default", "tools", "linked"])],
        ["shared", "activate-sprint", "default", rng.choice(["S-1", "../s"]), "--session", sid],
        ["msg", "send", sid, _sid(rng, sandbox), _text(rng)], ["msg", "send", sid, _sid(rng, sandbox), "--json", value],
        ["msg", "poll", sid], ["msg", "poll", sid, "--peek", "--json"], ["msg", "list", sid],
        ["hook"], ["hook", rng.choice(["task_completed", "task_blocked", "agent_spawned", "epic_updated", "bogus"]),
                   sid, value],
        ["hook", *rng.choice([["--timeout", "abc"], ["--bogus"], ["task_completed", "-rf", "{}"], [_text(rng)] * 3])],
        ["run", _program(rng, sandbox), rng.choice(["/board", "/help", "/move", "/add", "/vote", "/show", "/refresh",
                                                    "/hello", "@agent", _text(rng)]), *[_text(rng) for _ in range(rng.randint(0, 3))]],
        ["run", _program(rng, sandbox), "--session", sid, "/board"],
        ["lint", _program(rng, sandbox)], ["lint", "-"],
        ["compile", _program(rng, sandbox), "--out", str(sandbox.out)],
        ["compile", "--check", _program(rng, sandbox), "--out", str(sandbox.out)],
        ["compile", "--emit", rng.choice(["ast", "python", "markdown"]), _program(rng, sandbox)],
        ["init", "--dir", str(sandbox.project)],
    ]
    argv = rng.choice(choices)
    if argv[:2] == ["state", "batch"]:
        stdin = _ops(rng)
    elif argv == ["hook"]:
        stdin = _hook_input(rng, sandbox)
    elif argv[:2] == ["lint", "-"]:
        stdin = generators.sudolang_source(rng)
    return argv + _options(rng), stdin


def _run_main(argv: list[str], stdin: str) -> tuple[int, str]:
    from sudolang.cli import main

    raw_in = io.BytesIO(stdin.encode("utf-8", "surrogateescape"))
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(raw_in, encoding="utf-8"), out, err
    try:
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: usage errors and --help
            code = exit_.code if isinstance(exit_.code, int) else 2
        err.flush()
        return code, err.buffer.getvalue().decode("utf-8", "replace")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def checker(sandbox: Sandbox):
    def check(item: tuple[list[str], str]):
        argv, stdin = item
        before = sandbox.fingerprint_outside()  # per command, so one finding does not repeat in every later one
        code, err = _run_main(argv, stdin)
        if code not in EXIT_CODES:
            return "exit code", f"exit {code}; stderr: {err[-400:]}"
        if "internal error" in err or "Traceback" in err:
            return "internal error", err[-1200:]
        after = sandbox.fingerprint_outside()
        if after != before:
            changed = sorted(set(after.items()) ^ set(before.items()))
            return "write outside", f"changed outside the allowed folders: {changed[:6]}"
        return None

    return check


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    box = Sandbox(tmp_path)
    monkeypatch.setenv("SUDOLANG_STATE_DIR", str(box.state))
    monkeypatch.setenv("SUDOLANG_CACHE_DIR", str(box.cache))
    for name in ("CLAUDE_ENV_FILE", "CLAUDE_PROJECT_DIR", "SUDOLANG_SESSION", "SUDOLANG_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    box.build(random.Random(SEED))
    monkeypatch.chdir(box.project)
    return box


def test_any_command_line_gets_a_documented_answer_and_writes_only_its_own_folders(sandbox):
    rng = random.Random(SEED)
    inputs = [command_line(rng, sandbox) for _ in range(INPUTS)]
    figures = harness.run("cli", iter(inputs), checker(sandbox))
    harness.assert_clean(figures)
    assert (sandbox.outside / "victim.txt").read_text() == '{"keep": "me"}\n'


PROCESS_INPUTS = int(os.environ.get("FUZZ_PROCESS_INPUTS", "60"))


def test_command_lines_as_real_processes(sandbox):
    """A sample as whole processes: argv as raw bytes (invalid UTF-8 included, as a shell passes it), real
    standard streams, the interpreter's own start-up and exit. Slower, so fewer."""
    rng = random.Random(SEED + 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_", "SUDOLANG_SESSION"))}
    problems, slowest = [], 0.0
    for _ in range(PROCESS_INPUTS):
        argv, stdin = command_line(rng, sandbox)
        before = sandbox.fingerprint_outside()
        started = time.perf_counter()
        try:
            # As a shell would: no NUL in an argument, and at most 128 KiB each (Linux's MAX_ARG_STRLEN).
            words = [os.fsencode(a.replace("\x00", ""))[:100_000] for a in argv]
            done = subprocess.run([sys.executable, "-m", "sudolang", *words],
                                  input=stdin.encode("utf-8", "surrogateescape"), capture_output=True,
                                  env=env, cwd=sandbox.project, timeout=30)
        except subprocess.TimeoutExpired:
            problems.append(f"hang: {argv!r}")
            continue
        slowest = max(slowest, time.perf_counter() - started)
        err = done.stderr.decode("utf-8", "replace")
        if done.returncode not in EXIT_CODES or "Traceback" in err or "internal error" in err:
            problems.append(f"exit {done.returncode}: {argv!r}: {err[-300:]}")
        if sandbox.fingerprint_outside() != before:
            problems.append(f"write outside: {argv!r}")
    print(f"cli processes: {PROCESS_INPUTS} command lines, {len(problems)} finding(s), slowest {slowest * 1000:.0f} ms")
    assert not problems, "\n".join(problems[:10])
