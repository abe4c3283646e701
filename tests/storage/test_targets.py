"""Read models of the Targets, Overview and History pages on a real SQLite file."""

from __future__ import annotations

import pytest
import sqlite_utils

from storage.cycles import record_cycle
from storage.errors import InvalidQueryError
from storage.history import count_history_rows, read_history_preview
from storage.targets import read_activity, read_target_ids, read_target_series
from tests.builders import make_cycle, make_target


def store_cycles(
    db: sqlite_utils.Database, count: int, period_s: float = 2.0, **changes: object
) -> None:
    """`count` cycles of two targets, every `period_s`, running totals growing each cycle."""
    for i in range(count):
        at = 1_000.0 + i * period_s
        cycle = make_cycle(f"c{i}", started_at=at, seq=i, targets_count=2)
        targets = [
            make_target(
                f"c{i}",
                target_id,
                at=at,
                allowed_invitations=i,
                accepted_total=100 + i,
                abandoned_total=10 + i // 2,
                **changes,
            )
            for target_id in ("A - chat", "B - chat")
        ]
        record_cycle(db, cycle, targets, recorded_at=at)


def test_short_ranges_return_one_row_per_target_per_cycle(db: sqlite_utils.Database) -> None:
    store_cycles(db, 10)
    series = read_target_series(db, ["A - chat"], 1_000.0, 1_010.0, None)
    assert list(series["at"]) == [1_000.0 + 2 * i for i in range(6)]
    assert list(series["allowed"]) == [0, 1, 2, 3, 4, 5]


def test_long_ranges_are_bucketed_in_sql_with_means_and_last_totals(
    db: sqlite_utils.Database,
) -> None:
    store_cycles(db, 60)  # 120 s of 2 s cycles: minutes 960, 1020, 1080
    series = read_target_series(db, None, 0.0, 10_000.0, 60.0)
    a = series[series["target_id"] == "A - chat"]
    assert list(a["at"]) == [960.0, 1_020.0, 1_080.0]
    assert list(a["cycles"]) == [10, 30, 20]
    assert a["allowed"].iloc[0] == pytest.approx(sum(range(10)) / 10)
    assert a["accepted_total"].iloc[0] == 109


def test_purged_minutes_are_read_from_the_minute_rollups(db: sqlite_utils.Database) -> None:
    if "target_minute_rollups" not in {*db.table_names(), *db.view_names()}:
        pytest.fail("the hive-off migration with target_minute_rollups is not installed")
    store_cycles(db, 30)  # detail from 1000 s
    db.execute(
        "INSERT INTO target_minute_rollups (target_id, minute_start, samples, allowed_sum, "
        "pending_mean, pending_n, ready_mean, ready_n, busy_mean, busy_n, queue_mean, queue_n, "
        "accepted_delta, abandoned_delta, accepted_last, abandoned_last, last_at) "
        "VALUES ('A - chat', 840, 30, 60, 1.0, 30, 4.0, 30, 6.0, 30, 2.0, 30, 5, 1, 90, 9, 899)"
    )
    series = read_target_series(db, ["A - chat"], 0.0, 10_000.0, 60.0)
    first = series.iloc[0]
    assert (first["at"], first["cycles"], first["allowed"], first["busy"]) == (840.0, 30, 2.0, 6.0)
    assert first["accepted_total"] == 90 and first["goal_pct"] == 3.0
    assert series["at"].is_monotonic_increasing


def test_a_range_that_ends_before_it_starts_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(InvalidQueryError, match="swap"):
        read_target_series(db, None, 10.0, 5.0, None)


def test_activity_counts_increments_of_running_totals_in_the_last_hour(
    db: sqlite_utils.Database,
) -> None:
    store_cycles(db, 40)  # accepted 100..139 per target, abandoned 10..29
    now = 1_000.0 + 39 * 2.0
    activity = read_activity(db, now=now, stale_after_s=10.0)
    assert activity.accepted_last_hour == 2 * 39
    assert activity.abandoned_last_hour == 2 * (29 - 10)
    assert activity.allowed_per_minute == 2 * sum(range(10, 40))  # cycles at or after now-60
    assert (activity.targets_paced, activity.targets_known) == (2, 2)


def test_a_counter_that_restarts_adds_nothing_negative(db: sqlite_utils.Database) -> None:
    store_cycles(db, 3)
    cycle = make_cycle("restart", started_at=1_010.0, seq=9)
    record_cycle(db, cycle, [make_target("restart", "A - chat", at=1_010.0, accepted_total=0)])
    activity = read_activity(db, now=1_010.0, stale_after_s=10.0)
    assert activity.accepted_last_hour == 2 + 2  # both targets' growth before the restart


def test_history_preview_is_newest_first_in_the_export_columns(db: sqlite_utils.Database) -> None:
    store_cycles(db, 5)
    preview = read_history_preview(db, 0.0, 2_000.0, ["B - chat"], ["at", "allowed_invitations"], 2)
    assert list(preview.columns) == ["at", "allowed_invitations"]
    assert list(preview["allowed_invitations"]) == [4, 3]
    assert count_history_rows(db, 0.0, 2_000.0, None) == 10
    assert read_target_ids(db) == ["A - chat", "B - chat"]


def test_history_preview_refuses_unknown_columns(db: sqlite_utils.Database) -> None:
    with pytest.raises(InvalidQueryError, match="choose export columns"):
        read_history_preview(db, 0.0, 1.0, None, ["password"], 5)
