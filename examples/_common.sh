# Sourced by every example (not an example itself): where the state goes, and two helpers that
# print each command as you would type it before running it, so the output reads as a transcript.

# The sudolang to run: this checkout's, through uv, by default; tests/examples points it at the
# interpreter under test.
SUDOLANG=${SUDOLANG:-"uv run --project $(cd "$(dirname "$0")/.." && pwd) sudolang"}

# A throw-away state directory (and compiled-handler cache) unless SUDOLANG_STATE_DIR names one.
if [ -z "${SUDOLANG_STATE_DIR:-}" ]; then
    example_tmp=$(mktemp -d "${TMPDIR:-/tmp}/sudolang-example.XXXXXX")
    trap 'rm -rf "$example_tmp"' EXIT
    SUDOLANG_STATE_DIR=$example_tmp/state
    SUDOLANG_CACHE_DIR=${SUDOLANG_CACHE_DIR:-$example_tmp/cache}
    export SUDOLANG_STATE_DIR SUDOLANG_CACHE_DIR
fi
# Nothing from the calling shell may pick the session, and no simulated SessionStart may write
# into a real Claude Code session's environment file; boxes keep their own width whatever the
# calling terminal's $COLUMNS says.
unset SUDOLANG_SESSION CLAUDE_ENV_FILE COLUMNS

# sudolang ARGS...: print `$ sudolang ARGS...` (quoted where the shell needs it), then run it.
sudolang() {
    shown='$ sudolang'
    for word in "$@"; do
        case $word in
            *\'*) word="\"$word\"" ;;
            '' | *[!A-Za-z0-9_./:@=,+-]*) word="'$word'" ;;
        esac
        shown="$shown $word"
    done
    printf '%s\n' "$shown"
    $SUDOLANG "$@"
}

# claude SESSION EVENT ['"more": "fields"']: what Claude Code does on a hook event, which is to
# run the hook (.claude/hooks/orchestration/router.sh calls `sudolang hook`) with JSON on stdin.
claude() {
    input=$(printf '{"hook_event_name": "%s", "session_id": "%s"%s}' "$2" "$1" "${3:+, $3}")
    printf '%s\n' "\$ echo '$input' | sudolang hook"
    printf '%s\n' "$input" | $SUDOLANG hook
}
