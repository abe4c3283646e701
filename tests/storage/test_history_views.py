"""The history written with portable SQL reads back identically through the views, on both
engines (`any_database`): same columns, same values, same Python types."""

from __future__ import annotations

from datetime import date, timedelta

from storage.history_partitions import ensure_day_partitions
from storage.migrate import prepare_schema
from storage.sql import Database
from tests.storage.history_rows import (
    VIEW_COLUMNS,
    epoch,
    expected_view_rows,
    record_cycle,
    target_row,
)

DAY = date(2026, 12, 8)


def read_view(db: Database, view: str = "cycle_targets") -> list[tuple[object, ...]]:
    result = db.execute(f"SELECT * FROM {view} ORDER BY at, record_id")
    assert tuple(result.keys()) == VIEW_COLUMNS
    return [tuple(row) for row in result]


def test_cycles_read_back_through_cycle_targets_with_the_same_values_and_types(
    any_database: Database,
) -> None:
    prepare_schema(any_database)
    if any_database.dialect == "postgresql":
        # The first day gets its partition, the second's rows land in the default partition:
        # the view reads both.
        ensure_day_partitions(any_database, days_ahead=0, today=DAY)
    cycles = [
        ("c1", epoch(DAY, 10.0), [target_row("q1", 1), target_row("q2", 2)]),
        ("c2", epoch(DAY, 15.25), [target_row("q1", 3), target_row("q2", 4, error="HTTP 503")]),
        ("c3", epoch(DAY + timedelta(days=1), 5.0), [target_row("q3", 5), target_row("q1", 6)]),
    ]
    expected: list[tuple[object, ...]] = []
    for seq, (cycle_id, at, rows) in enumerate(cycles):
        record_cycle(any_database, cycle_id, seq, at, rows)
        expected += expected_view_rows(cycle_id, at, rows)
    got = read_view(any_database)
    assert got == sorted(expected, key=lambda row: (row[3], row[0]))
    # Equal values could still differ in type (3 == 3.0): compare the spelling too.
    assert [list(map(repr, row)) for row in got] == [
        list(map(repr, row)) for row in sorted(expected, key=lambda row: (row[3], row[0]))
    ]


def test_the_keyed_view_adds_the_keys_the_rows_were_stored_under(any_database: Database) -> None:
    prepare_schema(any_database)
    batch = record_cycle(any_database, "c1", 1, epoch(DAY, 1.0), [target_row("q1", 1)])
    row = any_database.execute(
        "SELECT batch_key, target_key, record_id FROM cycle_targets_keyed"
    ).one()
    target_key = any_database.execute(
        "SELECT target_key FROM target_keys WHERE target_id = 'q1'"
    ).scalar_one()
    assert tuple(row) == (batch, target_key, "c1/q1")


def test_an_archived_cycle_is_not_recorded_again(any_database: Database) -> None:
    prepare_schema(any_database)
    any_database.execute(
        "INSERT INTO archived_cycles (cycle_id, started_at) VALUES ('old', :at)",
        {"at": epoch(DAY)},
    )
    inserted = any_database.execute(
        "INSERT INTO cycles (cycle_id, node_id, seq, scheduled_at, started_at, duration_s, "
        "lateness_s, period_s, status, targets_count, errors_count) VALUES "
        "('old', 'n', 1, 0.0, 0.0, 0.1, 0.0, 5.0, 'ok', 0, 0) ON CONFLICT (cycle_id) DO NOTHING"
    ).rowcount
    assert inserted == 0
    assert any_database.execute("SELECT count(*) FROM cycles").scalar_one() == 0


def test_rollups_written_through_the_old_table_name_read_back_on_both_engines(
    any_database: Database,
) -> None:
    prepare_schema(any_database)
    any_database.execute(
        "INSERT INTO target_minute_rollups (target_id, minute_start, samples, allowed_sum, "
        "pending_mean, pending_n, ready_mean, ready_n, busy_mean, busy_n, queue_mean, queue_n, "
        "accepted_delta, abandoned_delta, accepted_last, abandoned_last, last_at) VALUES "
        "('q9', 60.0, 12, 30, 1.5, 12, 2.0, 12, 3.0, 12, NULL, 0, 4, 1, 100, 7, 119.0)"
    )
    row = any_database.execute(
        "SELECT target_id, minute_start, samples, queue_mean, accepted_last, last_at "
        "FROM target_minute_rollups"
    ).one()
    assert tuple(row) == ("q9", 60.0, 12, None, 100, 119.0)
