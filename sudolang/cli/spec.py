"""Every `sudolang` command and option, described once.

Both readers of a command line work from this table: the fast path
(sudolang.cli.fastpath), which reads a plain command line without argparse, and
the argparse builder (sudolang.cli.build), which reads everything else and
prints the help. Handlers and option types are named as "module:function"
strings, so building the table imports nothing but this module.

The records are plain classes with slots, not dataclasses or namedtuples:
`sudolang hook` and `sudolang state get` read this table on every run, and
importing dataclasses costs them about 10 ms, collections (for namedtuple) about
1 ms (tests/runtime/test_hook.py pins what the hook loads).
"""

from __future__ import annotations

TYPE_CHECKING = False  # annotations only
if TYPE_CHECKING:
    from typing import Any

# flags: ("sid",) for a positional, ("--raw",) for an option. dest: the namespace attribute. takes_value:
# False for an on/off flag (argparse's store_true). nargs: None, "?", "+" or "..." (the rest of the line).
# type: "module:function" turning the text into the value; a ValueError's message is the usage error.
class Option:
    __slots__ = ("flags", "dest", "takes_value", "metavar", "help", "default", "choices", "nargs", "required", "type")

    def __init__(self, flags: tuple[str, ...], dest: str, takes_value: bool, metavar: str | None = None,
                 help: str | None = None, default: object = None, choices: tuple | None = None,
                 nargs: str | None = None, required: bool = False, type: str | None = None) -> None:
        self.flags, self.dest, self.takes_value, self.metavar, self.help = flags, dest, takes_value, metavar, help
        self.default, self.choices, self.nargs, self.required, self.type = default, choices, nargs, required, type

    def with_help(self, help: str | None) -> Option:
        """A copy with another help text."""
        return Option(self.flags, self.dest, self.takes_value, self.metavar, help, self.default, self.choices,
                      self.nargs, self.required, self.type)


# group: the first word; action: the second (None for a command without actions). handler: "module:function",
# called with the namespace, returning the exit code. defaults: namespace values the common options take
# when they are not given (argparse leaves them out otherwise). lenient: a mistake on the command line is not
# a usage error but a problem the handler reports (`hook` exits 0 whatever it is given).
class Command:
    __slots__ = ("group", "action", "help", "arguments", "handler", "description", "epilog", "defaults", "lenient")

    def __init__(self, group: str, action: str | None, help: str, arguments: tuple[Option, ...], handler: str,
                 description: str | None = None, epilog: str | None = None, defaults: dict | None = None,
                 lenient: bool = False) -> None:
        self.group, self.help, self.arguments, self.handler = group, help, arguments, handler
        self.action: Any = action  # a str wherever a group has actions (spec.actions); mypy cannot see that
        self.description, self.epilog, self.defaults, self.lenient = description, epilog, defaults, lenient


class Group:
    __slots__ = ("name", "help", "epilog")

    def __init__(self, name: str, help: str, epilog: str) -> None:
        self.name, self.help, self.epilog = name, help, epilog


def arg(name: str, metavar: str, help: str | None = None, nargs: str | None = None) -> Option:
    """A positional argument."""
    return Option((name,), name, True, metavar, help, None, None, nargs)


def flag(name: str, help: str | None = None, dest: str | None = None) -> Option:
    """An option that is on or off (`--json`)."""
    return Option((name,), dest or name[2:].replace("-", "_"), False, None, help, False)


def opt(name: str, metavar: str | None = None, help: str | None = None, default: object = None,
        choices: tuple | None = None, required: bool = False, type: str | None = None, dest: str | None = None) -> Option:
    """An option that takes a value (`--out DIR`)."""
    return Option((name,), dest or name[2:].replace("-", "_"), True, metavar, help, default, choices, None, required,
                  type)


def timeout_seconds(text: str) -> float:
    """The value of --timeout: a finite number of seconds, 0 or more; ValueError says what is wrong. The rule
    is the state layer's (sudolang.state.lock.timeout_seconds): `sudolang run` reads it after PROGRAM too."""
    from sudolang.state.lock import timeout_seconds as checked

    return checked(text)


def ttl_seconds(text: str) -> int:
    """--ttl: whole seconds, at most MAX_TTL (a larger one would overflow the expiry's date); 0 and below
    are refused by sessions.create, which says why."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--ttl must be a whole number of seconds (got {text[:40]!r})") from None
    if value > MAX_TTL:
        raise ValueError(f"--ttl must be at most {MAX_TTL} seconds (100 years)")
    return value


MAX_TTL = 100 * 366 * 86400
MODES = ("development", "leadership", "sprint", "config")
HOOK_TIMEOUT = 2.0  # sudolang.runtime.hook.HOOK_TIMEOUT (tests/runtime/test_hook.py checks they agree)

# Accepted before or after any command; argparse leaves them out of the namespace when they are not given.
COMMON = (
    opt("--state-dir", "DIR", "state directory (default: see below)"),
    opt("--store", "URL", "where the state is kept: files, or a postgresql://host/dbname URL (default: see below)"),
    opt("--timeout", "SECONDS", "how long to wait for a lock before giving up (default 5)",
        type="sudolang.cli.spec:timeout_seconds"),
    flag("--debug", "show the Python traceback of an error"),
)
# A common option's help where a command gives it another meaning and default: its --help says that, once.
COMMON_HELP: dict[tuple[str | None, str], str] = {
    ("hook", "--timeout"): f"the whole run's time budget in seconds, lock waits included (default {HOOK_TIMEOUT:g})",
}
# The metavars of arguments that name a session: there a unique prefix of a live session's id stands for it
# (sudolang.cli.resolve_session_ids; not for a lenient command: the hook's ids are Claude Code's, exact).
SESSION_METAVARS = ("SID", "FROM", "TO")
SHELLS = ("bash", "zsh", "fish")

DESCRIPTION = ("Lint, compile and run SudoLang programs that coordinate Claude Code sessions "
               "through JSON state files.")
EXIT_CODES = """\
exit codes:
  0  success
  1  the operation cannot be done on this data (e.g. a path runs through a number)
  2  usage error: bad arguments, invalid JSON or JSONPath, an unsafe id
  3  not found: no such session, project, key or match, or no project here; nothing was changed
  4  lock timeout: another process held the lock past --timeout; nothing was changed
  5  corrupt state: a file does not parse; run the recover command the message names
  6  store unavailable: the PostgreSQL server could not be reached or the connection broke

state directory: --state-dir DIR, else $SUDOLANG_STATE_DIR, else .claude/state in
the nearest folder upwards that has a .claude/ folder (your home folder's counts only
once `sudolang init` made it a project). Outside a project the state, session, shared,
msg and run commands create nothing: they exit 3 and say to run `sudolang init`.
store: --store URL, else $SUDOLANG_STORE, else "store" in .claude/sudolang.json
(written by `sudolang init --store URL`), else files under the state directory."""

# --- lint, compile, init, run -------------------------------------------------------------------------------

LINT_EPILOG = """\
rules (error: breaks compiling or running; warning: the model can still cope; info: what runs where):
  SL001-6  error  syntax: unclosed or stray brackets, unterminated strings, fences, comments
  SL007  error    brackets nested deeper than 100
  SL009  error    the file cannot be read (not a regular file, over 4 MiB) or decoded as UTF-8
  SL101  error    a command name declared twice (map entries, /command lines, aliases)
  SL102  error    a malformed command signature
  SL103  warning  a command with no description, where the others have one
  SL104  error    a program name or prefix that cannot become file and command names
  SL201  warning  a layout {placeholder} that nothing binds
  SL202  warning  a ragged box in a layout (rows of unequal display width)
  SL301  warning  a call to a method the program never defines
  SL302  error    an invalid JSONPath in a state command
  SL401  warning  class-based keywords (class, extends, inherits, new, super) in code
  SL402  warning  the deprecated set operators cap and cup
  SL500-6  error  a program that cannot compile (no name, a command that cannot be a file, a bad view)
  SL510  info     (with --notes) this command runs locally: its function is SudoLang Core (docs/language.md section 8)
  SL511  info     (with --notes) this command runs in the model, and the line that made it so
  SL512  error    a command the program's `local = [...]` names runs in the model
  SL513  error    a command's function whose parameters do not fit its signature

CODES for --select and --ignore are comma-separated codes or prefixes (SL1 means SL1xx).
Folders are searched for *.sudo, *.sudo.md and *.mdc files (hidden folders are skipped).

exit codes:
  0  no errors (warnings allowed), or --exit-zero
  1  at least one error
  2  usage error, or a file that cannot be read (reported as SL009)"""

COMPILE_EPILOG = """\
examples:
  sudolang compile sprint_execution                 # a shipped program, into the project's .claude/
  sudolang compile my.sudo --out build/.claude      # a file of yours, elsewhere
  sudolang compile all-team_dashboard --check       # exit 1 listing missing or stale files
  sudolang compile leadership_chat --emit markdown  # print one stage: ast, markdown or python
shipped programs: all-team_dashboard, leadership_chat, sprint_execution, config_manager"""

INIT_EPILOG = """\
Creates, under PROJECT/.claude/: scripts/{state_manager,session_manager,shared_state}.py
(uv scripts running sudolang on .claude/state), the shipped programs compiled into
output-styles/, commands/ and scripts/handlers/, hooks/orchestration/router.sh, the
state/sessions/ and state/shared/ folders, and the router's hooks in settings.json
(merged: other settings and hooks stay; the old file is kept as settings.json.bak).
Running it again changes only what differs. With --store URL it also records the team's
store in .claude/sudolang.json (a URL with a password is refused: .claude/ is committed;
keep the password in $PGPASSWORD or ~/.pgpass)."""

RUN_EPILOG = """\
examples:
  sudolang run sprint_execution "/add 'Login page' 3"    # one command; quotes group words
  sudolang run sprint_execution /move T-1 doing          # or the words as separate arguments
  sudolang run all-team_dashboard /refresh               # the dashboard drawn from live state
  sudolang run all-team_dashboard @reviewer-1            # navigate to an agent
  sudolang run config_manager /rollback 2 --json         # the command's data instead of its text
  sudolang run sprint_execution /help                    # every command with its signature
  sudolang run all-team_dashboard                        # interactive: a prompt, Ctrl-D to leave
  sudolang run leadership_chat /say TH-1 -- --json ok    # after --, words are the command's own

options: --session, --json, --state-dir, --timeout and --debug may stand before PROGRAM or
anywhere after it, also inside one quoted command line ("/move T-1 doing --json"); `--`
ends them. --timeout SECONDS: how long the command's lock waits may take together (default 5).
session: --session SID, else $SUDOLANG_SESSION, else the only active session (of
$SUDOLANG_PROJECT when set), named on stderr; several active: exit 2, listing them (choose one
with --session); none: a new one, named on stderr.
actor (who votes, who changed the config): $SUDOLANG_ACTOR, else your login name; in Claude
Code (a command file's --claude) the session. The interactive screen's first line names both,
and it redraws itself when the state changes and every dashboard.refresh_seconds.
exit codes: 0 done, 1 the command cannot be done on this state, 2 wrong arguments, an unknown
command (the signature or the program's commands are printed) or several active sessions,
3 not found (or no project here: run `sudolang init`), 4 lock timeout."""

HOOK_EPILOG = f"""\
forms:
  sudolang hook < input.json        Claude Code's hook input (JSON on stdin), as router.sh passes it
  sudolang hook EVENT SID PAYLOAD   the plan's explicit form, on an existing session:
    task_completed SID '{{"task": "T-3"}}'                          the task moves to done
    task_blocked   SID '{{"task": "T-3", "reason": "API down"}}'    the task is blocked
    agent_spawned  SID '{{"agent": "reviewer-1", "type": "code-reviewer"}}'   the agent runs
    epic_updated   SID '{{"epic": "E-1", "status": "active"}}'      (in_progress = active, done = completed)

Claude Code events: SessionStart attaches (or creates) the session whose id is Claude's
session_id and prints a short summary of its state (saying so when no task event was seen yet);
UserPromptSubmit prints it too; SubagentStart/SubagentStop, PreToolUse Agent (Task) and
PostToolUse Agent track agents, and SubagentStart gives the sub-agent the board (JSON
additionalContext); TaskCreated/TaskCompleted, PostToolUse TaskUpdate and PreToolUse TodoWrite
sync the project's task board (the session's task list; team_name is not used); SessionEnd
pauses the session; WorktreeCreate is refused (its output is data); every event is a heartbeat.
Without --state-dir or $SUDOLANG_STATE_DIR, the state is the nearest .claude/ above the input's cwd.

It always exits 0, whatever its command line: a problem (a bad option or --timeout included) is one
line on stderr. The whole run keeps within {HOOK_TIMEOUT:g} s (--timeout SECONDS to change it): every
lock is waited for only until that budget is spent. Every run is logged as one JSON line in <state-dir>/hook-events.jsonl
(moved to hook-events.jsonl.1 past 1 MB): look there when a hook seems not to fire.

State triggers: the rules in sudolang/runtime/triggers.toml run after each event. A
triggers.toml in the state directory replaces them whole; a malformed one is reported and the
packaged rules are used. --list-triggers prints the rules in force and their file."""

# --- state, session, shared, msg ----------------------------------------------------------------------------

STATE_EXAMPLES = """\
examples:
  sudolang state get SID '$'                          # the whole document
  sudolang state get SID session.lifecycle.status     # one value ('$.' is optional)
  sudolang state get SID '$.execution.tasks[?(@.status=="todo")]'   # filter -> array
  sudolang state set SID tasks.task-001.status done   # creates missing parents
  sudolang state merge SID active_work '{"sprint": "sprint-001"}'
  echo '[{"op":"incr","path":"metrics.builds"}]' | sudolang state batch SID -
batch operations: set, merge, delete, incr (value defaults to 1), append (optional limit)."""

SHARED_EXAMPLES = """\
examples:
  sudolang shared get default '$'                          # the whole project document
  sudolang shared get default '$.tasks["T-1"]'             # one board task ('$.' optional: tasks.T-1)
  sudolang shared get default '$.tasks[?(@.column == "doing")].id'   # filter -> array
  sudolang shared set default tasks.T-1.assignee alice     # as `state set`; creates missing parents
  sudolang shared merge default tasks.T-1 '{"points": 5, "title": "Login form"}'
  echo '[{"op":"delete","path":"tasks.T-9"}]' | sudolang shared batch default -
  sudolang shared update-epic default E-1 --status in_progress   # stored as active
The project document (shared/<P>.json) holds project, config, epics, sprints, tasks (the board),
counters and events. get/set/merge/delete/batch work on it exactly as `state` does on a session's:
the same paths, lock, event log and exit codes; a missing project is exit 3 and is not created
(a session created with --project P makes one)."""

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

COMPLETION_EPILOG = """\
install (the script completes commands, actions, options, their choices, the shipped programs
and the state directory's session ids; print it again after upgrading sudolang):
  bash  echo 'eval "$(sudolang completion bash)"' >> ~/.bashrc
  zsh   sudolang completion zsh > "${fpath[1]}/_sudolang"    # a folder on $fpath; then compinit
  fish  sudolang completion fish > ~/.config/fish/completions/sudolang.fish"""

STORE_EPILOG = """\
examples:
  sudolang store migrate postgresql://db.example.com/sudolang          # once per database: the tables
  sudolang store copy --from files --to postgresql://db.example.com/sudolang   # this project's state there
  sudolang store copy --from postgresql://db.example.com/sudolang --to files   # and back
STORE is files (the JSON files under the state directory) or a postgresql:// URL (libpq's: host,
port, dbname, user and ?sslmode=… as usual; the password from $PGPASSWORD or ~/.pgpass). copy
moves every live session and project at its revision with its event log, and the unread
messages; it refuses, before writing anything, a target that already holds one of them, and
checks the copy by comparing every document and revision. Exit 6: the server cannot be reached."""

SID = arg("sid", "SID", "session id")
PATH = arg("path", "PATH", "JSONPath; the leading '$.' is optional")
AS_TABLE_JSON = flag("--json", "print JSON instead of a table")
PROJECT = arg("project", "P", "project id")
SPRINT = arg("sprint", "SPRINT", "sprint id")
RECIPIENT = arg("sid", "SID", "the recipient session's id")
AS_JSON = flag("--json", "print JSON instead of text")


def by_path(group: str, document: Option) -> tuple[Command, ...]:
    """get, set, merge, delete and batch by JSONPath on the document `document` names: `state` a session's,
    `shared` a project's. Both groups take the same arguments, print the same and share one implementation in
    sudolang.cli.state (the handler GROUP_ACTION)."""
    def on_path(action: str, help: str, *arguments: Option) -> Command:
        return Command(group, action, help, (document, PATH, *arguments), f"sudolang.cli.state:{group}_{action}")

    return (
        on_path("get", "Print the value at PATH; a filter or wildcard prints a JSON array of matches.",
                flag("--raw", "print a string value without quotes")),
        on_path("set", "Set PATH to VALUE, creating missing parents. VALUE that looks like JSON (starts with {, [ "
                "or \", or is a number, true, false or null) must be valid JSON; any other text is stored as a "
                "string, so `done` needs no quotes. NaN, Infinity, 1e999 and integers over 4,300 digits are refused.",
                arg("value", "VALUE")),
        on_path("merge", "Deep-merge a JSON object into the object at PATH.", arg("json", "JSON")),
        on_path("delete", "Remove the value at PATH (every match, for a filter)."),
        Command(group, "batch", "Apply a JSON array of {op, path, value} under one lock: all or nothing.",
                (document, arg("file", "FILE|-", "a file of operations, or - for standard input")),
                f"sudolang.cli.state:{group}_batch"),
    )


# In the order `sudolang --help` lists them: the pipeline, then the state it works on, then the demo.
GROUPS = (
    Group("lint", "Check SudoLang programs and report path:line:col: CODE message.", LINT_EPILOG),
    Group("compile", "Compile SudoLang programs into Claude Code output styles, command files and handler scripts.",
          COMPILE_EPILOG),
    Group("init", "Set up a project's .claude/ folder for sudolang: scripts, programs, hooks and state.",
          INIT_EPILOG),
    Group("run", "Run a SudoLang program's commands locally against the state, as Claude Code would.", RUN_EPILOG),
    Group("hook", "Route a Claude Code hook event into orchestration state; never blocks.", HOOK_EPILOG),
    Group("msg", "Send and receive messages between sessions.", MSG_EXAMPLES),
    Group("state", "Query and change a session's JSON document by JSONPath.", STATE_EXAMPLES),
    Group("session", "Create, keep alive, hand off, list and recover sessions.", ""),
    Group("shared", "Project state shared by all sessions: config, epics, sprints, tasks, tools.", SHARED_EXAMPLES),
    Group("demo", "Set up a throw-away project, compile the four programs into it, drive them with real commands "
          "and show the dashboard.", ""),
    Group("help", "Show a command's help: `sudolang help state get` is `sudolang state get --help`.", ""),
    Group("completion", "Print a shell completion script for bash, zsh or fish.", COMPLETION_EPILOG),
    Group("store", "Set up a PostgreSQL store for a team, and copy a project's state between stores.", STORE_EPILOG),
)

COMMANDS = (
    Command("lint", None, GROUPS[0].help, (
        arg("paths", "PATH", "files or folders to check, or - for standard input", nargs="+"),
        opt("--format", None, "text for people (default), json for tools, github for workflow annotations",
            default="text", choices=("text", "json", "github")),
        opt("--select", "CODES", "report only these codes or prefixes, e.g. SL1,SL302"),
        opt("--ignore", "CODES", "do not report these codes or prefixes"),
        flag("--exit-zero", "exit 0 even when errors are found"),
        flag("--notes", "also say where each command runs: locally (SL510) or in the model, and which line made it so (SL511)"),
    ), "sudolang.cli.lint:lint"),
    Command("compile", None, GROUPS[1].help, (
        arg("programs", "PROGRAM", "a shipped program's name or a .sudo file", nargs="+"),
        opt("--out", "DIR", "where to write (default: the project's .claude/)"),
        flag("--check", "write nothing; exit 1 listing missing or stale files"),
        opt("--emit", None, "print one stage to stdout instead", choices=("ast", "markdown", "python")),
        flag("--json", "print what was written (with --check: what is missing or stale) as a JSON object"),
    ), "sudolang.cli.compile:compile_"),
    Command("init", None, GROUPS[2].help, (
        opt("--dir", "PROJECT", "project folder (default: the current one)", default="."),
        flag("--json", "print what was created, changed and left unchanged as a JSON object"),
    ), "sudolang.cli.compile:init"),
    Command("run", None, GROUPS[3].help, (
        arg("program", "PROGRAM", "a shipped program's name (see `sudolang compile --help`) or a .sudo file"),
        arg("command", "COMMAND", "a command line such as \"/move T-3 review\" or @agent; none: interactive",
            nargs="..."),
        opt("--session", "SID", "the session to act in (default: see below)"),
        flag("--json", "print the command's data as JSON instead of its text"),
    ), "sudolang.cli.run:run"),
    Command("hook", None, GROUPS[4].help, (
        arg("event", "EVENT", "task_completed, task_blocked, agent_spawned or epic_updated "
            "(none: read Claude Code's input on stdin)", nargs="?"),
        arg("sid", "SID", "the orchestration session", nargs="?"),
        arg("payload", "PAYLOAD", "a JSON object (see below)", nargs="?"),
        flag("--list-triggers", "print the trigger rules in force and exit"),
        flag("--json", "with --list-triggers: print them as a JSON object"),
    ), "sudolang.cli.hook:hook", defaults={"state_dir": None, "timeout": HOOK_TIMEOUT, "debug": False}, lenient=True),
    Command("msg", "send", "Send TEXT, or a JSON payload, from session FROM to session TO; prints its sequence number.", (
        arg("sender", "FROM", "the sending session's id"),
        arg("recipient", "TO", "the receiving session's id (must be live)"),
        arg("text", "TEXT", "the message (or give --json instead)", nargs="?"),
        opt("--json", "PAYLOAD", "send this JSON value instead of TEXT", dest="payload"),
    ), "sudolang.cli.msg:send"),
    Command("msg", "poll", "Print SID's unread messages in sending order and consume them; each message "
            "goes to exactly one poller. Prints nothing when none waits.", (
                RECIPIENT, flag("--peek", "show them without consuming"), AS_JSON), "sudolang.cli.msg:poll"),
    Command("msg", "list", "Show how many messages wait for SID, one line each, without consuming them.",
            (RECIPIENT, AS_JSON), "sudolang.cli.msg:list_"),
    *by_path("state", SID),
    Command("state", "list-sessions", "List every session.", (AS_TABLE_JSON,), "sudolang.cli.state:list_sessions"),
    Command("state", "cleanup-expired", "Archive expired sessions to sessions/archive/ (never deleted).",
            (flag("--dry-run", "only list what would be archived"), AS_JSON), "sudolang.cli.state:cleanup_expired"),
    Command("session", "create", "Create a session and print only its id.", (
        opt("--mode", None, required=True, choices=MODES),
        opt("--project", "P", "project the session works on (created if new)"),
        opt("--ttl", "SECONDS", "seconds without a heartbeat before the session expires (default 86400)",
            default=24 * 3600, type="sudolang.cli.spec:ttl_seconds"),
    ), "sudolang.cli.state:create"),
    Command("session", "heartbeat", "Record activity now and push the expiry out; prints the new expiry.",
            (SID, AS_JSON), "sudolang.cli.state:heartbeat"),
    Command("session", "handoff", "Move active work and open tasks from FROM to TO; FROM is marked completed.",
            (arg("source", "FROM"), arg("target", "TO"), AS_JSON), "sudolang.cli.state:handoff"),
    Command("session", "list", "List sessions, most recently active first.", (
        flag("--active", "only active, unexpired sessions"), opt("--project", "P"), AS_TABLE_JSON,
    ), "sudolang.cli.state:list_"),
    Command("session", "recover", "After a crash: sweep unfinished writes and, if the document is damaged, "
            "rebuild it from its backup and event log; reports what was lost.", (arg("id", "SID"), AS_JSON),
            "sudolang.cli.state:recover_session"),
    *by_path("shared", PROJECT),
    Command("shared", "get-config", "Print the project's configuration.", (PROJECT,), "sudolang.cli.state:get_config"),
    Command("shared", "update-epic", "Set an epic's status (the epic and the project are created if new).", (
        PROJECT, arg("epic", "EPIC"),
        opt("--status", "S", "planned, active, blocked, completed or cancelled; as for the hook's epic_updated, "
            "in_progress, doing and started mean active and done means completed (stored as that status)",
            required=True),
    ), "sudolang.cli.state:update_epic"),
    Command("shared", "list-sprints", "List the project's sprints.",
            (PROJECT, opt("--status", "S", "only sprints with this status")), "sudolang.cli.state:list_sprints"),
    Command("shared", "list-tools", "List the tools sessions can call (<state-dir>/tools.json).", (),
            "sudolang.cli.state:list_tools"),
    Command("shared", "activate-sprint", "Mark a sprint active (created if new) and make it the session's active work.",
            (PROJECT, SPRINT, opt("--session", "SID", required=True)), "sudolang.cli.state:activate_sprint"),
    Command("shared", "get-sprint", "Print one sprint.", (PROJECT, SPRINT), "sudolang.cli.state:get_sprint"),
    Command("shared", "recover", "Rebuild a damaged project document from its backup and event log.",
            (arg("id", "P"), AS_JSON), "sudolang.cli.state:recover_project"),
    Command("demo", None, GROUPS[9].help, (
        opt("--dir", "PROJECT",
            "the project folder to set up, new or empty (default: sudolang-demo in the temporary folder)"),
    ), "sudolang.cli.demo:demo"),
    Command("help", None, GROUPS[10].help, (
        arg("name", "COMMAND", "a command (none: every command)", nargs="?"),
        arg("action_name", "ACTION", "one of its actions", nargs="?"),
    ), "sudolang.cli:help_"),
    Command("completion", None, GROUPS[11].help, (
        Option(("shell",), "shell", True, "SHELL", "bash, zsh or fish", None, SHELLS, "?"),
        flag("--session-ids", "print the state directory's session ids, one a line (what the scripts call)"),
    ), "sudolang.cli.completion:completion"),
    Command("store", "migrate", "Create or upgrade sudolang's tables in a PostgreSQL database (safe to run again).",
            (arg("url", "URL", "postgresql://host/dbname"),), "sudolang.cli.store:migrate"),
    Command("store", "copy", "Copy this project's sessions, projects, event logs and unread messages from one "
            "store to another, then check the copy.", (
                opt("--from", "STORE", "files, or a postgresql:// URL", required=True, dest="source"),
                opt("--to", "STORE", "files, or a postgresql:// URL", required=True, dest="target"),
            ), "sudolang.cli.store:copy"),
)

GROUP_NAMES = tuple(group.name for group in GROUPS)


def command(group: str | None, action: str | None = None) -> Command | None:
    """The command a group and action name (action None for a command without actions), or None."""
    for entry in COMMANDS:
        if entry.group == group and entry.action == action:
            return entry
    return None


def has_actions(group: str) -> bool:
    return any(entry.group == group and entry.action is not None for entry in COMMANDS)


def actions(group: str) -> tuple[Command, ...]:
    return tuple(entry for entry in COMMANDS if entry.group == group)


def session_dests(handler: str) -> tuple[str, ...]:
    """The namespace attributes that hold a session id for the command run by `handler` (SESSION_METAVARS)."""
    for entry in COMMANDS:
        if entry.handler == handler and not entry.lenient:
            return tuple(option.dest for option in entry.arguments if option.metavar in SESSION_METAVARS)
    return ()


def resolve(reference: str):
    """The function a "module:function" reference names, importing its module (with __import__: the
    importlib package is ~0.4 ms more of every command's start-up)."""
    import sys

    module, _, name = reference.partition(":")
    __import__(module)
    return getattr(sys.modules[module], name)
