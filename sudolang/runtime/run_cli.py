"""`sudolang run`: run a program's commands locally (placeholder until issue 5 lands)."""

GROUPS = {"run": ("Run a SudoLang program's commands locally against the state.", "", (lambda args: 0, ()))}
