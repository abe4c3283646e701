"""AbandonmentAboveGoal's window survives a restart: it is read back from the database."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from config import Config, parse_config
from domain.ports import AnswersByTarget, Decisions, StatisticsByTarget
from domain.statistics import TargetStatistics
from domain.targets import PacingTarget
from node.build import build_node
from node.node import Node
from storage.alarms.store import read_active_alarms
from storage.db import connect
from tests.support import ROOT

START = 1_767_225_600.0


class HalfAbandoned:
    """Statistics whose running totals grow by 100 accepted and 100 abandoned per read."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, targets: Sequence[PacingTarget], now: float) -> StatisticsByTarget:
        self.reads += 1
        total = 1_000 + 100 * self.reads
        return {
            t.target_id: TargetStatistics(
                target_id=t.target_id,
                logged_in_slots=10,
                ready_slots=2,
                busy_slots=8,
                in_queue=0,
                accepted_total=total,
                abandoned_total=total,
            )
            for t in targets
        }


class Nowhere:
    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        return {}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def config_for(folder: Path, node_id: str = "node-a") -> Config:
    raw = tomllib.loads((ROOT / "pacing.toml").read_text(encoding="utf-8"))
    raw["node"].update(database=str(folder / "pacing.db"), node_id=node_id)
    raw["alarms"] = {"off_delay": "0s", "abandonment_window": "15min"}
    return parse_config(raw, source="test", base_dir=folder)


def one_cycle(config: Config, clock: Clock, source: HalfAbandoned) -> None:
    node: Node = build_node(
        config, mode="headless", clock=clock, stat_source=source, publisher=Nowhere()
    )
    try:
        node.run_once()
    finally:
        node.stop()


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
