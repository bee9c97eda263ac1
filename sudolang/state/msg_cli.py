"""`sudolang msg`: messages between sessions (placeholder)."""

GROUPS = {"msg": ("Send and receive messages between sessions.", "", {})}
