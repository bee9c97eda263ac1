"""Issue 13, items 15 and 16: the programs' screens agree with themselves, fit the terminal and count in good
English; the demo's `$` lines run as shown in a shell. Every test runs the tool as a process."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import sys
import termios
from pathlib import Path

from sudolang.cells import width

ROOT = Path(__file__).resolve().parents[1]
VIEWS = {"sprint_execution": "/board", "all-team_dashboard": "/refresh", "leadership_chat": "/decisions",
         "config_manager": "/show"}


def environment(tmp_path: Path, **more: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SUDOLANG_") and name != "COLUMNS"}
    return {**env, "SUDOLANG_STATE_DIR": str(tmp_path / "state"), "SUDOLANG_CACHE_DIR": str(tmp_path / "cache"),
            "SUDOLANG_ACTOR": "lead", "PYTHONPATH": str(ROOT), **more}


class Project:
    """A project's state driven by `sudolang` processes, as a user would from a terminal."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def sudolang(self, *args: str, code: int = 0, **env: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sudolang", *args], env=environment(self.tmp_path, **env),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == code, (args, done)
        return done.stdout if code == 0 else done.stderr

    def session(self) -> str:
        return self.sudolang("session", "create", "--mode", "development", "--project", "p").strip()

    def run(self, program: str, line: str, sid: str, code: int = 0, **env: str) -> str:
        return self.sudolang("run", program, line, "--session", sid, code=code, **env)


def box_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line and line[0] in "╭│├╰"]


# --- item 15: the screens ----------------------------------------------------------------------------------


def test_15_the_sprint_boards_header_names_the_sprint_its_body_shows_whoever_started_it(tmp_path):
    project = Project(tmp_path)
    first, second = project.session(), project.session()
    project.run("sprint_execution", "/add First", first)
    project.run("sprint_execution", "/move T-1 done", first)  # sprint-001 completes
    project.run("sprint_execution", "/add 'Second one' 2", first)  # and the first session starts sprint-002
    board = project.run("sprint_execution", "/board", second)
    assert "│ Sprint: sprint-002 " in board and "│ Sprint sprint-002 " in board
    assert "│ Sprint: - " not in board


def test_15_the_dashboards_task_count_is_the_boards_and_says_where_the_others_are(tmp_path):
    project = Project(tmp_path)
    sid = project.session()
    for line in ("/add A", "/add B", "/move T-1 done", "/move T-2 done", "/add C 2", "/add D 3", "/block T-4 api"):
        project.run("sprint_execution", line, sid)  # T-1 and T-2 complete sprint-001; C and D are sprint-002
    screen = project.run("all-team_dashboard", "/refresh", sid)
    assert "│ Tasks: 2 in sprint-002, 2 in other sprints; 1 blocked " in screen
    board = next(line for line in screen.splitlines() if line.startswith("│ backlog "))
    counted = sum(int(n) for n in re.findall(r"(?:^│ |\| )\w+ (\d+)", board))
    assert counted == 2, board  # the board of the active sprint holds the 2 tasks the Tasks line names


def _busy_project(tmp_path: Path) -> tuple[Project, str]:
    """A project where every view has long lines: agents, a team, tasks, a blocker, decisions and a plan."""
    project = Project(tmp_path)
    sid = project.session()
    project.run("config_manager", "/agent alice developer", sid)
    project.run("config_manager", "/team web-platform-team alice", sid)
    project.run("sprint_execution", "/add 'A task with a rather long title that must wrap' 3", sid)
    project.run("sprint_execution", "/assign T-1 alice", sid)
    project.run("sprint_execution", "/block T-1 waiting on the payments API and its sandbox keys", sid)
    project.run("leadership_chat", "/propose 'Adopt the new deployment pipeline for every service' 2", sid)
    project.run("leadership_chat", "/plan 'Move the search service to the new cluster before the release'", sid)
    return project, sid


def assert_framed(out: str, cells: int) -> None:
    """Every line of the box is `cells` wide, corners and borders where they belong."""
    lines = box_lines(out)
    assert lines[0].startswith("╭─") and lines[0].endswith("╮"), lines[0]
    assert lines[-1].startswith("╰") and lines[-1].endswith("╯"), lines[-1]
    for line in lines[1:-1]:
        assert (line[0], line[-1]) in {("│", "│"), ("├", "┤")}, line
    assert [width(line) for line in lines] == [cells] * len(lines), "\n".join(lines)
    assert out.splitlines()[: len(lines)] == lines, out  # one box, nothing of it spilled outside
    # (a layout without a main area, leadership_chat's, prints the command's output under the box)


def test_15_each_programs_box_fits_a_45_column_terminal_and_wraps_inside_it(tmp_path):
    project, sid = _busy_project(tmp_path)
    for program, view in VIEWS.items():
        narrow = project.run(program, view, sid, COLUMNS="45")
        assert_framed(narrow, 45)
        assert_framed(project.run(program, view, sid), 60)  # into a pipe, without $COLUMNS: the layout's own width
    dashboard = project.run("all-team_dashboard", "/refresh", sid, COLUMNS="45")
    words = " ".join(line[1:-1].strip() for line in box_lines(dashboard))
    assert "waiting on the payments API and its sandbox keys" in words  # wrapped, nothing lost


def test_15_a_real_45_column_terminal_gets_a_45_column_box(tmp_path):
    """No $COLUMNS: the width comes from the terminal itself (a pseudo-terminal 45 columns wide)."""
    project, sid = _busy_project(tmp_path)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 45, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "sudolang", "run", "all-team_dashboard", "/refresh", "--session",
                                sid], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                               env=environment(tmp_path))
    os.close(terminal)
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        try:
            chunk = os.read(controller, 65536) if ready else b""
        except OSError:  # Linux: EIO once the process has closed the terminal
            chunk = b""
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    assert_framed(shown.decode().replace("\r\n", "\n"), 45)


def test_15_counts_of_one_are_singular_in_every_program(tmp_path):
    project = Project(tmp_path)
    sid = project.session()
    steps = [("config_manager", "/agent alice"), ("config_manager", "/team web alice"), ("config_manager", "/show"),
             ("sprint_execution", "/add Solo"), ("sprint_execution", "/board"), ("sprint_execution", "/burndown"),
             ("sprint_execution", "/assign T-1"), ("all-team_dashboard", "@alice"),
             ("all-team_dashboard", "/team web"), ("all-team_dashboard", "/refresh"),
             ("sprint_execution", "/move T-1 review"), ("sprint_execution", "/move T-1 done"),
             ("sprint_execution", "/velocity"), ("all-team_dashboard", "/metrics"),
             ("leadership_chat", "/propose Ship 1"), ("leadership_chat", "/thread Release"),
             ("leadership_chat", "/say 1 hello"), ("leadership_chat", "/plan Launch"),
             ("leadership_chat", "/decisions")]
    said = [project.run(program, line, sid) for program, line in steps]
    text = "\n".join(said)  # the triggers' lines too (sudolang/runtime/triggers.py): "1 task, 1 pt"
    assert "Added T-1 'Solo' (1 pt) to the backlog" in text
    assert "(least loaded: 0 open pts)" in text and "1 task, 1 open pt" in text
    assert "Team web: 1 member, 1 open pt" in text
    assert "│ Teams: web (1 member, 1 open pt)" in text and "│   T-1    1 pt    unassigned   Solo" in text
    assert "average: 1.0 pts per sprint over 1 sprint" in text and "throughput: 1 task done" in text
    assert "closes after 1 vote" in text and "1 message in the thread" in text and "1 item in the plan" in text
    assert "│ Teams: web (1 member) " in text and "│ Threads: TH-1 Release (1 message) " in text
    assert "(s)" not in text
    mistakes = re.findall(r"\b1 (?:open )?(?:pts|tasks|members|messages|votes|items|sprints|agents|teams)\b", text)
    assert mistakes == [], text


def test_15_voting_the_same_again_says_the_vote_is_unchanged(tmp_path):
    project = Project(tmp_path)
    sid = project.session()
    project.run("leadership_chat", "/propose Ship 3", sid)
    assert project.run("leadership_chat", "/vote D-1 yes", sid).startswith("lead voted yes on D-1\n")
    again = project.run("leadership_chat", "/vote D-1 y", sid)
    assert again == "lead already voted yes on D-1; the vote is unchanged\nD-1 open: 1 yes, 0 no (quorum 3)\n"
    changed = project.run("leadership_chat", "/vote D-1 no", sid)
    assert changed.startswith("lead changed the vote on D-1 from yes to no\n")


def test_15_allocating_an_unknown_agent_names_the_program_that_adds_agents(tmp_path):
    project = Project(tmp_path)
    sid = project.session()
    error = project.run("leadership_chat", "/allocate zed web", sid, code=3)
    assert "unknown agent 'zed'; add it with the config manager (/agent zed)" in error


# --- item 16: the demo's lines run as shown ----------------------------------------------------------------

TIMES = re.compile(r"\b\d\d:\d\d\b")


def run_demo(tmp_path: Path, *args: str, path: str = "/usr/bin:/bin") -> subprocess.CompletedProcess:
    """`sudolang demo` with its temporary folder in tmp_path and a PATH without sudolang on it; a state
    directory and an actor in the environment that the demo's lines must not use."""
    env = environment(tmp_path, TMPDIR=str(tmp_path), PATH=path, SUDOLANG_STATE_DIR=str(tmp_path / "elsewhere"),
                      SUDOLANG_ACTOR="someone-else")
    return subprocess.run([sys.executable, "-m", "sudolang", "demo", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def dollar_lines(out: str) -> list[tuple[str, list[str]]]:
    """Each `$` line with the lines printed under it (to the next blank, narration or `$` line)."""
    steps: list[tuple[str, list[str]]] = []
    collecting = False
    for line in out.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
            collecting = True
        elif line == "" or line.startswith("# "):
            collecting = False
        elif collecting:
            steps[-1][1].append(line)
    return steps


def in_bash(tmp_path: Path, commands: list[str]) -> list[tuple[int, list[str]]]:
    """Each command run in one bash, in turn (a shell's state carries on): its exit status and output."""
    script = "".join(f"{command}\nprintf '@@exit=%s\\n' \"$?\"\n" for command in commands)
    env = environment(tmp_path, PATH="/usr/bin:/bin", SUDOLANG_STATE_DIR=str(tmp_path / "elsewhere"),
                      SUDOLANG_ACTOR="someone-else")
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.stderr == "", done.stderr
    results, lines = [], []
    for line in done.stdout.splitlines():
        if line.startswith("@@exit="):
            results.append((int(line[len("@@exit="):]), lines))
            lines = []
        else:
            lines.append(line)
    return results


def test_16_the_demos_dollar_lines_run_as_shown_in_a_shell_and_print_what_the_demo_printed(tmp_path):
    done = run_demo(tmp_path)
    assert done.returncode == 0, done
    folder = tmp_path / "sudolang-demo"  # a fixed name, which the README can show
    assert done.stdout.startswith(f"# project: {folder};")
    assert (folder / ".sudolang-demo").is_file() and not (tmp_path / "elsewhere").exists()
    steps = dollar_lines(done.stdout)
    assert steps[0] == (f"cd {folder} && export SUDOLANG_ACTOR=lead && unset SUDOLANG_STATE_DIR", [])
    assert steps[1][0] == f'sudolang() {{ {sys.executable} -P -m sudolang "$@"; }}   # the demo\'s sudolang, which may ' \
                          "not be on your PATH"  # no sudolang on this PATH: the shell is told how to run it
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir()  # the same lines, from the start, in a fresh project: each must print what the demo did
    results = in_bash(tmp_path, [command for command, _ in steps])
    assert len(results) == len(steps)
    for (command, shown), (status, printed) in zip(steps, results):
        assert status == 0, (command, printed)
        if shown and shown[-1].startswith("... and "):  # init's list, shortened by the demo
            listed = len(shown) - 1
            assert printed[:listed] == shown[:-1] and len(printed) == listed + int(shown[-1].split()[2]), command
        else:
            assert [TIMES.sub("HH:MM", line) for line in printed] == [TIMES.sub("HH:MM", line) for line in shown], \
                command
    assert not (tmp_path / "elsewhere").exists()  # the shell's own $SUDOLANG_STATE_DIR was not used
    remove = done.stdout.rstrip("\n").splitlines()[-1]
    assert remove == f"# Remove the project when you are done: rm -rf {shlex.quote(str(folder))}"
    subprocess.run(["bash", "-c", remove.split(": ", 1)[1]], check=True)
    assert not folder.exists()


def test_16_with_sudolang_on_the_path_the_lines_call_it_by_name(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "sudolang").write_text("#!/bin/sh\nexit 0\n")
    (tools / "sudolang").chmod(0o755)
    done = run_demo(tmp_path, path=f"{tools}:/usr/bin:/bin")
    assert done.returncode == 0, done
    commands = [command for command, _ in dollar_lines(done.stdout)]
    assert commands[1] == "sudolang init"  # no shell function: the one on PATH is called


def test_16_a_second_demo_clears_its_own_folder_and_refuses_any_other(tmp_path):
    assert run_demo(tmp_path).returncode == 0
    folder = tmp_path / "sudolang-demo"
    (folder / "left-over.txt").write_text("from the first run")
    again = run_demo(tmp_path)
    assert again.returncode == 0, again
    assert not (folder / "left-over.txt").exists() and "Added T-1 'Login page'" in again.stdout

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    refused = run_demo(tmp_path, "--dir", str(mine))
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (f"sudolang: error: {mine} is not empty and not a demo project (it has no .sudolang-demo "
                              "file); nothing was changed: choose an empty or new folder with --dir\n")
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]

    (folder.parent / "link").symlink_to(mine)
    refused = run_demo(tmp_path, "--dir", str(folder.parent / "link"))
    assert refused.returncode == 1 and "is a symbolic link" in refused.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_16_the_readme_shows_the_demo_as_it_runs(tmp_path):
    """The README's demo block: its `$` lines are the demo's, and its dashboard is the one the demo draws."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```console\n# project: /tmp/sudolang-demo;", 1)[1].split("```", 1)[0]
    done = run_demo(tmp_path)
    assert done.returncode == 0, done
    shown = done.stdout.replace(str(tmp_path / "sudolang-demo"), "/tmp/sudolang-demo")
    for line in block.splitlines():
        if line.startswith("$ ") and not line.startswith("$ sudolang() "):
            assert line in shown.splitlines(), line
    readme_box = [TIMES.sub("HH:MM", line) for line in box_lines(block)]
    assert readme_box == [TIMES.sub("HH:MM", line) for line in box_lines(shown)]
