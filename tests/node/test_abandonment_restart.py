"""AbandonmentAboveGoal's window survives a restart: it is read back from the database."""

from __future__ import annotations

from pathlib import Path

from config import Config
from domain.statistics import TargetStatistics
from domain.targets import PacingTarget
from storage.alarms.store import read_active_alarms
from storage.db import connect
from tests.fake_centre import FakeCentre
from tests.support import Clock, ran_headless, shipped_config

START = 1_767_225_600.0


class HalfAbandoned(FakeCentre):
    """Statistics whose running totals grow by 100 accepted and 100 abandoned per read."""

    def statistics(self, target: PacingTarget) -> TargetStatistics:
        total = 1_000 + 100 * self.reads
        return TargetStatistics(
            target_id=target.target_id,
            logged_in_slots=10,
            ready_slots=2,
            busy_slots=8,
            in_queue=0,
            accepted_total=total,
            abandoned_total=total,
        )


def config_for(folder: Path, node_id: str = "node-a") -> Config:
    alarms = {"off_delay": "0s", "abandonment_window": "15min"}
    return shipped_config(folder, node={"node_id": node_id}, alarms=alarms)


def one_cycle(config: Config, clock: Clock, source: HalfAbandoned) -> None:
    ran_headless(config, 1, clock=clock, stat_source=source, publisher=source)


def abandonment_scopes(config: Config) -> set[str]:
    db = connect(config.node.database_path)
    try:
        active = read_active_alarms(db)
    finally:
        db.close()
    return set(active.loc[active["condition"] == "AbandonmentAboveGoal", "scope"])


def test_the_window_counts_the_cycles_recorded_before_a_restart(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    clock, source = Clock(START), HalfAbandoned()
    one_cycle(config, clock, source)  # one point: no window yet
    assert abandonment_scopes(config) == set()
    clock.now += 5.0
    one_cycle(config, clock, source)  # a new run: its first point and the one read back
    assert abandonment_scopes(config) == {t.target_id for t in config.targets}


def test_points_older_than_the_window_are_not_read_back(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    clock, source = Clock(START), HalfAbandoned()
    one_cycle(config, clock, source)
    clock.now += 16 * 60.0  # past the 15 min window
    one_cycle(config, clock, source)
    assert abandonment_scopes(config) == set()


def test_another_nodes_cycles_are_not_read_back(tmp_path: Path) -> None:
    clock, source = Clock(START), HalfAbandoned()
    one_cycle(config_for(tmp_path, node_id="node-b"), clock, source)
    clock.now += 5.0
    config = config_for(tmp_path, node_id="node-a")
    one_cycle(config, clock, source)
    assert abandonment_scopes(config) == set()
