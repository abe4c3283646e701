"""Day partitions of the history on a real PostgreSQL: created ahead, listed, dropped whole."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from storage.errors import RecordRejectedError, StorageError
from storage.migrate import prepare_schema
from storage.schema.postgres.partitions import (
    DayPartition,
    batch_key_bounds,
    batch_key_range,
    drop_day_partitions,
    ensure_day_partitions,
    list_day_partitions,
)
from storage.sql import Database, DatabaseLocation, build_engine, parse_location
from tests.storage.history_rows import epoch, record_cycle, target_row
from tests.storage.races import at_once

D1 = date(2026, 12, 6)
D2, D3, D4 = (D1 + timedelta(days=n) for n in (1, 2, 3))


@pytest.fixture
def pg_engine(postgres_location: DatabaseLocation) -> Iterator[sqlalchemy.Engine]:
    engine = build_engine(postgres_location)
    with Database.open(engine) as database:
        prepare_schema(database)
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_engine: sqlalchemy.Engine) -> Iterator[Database]:
    with Database.open(pg_engine) as database:
        yield database


def record_day(db: Database, day: date, cycles: int, targets: int) -> None:
    """`cycles` cycles of `targets` rows each, spread over the day (the last near midnight)."""
    for n in range(cycles):
        at = epoch(day, 86_399.5 if n == cycles - 1 else 3_600.0 * n)
        rows = [target_row(f"q{t}", t) for t in range(targets)]
        record_cycle(db, f"{day:%Y%m%d}-{n}", n, at, rows)


def view_days(db: Database) -> dict[date, int]:
    rows = db.execute("SELECT at, count(*) AS n FROM cycle_targets GROUP BY at").all()
    days: dict[date, int] = {}
    for at, n in rows:
        day = datetime.fromtimestamp(at, UTC).date()
        days[day] = days.get(day, 0) + int(n)
    return days


def test_partitions_are_made_for_today_and_the_days_ahead_once(pg: Database) -> None:
    assert ensure_day_partitions(pg, days_ahead=2, today=D1) == [D1, D2, D3]
    assert ensure_day_partitions(pg, days_ahead=3, today=D1) == [D4]
    assert ensure_day_partitions(pg, days_ahead=3, today=D1) == []
    assert [p.day for p in list_day_partitions(pg)] == [D1, D2, D3, D4, None]


def test_today_is_the_database_clocks_day(pg: Database) -> None:
    before = datetime.fromtimestamp(pg.db_now(), UTC).date()
    created = ensure_day_partitions(pg, days_ahead=0)
    after = datetime.fromtimestamp(pg.db_now(), UTC).date()
    assert created in ([before], [after])


def test_two_nodes_making_partitions_at_once_make_each_day_once(
    pg_engine: sqlalchemy.Engine,
) -> None:
    results = at_once(
        pg_engine, 2, lambda database, _: ensure_day_partitions(database, days_ahead=3, today=D1)
    )
    assert sorted(results) == [[], [D1, D2, D3, D4]]


def test_rows_are_counted_per_day_and_rows_without_a_partition_wait_in_the_default(
    pg: Database,
) -> None:
    ensure_day_partitions(pg, days_ahead=2, today=D1)
    for day, cycles in ((D1, 2), (D2, 3), (D3, 1), (D4, 2)):
        record_day(pg, day, cycles, targets=4)
    assert list_day_partitions(pg) == [
        DayPartition(D1, batches=2, rows=8),
        DayPartition(D2, batches=3, rows=12),
        DayPartition(D3, batches=1, rows=4),
        DayPartition(None, batches=2, rows=8),  # D4 has no partition yet
    ]


def test_making_a_days_partition_moves_its_rows_out_of_the_default(pg: Database) -> None:
    record_day(pg, D4, cycles=2, targets=3)
    before = pg.execute("SELECT * FROM cycle_targets ORDER BY at, record_id").all()
    assert ensure_day_partitions(pg, days_ahead=0, today=D4) == [D4]
    assert list_day_partitions(pg) == [
        DayPartition(D4, batches=2, rows=6),
        DayPartition(None, batches=0, rows=0),
    ]
    assert pg.execute("SELECT * FROM cycle_targets ORDER BY at, record_id").all() == before


def test_dropping_removes_whole_days_before_the_cutoff_and_keeps_the_rest(pg: Database) -> None:
    ensure_day_partitions(pg, days_ahead=2, today=D1)
    for day in (D1, D2, D3, D4):
        record_day(pg, day, cycles=2, targets=5)
    kept_rows = pg.execute(
        "SELECT * FROM cycle_targets WHERE at >= :start ORDER BY at, record_id",
        {"start": epoch(D3)},
    ).all()

    # Mid-D3: D1 and D2 end before it, D3 straddles it and stays whole.
    assert drop_day_partitions(pg, cutoff=epoch(D3, 43_200.0)) == [D1, D2]

    assert view_days(pg) == {D3: 10, D4: 10}
    assert pg.execute("SELECT * FROM cycle_targets ORDER BY at, record_id").all() == kept_rows
    assert [p.day for p in list_day_partitions(pg)] == [D3, None]
    low, _ = batch_key_bounds(D3)
    older = "SELECT count(*) FROM row_batches WHERE batch_key < :low"
    assert pg.execute(older, {"low": low}).scalar_one() == 0
    # The cycles themselves are hive-off's to purge, with its archived-cycle bookkeeping.
    assert pg.execute("SELECT count(*) FROM cycles").scalar_one() == 8
    assert pg.execute("SELECT to_regclass('target_rows_d20261206')").scalar_one() is None
    assert drop_day_partitions(pg, cutoff=epoch(D3, 43_200.0)) == []


def test_a_batch_key_carries_its_day_and_a_key_of_another_day_is_refused(pg: Database) -> None:
    batch = record_cycle(pg, "c1", 1, epoch(D2, 5.0), [target_row("q1", 1)])
    low, high = batch_key_bounds(D2)
    assert low <= batch < high
    with pytest.raises(RecordRejectedError, match="row_batches_key_day"):
        pg.execute(
            "INSERT INTO row_batches (batch_key, cycle_id, at) VALUES (:key, 'c1', :at)",
            {"key": low + 7, "at": epoch(D3, 5.0)},
        )


def test_a_time_range_read_bounded_by_batch_keys_finds_the_same_rows(pg: Database) -> None:
    ensure_day_partitions(pg, days_ahead=1, today=D2)
    for day in (D1, D2, D3, D4):
        record_day(pg, day, cycles=3, targets=2)
    since, until = epoch(D2, 3_600.0), epoch(D3, 86_399.5)
    plain = "SELECT record_id FROM cycle_targets_keyed WHERE at >= :since AND at <= :until"
    low, high = batch_key_range(since, until)
    bounded = f"{plain} AND batch_key >= :low AND batch_key < :high"
    times = {"since": since, "until": until}
    expected = sorted(pg.execute(plain, times).scalars())
    assert len(expected) == 2 * 2 + 3 * 2  # D2 from its second cycle, all of D3
    assert sorted(pg.execute(bounded, {**times, "low": low, "high": high}).scalars()) == expected
    assert (low, high) == (batch_key_bounds(D2)[0], batch_key_bounds(D3)[1])


def test_negative_days_ahead_is_refused_naming_the_setting(pg: Database) -> None:
    with pytest.raises(ValueError, match="days_ahead must not be negative, got -1"):
        ensure_day_partitions(pg, days_ahead=-1)


def test_partitions_are_refused_on_sqlite_with_the_reason(tmp_path: Path) -> None:
    engine = build_engine(parse_location(tmp_path / "pacing.db"))
    try:
        with Database.open(engine) as database:
            prepare_schema(database)
            with pytest.raises(StorageError, match="day partitions exist only on PostgreSQL"):
                ensure_day_partitions(database)
            with pytest.raises(StorageError, match="day partitions exist only on PostgreSQL"):
                drop_day_partitions(database, cutoff=0.0)
    finally:
        engine.dispose()
