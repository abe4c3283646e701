"""An alarm a node left active in the database is cleared by the next run's first success."""

from __future__ import annotations

from pathlib import Path

from config import Config
from domain.signals import Condition
from fakes import FakeRemote
from node.build import build_node
from storage.alarms.store import read_active_alarms
from storage.db import connect

from .conftest import http_config

ACTIVE = {"active_unacknowledged", "active_acknowledged"}


def alarm_states(config: Config) -> dict[str, str]:
    db = connect(config.node.database_path)
    try:
        frame = read_active_alarms(db)
    finally:
        db.close()
    return dict(zip(frame["condition"], frame["state"], strict=True))


def test_a_restarted_node_clears_the_alarm_its_previous_run_left_active(
    tmp_path: Path, remote: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, alarms={"off_delay": "0s"})
    remote.set_fault("status", "503")
    first_run = build_node(config, mode="headless")
    first_run.run_once()
    first_run.stop()
    assert alarm_states(config).get(Condition.PACING_REQUESTS_FAILED) == "active_unacknowledged"

    remote.clear_faults()
    second_run = build_node(config, mode="headless")  # a new process would build the same
    try:
        assert second_run.run_once().cycle.error is None
    finally:
        second_run.stop()
    assert alarm_states(config).get(Condition.PACING_REQUESTS_FAILED) not in ACTIVE
    assert alarm_states(config).get(Condition.PACING_REQUESTS_FAILED) == "cleared_unacknowledged"


def test_a_first_success_on_a_fresh_database_raises_nothing(
    tmp_path: Path, remote: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, alarms={"off_delay": "0s"})
    node = build_node(config, mode="headless")
    try:
        node.run_once()
    finally:
        node.stop()
    assert Condition.PACING_REQUESTS_FAILED not in alarm_states(config)
