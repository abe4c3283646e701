"""Warm restart: a node saves its pacer's state and a restarted node carries on from it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from node.pacer_keeper import MAX_RESTORE_AGE_S, PacerStateKeeper
from pacing import Pacer
from storage.db import PerThreadDatabase
from tests.builders import make_snapshot
from tests.support import Clock, ran_headless, shipped_config

SNAPSHOT = make_snapshot(abandoned_total=2, pending_invitations=4)


def paced_for_a_while(pacer: Pacer, cycles: int, keeper: PacerStateKeeper | None = None) -> None:
    for cycle in range(cycles):
        served = SNAPSHOT.accepted_total + cycle
        abandoned = SNAPSHOT.abandoned_total + cycle // 10
        snapshot = replace(SNAPSHOT, accepted_total=served, abandoned_total=abandoned)
        pacer.decide([snapshot], now=2.0 * cycle)
        if keeper is not None:
            keeper.after_cycle(None, True)  # type: ignore[arg-type] - the keeper ignores it


@pytest.fixture
def database(tmp_path: Path) -> PerThreadDatabase:
    return PerThreadDatabase(tmp_path / "pacing.db")


def restarted(database: PerThreadDatabase, clock: Clock) -> Pacer:
    """The pacer of a node started again on `database`: whatever its keeper restored."""
    pacer = Pacer(interval_s=2.0)
    PacerStateKeeper(pacer, database, "n1", clock).start()
    return pacer


def saved_after_three_cycles(database: PerThreadDatabase, clock: Clock) -> None:
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 3)
    PacerStateKeeper(pacer, database, "n1", clock).stop()


def test_the_state_is_saved_every_n_cycles_and_a_new_pacer_starts_from_it(
    database: PerThreadDatabase,
) -> None:
    clock = Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 30, PacerStateKeeper(pacer, database, "n1", clock, every_cycles=30))
    before = pacer.state()[SNAPSHOT.target_id]
    after = restarted(database, clock).state()[SNAPSHOT.target_id]
    fresh = Pacer(interval_s=2.0)
    paced_for_a_while(fresh, 1)
    assert (
        after["threshold"] == before["threshold"] != fresh.state()[SNAPSHOT.target_id]["threshold"]
    )
    assert after["acceptance"] == before["acceptance"]
    assert after["last_now"] is None  # the outage counts as no time


def test_nothing_is_saved_between_the_n_cycles(database: PerThreadDatabase) -> None:
    clock = Clock()
    pacer = Pacer(interval_s=2.0)
    paced_for_a_while(pacer, 29, PacerStateKeeper(pacer, database, "n1", clock, every_cycles=30))
    assert restarted(database, clock).state() == {}


def test_stopping_saves_the_latest_state(database: PerThreadDatabase) -> None:
    clock = Clock()
    pacer = Pacer(interval_s=2.0)
    keeper = PacerStateKeeper(pacer, database, "n1", clock)
    paced_for_a_while(pacer, 3)
    keeper.stop()
    assert set(restarted(database, clock).state()) == {SNAPSHOT.target_id}


def test_a_state_older_than_the_limit_is_not_restored(database: PerThreadDatabase) -> None:
    clock = Clock()
    saved_after_three_cycles(database, clock)
    clock.advance(MAX_RESTORE_AGE_S + 1.0)
    assert restarted(database, clock).state() == {}


def test_an_unreadable_saved_state_means_a_cold_start_not_a_dead_node(
    database: PerThreadDatabase,
) -> None:
    clock = Clock()
    saved_after_three_cycles(database, clock)
    with sqlite3.connect(database.path) as raw:
        raw.execute('UPDATE pacer_state SET state_json = \'{"t": {"no_such_field": 1}}\'')
    assert restarted(database, clock).state() == {}  # the keeper logs, does not raise


def test_a_node_leaves_its_pacer_state_in_its_database_when_it_stops(tmp_path: Path) -> None:
    config = shipped_config(tmp_path)
    ran_headless(config, 3)
    with sqlite3.connect(config.node.database_path) as db:
        [(node_id, state_json)] = db.execute("SELECT node_id, state_json FROM pacer_state")
    assert node_id == config.node.node_id
    assert set(json.loads(state_json)) == {target.target_id for target in config.targets}
