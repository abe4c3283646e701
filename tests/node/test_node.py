"""The node against a real SQLite file, with the real scheduler and the real simulator."""

from __future__ import annotations

import sqlite3
import time
import tomllib
from pathlib import Path
from typing import Any

from node.build import build_node, embedded_node, start_embedded_node, stop_embedded_node
from tests.fake_centre import FakeCentre
from tests.support import ROOT, ran_headless, shipped_config


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_each_cycle_writes_one_row_per_target_to_a_real_sqlite_file(tmp_path: Path) -> None:
    config = shipped_config(tmp_path)
    node = ran_headless(config, 5)
    assert node.counters().record_failures == 0
    database = config.node.database_path
    assert rows(database, "SELECT count(*) FROM cycles") == [(5,)]
    assert rows(database, "SELECT count(*) FROM cycle_targets") == [(5 * len(config.targets),)]
    per_cycle = rows(database, "SELECT count(*) FROM cycle_targets GROUP BY cycle_id")
    assert {n for (n,) in per_cycle} == {len(config.targets)}
    stored = rows(database, "SELECT target_id FROM target_state ORDER BY target_id")
    assert [t for (t,) in stored] == [t.target_id for t in config.targets]
    [(mode, heartbeat_at, stopped_at)] = rows(
        database, "SELECT mode, heartbeat_at, stopped_at FROM nodes"
    )
    assert mode == "headless" and heartbeat_at is not None and stopped_at >= heartbeat_at


def test_an_overrun_is_recorded_and_skipped_fires_are_counted(tmp_path: Path) -> None:
    config = shipped_config(tmp_path, pacing={"refreshPeriod": 0.2})
    stuck_platform = FakeCentre()
    stuck_platform.publish_delay_s = 0.5  # longer than the refresh period
    node = build_node(config, mode="headless", publisher=stuck_platform)
    node.start()
    try:
        time.sleep(2.0)
    finally:
        node.stop()
    database = config.node.database_path
    statuses = dict(rows(database, "SELECT status, count(*) FROM cycles GROUP BY status"))
    assert statuses.get("overrun", 0) >= 2
    skipped_events = rows(database, "SELECT count(*) FROM scheduler_events WHERE kind='skipped'")
    assert skipped_events[0][0] >= 2
    counted = rows(database, "SELECT sum(skipped_before) FROM cycles")[0][0]
    assert counted >= 1
    assert node.counters().skipped_fires == skipped_events[0][0]


def test_a_stopped_node_is_marked_stopped(tmp_path: Path) -> None:
    config = shipped_config(tmp_path, pacing={"refreshPeriod": 0.2})
    node = build_node(config, mode="headless")
    node.start()
    time.sleep(0.5)
    node.stop()
    [(stopped_at, heartbeat_at)] = rows(
        config.node.database_path, "SELECT stopped_at, heartbeat_at FROM nodes"
    )
    assert stopped_at is not None and stopped_at >= heartbeat_at


def test_the_embedded_node_starts_once_however_often_it_is_asked(tmp_path: Path) -> None:
    config = shipped_config(tmp_path, pacing={"refreshPeriod": 0.2})
    try:
        first = start_embedded_node(config)
        second = start_embedded_node(config)
        assert first is second is embedded_node()
        assert first.running
    finally:
        stop_embedded_node()
    assert embedded_node() is None
    assert rows(config.node.database_path, "SELECT count(*) FROM nodes") == [(1,)]


def test_logging_covers_every_package_of_the_project() -> None:
    # A package missing from the list logs nowhere once a `pacing` command took over logging
    # (the node's "started" line was lost that way when engine/ became node/).

    from node.logs import PROJECT_LOGGERS

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert set(PROJECT_LOGGERS) == set(packages["root_packages"])
