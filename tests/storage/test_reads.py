"""Read models: node liveness, cycle summary, target state and history, row counts."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import sqlite_utils

from storage.cycles import count_rows, read_cycle_summary, record_cycle
from storage.db import InvalidQueryError
from storage.history import read_target_history
from storage.nodes import (
    read_node_status,
    record_node_stop,
    record_scheduler_event,
)
from storage.schema.migrations import MIGRATIONS
from storage.targets import read_target_state
from tests.builders import NO_STATISTICS, make_cycle, make_target, register_node


def test_a_node_is_alive_while_its_heartbeat_is_fresh_and_it_has_not_stopped(
    db: sqlite_utils.Database,
) -> None:
    register_node(db, "fresh", started_at=95.0)
    register_node(db, "stale", started_at=50.0)
    register_node(db, "stopped", started_at=99.0)
    record_node_stop(db, "stopped", 99.0)
    status = {s.node_id: s for s in read_node_status(db, now=100.0, stale_after_s=15.0)}
    assert {n: s.alive for n, s in status.items()} == {
        "fresh": True,
        "stale": False,
        "stopped": False,
    }
    assert status["stale"].last_heartbeat_age_s == 50.0
    assert status["fresh"].period_s == 5.0


def test_cycle_summary_figures_on_known_cycles(db: sqlite_utils.Database) -> None:
    # Window (940, 1000]: c2..c4 inside, c1 before it.
    for cycle_id, started_at, duration_s, lateness_s, status in [
        ("c1", 900.0, 9.0, 9.0, "failed"),
        ("c2", 950.0, 0.5, 0.1, "ok"),
        ("c3", 970.0, 1.5, 0.3, "overrun"),
        ("c4", 990.0, 1.0, 0.2, "partial"),
    ]:
        cycle = make_cycle(
            cycle_id,
            started_at,
            duration_s=duration_s,
            lateness_s=lateness_s,
            status=status,
        )
        record_cycle(db, cycle, [])
    record_scheduler_event(db, "e1", "node-a", 971.0, "skipped", "previous cycle still running")
    record_scheduler_event(db, "e2", "node-a", 972.0, "skipped", "previous cycle still running")
    record_scheduler_event(db, "e3", "node-a", 930.0, "skipped", "outside the window")
    record_scheduler_event(db, "e4", "node-a", 980.0, "missed", "started 2 s late")

    summary = read_cycle_summary(db, now=1_000.0, window_s=60.0)

    assert (summary.total_cycles, summary.cycles_in_window) == (4, 3)
    assert summary.cycles_per_minute == 3.0
    assert summary.mean_duration_s == pytest.approx(1.0)
    assert summary.max_duration_s == 1.5
    assert summary.mean_lateness_s == pytest.approx(0.2)
    assert summary.max_lateness_s == 0.3
    assert (summary.overruns_in_window, summary.failed_in_window) == (1, 0)
    assert (summary.skipped_in_window, summary.missed_in_window) == (2, 1)
    assert (summary.last_cycle_age_s, summary.last_status) == (10.0, "partial")


def test_cycle_summary_of_an_empty_database_has_no_means(db: sqlite_utils.Database) -> None:
    summary = read_cycle_summary(db, now=1_000.0, window_s=60.0)
    assert (summary.total_cycles, summary.cycles_per_minute) == (0, 0.0)
    assert summary.mean_duration_s is None
    assert (summary.last_cycle_age_s, summary.last_status) == (None, None)


def test_target_state_has_one_row_per_target_with_its_abandon_ratio(
    db: sqlite_utils.Database,
) -> None:
    record_cycle(
        db,
        make_cycle(),
        [
            make_target(target_id="a", accepted_total=97, abandoned_total=3),
            make_target(
                target_id="b", accepted_total=0, abandoned_total=0, pending_invitations=None
            ),
        ],
    )
    frame = read_target_state(db).set_index("target_id")
    assert list(frame.index) == ["a", "b"]
    assert frame.loc["a", "abandon_ratio"] == pytest.approx(0.03)
    assert math.isnan(frame.loc["b", "abandon_ratio"])
    assert pd.isna(frame.loc["b", "pending_invitations"])
    assert frame.loc["a", "at_utc"] == pd.Timestamp(1_000.1, unit="s", tz="UTC")


def test_target_state_of_an_empty_database_is_an_empty_frame_with_columns(
    db: sqlite_utils.Database,
) -> None:
    frame = read_target_state(db)
    assert frame.empty
    assert {"target_id", "in_queue", "abandon_ratio", "at_utc"} <= set(frame.columns)


def test_target_history_filters_by_target_and_time_and_joins_the_cycle(
    db: sqlite_utils.Database,
) -> None:
    for i in range(4):
        cycle_id = f"c{i}"
        record_cycle(
            db,
            make_cycle(cycle_id, 1_000.0 + 10 * i, status="ok" if i else "partial"),
            [make_target(cycle_id, t, at=1_000.0 + 10 * i) for t in ("a", "b")],
        )
    frame = read_target_history(db, ["a"], since=1_000.0, until=1_020.0)
    assert list(frame["cycle_id"]) == ["c0", "c1", "c2"]
    assert set(frame["target_id"]) == {"a"}
    assert list(frame["cycle_status"]) == ["partial", "ok", "ok"]
    assert set(frame["node_id"]) == {"node-a"}
    assert len(read_target_history(db, None, since=0.0, until=2_000.0)) == 8
    assert read_target_history(db, [], since=0.0, until=2_000.0).empty


def test_target_history_refuses_a_range_that_ends_before_it_starts(
    db: sqlite_utils.Database,
) -> None:
    with pytest.raises(InvalidQueryError, match="since must not be after until"):
        read_target_history(db, None, since=10.0, until=5.0)


def test_count_rows_counts_every_table(db: sqlite_utils.Database) -> None:
    record_cycle(db, make_cycle(), [make_target(target_id="a"), make_target(target_id="b")])
    counts = count_rows(db)
    assert {name: counts[name] for name in ("nodes", "cycles", "cycle_targets")} == {
        "nodes": 0,
        "cycles": 1,
        "cycle_targets": 2,
    }
    assert counts["target_state"] == 2
    assert counts["scheduler_events"] == 0
    assert counts["schema_migrations"] == len(MIGRATIONS)


def test_unknown_figures_read_as_missing_values_not_zeros(db: sqlite_utils.Database) -> None:
    blind = make_target(**NO_STATISTICS, error="stat source timed out")
    record_cycle(db, make_cycle(), [blind])
    row = read_target_state(db).iloc[0]
    assert pd.isna(row["in_queue"]) and math.isnan(row["abandon_ratio"])
    history = read_target_history(db, None, since=0.0, until=2_000.0)
    assert str(history["in_queue"].dtype) == "Int64"
