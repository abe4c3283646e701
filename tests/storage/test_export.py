"""CSV export: filters, chunked streaming, formula neutralisation, column checks."""

from __future__ import annotations

import csv
import io

import pytest
import sqlite_utils

from storage.cycles import record_cycle
from storage.db import InvalidQueryError
from storage.export import DEFAULT_COLUMNS, EXPORT_COLUMNS, export_cycle_history
from tests.builders import make_cycle, make_target


def _export(db: sqlite_utils.Database, **options: object) -> tuple[int, list[list[str]]]:
    out = io.StringIO()
    arguments: dict[str, object] = {"since": None, "until": None, "target_ids": None, **options}
    written = export_cycle_history(db, out, **arguments)  # type: ignore[arg-type]
    return written, list(csv.reader(io.StringIO(out.getvalue())))


@pytest.fixture
def history(db: sqlite_utils.Database) -> sqlite_utils.Database:
    # 5 cycles x 3 targets, at 0, 60, 120, 180, 240 seconds past 2024-01-01T00:00:00Z.
    base = 1_704_067_200.0
    for i in range(5):
        cycle_id = f"c{i}"
        record_cycle(
            db,
            make_cycle(cycle_id, base + 60 * i),
            [make_target(cycle_id, t, at=base + 60 * i) for t in ("a", "b", "c")],
        )
    return db


def test_export_writes_a_header_then_every_row_in_time_order(
    history: sqlite_utils.Database,
) -> None:
    written, rows = _export(history, chunk_rows=2)
    assert written == 15
    assert rows[0] == list(DEFAULT_COLUMNS)
    assert len(rows) == 16
    assert rows[1][:6] == ["2024-01-01T00:00:00+00:00", "a", "chat", "node-a", "c0", "ok"]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])


def test_export_keeps_only_the_rows_of_the_chosen_targets_and_time_range(
    history: sqlite_utils.Database,
) -> None:
    base = 1_704_067_200.0
    written, rows = _export(
        history,
        since=base + 60,
        until=base + 180,
        target_ids=["b", "c"],
        columns=["at", "target_id", "cycle_id"],
        chunk_rows=1,
    )
    assert written == 6
    assert rows == [
        ["at", "target_id", "cycle_id"],
        *[[f"2024-01-01T00:0{m}:00+00:00", t, f"c{m}"] for m in (1, 2, 3) for t in ("b", "c")],
    ]


def test_export_reads_in_chunks_of_chunk_rows(history: sqlite_utils.Database) -> None:
    selects: list[str] = []
    history.conn.set_trace_callback(selects.append)
    written, _ = _export(history, chunk_rows=4)
    history.conn.set_trace_callback(None)
    assert written == 15
    assert sum(sql.lstrip().startswith("SELECT") for sql in selects) == 4  # 4 + 4 + 4 + 3


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(
    db: sqlite_utils.Database,
) -> None:
    dangerous = ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    targets = [make_target(target_id=f"t{i}", reason=text) for i, text in enumerate(dangerous)]
    targets.append(make_target(target_id="=cmd|' /C calc'!A0", reason="plain reason"))
    record_cycle(db, make_cycle(), targets)
    _, rows = _export(db, columns=["target_id", "reason", "goal_pct"])
    cells = {row[0]: row[1] for row in rows[1:]}
    assert [cells[f"t{i}"] for i in range(len(dangerous))] == ["'" + t for t in dangerous]
    assert cells["'=cmd|' /C calc'!A0"] == "plain reason"
    assert {row[2] for row in rows[1:]} == {"3.0"}


def test_export_leaves_negative_numbers_as_numbers(db: sqlite_utils.Database) -> None:
    record_cycle(db, make_cycle(lateness_s=-0.25), [make_target()])
    _, rows = _export(db, columns=["cycle_lateness_s"])
    assert rows[1] == ["-0.25"]


def test_export_rejects_unknown_columns_listing_the_valid_ones(
    db: sqlite_utils.Database,
) -> None:
    out = io.StringIO()
    with pytest.raises(InvalidQueryError, match="unknown export column.*'password'") as info:
        export_cycle_history(db, out, None, None, None, columns=["at", "password"])
    assert all(name in str(info.value) for name in EXPORT_COLUMNS)
    assert out.getvalue() == ""


def test_export_rejects_a_range_that_ends_before_it_starts(db: sqlite_utils.Database) -> None:
    with pytest.raises(InvalidQueryError, match="starts after it ends.*swap the two dates"):
        export_cycle_history(db, io.StringIO(), 200.0, 100.0, None)


def test_export_of_nothing_is_just_the_header(db: sqlite_utils.Database) -> None:
    written, rows = _export(db, columns=["at", "target_id"])
    assert (written, rows) == (0, [["at", "target_id"]])
