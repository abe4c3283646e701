"""Operator controls and live reloads on a real node and a real SQLite file (injected clock)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from config import load_config
from domain.controls import ControlError
from node.build import build_node
from node.controls import ControlRefused, ControlRequest, apply_control
from node.node import Node
from storage.db import connect
from tests.support import Clock, write_test_config

CHAT = "Proactive Chat - chat"
VOICE = "Proactive Voice - voice"


def rows(database: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def control(database: Path, request: ControlRequest, now: float, role: Any = "operator") -> str:
    db = connect(database)
    try:
        return apply_control(
            db, request, user="alice", role=role, now=now, source="test", known_targets=[CHAT]
        )
    finally:
        db.close()


def last_decision(database: Path, target_id: str) -> tuple[Any, ...]:
    [row] = rows(
        database,
        "SELECT allowed_invitations, reason, goal_pct FROM cycle_targets WHERE target_id = ? "
        "ORDER BY at DESC LIMIT 1",
        (target_id,),
    )
    return row


@pytest.fixture
def clock() -> Clock:
    return Clock(1_800_000_000.0)


@pytest.fixture
def started(tmp_path: Path, clock: Clock) -> tuple[Node, Path, Path]:
    config_path, database = write_test_config(tmp_path)
    node = build_node(load_config(config_path), mode="headless", clock=clock)
    node.run_once()  # creates the database
    return node, config_path, database


def test_a_viewer_is_refused_and_nothing_is_stored(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, _, database = started
    with pytest.raises(ControlRefused, match="only operators may change pacing controls"):
        control(database, ControlRequest(CHAT, "pause", "incident"), clock(), role="viewer")
    assert rows(database, "SELECT count(*) FROM target_controls") == [(0,)]
    assert rows(database, "SELECT count(*) FROM audit_log") == [(0,)]
    node.stop()


def test_a_control_needs_a_known_target_and_a_reason(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, _, database = started
    with pytest.raises(ControlError, match="no pacing target 'Nope'; the targets are: Proactive"):
        control(database, ControlRequest("Nope", "pause", "incident"), clock())
    with pytest.raises(ControlError, match="a reason is required"):
        control(database, ControlRequest(CHAT, "pause", "  "), clock())
    node.stop()


def test_a_pause_holds_from_the_next_cycle_and_lapses_at_its_expiry(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, _, database = started
    message = control(database, ControlRequest(CHAT, "pause", "incident 7", for_s=60.0), clock())
    assert message == f"{CHAT}: pause for 1 min, set by alice"
    clock.advance(1.0)
    node.run_once()
    assert last_decision(database, CHAT)[:2] == (0, "paused")
    assert last_decision(database, VOICE)[1] != "paused"
    clock.advance(60.0)
    node.run_once()
    assert last_decision(database, CHAT)[1] != "paused"
    assert rows(database, "SELECT count(*) FROM target_controls") == [(0,)]
    trail = rows(database, "SELECT who, action, subject, reason FROM audit_log ORDER BY audit_id")
    assert trail == [
        ("alice", "control.pause", CHAT, "incident 7"),
        ("system", "control.lapse", CHAT, "expired"),
    ]
    node.stop()


def test_a_cap_and_a_goal_override_shape_the_recorded_decision(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, _, database = started
    control(database, ControlRequest(CHAT, "cap", "incident", value="0"), clock())
    control(database, ControlRequest(CHAT, "goal", "tighter", value="1.5"), clock())
    clock.advance(1.0)
    node.run_once()
    allowed, reason, goal = last_decision(database, CHAT)
    assert allowed == 0
    assert reason.endswith("; goal override 1.5 %")
    assert goal == 1.5
    old, new = rows(
        database, "SELECT old_value, new_value FROM audit_log WHERE action = 'control.goal'"
    )[0]
    assert (old, new) == ("", "goal 1.5")
    node.stop()


def test_the_audit_trail_refuses_updates_and_deletes(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, _, database = started
    control(database, ControlRequest(CHAT, "pause", "incident"), clock())
    node.stop()
    with sqlite3.connect(database) as db, pytest.raises(sqlite3.IntegrityError, match="append"):
        db.execute("UPDATE audit_log SET who = 'mallory'")
    with sqlite3.connect(database) as db, pytest.raises(sqlite3.IntegrityError, match="append"):
        db.execute("DELETE FROM audit_log")


def test_a_reload_changes_the_goal_at_the_next_cycle_and_keeps_the_pacer(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, config_path, database = started
    assert last_decision(database, CHAT)[2] == 3.0
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace(
            "optimizationGoal = 3                 # pacing \\ optimizationGoal: max",
            "optimizationGoal = 2.5 # max",
            1,
        ),
        encoding="utf-8",
    )
    assert node.request_reload("test", "SIGHUP")
    clock.advance(1.0)
    node.run_once()
    assert last_decision(database, CHAT)[2] == 2.5
    assert last_decision(database, VOICE)[2] == 5.0
    [(action, new_value)] = rows(database, "SELECT action, new_value FROM audit_log")
    assert action == "config.reload"
    assert new_value == f"target {CHAT!r}: goal 3 % -> 2.5 %"
    node.stop()


def test_a_broken_file_changes_nothing_and_raises_the_alarm(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, config_path, database = started
    text = config_path.read_text(encoding="utf-8")
    text = text.replace("optimizationGoal = 5", "optimizationGoal = 140", 1)
    text = text.replace('media = "chat"', 'media = "chat,voice"', 1)
    config_path.write_text(text, encoding="utf-8")
    node.request_reload("test", "SIGHUP")
    clock.advance(1.0)
    node.run_once()
    assert last_decision(database, VOICE)[2] == 5.0
    [(state, reason)] = rows(
        database,
        "SELECT state, reason FROM alarm_instances WHERE condition = 'ConfigurationReloadFailed'",
    )
    assert state == "active_unacknowledged"
    assert "optimizationGoal: 140" in reason
    assert 'media: "chat,voice"' in reason
    [(action,)] = rows(database, "SELECT action FROM audit_log")
    assert action == "config.reload.refused"
    node.stop()


def test_a_dashboard_request_reloads_at_the_next_cycle_and_only_once(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    from storage.controls import request_node_action

    node, _, database = started
    db = connect(database)
    request_node_action(db, "reload", "olga", clock())
    db.close()
    for _ in range(2):
        clock.advance(1.0)
        node.run_once()
    assert rows(database, "SELECT who, action, new_value FROM audit_log") == [
        ("olga", "config.reload", "no target changed")
    ]
    node.stop()


def test_a_reload_adds_and_removes_targets_and_keeps_the_state_of_the_others(
    started: tuple[Node, Path, Path], clock: Clock
) -> None:
    node, config_path, database = started
    for _ in range(3):
        clock.advance(1.0)
        node.run_once()
    pacer = node.reloader._cycle._pacer.pacer if node.reloader else None  # type: ignore[attr-defined]
    assert pacer is not None
    allowed_before = pacer.state()[CHAT]["allowed_total"]
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('name = "Sales Chat"', 'name = "Outlet Chat"', 1)
    text = text.replace('origination_dns = ["Sales Chat"]', 'origination_dns = ["Outlet Chat"]')
    config_path.write_text(text, encoding="utf-8")
    node.request_reload("test", "SIGHUP")
    clock.advance(1.0)
    before = clock()
    node.run_once()
    recorded = {
        t for (t,) in rows(database, "SELECT target_id FROM cycle_targets WHERE at >= ?", (before,))
    }
    assert "Outlet Chat - chat" in recorded and "Sales Chat - chat" not in recorded
    # the same estimates went on: this cycle's allowance added to the total from before
    allowed_now = last_decision(database, CHAT)[0]
    assert pacer.state()[CHAT]["allowed_total"] == allowed_before + allowed_now
    [(changes,)] = rows(database, "SELECT new_value FROM audit_log")
    assert "target 'Outlet Chat - chat' added" in changes
    assert "target 'Sales Chat - chat' removed" in changes
    node.stop()
