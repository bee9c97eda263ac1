"""Session and message ids: random UUIDs of version 4, made without importing uuid (sudolang.state.ids)."""

from __future__ import annotations

import uuid

from sudolang.state.ids import new_id


def test_an_id_is_a_version_4_uuid_written_as_uuid_writes_it():
    for _ in range(1000):
        text = new_id()
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


def test_ids_do_not_repeat():
    assert len({new_id() for _ in range(10_000)}) == 10_000
