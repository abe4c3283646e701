"""Migration 6 on a database written by schema 5: every row kept, equal, resumable after a crash."""

from __future__ import annotations

import io
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.records import CycleRecord, TargetRecord
from storage.cycles import record_cycle
from storage.db import SchemaVersionError, connect, connect_readonly
from storage.export import EXPORT_COLUMNS, csv_writer, export_cells, export_cycle_history
from storage.schema.compact import LEGACY_TABLE, convert_legacy_rows, legacy_rows_left
from storage.schema.legacy import migrate_to_schema_5, record_cycle_schema_5
from storage.schema.migrations import latest_version, schema_version
from storage.targets import read_target_state
from tests.builders import NO_STATISTICS, make_cycle, make_target

# Every table of schema 5 that migration 6 leaves as it is (besides cycle_targets itself).
_UNCHANGED = ("nodes", "cycles", "target_state", "scheduler_events", "target_minute_rollups")
_ROW_SQL = "SELECT * FROM cycle_targets ORDER BY record_id"
_JOINED_SQL = (
    "SELECT t.*, c.* FROM cycle_targets AS t JOIN cycles AS c ON c.cycle_id = t.cycle_id "
    "ORDER BY t.record_id"
)


def schema_5_database(path: Path) -> sqlite_utils.Database:
    """An empty database at schema 5, opened as main's `connect` opened it."""
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    migrate_to_schema_5(db)
    return db


def varied_cycles(count: int, targets: int) -> list[tuple[CycleRecord, list[TargetRecord]]]:
    """Cycles with what real history holds: unknown figures, errors, fractions, odd ids, a cycle
    whose rows carry different times, a target that comes and goes, two nodes."""
    made = []
    for seq in range(count):
        started_at = 1_000.0 + 5 * (seq // 2)  # two nodes' cycles share each time
        cycle = make_cycle(
            f"node-{'ab'[seq % 2]}:{started_at:.3f}:{seq}",
            started_at=started_at,
            seq=seq,
            status=("ok", "partial", "failed", "overrun")[seq % 4],
            error="publish: HTTP 503" if seq % 4 == 2 else None,
            targets_count=targets,
        )
        rows = []
        for t in range(targets):
            if t == targets - 1 and seq % 3 == 1:
                continue  # a target missing from some cycles
            changes: dict[str, Any] = {
                "at": cycle.started_at + (0.125 if (seq == 2 and t % 2) else 0.0),
                "media": ("chat", "voice", "email")[t % 3],
                "goal_pct": (3.0, 2.5, 0.1)[t % 3],
                "acceptance_rate": 0.1 * ((seq + t) % 7) + 1 / 3,
                "avg_handle_time_s": 180.0 + seq / 7,
                "estimated_wait_s": None if t % 5 == 0 else 12.345 * t,
                "interval_s": 5.0 if t % 2 else 0.7,
                "allowed_invitations": (seq * t) % 13,
                "accepted_total": 1_000_000 + seq * 17 + t,
                "reason": ("agents ready", "queue building", None)[(seq + t) % 3],
            }
            if (seq + t) % 11 == 0:
                changes.update(NO_STATISTICS, error=f"bad statistics: ready_slots = -{t}")
            rows.append(make_target(cycle.cycle_id, _target_id(t), **changes))
        made.append((cycle, rows))
    return made


def _target_id(index: int) -> str:
    names = ("Proactive Chat - chat", "Sales/Retail - voice", "Zoë ☎ Support - email", "=1+1")
    return f"{names[index % len(names)]} {index}"


def snapshot(db: sqlite_utils.Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a reader sees, with SQLite's own types (3.0 is not 3)."""
    found = {name: db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in _UNCHANGED}
    found["cycle_targets"] = db.execute(_ROW_SQL).fetchall()
    found["joined"] = db.execute(_JOINED_SQL).fetchall()
    found["types"] = db.execute(
        "SELECT "
        + ", ".join(f"typeof({c})" for c in ("at", *EXPORT_COLUMNS_OF_TARGET))
        + " FROM cycle_targets ORDER BY record_id"
    ).fetchall()
    return found


EXPORT_COLUMNS_OF_TARGET = [
    name for name, sql in EXPORT_COLUMNS.items() if sql.startswith("t.") and name != "at"
]


def expected_export(old: list[tuple[Any, ...]], columns: list[str]) -> str:
    """The CSV an export of every column writes for these schema-5 rows (joined with cycles)."""
    rows = [dict(zip(_joined_names(), row, strict=True)) for row in old]
    rows.sort(key=lambda r: (r["at"], r["record_id"]))
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(columns)
    for row in rows:
        values = [row[_source(name)] for name in columns]
        writer.writerow(export_cells(columns, values))
    return out.getvalue()


def _joined_names() -> list[str]:
    target = ["record_id", *(f.name for f in TargetRecord.__dataclass_fields__.values())]
    cycle = [f"c.{f}" for f in CycleRecord.__dataclass_fields__]
    return target + cycle


def _source(column: str) -> str:
    table, name = EXPORT_COLUMNS[column].split(".")
    return name if table == "t" else f"c.{name}"


def write_schema_5(path: Path, cycles: int = 12, targets: int = 9) -> dict[str, Any]:
    db = schema_5_database(path)
    for cycle, rows in varied_cycles(cycles, targets):
        assert record_cycle_schema_5(db, cycle, rows, recorded_at=cycle.started_at + 1)
    db.execute(
        "INSERT INTO scheduler_events (event_id, node_id, at, kind, detail) "
        "VALUES ('e1', 'node-a', 1001.5, 'skipped', 'overrun')"
    )
    for i, target in enumerate(("Proactive Chat - chat 0", "Gone - voice")):  # hive-off's
        db.execute(
            "INSERT INTO target_minute_rollups VALUES (?, ?, 12, 30, ?, 12, 2.5, 12, NULL, 0, "
            "0.0, 12, 11, 0, 1000011, NULL, ?)",
            (target, 60.0 * (10 + i), 1 / 3, 60.0 * (10 + i) + 55.1),
        )
    before = snapshot(db)
    db.close()
    return before


def test_a_schema_5_database_is_converted_with_every_row_equal(tmp_path: Path) -> None:
    path = tmp_path / "pacing.db"
    before = write_schema_5(path)
    assert len(before["cycle_targets"]) > 90

    db = connect(path)  # migrates and converts
    assert schema_version(db) == latest_version()
    assert legacy_rows_left(db) is None
    assert snapshot(db) == before
    out = io.StringIO()
    columns = list(EXPORT_COLUMNS)
    assert export_cycle_history(db, out, None, None, None, columns) == len(before["joined"])
    assert out.getvalue() == expected_export(before["joined"], columns)
    # The converted database goes on recording as usual, beside the converted rows.
    cycle, rows = varied_cycles(13, 9)[-1]
    assert record_cycle(db, cycle, rows)
    assert len(snapshot(db)["cycle_targets"]) == len(before["cycle_targets"]) + len(rows)
    assert len(read_target_state(db)) == 9


class Crash(Exception):
    pass


def test_an_interrupted_conversion_resumes_without_losing_or_duplicating_a_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pacing.db"
    before = write_schema_5(path)
    total = len(before["cycle_targets"])

    def crash_after_two(done: int, _total: int) -> None:
        if done >= 20:
            raise Crash  # as if the process died after its second batch committed

    opened = connect_without_conversion(path)
    with pytest.raises(Crash):
        convert_legacy_rows(opened, batch_rows=10, after_batch=crash_after_two)
    opened.close()

    half = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    left = legacy_rows_left(half)
    converted = half.execute("SELECT count(*) FROM target_rows").fetchone()[0]
    assert (left, converted) == (total - 20, 20)
    with pytest.raises(SchemaVersionError, match=f"{total - 20:,} rows left"):
        connect_readonly(path)
    half.close()

    caplog.set_level(logging.INFO, logger="storage.schema.compact")
    db = connect_without_conversion(path)
    assert convert_legacy_rows(db, batch_rows=7, progress_every_s=0.0) == total - 20
    assert f"of {total - 20:,} history rows" in caplog.text
    assert snapshot(db) == before
    db.close()
    assert snapshot(connect_readonly(path)) == before


def connect_without_conversion(path: Path) -> sqlite_utils.Database:
    """A migrated connection whose conversion the test drives (connect() would finish it)."""
    from storage.schema.migrations import apply_migrations

    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("PRAGMA foreign_keys=ON")
    apply_migrations(db)
    return db


def test_a_new_database_has_no_legacy_table_left(tmp_path: Path) -> None:
    db = connect(tmp_path / "new.db")
    assert LEGACY_TABLE not in db.table_names()
    assert "cycle_targets" in db.view_names()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.tuples(
            st.floats(0, 1e6, allow_nan=False),
            st.one_of(st.none(), st.integers(0, 2**40)),
            st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)),
            st.one_of(st.none(), st.text(max_size=30)),
        ),
        min_size=1,
        max_size=12,
    ),
    batch_rows=st.integers(1, 5),
)
def test_any_values_survive_the_conversion_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    values: list[tuple[float, int | None, float | None, str | None]],
    batch_rows: int,
) -> None:
    path = tmp_path_factory.mktemp("any") / "pacing.db"
    db = schema_5_database(path)
    for i, (at, total, rate, text) in enumerate(values):
        cycle = make_cycle(f"c{i}", started_at=at, targets_count=1)
        row = make_target(
            f"c{i}",
            f"t{i % 3}",
            at,
            accepted_total=total,
            estimated_wait_s=rate,
            reason=text,
            error=text,
            media=text or "chat",
        )
        record_cycle_schema_5(db, cycle, [row], recorded_at=at)
    before = snapshot(db)
    db.close()
    db = connect_without_conversion(path)
    convert_legacy_rows(db, batch_rows=batch_rows)
    assert snapshot(db) == before
    db.close()
