"""What a live reload changes: targets live, every other option waits for a restart."""

from __future__ import annotations

from pathlib import Path

from config import parse_config
from config.changes import config_changes
from tests.support import shipped_config, shipped_raw


def test_a_goal_change_is_live_and_touches_no_port(tmp_path: Path) -> None:
    old = shipped_config(tmp_path)
    new = shipped_config(tmp_path, pacing={"optimizationGoal": 2})
    changes = config_changes(old, new)
    assert changes.targets == ("target 'Sales Chat - chat': goal 3 % -> 2 %",)
    assert changes.needs_restart == () and not changes.ports_affected


def test_options_read_at_start_are_reported_as_needing_a_restart(tmp_path: Path) -> None:
    old = shipped_config(tmp_path)
    new = shipped_config(
        tmp_path, pacing={"refreshPeriod": 9, "algorithm": "adaptive"}, node={"node_id": "b"}
    )
    changes = config_changes(old, new)
    assert changes.targets == ()
    assert set(changes.needs_restart) == {
        "pacing.refresh_period_s",
        "pacing.algorithm",
        "node.node_id",
    }


def test_a_group_losing_a_queue_changes_the_target_and_its_ports(tmp_path: Path) -> None:
    old = shipped_config(tmp_path)
    raw = shipped_raw()
    raw["node"]["database"] = str(tmp_path / "pacing.db")
    for group in raw["agent_groups"]:
        if group["name"] == "Blended Team":
            group["origination_dns"] = ["Proactive Voice"]
    new = parse_config(raw, source="test", base_dir=tmp_path)
    changes = config_changes(old, new)
    assert changes.ports_affected
    assert changes.targets == (
        "target 'Proactive Chat - chat': groups Chat Team, Blended Team -> Chat Team; "
        "agents 12 -> 6",
    )
