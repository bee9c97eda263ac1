"""The README's main command, `sudolang demo`, runs end to end in a state directory of its own."""

from __future__ import annotations

import json


def test_demo_walks_through_and_recovers(cli, tmp_path):
    root = tmp_path / "demo"
    result = cli("demo", "--state-dir", str(root))
    assert result.code == 0, result
    assert "restored revision" in result.out and "lost: nothing" in result.out
    sessions = sorted((root / "sessions").glob("*.json"))
    assert len(sessions) == 2
    documents = [json.loads(p.read_text()) for p in sessions]
    assert sorted(d["session"]["lifecycle"]["status"] for d in documents) == ["active", "completed"]
    receiver = next(d for d in documents if d["session"]["lifecycle"]["status"] == "active")
    assert receiver["execution"]["tasks"]["task-001"]["title"] == "Login form"
