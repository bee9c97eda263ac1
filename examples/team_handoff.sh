#!/bin/sh
# Team handoff between sessions: the day session's open work moves to the evening session,
# which carries on; the day session is completed and takes no more messages.
set -eu
. "$(dirname "$0")/_common.sh"

export SUDOLANG_PROJECT=shop SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-25T09:00:00Z
DAY=55555555-5555-4555-8555-555555555555
EVENING=66666666-6666-4666-8666-666666666666

echo "# 09:00. The day session plans its work as Claude Code tasks; each TaskCreated and"
echo "# TaskCompleted event lands on the project's board (in sprint-001) and in the session."
claude "$DAY" SessionStart
claude "$DAY" TaskCreated '"task_id": "1", "task_subject": "Index the products"'
claude "$DAY" TaskCreated '"task_id": "2", "task_subject": "Rank the search results"'
claude "$DAY" TaskCreated '"task_id": "3", "task_subject": "Search box UI"'
export SUDOLANG_NOW=2026-11-25T15:00:00Z
claude "$DAY" TaskCompleted '"task_id": "1", "task_subject": "Index the products"'
sudolang state get "$DAY" '$.active_work'
sudolang state get "$DAY" '$.execution.tasks'

echo
echo "# 17:00. The evening session starts, and the day session hands its work over:"
echo "# the active sprint and the two open tasks move; the finished one stays behind."
export SUDOLANG_NOW=2026-11-25T17:00:00Z
claude "$EVENING" SessionStart
sudolang msg send "$DAY" "$EVENING" "ranking is half done: see the branch search-ranking"
sudolang session handoff "$DAY" "$EVENING"
sudolang state get "$EVENING" '$.active_work'
sudolang state get "$EVENING" '$.execution.tasks'
sudolang state get "$DAY" '$.execution.tasks'
sudolang state get "$DAY" session.lifecycle.status --raw
sudolang session list --project shop

echo
echo "# The day session is completed: a message to it would never be read, so it is refused."
sudolang msg send "$EVENING" "$DAY" "where is the branch?" 2>&1 || echo "exit $?"

echo
echo "# The evening session reads the note and carries on. Its hook marks T-2 done (the"
echo "# explicit form names the board task), and the sprint program moves T-3 on."
sudolang msg poll "$EVENING"
export SUDOLANG_NOW=2026-11-25T21:00:00Z
sudolang hook task_completed "$EVENING" '{"task": "T-2"}'
sudolang run sprint_execution /move T-3 doing --session "$EVENING"
claude "$EVENING" UserPromptSubmit '"prompt": "what is left?"'
sudolang run sprint_execution /board --session "$EVENING"
