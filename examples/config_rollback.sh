#!/bin/sh
# A config change rolled back: a tighter WIP limit blocks the team, the lead finds the change
# in the history, rolls back to the version before it, and work flows again.
set -eu
. "$(dirname "$0")/_common.sh"

export SUDOLANG_PROJECT=shop SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-26T09:00:00Z
LEAD=77777777-7777-4777-8777-777777777777
export SUDOLANG_SESSION=$LEAD

echo "# 09:00. The lead configures the team (versions 1 to 3) and starts two tasks."
claude "$LEAD" SessionStart
sudolang run config_manager /agent alice dev
sudolang run config_manager /agent bob dev
sudolang run config_manager /team web alice,bob
sudolang run sprint_execution "/add 'Cart badge' 1"
sudolang run sprint_execution "/add 'Coupon field' 2"
sudolang run sprint_execution "/add 'Gift cards' 5"
sudolang run sprint_execution /move T-1 doing
sudolang run sprint_execution /move T-2 doing

echo
echo "# 11:00. Bob wants less work in progress. A value out of range is refused; 2 is accepted"
echo "# as version 4."
export SUDOLANG_ACTOR=bob SUDOLANG_NOW=2026-11-26T11:00:00Z
sudolang run config_manager /set wip.doing 0 2>&1 || echo "exit $?"
sudolang run config_manager /set wip.doing 2

echo
echo "# 11:20. Alice cannot start the gift cards: the doing column is at its new limit."
export SUDOLANG_ACTOR=alice SUDOLANG_NOW=2026-11-26T11:20:00Z
sudolang run sprint_execution /move T-3 doing 2>&1 || echo "exit $?"

echo
echo "# The lead finds the change in the history and what it did."
export SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-26T11:30:00Z
sudolang run config_manager /history
sudolang run config_manager /diff 3 4

echo
echo "# Rollback restores version 3 as a new version 5: nothing is lost from the history, and"
echo "# version 5 equals version 3."
sudolang run config_manager /rollback 3
sudolang run config_manager /history
sudolang run config_manager /diff 3 5
sudolang run config_manager /rollback 9 2>&1 || echo "exit $?"

echo
echo "# Every program reads the restored limit (doing 2/3 on the dashboard), and the move goes through."
sudolang run config_manager /show
sudolang run all-team_dashboard /refresh
sudolang run sprint_execution /move T-3 doing
