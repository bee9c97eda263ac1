"""Issue 13, "inside Claude Code": what a user types reaches the handler as data, the command files and the hook
work from any folder of the session, and the hook hears the events that move the board.

The command files are read as Claude Code 2.1 reads them (its own code, restated in `claude_code_prompt` and
`shell_blocks`): the arguments are escaped (`!` at the start of a word becomes `\\!`) and pasted in place of
$ARGUMENTS as plain text, ${CLAUDE_PROJECT_DIR} becomes the project's folder, and each ```! block runs in bash,
here from a folder below the project (the session has cd'ed), with no variable of Claude Code set. The `uv`
on PATH is a stand-in that runs the script with this Python (tests/compiler/test_compile.py runs the real
`uv run`): what is under test is the shell between Claude Code and the handler.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SID = "6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f"
BAIT = "PWNED"

# What users type after `/lead-say TH-1 `: shell syntax of every kind, here-document markers, lines equal to
# the command file's own `!` lines, line breaks, tabs, backslashes, quotes, non-ASCII text.
TEXTS = [
    "don't $5 (now); rm x | y & `z` #c",
    "don't merge yet",
    f"$(touch {BAIT}) `touch {BAIT}` ; touch {BAIT} && touch {BAIT} || touch {BAIT} > {BAIT} < /etc/passwd",
    "(urgent) $HOME ${HOME} $1 $ARGUMENTS $ARGUMENTS[0] \\$ARGUMENTS",
    "first line\nsecond line\n\ttabbed third line",
    "EOF\n'EOF'\n\"EOF\"\nEOF\n<<EOF",
    f"!sudolang-end-of-arguments\ntouch {BAIT}\n!sudolang-arguments-complete\n!sudolang-end-of-arguments\nafter them",
    "ship it !now\n!bang at the start of a line",
    "C:\\temp\\new \\$HOME \\`x\\` back\\slash",
    "every ASCII mark: \"#$%&'()*+,-./:;<=>?@[\\]^_{|}~",
    "#c at the start, --json --session x -- as words",
    "unicode: é ß 日本語 🎉 ÷ ∑",
]


def child_env(**extra: str) -> dict:
    """The environment of a process run here: none of this machine's sudolang or Claude Code variables."""
    dropped = ("SUDOLANG_STATE_DIR", "SUDOLANG_SESSION", "SUDOLANG_PROJECT", "SUDOLANG_NOW", "SUDOLANG_ACTOR",
               "CLAUDE_PROJECT_DIR", "CLAUDE_ENV_FILE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def sudolang(*args: str, cwd: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sudolang", *args], cwd=cwd, env=child_env(**env), input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project set up by `sudolang init`, in a folder whose name has a space, and a folder deep inside it."""
    folder = tmp_path_factory.mktemp("claude") / "my project"
    (folder / "src" / "deep").mkdir(parents=True)
    done = sudolang("init", "--dir", str(folder), cwd=folder, SUDOLANG_CACHE_DIR=str(folder.parent / "cache"))
    assert done.returncode == 0, done.stderr
    shim = folder.parent / "bin" / "uv"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\n[ "$1" = run ] || exit 97\nshift\nexec {sys.executable} "$@"\n')
    shim.chmod(0o755)
    return folder


@pytest.fixture
def fresh(project):
    """The project with no state yet: each test starts from an empty .claude/state."""
    import shutil

    state = project / ".claude" / "state"
    shutil.rmtree(state)
    (state / "sessions").mkdir(parents=True)
    (state / "shared").mkdir()
    yield project
    assert not list(project.parent.rglob(BAIT)), "a shell ran part of the user's text"


# --- Claude Code's reading of a command file ----------------------------------------------------------------


def frontmatter(text: str) -> tuple[dict, str]:
    lines = text.split("\n")
    end = lines.index("---", 1)
    values = {key: json.loads(value) for key, _, value in (line.partition(": ") for line in lines[1:end])}
    return values, "\n".join(lines[end + 1:])


def escaped(arguments: str) -> str:
    """Claude Code's escaping of the arguments before they are pasted in (its `!` syntax cannot be typed in)."""
    arguments = arguments.replace("`!", "` !").replace("!`", "! `")
    return re.sub(r"(^|\s)!", lambda m: m.group(1) + "\\!", arguments, flags=re.M)


def claude_code_prompt(body: str, arguments: str | None, project: Path, escape: bool = True) -> str:
    """The command file's body as Claude Code makes it (its string substitution): $ARGUMENTS[N] and $N by the
    N-th word, then $ARGUMENTS by the whole text, then ${CLAUDE_PROJECT_DIR}. No arguments at all leaves the
    body as it is. `escape=False` pastes the text unescaped, as a Claude Code without that step would."""
    if arguments is None:
        return body.replace("${CLAUDE_PROJECT_DIR}", str(project))
    text = (escaped(arguments) if escape else arguments).replace("\uffff", "")
    words = arguments.split()
    body = re.sub(r"\$ARGUMENTS\[(\d+)\]", lambda m: words[int(m.group(1))] if int(m.group(1)) < len(words) else "",
                  body)
    body = re.sub(r"\$(\d+)(?!\w)", lambda m: words[int(m.group(1))] if int(m.group(1)) < len(words) else "", body)
    body = body.replace("$ARGUMENTS", text)
    return body.replace("${CLAUDE_PROJECT_DIR}", str(project))


def shell_blocks(prompt: str) -> list[str]:
    """The shell commands Claude Code runs from a prompt: each ```! block and each !`…` (its two patterns)."""
    blocks = [m.group(1).strip() for m in re.finditer(r"```!\s*\n?([\s\S]*?)\n?```", prompt)]
    return blocks + [m.group(1).strip() for m in re.finditer(r"(?:(?<=^)|(?<=\s))!`([^`]+)`", prompt, re.M)]


def run_command(project: Path, name: str, arguments: str | None, escape: bool = True) -> subprocess.CompletedProcess:
    """`/name arguments` typed in Claude Code: the command file's one shell block, run by bash in a folder
    below the project, with the permission rule of its allowed-tools checked first (a prefix of the command)."""
    values, body = frontmatter((project / ".claude" / "commands" / f"{name}.md").read_text())
    [command] = shell_blocks(claude_code_prompt(body, arguments, project, escape))
    rule = re.fullmatch(r"Bash\((.*) \*\)", values["allowed-tools"].replace("${CLAUDE_PROJECT_DIR}", str(project)))
    assert rule and command.startswith(rule.group(1) + " "), (values["allowed-tools"], command)
    path = f"{project.parent / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-c", command], cwd=project / "src" / "deep", env=child_env(PATH=path),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def messages(project: Path) -> list[str]:
    board = json.loads((project / ".claude" / "state" / "shared" / "default.json").read_text())
    return [m["text"] for m in board["leadership"]["threads"]["TH-1"]["messages"]]


def opened(project: Path) -> None:
    done = run_command(project, "lead-thread", "Release plan")
    assert done.stdout.startswith("opened TH-1: Release plan"), done


# --- item 1: the user's text is data ------------------------------------------------------------------------


def test_1_every_text_reaches_the_handler_byte_for_byte_and_no_shell_runs_any_of_it(fresh):
    opened(fresh)
    for number, text in enumerate(TEXTS, 1):
        done = run_command(fresh, "lead-say", f"TH-1 {text}")
        assert done.stdout.startswith("TH-1 (Release plan) "), (text, done)
        assert done.stdout.endswith(f"{number} messages in the thread\n" if number > 1 else "1 message in the thread\n")
        assert messages(fresh)[-1] == text
    assert messages(fresh) == TEXTS


def test_1_a_line_equal_to_the_here_documents_end_cannot_end_it_early(fresh):
    """Claude Code writes `\\!` for a `!` that starts a line of the text, so no line of it equals the
    here-document's end; the handler gives the `!` back."""
    opened(fresh)
    text = f"one\n!sudolang-end-of-arguments\ntouch {BAIT}\n!sudolang-arguments-complete"
    _, body = frontmatter((fresh / ".claude" / "commands" / "lead-say.md").read_text())
    [command] = shell_blocks(claude_code_prompt(body, f"TH-1 {text}", fresh))
    assert command.count("\n!sudolang-end-of-arguments") == 1  # only the command file's own end line
    run_command(fresh, "lead-say", f"TH-1 {text}")
    assert messages(fresh) == [text]


def test_1_text_that_does_not_arrive_whole_is_refused(fresh):
    """Three backticks end Claude Code's ```! block early; an unescaped end line (a Claude Code that pastes the
    text as it is) ends the here-document early. Either way the handler misses the line before the end and
    does nothing."""
    opened(fresh)
    for text, escape in (("see ``` here", True), ("cut\n!sudolang-end-of-arguments", False)):
        done = run_command(fresh, "lead-say", f"TH-1 {text}", escape=escape)
        assert done.stdout.startswith("error: the command's arguments did not arrive whole: Claude Code ends a "
                                      "command's shell block at three backticks"), done
        assert done.stdout.endswith("; nothing was done\n")
    assert messages(fresh) == []


def test_1_quotes_group_the_words_before_the_rest_and_an_agent_follows_the_at(fresh):
    opened(fresh)
    run_command(fresh, "lead-say", "'TH-1' it's \"quoted\" as typed")
    assert messages(fresh) == ["it's \"quoted\" as typed"]
    assert run_command(fresh, "lead-say", "TH-1").stdout.startswith("error: missing <message>; usage: /say ")
    agent = run_command(fresh, "dash-agent", "reviewer-1")
    assert agent.stdout.startswith("error: no agent 'reviewer-1'"), agent
    assert run_command(fresh, "dash-agent", "").stdout.startswith("error: missing <agent>; usage: @<agent> ")
    unclosed = run_command(fresh, "sprint-add", "\"Login form 3")
    assert unclosed.stdout.startswith("error: no closing quotation in "), unclosed


def test_1_no_arguments_at_all_is_no_arguments(fresh):
    """Claude Code leaves $ARGUMENTS in place when a command comes with none (the model's own call)."""
    done = run_command(fresh, "sprint-board", None)
    assert done.stdout.startswith("╭─ SPRINT BOARD"), done
    assert run_command(fresh, "lead-help", None).stdout.startswith("leadership_chat commands:")


def test_1_a_command_file_holds_no_shell_syntax_but_its_one_block_and_no_other_placeholder(project):
    for path in sorted((project / ".claude" / "commands").glob("*.md")):
        values, body = frontmatter(path.read_text())
        assert not re.search(r"\$(\d|ARGUMENTS\[)|\\\$", body), path.name  # Claude Code would replace them
        assert not re.search(r"(?<!\S)!`", body), path.name  # no one-line !`…`, which a quote or # would break
        assert len(shell_blocks(body)) == ("allowed-tools" in values), path.name
        assert body.count("$ARGUMENTS") == 1, path.name


def test_1_a_description_cannot_open_a_shell_block_in_a_model_command(tmp_path):
    source = tmp_path / "h.sudo"
    source.write_text('interface Hx {\n  name = "hx"\n  commands = {\n'
                      f'    "/go": "Go ```! touch {BAIT} ``` and !`touch {BAIT}` now",\n    "/help": "Help"\n  }}\n}}\n')
    done = sudolang("compile", str(source), "--out", str(tmp_path / ".claude"), cwd=tmp_path,
                    SUDOLANG_CACHE_DIR=str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    _, body = frontmatter((tmp_path / ".claude" / "commands" / "hx-go.md").read_text())
    assert "Go ```\\! touch" in body and shell_blocks(body) == []


# --- item 2: from any folder of the session ----------------------------------------------------------------


def test_2_the_command_files_name_the_handler_by_the_project_folder(project):
    values, body = frontmatter((project / ".claude" / "commands" / "sprint-move.md").read_text())
    handler = '"${CLAUDE_PROJECT_DIR}/.claude/scripts/handlers/sprint_execution.py"'
    assert values["allowed-tools"] == f"Bash(uv run {handler} *)"
    assert f"```!\nuv run {handler} --claude /move --arguments-from-stdin <<'!sudolang-end-of-arguments'\n" in body
    router = (project / ".claude" / "hooks" / "orchestration" / "router.sh").read_text()
    assert 'CLAUDE_DIR="${CLAUDE_PROJECT_DIR}/.claude"' in router


# --- item 3: the events that move the board ------------------------------------------------------------------


def claude_input(event: str, cwd: str = "/nonexistent/project", **fields: object) -> str:
    return json.dumps({"session_id": SID, "transcript_path": f"/tmp/{SID}.jsonl", "cwd": cwd,
                       "permission_mode": "default", "hook_event_name": event, **fields})


def hook(state: Path, event: str, **fields: object) -> subprocess.CompletedProcess:
    done = sudolang("--state-dir", str(state), "hook", cwd=state.parent, stdin=claude_input(event, **fields))
    assert done.returncode == 0
    return done


def board_task(state: Path, task: str = "T-1") -> dict:
    return json.loads((state / "shared" / "default.json").read_text())["tasks"][task]


def session_doc(state: Path) -> dict:
    return json.loads((state / "sessions" / f"{SID}.json").read_text())


def test_3_init_listens_after_task_updates_and_agent_calls_and_never_to_worktree_create(project):
    from sudolang.compiler.init_project import HOOK_EVENTS
    from sudolang.runtime.hook import DATA_OUTPUT_EVENTS

    hooks = json.loads((project / ".claude" / "settings.json").read_text())["hooks"]
    [post] = hooks["PostToolUse"]
    assert set(post["matcher"].split("|")) >= {"TaskUpdate", "Agent"}
    assert not DATA_OUTPUT_EVENTS & set(hooks) and not DATA_OUTPUT_EVENTS & set(HOOK_EVENTS)


def test_3_a_task_update_moves_the_task_to_its_status_column(tmp_path):
    state = tmp_path / "state"
    hook(state, "TaskCreated", task_id="1", task_subject="Write the login form")
    update = {"tool_name": "TaskUpdate", "tool_use_id": "toolu_1"}
    hook(state, "PostToolUse", **update, tool_input={"taskId": "1", "status": "in_progress"},
         tool_response={"success": True, "taskId": "1", "updatedFields": ["status"]})
    assert board_task(state)["column"] == "doing"
    hook(state, "PostToolUse", **update, tool_input={"taskId": "1", "status": "completed"},
         tool_response={"success": False, "taskId": "1", "error": "no such task"})
    assert board_task(state)["column"] == "doing"  # Claude Code refused the change: the board too
    hook(state, "PostToolUse", **update, tool_input={"taskId": "1", "status": "completed"},
         tool_response={"success": True, "taskId": "1"})
    assert [step["column"] for step in board_task(state)["history"]] == ["todo", "doing", "done"]
    hook(state, "PostToolUse", **update, tool_input={"taskId": "2", "status": "in_progress", "subject": "Docs"},
         tool_response={"success": True})
    assert (board_task(state, "T-2")["title"], board_task(state, "T-2")["column"]) == ("Docs", "doing")


def test_3_task_lists_are_the_sessions_whatever_team_name_says(tmp_path):
    state = tmp_path / "state"
    hook(state, "TaskCreated", task_id="1", task_subject="One", team_name="web")
    hook(state, "TaskCompleted", task_id="1", task_subject="One", team_name="default")
    tasks = json.loads((state / "shared" / "default.json").read_text())["tasks"]
    assert list(tasks) == ["T-1"] and (tasks["T-1"]["column"], tasks["T-1"]["claude_task_list"]) == ("done", SID)


def test_3_session_start_says_when_no_task_event_was_seen(tmp_path):
    state = tmp_path / "state"
    started = hook(state, "SessionStart", source="startup").stdout
    assert "Task sync: no Claude Code task event in this session yet" in started
    assert "CLAUDE_CODE_ENABLE_TODO_TOOLS=1" in started
    hook(state, "TaskCreated", task_id="1", task_subject="One")
    assert session_doc(state)["execution"]["claude_tasks_seen_at"]
    assert "Task sync" not in hook(state, "SessionStart", source="resume").stdout


def test_3_a_starting_sub_agent_is_told_the_board(tmp_path):
    state = tmp_path / "state"
    hook(state, "TaskCreated", task_id="1", task_subject="One")
    done = hook(state, "SubagentStart", agent_id="agent-1", agent_type="code-reviewer")
    output = json.loads(done.stdout)["hookSpecificOutput"]
    assert output["hookEventName"] == "SubagentStart"
    assert output["additionalContext"].splitlines()[0].startswith("sudolang: the team's task board (project default)")
    assert "Board: backlog 0 | todo 1 | doing 0 | review 0 | done 0" in output["additionalContext"]


def test_3_a_background_agent_is_known_by_the_id_its_call_returns(tmp_path):
    state = tmp_path / "state"
    call = {"tool_name": "Agent", "tool_use_id": "toolu_9",
            "tool_input": {"subagent_type": "Explore", "description": "look", "run_in_background": True}}
    hook(state, "PreToolUse", **call)
    hook(state, "PostToolUse", **call, tool_response={"status": "async_launched", "agentId": "a-bg", "description": "look",
                                                        "prompt": "p", "outputFile": "/tmp/out"})
    agents = session_doc(state)["execution"]["agents"]
    assert (agents["Explore"]["claude_agent_id"], agents["Explore"]["status"]) == ("a-bg", "running")
    hook(state, "PostToolUse", **call, tool_response={"status": "completed", "agentId": "a-bg", "content": []})
    assert session_doc(state)["execution"]["agents"]["Explore"]["status"] == "done"


def test_3_the_hook_never_answers_an_event_whose_output_is_data(tmp_path):
    state = tmp_path / "state"
    done = hook(state, "WorktreeCreate", name="feature")
    assert done.stdout == ""
    assert "must not be registered for WorktreeCreate" in done.stderr
    assert not (state / "sessions" / f"{SID}.json").exists()


# --- item 5: the hook finds the project from the session's folder --------------------------------------------


def test_5_the_hook_finds_the_state_above_the_inputs_cwd_not_its_own(fresh, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = sudolang("hook", cwd=elsewhere, stdin=claude_input("SessionStart", cwd=str(fresh / "src" / "deep")))
    assert (done.returncode, done.stderr) == (0, "")
    assert (fresh / ".claude" / "state" / "sessions" / f"{SID}.json").is_file()
    assert not (elsewhere / ".claude").exists()
