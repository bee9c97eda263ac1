#!/bin/sh
# Multi-agent code review: the lead's Claude Code session runs two reviewer subagents; their
# verdict is a leadership decision with a quorum; the reviewed tasks are then done.
set -eu
. "$(dirname "$0")/_common.sh"

export SUDOLANG_PROJECT=shop SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-23T14:00:00Z
LEAD=22222222-2222-4222-8222-222222222222
export SUDOLANG_SESSION=$LEAD

echo "# The lead's session starts. The reviewers join the agent pool under the names of their"
echo "# Claude Code subagent types, so the dashboard can match what they do to what they own."
claude "$LEAD" SessionStart '"source": "startup"'
sudolang run config_manager /agent code-reviewer reviewer
sudolang run config_manager /agent security-reviewer reviewer

echo
echo "# Two finished tasks go to review, one per reviewer."
sudolang run sprint_execution "/add 'Payment API' 5"
sudolang run sprint_execution "/add 'Checkout page' 3"
sudolang run sprint_execution /move T-1 review
sudolang run sprint_execution /move T-2 review
sudolang run sprint_execution /assign T-1 security-reviewer
sudolang run sprint_execution /assign T-2 code-reviewer

echo
echo "# Claude Code starts both reviewers as subagents; each start is a hook event."
export SUDOLANG_NOW=2026-11-23T14:05:00Z
claude "$LEAD" SubagentStart '"agent_id": "a-sec-01", "agent_type": "security-reviewer"'
claude "$LEAD" SubagentStart '"agent_id": "a-code-01", "agent_type": "code-reviewer"'
sudolang run all-team_dashboard @security-reviewer
sudolang run all-team_dashboard @code-reviewer

echo
echo "# The lead asks for a decision that closes after 2 votes. Each reviewer votes as itself"
echo "# (SUDOLANG_ACTOR names who acts); a second vote by the same voter replaces the first."
sudolang run leadership_chat "/propose 'Merge the payment API' 2"
export SUDOLANG_ACTOR=code-reviewer SUDOLANG_NOW=2026-11-23T14:20:00Z
sudolang run leadership_chat /vote D-1 no
sudolang run leadership_chat /vote D-1 yes
export SUDOLANG_ACTOR=security-reviewer SUDOLANG_NOW=2026-11-23T14:25:00Z
sudolang run leadership_chat /vote D-1 yes
export SUDOLANG_ACTOR=lead
sudolang run leadership_chat /decisions

echo
echo "# The reviewers finish; Claude Code reports each stop."
claude "$LEAD" SubagentStop '"agent_id": "a-code-01", "agent_type": "code-reviewer"'
claude "$LEAD" SubagentStop '"agent_id": "a-sec-01", "agent_type": "security-reviewer"'
sudolang run all-team_dashboard @security-reviewer

echo
echo "# The lead merges: T-1 through the sprint program, T-2 through the hook's explicit form"
echo "# (what a script or CI job would call). The sprint completes."
sudolang run sprint_execution /move T-1 done
sudolang hook task_completed "$LEAD" '{"task": "T-2"}'
sudolang run all-team_dashboard /refresh
