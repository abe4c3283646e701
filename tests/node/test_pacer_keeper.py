"""Warm restart: a node saves its pacer's state and a restarted node carries on from it."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

from config import parse_config
from domain.decisions import TargetSnapshot
from node.build import build_node
from node.pacer_keeper import MAX_RESTORE_AGE_S, PacerStateKeeper
from pacing import Pacer
from storage.db import PerThreadDatabase
from tests.support import ROOT

SNAPSHOT = TargetSnapshot(
    target_id="Proactive Chat - chat",
    media="chat",
    goal_pct=3.0,
    logged_in_slots=10,
    ready_slots=3,
    busy_slots=7,
    in_queue=0,
    accepted_total=100,
    abandoned_total=2,
    pending_invitations=4,
    acceptance_rate=0.25,
    accept_delay_s=8.0,
    avg_handle_time_s=300.0,
)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def paced_for_a_while(pacer: Pacer, cycles: int, keeper: PacerStateKeeper | None = None) -> None:
    for cycle in range(cycles):
        served = SNAPSHOT.accepted_total + cycle
        abandoned = SNAPSHOT.abandoned_total + cycle // 10
        snapshot = TargetSnapshot(
            **{
                **{name: getattr(SNAPSHOT, name) for name in TargetSnapshot.__slots__},
                "accepted_total": served,
                "abandoned_total": abandoned,
            }
        )
        pacer.decide([snapshot], now=2.0 * cycle)
        if keeper is not None:
            keeper.after_cycle(None, True)  # type: ignore[arg-type] - the keeper ignores it


def test_the_state_is_saved_every_n_cycles_and_a_new_pacer_starts_from_it(tmp_path: Path) -> None:
    database, clock = PerThreadDatabase(tmp_path / "pacing.db"), Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 30, PacerStateKeeper(pacer, database, "n1", clock, every_cycles=30))
    restarted = Pacer(interval_s=2.0)
    PacerStateKeeper(restarted, database, "n1", clock).start()
    before, after = pacer.state()[SNAPSHOT.target_id], restarted.state()[SNAPSHOT.target_id]
    fresh = Pacer(interval_s=2.0)
    paced_for_a_while(fresh, 1)
    assert (
        after["threshold"] == before["threshold"] != fresh.state()[SNAPSHOT.target_id]["threshold"]
    )
    assert after["acceptance"] == before["acceptance"]
    assert after["last_now"] is None  # the outage counts as no time


def test_nothing_is_saved_between_the_n_cycles(tmp_path: Path) -> None:
    database, clock = PerThreadDatabase(tmp_path / "pacing.db"), Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 29, PacerStateKeeper(pacer, database, "n1", clock, every_cycles=30))
    restarted = Pacer(interval_s=2.0)
    PacerStateKeeper(restarted, database, "n1", clock).start()
    assert restarted.state() == {}


def test_stopping_saves_the_latest_state(tmp_path: Path) -> None:
    database, clock = PerThreadDatabase(tmp_path / "pacing.db"), Clock()
    pacer = Pacer(interval_s=2.0)
    keeper = PacerStateKeeper(pacer, database, "n1", clock)
    paced_for_a_while(pacer, 3)
    keeper.stop()
    restarted = Pacer(interval_s=2.0)
    PacerStateKeeper(restarted, database, "n1", clock).start()
    assert set(restarted.state()) == {SNAPSHOT.target_id}


def test_a_state_older_than_the_limit_is_not_restored(tmp_path: Path) -> None:
    database, clock = PerThreadDatabase(tmp_path / "pacing.db"), Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 3)
    PacerStateKeeper(pacer, database, "n1", clock).stop()
    clock.now += MAX_RESTORE_AGE_S + 1.0
    restarted = Pacer(interval_s=2.0)
    PacerStateKeeper(restarted, database, "n1", clock).start()
    assert restarted.state() == {}


def test_an_unreadable_saved_state_means_a_cold_start_not_a_dead_node(tmp_path: Path) -> None:
    database, clock = PerThreadDatabase(tmp_path / "pacing.db"), Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 3)
    PacerStateKeeper(pacer, database, "n1", clock).stop()
    with sqlite3.connect(database.path) as raw:
        raw.execute('UPDATE pacer_state SET state_json = \'{"t": {"no_such_field": 1}}\'')
    restarted = Pacer(interval_s=2.0)
    PacerStateKeeper(restarted, database, "n1", clock).start()  # logs, does not raise
    assert restarted.state() == {}


def test_a_node_leaves_its_pacer_state_in_its_database_when_it_stops(tmp_path: Path) -> None:
    root = ROOT
    raw = tomllib.loads((root / "pacing.toml").read_text(encoding="utf-8"))
    raw["node"]["database"] = str(tmp_path / "pacing.db")
    config = parse_config(raw, source="test", base_dir=tmp_path)
    node = build_node(config, mode="headless")
    for _ in range(3):
        node.run_once()
    node.stop()
    with sqlite3.connect(config.node.database_path) as db:
        [(node_id, state_json)] = db.execute("SELECT node_id, state_json FROM pacer_state")
    assert node_id == config.node.node_id
    assert set(json.loads(state_json)) == {target.target_id for target in config.targets}
