#!/bin/sh
# Sprint planning: a team is configured, a sprint planned and worked through to its end.
set -eu
. "$(dirname "$0")/_common.sh"

export SUDOLANG_PROJECT=shop SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-23T09:00:00Z
LEAD=11111111-1111-4111-8111-111111111111
export SUDOLANG_SESSION=$LEAD  # the hook exports this for commands run inside a Claude Code session

echo "# Monday 09:00. The lead's Claude Code session starts: the hook creates its orchestration"
echo "# session (same id as Claude's) and tells the model where the project stands."
claude "$LEAD" SessionStart '"source": "startup"'

echo
echo "# The config manager sets the team up: two agents in team web, at most 2 tasks in progress."
sudolang run config_manager /agent alice dev
sudolang run config_manager /agent bob dev
sudolang run config_manager /team web alice,bob
sudolang run config_manager /set wip.doing 2

echo
echo "# Planning. The first task starts sprint-001. Alice takes the login page; /assign without"
echo "# an agent picks whoever has the fewest open points."
sudolang run sprint_execution "/add 'Login page' 3"
sudolang run sprint_execution /add Logout 2
sudolang run sprint_execution "/add 'Password reset' 5"
sudolang run sprint_execution /assign T-1 alice
sudolang run sprint_execution /assign T-2
sudolang run sprint_execution /assign T-3
sudolang run sprint_execution /move T-1 doing
sudolang run sprint_execution /move T-2 doing
sudolang run sprint_execution /board

echo
echo "# Tuesday: the login page passes review; the password reset takes its place in doing."
export SUDOLANG_NOW=2026-11-24T16:00:00Z
sudolang run sprint_execution /move T-1 review
sudolang run sprint_execution /move T-1 done
sudolang run sprint_execution /move T-3 doing
sudolang run all-team_dashboard /team web

echo
echo "# Wednesday: logout is done. The burndown counts the points left at the end of each day."
export SUDOLANG_NOW=2026-11-25T16:00:00Z
sudolang run sprint_execution /move T-2 done
sudolang run sprint_execution /burndown

echo
echo "# Thursday: the last task is done, so the sprint-completes trigger closes the sprint,"
echo "# and velocity counts it."
export SUDOLANG_NOW=2026-11-26T16:00:00Z
sudolang run sprint_execution /move T-3 done
sudolang run sprint_execution /velocity
sudolang run all-team_dashboard /refresh
