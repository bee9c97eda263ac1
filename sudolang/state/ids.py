"""Random identifiers for sessions and messages."""

from __future__ import annotations

import os


def new_id() -> str:
    """A random UUID (version 4, RFC 9562) as text, as str(uuid.uuid4()) makes it. `import uuid` costs
    ~6-8 ms of a command's start-up (it loads `platform`); os.urandom is what uuid4 itself reads."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC's variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
