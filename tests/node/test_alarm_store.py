"""Alarm storage on a real SQLite file: provisioning, race-safe actions, history, read models."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from alarms.catalogue import default_conditions
from config.options import MetricsOptions
from domain.signals import AlarmSignal
from node.alarm_actions import AlarmActionError, acknowledge, act_on_alarm, shelve
from node.alarm_evaluator import check_no_master, evaluate_and_store
from storage.alarms.store import (
    load_conditions,
    provision_conditions,
    read_active_alarms,
    read_alarm_figures,
    read_alarm_history,
)
from storage.db import connect
from storage.leases import MASTER_LEASE, claim_lease, read_sqlite_lease
from storage.sql import Database, build_engine, parse_location
from tests.builders import register_node
from tests.support import eventually

FAILED = "PacingRequestsFailed/global"


def raise_alarm(db: sqlite_utils.Database, at: float, active: bool = True) -> None:
    evaluate_and_store(db, [AlarmSignal("PacingRequestsFailed", active, at, reason="timeout")], at)


def test_provisioning_twice_keeps_operators_edits_unless_overwritten(
    db: sqlite_utils.Database,
) -> None:
    db.conn.execute("UPDATE alarm_conditions SET enabled = 0 WHERE name = 'GC Latency'")
    again = provision_conditions(db, default_conditions(), now=1.0)
    assert again.created == () and "GC Latency" in again.kept
    assert not {c.name: c for c in load_conditions(db)}["GC Latency"].enabled
    wanted = default_conditions(MetricsOptions(gc_latency_threshold_ms=250))
    replaced = provision_conditions(db, wanted, now=2.0, overwrite=True)
    gc_latency = {c.name: c for c in load_conditions(db)}["GC Latency"]
    assert "GC Latency" in replaced.replaced and gc_latency.enabled
    assert gc_latency.parameter("threshold_ms") == 250
    assert (gc_latency.detect_event_id, gc_latency.cancel_event_id) == (10005, 10006)


def test_two_operators_acknowledging_at_once_both_succeed_and_the_first_is_recorded(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    raise_alarm(db, 10.0)
    barrier = threading.Barrier(2)
    results = {}

    def operator(name: str) -> None:
        own = connect(db_path)  # one connection per thread, as the dashboard sessions have
        try:
            barrier.wait()
            results[name] = acknowledge(own, FAILED, name, now=11.0, comment=f"{name} on it")
        finally:
            own.close()

    threads = [threading.Thread(target=operator, args=(n,)) for n in ("ana", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    changed = [name for name, result in results.items() if result.changed]
    assert len(changed) == 1 and len(results) == 2
    first = changed[0]
    other = "bob" if first == "ana" else "ana"
    assert results[other].note == f"already acknowledged by {first}"
    history = read_alarm_history(db, conditions=["PacingRequestsFailed"])
    acks = history[history["rule"] == "operator acknowledges"]
    assert acks["who"].tolist() == [first] and acks["comment"].tolist() == [f"{first} on it"]


def test_shelving_needs_an_expiry_and_an_unknown_alarm_is_named(db: sqlite_utils.Database) -> None:
    raise_alarm(db, 10.0)
    with pytest.raises(AlarmActionError, match="must come back by itself"):
        act_on_alarm(db, FAILED, "shelve", operator="ana", now=11.0)
    assert shelve(db, FAILED, "ana", now=11.0, until=100.0, comment="maintenance").changed
    assert not shelve(db, FAILED, "bob", now=12.0, until=200.0).changed
    with pytest.raises(AlarmActionError, match="no alarm instance 'Nope/global'"):
        acknowledge(db, "Nope/global", "ana", now=12.0)


def test_history_is_append_only(db: sqlite_utils.Database) -> None:
    raise_alarm(db, 10.0)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE alarm_transitions SET who = 'mallory'")


def test_active_alarms_and_history_filters(db: sqlite_utils.Database) -> None:
    raise_alarm(db, 10.0)
    raise_alarm(db, 20.0, active=False)
    active = read_active_alarms(db)
    assert active["state"].tolist() == ["cleared_unacknowledged"]
    assert active["detect_event_id"].tolist() == [100603]
    history = read_alarm_history(db, since=15.0)
    assert history["rule"].tolist() == ["returns to normal before acknowledgement"]
    assert read_alarm_history(db, states=["active_unacknowledged"])["at"].tolist() == [10.0]


def test_flood_chatter_and_stale_figures_come_from_the_transitions(
    db: sqlite_utils.Database,
) -> None:
    for k in range(12):  # 12 raises within two minutes: a flood, and chattering
        raise_alarm(db, 1000.0 + 10 * k)
        raise_alarm(db, 1005.0 + 10 * k, active=False)
    raise_alarm(db, 1200.0)
    figures = read_alarm_figures(db, now=1000.0 + 86_400.0 + 300.0, window_s=90_000.0)
    assert figures.raises_in_window == 13 and figures.peak_per_10_min == 12  # 1200 s opens a bucket
    assert figures.flood_buckets == 1
    assert figures.chattering["instance_id"].tolist() == [FAILED]
    assert figures.chattering["max_raises_in_window"].tolist() == [6]
    assert figures.stale_unacknowledged["instance_id"].tolist() == [FAILED]


def test_no_master_node_is_raised_from_heartbeats_and_cleared_by_a_fresh_one(
    db: sqlite_utils.Database,
) -> None:
    register_node(db, "a", started_at=0.0)
    assert [t.to_state.value for t in check_no_master(db, now=100.0, stale_after_s=15.0)] == [
        "active_unacknowledged"
    ]
    register_node(db, "b", started_at=200.0, pid=2)
    cleared = check_no_master(db, now=201.0, stale_after_s=15.0)
    assert [t.rule for t in cleared] == ["returns to normal before acknowledgement"]


def lapsed_s(db: sqlite_utils.Database) -> float:
    lease = read_sqlite_lease(db, MASTER_LEASE)
    assert lease is not None
    return -lease.remaining_s


def test_no_master_node_is_raised_when_the_master_lease_lapsed_while_nodes_are_alive(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    now = time.time()
    register_node(db, "a", started_at=now)
    engine = build_engine(parse_location(db_path))
    try:
        with Database.open(engine) as lease_db:
            claim_lease(lease_db, MASTER_LEASE, "a", ttl_s=0.01)
        # a lapse shorter than the grace (the heartbeat staleness) is a handover: no alarm
        assert check_no_master(db, now, stale_after_s=3600.0, master_lease=True) == ()
        # longer: nodes are alive but none took the lease over
        assert eventually(lambda: lapsed_s(db) > 0.5)
        [raised] = check_no_master(db, now, stale_after_s=0.5, master_lease=True)
        assert raised.to_state.value == "active_unacknowledged"
        assert "the master lease (last holder a) lapsed" in raised.reason
        assert "no node took it over; alive: a" in raised.reason
        # a master appears: cleared
        with Database.open(engine) as lease_db:
            claim_lease(lease_db, MASTER_LEASE, "a", ttl_s=3600)
        [cleared] = check_no_master(db, now, stale_after_s=0.5, master_lease=True)
        assert cleared.rule == "returns to normal before acknowledgement"
    finally:
        engine.dispose()
