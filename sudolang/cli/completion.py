"""`sudolang completion`: shell completion scripts for bash, zsh and fish, generated from sudolang.cli.spec.

Each script holds the same four tables, written in its shell's own `case`: a group's actions, a command's
options, what an option's value is and what a positional argument is. One scan of the words typed so far
(options and their values skipped) finds the command, and the table says what to offer. Only session ids
are asked for at TAB time: `sudolang completion --session-ids`, one directory listing.
"""

from __future__ import annotations

import sys

from sudolang.cli import spec
from sudolang.errors import UsageError

# What completes a value (an option's or a positional argument's): "words:A B" (its choices), "groups" (the
# commands), "actions" (those of the command typed before), "programs" (shipped names and .sudo files),
# "files", "dirs", "sessions" (live session ids); "-" for a value nothing can be offered for.
BY_METAVAR = {"SID": "sessions", "FROM": "sessions", "TO": "sessions", "PROGRAM": "programs", "FILE|-": "files",
              "DIR": "dirs", "PROJECT": "dirs"}
BY_ARGUMENT: dict[tuple[str | None, str], str] = {
    ("lint", "paths"): "files", ("help", "name"): "groups", ("help", "action_name"): "actions"}
HELP_FLAGS = ("--help",)
TOP_LEVEL_FLAGS = ("--version",)


def completion(args) -> int:
    """`sudolang completion SHELL`: the script on stdout; `--session-ids`: what the scripts ask at TAB time."""
    if args.session_ids:
        return _print_session_ids(args)
    if args.shell is None:
        raise UsageError("name a shell: bash, zsh or fish (see `sudolang help completion`)")
    if args.shell not in spec.SHELLS:
        import difflib

        close = difflib.get_close_matches(args.shell, spec.SHELLS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(f"no completion for shell {args.shell!r}; {hint}the shells are {', '.join(spec.SHELLS)}")
    sys.stdout.write(script(args.shell))
    return 0


def _print_session_ids(args) -> int:
    from sudolang.cli.state import state_dir

    for session_id in state_dir(args).session_ids():
        print(session_id)
    return 0


def script(shell: str) -> str:
    """The completion script for `shell` (one of spec.SHELLS)."""
    from sudolang import __version__, programs

    writer = WRITERS[shell]()
    tables = {
        "@VERSION@": __version__,
        "@GROUPS@": writer.described(_groups()),
        "@PROGRAMS@": " ".join(programs.names()),
        "@ACTIONS@": writer.lists({group: writer.described(entries) for group, entries in _actions().items()}),
        "@OPTIONS@": writer.lists({key: " ".join(flags) for key, flags in _options().items()}),
        "@VALUES@": writer.kinds(_values()),
        "@ARGUMENTS@": writer.kinds(_arguments()),
    }
    text = writer.TEMPLATE.replace("@TABLES@\n", TABLES)  # first: TABLES holds markers of its own
    for marker, value in tables.items():
        text = text.replace(marker, value)
    return text


# The shell functions bash and zsh share: a case table per question, filled from the spec.
TABLES = r"""# The actions of a group (bash: names; zsh: name:description); none for a command without actions.
_sudolang_actions() {
    case "$1" in
@ACTIONS@
    esac
}

# The options of a command ("state get"); "" is the top level.
_sudolang_options() {
    case "$1" in
@OPTIONS@
    esac
}

# What the value of a command's option is (see _sudolang_offer); none: the option is a flag.
_sudolang_value() {
    case "$1|$2" in
@VALUES@
    esac
}

# What a command's positional argument N (from 0) is.
_sudolang_argument() {
    case "$1|$2" in
@ARGUMENTS@
    esac
}

"""


# --- the tables, from the spec ----------------------------------------------------------------------------


def key(command: spec.Command) -> str:
    """The words that name a command: `lint`, `state get`."""
    return command.group if command.action is None else f"{command.group} {command.action}"


def value_kind(group: str | None, option: spec.Option) -> str:
    """What completes the value of `option` of a command of `group` (None: a common option)."""
    if option.choices:
        return "words:" + " ".join(option.choices)
    return BY_ARGUMENT.get((group, option.dest)) or BY_METAVAR.get(option.metavar or "", "-")


def _first_sentence(text: str | None) -> str:
    return (text or "").split(". ")[0].split("; ")[0].rstrip(".")


def _groups() -> list[tuple[str, str]]:
    return [(group.name, _first_sentence(group.help)) for group in spec.GROUPS]


def _actions() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for command in spec.COMMANDS:
        if command.action is not None:
            found.setdefault(command.group, []).append((command.action, _first_sentence(command.help)))
    return found


def _options() -> dict[str, list[str]]:
    """Each command's options (the common ones and --help included); "" is the top level's."""
    common = [option.flags[0] for option in spec.COMMON] + list(HELP_FLAGS)
    found = {"": common + list(TOP_LEVEL_FLAGS)}
    for group in spec.GROUP_NAMES:  # a group that has actions takes only the common options before one
        if spec.has_actions(group):
            found[group] = common
    for command in spec.COMMANDS:
        found[key(command)] = [option.flags[0] for option in command.arguments if option.flags[0][0] == "-"] + common
    return found


def _values() -> dict[str, str]:
    """"command|--option" -> what its value is, for the options that take one ("*|--option": any command's)."""
    found = {f"*|{option.flags[0]}": value_kind(None, option)
             for option in spec.COMMON if option.takes_value}
    for command in spec.COMMANDS:
        for option in command.arguments:
            if option.flags[0][0] == "-" and option.takes_value:
                found[f"{key(command)}|{option.flags[0]}"] = value_kind(command.group, option)
    return dict(sorted(found.items(), key=lambda item: item[0].startswith("*")))  # wildcards last


def _arguments() -> dict[str, str]:
    """"command|N" -> what its Nth positional argument (from 0) is; "command|*" for the last one of a command
    that takes several (nargs + or ...), which every later word is too."""
    specific: dict[str, str] = {}
    repeating: dict[str, str] = {}
    for command in spec.COMMANDS:
        positionals = [option for option in command.arguments if option.flags[0][0] != "-"]
        for index, option in enumerate(positionals):
            if option.nargs in ("+", "..."):
                repeating[f"{key(command)}|*"] = value_kind(command.group, option)
            else:
                specific[f"{key(command)}|{index}"] = value_kind(command.group, option)
    return {**specific, **repeating}


# --- the scripts ------------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """`text` as one single-quoted word of bash and zsh (fish reads a backslash there: _fish_quoted)."""
    return "'" + text.replace("'", "'\\''") + "'"


class Bash:
    """bash 3.2 and later (macOS's too): no associative arrays, no mapfile."""

    def described(self, entries: list[tuple[str, str]]) -> str:
        return " ".join(name for name, _ in entries)  # bash shows no descriptions

    def lists(self, rows: dict[str, str]) -> str:
        return self.kinds(rows)  # bash keeps a list as one string of words

    def kinds(self, rows: dict[str, str]) -> str:
        lines = [f"        {_pattern(k)}) _sudolang_reply={_quoted(v)} ;;" for k, v in rows.items()]
        return "\n".join(lines + ["        *) _sudolang_reply='' ;;"])

    TEMPLATE = r"""# bash completion for sudolang @VERSION@, generated by `sudolang completion bash`.
# Load it from ~/.bashrc: eval "$(sudolang completion bash)"

_sudolang_groups='@GROUPS@'
_sudolang_programs='@PROGRAMS@'

@TABLES@
# COMPREPLY for a kind of value: words:LIST, groups, actions (of $3), programs, files, dirs, sessions; - is
# a value nothing can be offered for. $4 is the --state-dir typed, if any.
_sudolang_offer() {
    local kind=$1 cur=$2 IFS=$' \t\n'
    case "$kind" in
        words:*) COMPREPLY=($(compgen -W "${kind#words:}" -- "$cur")) ;;
        groups) COMPREPLY=($(compgen -W "$_sudolang_groups" -- "$cur")) ;;
        actions) _sudolang_actions "$3"; COMPREPLY=($(compgen -W "$_sudolang_reply" -- "$cur")) ;;
        sessions)
            local ids
            ids=$("${COMP_WORDS[0]}" ${4:+--state-dir "$4"} completion --session-ids 2>/dev/null)
            COMPREPLY=($(compgen -W "$ids" -- "$cur")) ;;
        programs|files|dirs)
            compopt -o filenames 2>/dev/null
            local words=''
            [[ $kind == programs ]] && words=$_sudolang_programs
            IFS=$'\n'
            case "$kind" in
                programs) COMPREPLY=($(compgen -W "${words// /$'\n'}" -- "$cur") $(compgen -d -- "$cur")
                                     $(compgen -f -X '!*.sudo' -- "$cur")) ;;
                files) COMPREPLY=($(compgen -f -- "$cur")) ;;
                dirs) COMPREPLY=($(compgen -d -- "$cur")) ;;
            esac ;;
        *) COMPREPLY=() ;;
    esac
}

_sudolang() {
    local cur=${COMP_WORDS[COMP_CWORD]} word kind='' at_value='' group='' action='' command='' state_dir=''
    local -a positional=()
    local _sudolang_reply i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -?* ]]; then
            _sudolang_value "$command" "${word%%=*}"
            [[ -z $_sudolang_reply || $word == *=* ]] && continue  # a flag, or --option=value in one word
            kind=$_sudolang_reply
            if [[ ${COMP_WORDS[i+1]} == = ]] && ((i + 1 < COMP_CWORD)); then ((i++)); fi  # bash splits at '='
            if ((i + 1 == COMP_CWORD)); then at_value=$kind; break; fi
            ((i++))
            [[ $word == --state-dir ]] && state_dir=${COMP_WORDS[i]}
        elif [[ -z $group ]]; then
            group=$word command=$word
        elif [[ -z $action ]] && _sudolang_actions "$group" && [[ -n $_sudolang_reply ]]; then
            action=$word command="$group $word"
        else
            positional+=("$word")
        fi
    done
    [[ $cur == = ]] && cur=''
    if [[ -n $at_value ]]; then
        kind=$at_value
    elif [[ $cur == -* ]]; then
        _sudolang_options "$command"
        kind="words:$_sudolang_reply"
    elif [[ -z $group ]]; then
        kind=groups
    elif [[ -z $action ]] && _sudolang_actions "$group" && [[ -n $_sudolang_reply ]]; then
        kind="words:$_sudolang_reply"
    else
        _sudolang_argument "$command" "${#positional[@]}"
        kind=$_sudolang_reply
    fi
    _sudolang_offer "$kind" "$cur" "${positional[0]}" "$state_dir"
}

complete -F _sudolang sudolang
"""


class Zsh:
    """zsh's completion system (compinit): loaded from a file on $fpath, or sourced after compinit."""

    def described(self, entries: list[tuple[str, str]]) -> str:
        return " ".join(_quoted(f"{name}:{help}") for name, help in entries)  # _describe splits at the first colon

    def lists(self, rows: dict[str, str]) -> str:
        lines = [f"        ({_quoted(k)}) reply=({v}) ;;" for k, v in rows.items()]
        return "\n".join(lines + ["        (*) reply=() ;;"])

    def kinds(self, rows: dict[str, str]) -> str:
        lines = [f"        ({_pattern(k)}) REPLY={_quoted(v)} ;;" for k, v in rows.items()]
        return "\n".join(lines + ["        (*) REPLY='' ;;"])

    TEMPLATE = r"""#compdef sudolang
# zsh completion for sudolang @VERSION@, generated by `sudolang completion zsh`.
# Save it as _sudolang in a folder on $fpath (then compinit), or `source <(sudolang completion zsh)` after compinit.

_sudolang_groups=(@GROUPS@)
_sudolang_programs=(@PROGRAMS@)

@TABLES@
# Offer a kind of value: words:LIST, groups, actions (of $2), programs, files, dirs, sessions; - is a value
# nothing can be offered for. $3 is the --state-dir typed, if any.
_sudolang_offer() {
    local kind=$1
    local -a reply
    case "$kind" in
        (words:*) compadd -- ${=kind#words:} ;;
        (groups) _describe -t commands 'sudolang command' _sudolang_groups ;;
        (actions) _sudolang_actions "$2"; _describe -t actions 'action' reply ;;
        (sessions) compadd -- ${(f)"$(${words[1]} ${3:+--state-dir} ${3:+$3} completion --session-ids 2>/dev/null)"} ;;
        (programs) compadd -- $_sudolang_programs; _files -g '*.sudo' ;;
        (files) _files ;;
        (dirs) _files -/ ;;
    esac
}

_sudolang() {
    local cur=${words[CURRENT]} word kind='' at_value='' group='' action='' command='' state_dir='' REPLY
    local -a positional reply
    local i
    for (( i = 2; i < CURRENT; i++ )); do
        word=${words[i]}
        if [[ $word == -?* ]]; then
            _sudolang_value "$command" "${word%%=*}"
            [[ -z $REPLY || $word == *=* ]] && continue  # a flag, or --option=value in one word
            if (( i + 1 == CURRENT )); then at_value=$REPLY; break; fi
            (( i++ ))
            [[ $word == --state-dir ]] && state_dir=${words[i]}
        elif [[ -z $group ]]; then
            group=$word command=$word
        elif [[ -z $action ]] && _sudolang_actions "$group" && (( $#reply )); then
            action=$word command="$group $word"
        else
            positional+=("$word")
        fi
    done
    if [[ -n $at_value ]]; then
        kind=$at_value
    elif [[ $cur == -?*=* ]]; then  # --option=value: offer the value
        _sudolang_value "$command" "${cur%%=*}"
        kind=${REPLY:--}
        compset -P '*='
    elif [[ $cur == -* ]]; then
        _sudolang_options "$command"
        kind="words:${reply[*]}"
    elif [[ -z $group ]]; then
        kind=groups
    elif [[ -z $action ]] && _sudolang_actions "$group" && (( $#reply )); then
        kind=actions
        positional=("$group")
    else
        _sudolang_argument "$command" "${#positional}"
        kind=$REPLY
    fi
    _sudolang_offer "$kind" "${positional[1]}" "$state_dir"
}

if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
    _sudolang "$@"
else
    compdef _sudolang sudolang
fi
"""


def _fish_quoted(text: str) -> str:
    """`text` as one single-quoted word of fish, where a backslash escapes a quote or a backslash."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pattern(row: str) -> str:
    """A table row's key as a bash or zsh `case` pattern: quoted, with a leading or trailing `*` left a
    wildcard."""
    if row.startswith("*"):
        return "*" + _quoted(row[1:])
    if row.endswith("*"):
        return _quoted(row[:-1]) + "*"
    return _quoted(row)


class Fish:
    """fish 3: one completion that asks __sudolang_candidates, which prints `word<TAB>description` lines."""

    def described(self, entries: list[tuple[str, str]]) -> str:
        return " ".join(_fish_quoted(f"{name}\t{help}") for name, help in entries)  # a real tab: fish's separator

    def lists(self, rows: dict[str, str]) -> str:
        return "\n".join(f"        case {_fish_quoted(k)}\n            printf '%s\\n' {v}" for k, v in rows.items())

    def kinds(self, rows: dict[str, str]) -> str:  # a quoted case pattern is still a pattern in fish
        return "\n".join(f"        case {_fish_quoted(k)}\n            echo {_fish_quoted(v)}" for k, v in rows.items())

    TEMPLATE = r"""# fish completion for sudolang @VERSION@, generated by `sudolang completion fish`.
# Save it as ~/.config/fish/completions/sudolang.fish

set -g __sudolang_groups @GROUPS@
set -g __sudolang_programs @PROGRAMS@

# The actions of a group, as name<TAB>description; none for a command without actions.
function __sudolang_actions
    switch "$argv[1]"
@ACTIONS@
    end
end

function __sudolang_has_actions
    test (count (__sudolang_actions $argv[1])) -gt 0
end

# The options of a command ("state get"); "" is the top level.
function __sudolang_options
    switch "$argv[1]"
@OPTIONS@
    end
end

# What the value of a command's option is (see __sudolang_offer); none: the option is a flag.
function __sudolang_value
    switch "$argv[1]|$argv[2]"
@VALUES@
    end
end

# What a command's positional argument N (from 0) is.
function __sudolang_argument
    switch "$argv[1]|$argv[2]"
@ARGUMENTS@
    end
end

# Print a kind of value's candidates: words:LIST, groups, actions (of $argv[3]), programs, files, dirs,
# sessions; - is a value nothing can be offered for. $argv[2] is the word typed, $argv[4] the --state-dir.
function __sudolang_offer
    set -l kind $argv[1]
    set -l cur $argv[2]
    switch $kind
        case 'words:*'
            string split ' ' -- (string replace 'words:' '' -- $kind)
        case groups
            printf '%s\n' $__sudolang_groups
        case actions
            __sudolang_actions $argv[3]
        case sessions
            set -l state_dir
            test -n "$argv[4]"; and set state_dir --state-dir $argv[4]
            $__sudolang_self $state_dir completion --session-ids 2>/dev/null
        case programs
            printf '%s\n' $__sudolang_programs
            __fish_complete_path $cur | string match -r -- '^[^\t]*(?:\.sudo|/)(?:\t.*)?$'
        case files
            __fish_complete_path $cur
        case dirs
            __fish_complete_directories $cur
    end
end

# The candidates for the last word ($argv after `--`), given the words before it (the command first).
function __sudolang_candidates
    set -l split (contains -i -- -- $argv)
    set -l before $argv[1..(math $split - 1)]
    set -l cur ''
    test $split -lt (count $argv); and set cur $argv[-1]
    set -g __sudolang_self $before[1]
    set -l group
    set -l action
    set -l command ''
    set -l state_dir
    set -l positional
    set -l at_value
    set -l i 2
    while test $i -le (count $before)
        set -l word $before[$i]
        if string match -qr -- '^-.' $word
            set -l kind (__sudolang_value "$command" (string split -m1 '=' -- $word)[1])
            if test -n "$kind"; and not string match -q -- '*=*' $word
                if test $i -eq (count $before)
                    set at_value $kind
                    break
                end
                set i (math $i + 1)
                test "$word" = --state-dir; and set state_dir $before[$i]
            end
        else if test -z "$group"
            set group $word
            set command $word
        else if test -z "$action"; and __sudolang_has_actions $group
            set action $word
            set command "$group $word"
        else
            set -a positional $word
        end
        set i (math $i + 1)
    end
    set -l kind
    if test -n "$at_value"
        set kind $at_value
    else if string match -qr -- '^-.*=' "$cur"  # --option=value: offer the value, after the option
        set -l option (string split -m1 '=' -- $cur)[1]
        set kind (__sudolang_value "$command" $option)
        for candidate in (__sudolang_offer "$kind" (string split -m1 '=' -- $cur)[2] '' "$state_dir")
            echo "$option=$candidate"
        end
        return
    else if string match -q -- '-*' "$cur"
        set kind words:(string join -- ' ' (__sudolang_options "$command"))
    else if test -z "$group"
        set kind groups
    else if test -z "$action"; and __sudolang_has_actions $group
        set kind actions
        set positional $group
    else
        set kind (__sudolang_argument "$command" (count $positional))
    end
    __sudolang_offer "$kind" "$cur" "$positional[1]" "$state_dir"
end

complete -c sudolang -f -a '(__sudolang_candidates (commandline -opc) -- (commandline -ct))'
"""


WRITERS: dict[str, type[Bash] | type[Zsh] | type[Fish]] = {"bash": Bash, "zsh": Zsh, "fish": Fish}
