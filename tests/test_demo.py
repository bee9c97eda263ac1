"""The README's main command, `sudolang demo`: a project set up, the four programs compiled and driven, the dashboard shown."""

from __future__ import annotations

import json


def test_demo_sets_up_a_project_and_shows_the_dashboard_from_its_state(cli, tmp_path):
    project = tmp_path / "demo"
    result = cli("demo", "--dir", str(project))
    assert result.code == 0, result
    claude = project / ".claude"
    assert sorted(p.name for p in (claude / "output-styles").glob("*.md")) == [
        "all-team_dashboard.md", "config_manager.md", "leadership_chat.md", "sprint_execution.md"]
    assert json.loads((claude / "settings.json").read_text())["hooks"]["SessionStart"]
    board = json.loads((claude / "state" / "shared" / "demo.json").read_text())
    assert [board["tasks"][t]["column"] for t in ("T-1", "T-2", "T-3")] == ["doing", "review", "backlog"]
    dashboard = result.out[result.out.index("╭─ ORCHESTRATION DASHBOARD"):]
    assert "│ Teams: web (2 members, 5 open pts)" in dashboard
    assert "│ Tasks: 3 in sprint-001; 1 blocked" in dashboard
    assert "blocker_raised T-3 waiting on the API" in dashboard
    assert "$ sudolang run sprint_execution '/move T-1 doing' --session $SID" in result.out  # lines a reader can copy
    assert result.out.startswith(f"# project: {project};") and (project / ".sudolang-demo").is_file()
    assert result.out.splitlines()[1] == f"$ cd {project} && export SUDOLANG_ACTOR=lead && unset SUDOLANG_STATE_DIR"
