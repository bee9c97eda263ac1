#!/bin/sh
# Incident response: a blocker raised at night reaches the dashboard and the on-call session,
# a silent helper agent is flagged stale, and the incident is closed.
set -eu
. "$(dirname "$0")/_common.sh"

export SUDOLANG_PROJECT=shop SUDOLANG_ACTOR=lead SUDOLANG_NOW=2026-11-24T02:10:00Z
LEAD=33333333-3333-4333-8333-333333333333
ONCALL=44444444-4444-4444-8444-444444444444

echo "# 02:10. Checkout fails. The lead files the incident and blocks it on the payment provider;"
echo "# the blocker-on-dashboard trigger raises a project event every session sees."
claude "$LEAD" SessionStart
sudolang run sprint_execution "/add 'Checkout returns 500' 3" --session "$LEAD"
sudolang run sprint_execution "/add 'Rotate the payment keys' 1" --session "$LEAD"
sudolang run sprint_execution /move T-1 doing --session "$LEAD"
sudolang run sprint_execution /block T-1 payment provider answers 503 --session "$LEAD"
sudolang run all-team_dashboard /refresh --session "$LEAD"

echo
echo "# The on-call engineer's Claude Code starts: its summary already names the blocker."
echo "# The lead hands the incident over by message; the next prompt announces it."
claude "$ONCALL" SessionStart
sudolang msg send "$LEAD" "$ONCALL" "T-1 is yours: the provider answers 503, checkout is down"
claude "$ONCALL" UserPromptSubmit '"prompt": "anything for me?"'
sudolang msg poll "$ONCALL"
sudolang msg list "$ONCALL"

echo
echo "# On-call starts a log-analyzer subagent, which then hangs. 20 minutes later any hook event"
echo "# runs the stale-agents trigger: no heartbeat for 900 s, so the agent is marked stale."
claude "$ONCALL" SubagentStart '"agent_id": "a-logs-01", "agent_type": "log-analyzer"'
export SUDOLANG_NOW=2026-11-24T02:30:00Z
claude "$ONCALL" UserPromptSubmit '"prompt": "is the log analysis done?"'
sudolang run all-team_dashboard @log-analyzer --session "$ONCALL"
sudolang run all-team_dashboard /metrics --session "$LEAD"

echo
echo "# 02:45. The provider recovers. On-call reports back, unblocks T-1 and finishes both tasks;"
echo "# the last one completes the sprint."
export SUDOLANG_NOW=2026-11-24T02:45:00Z
sudolang msg send "$ONCALL" "$LEAD" "provider is back; failed payments retried"
sudolang msg poll "$LEAD"
sudolang run sprint_execution /unblock T-1 --session "$ONCALL"
sudolang run sprint_execution /move T-1 done --session "$ONCALL"
sudolang run sprint_execution /move T-2 done --session "$ONCALL"
sudolang run all-team_dashboard /refresh --session "$LEAD"
