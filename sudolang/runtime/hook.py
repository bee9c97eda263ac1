"""`sudolang hook`: route Claude Code hook events into orchestration state (placeholder)."""

GROUPS = {"hook": ("Route a Claude Code hook event into orchestration state; never blocks.", "", (lambda args: 0, ()))}


def fast_namespace(argv):
    return None
