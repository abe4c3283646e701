"""CSV export of the per-target cycle history, streamed in chunks.

Rows are read by keyset pagination on `(at, cycle_id, target_id)`, `chunk_rows` at a time, so
memory stays flat whatever the range; the time index of the row batches gives that order a
cycle at a time. (It is the order of `(at, record_id)` before migration 6, a record id being
`cycle_id/target_id`, except for two cycles with the same `at` where one id is a prefix of the
other.) The export takes no snapshot: rows stored while it runs with a time beyond the last row
written are included, older ones are not (a long read transaction would stop WAL checkpoints
for as long as the download lasts).

Spreadsheets run some cells as formulas (CSV injection). Every cell is quoted (`csv_writer`),
so no spreadsheet splits a cell at a `;`, a TAB or a `|` of its own locale and finds a formula
in the middle; a cell that starts (after spaces) like a formula is prefixed with `'`.
`pacing export`, the dashboard's download and the archive-reading export all write through
`csv_writer` and `export_cells`.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

import sqlite_utils

from domain.records import TARGET_VALUE_COLUMNS
from storage.errors import InvalidQueryError
from storage.frames import target_filter

__all__ = ["DEFAULT_COLUMNS", "EXPORT_COLUMNS", "csv_writer", "export_cycle_history"]

# Export column -> SQL expression over cycle_targets_keyed AS t JOIN cycles AS c. Fixed here, never
# taken from callers: callers only choose among these names.
EXPORT_COLUMNS: dict[str, str] = {
    "at": "t.at",
    "target_id": "t.target_id",
    "media": "t.media",
    "node_id": "c.node_id",
    "cycle_id": "t.cycle_id",
    "cycle_seq": "c.seq",
    "cycle_status": "c.status",
    "cycle_started_at": "c.started_at",
    "cycle_duration_s": "c.duration_s",
    "cycle_lateness_s": "c.lateness_s",
    "goal_pct": "t.goal_pct",
    "logged_in_slots": "t.logged_in_slots",
    "ready_slots": "t.ready_slots",
    "busy_slots": "t.busy_slots",
    "in_queue": "t.in_queue",
    "accepted_total": "t.accepted_total",
    "abandoned_total": "t.abandoned_total",
    "pending_invitations": "t.pending_invitations",
    "acceptance_rate": "t.acceptance_rate",
    "avg_handle_time_s": "t.avg_handle_time_s",
    "allowed_invitations": "t.allowed_invitations",
    "interval_s": "t.interval_s",
    "estimated_wait_s": "t.estimated_wait_s",
    "reason": "t.reason",
    "error": "t.error",
    "record_id": "t.record_id",
}
DEFAULT_COLUMNS: tuple[str, ...] = (
    "at",
    "target_id",
    "media",
    "node_id",
    "cycle_id",
    "cycle_status",
    *(name for name in TARGET_VALUE_COLUMNS if name != "media"),
)
_TIME_COLUMNS = frozenset({"at", "cycle_started_at"})
# A spreadsheet runs a cell starting (after spaces) with one of these as a formula.
_FORMULA_START = re.compile(r"[ ]*[=+\-@\t\r]")


def csv_writer(out: TextIO) -> Any:
    """The export's CSV writer: every cell quoted, so no separator splits one."""
    return csv.writer(out, quoting=csv.QUOTE_ALL)


def export_cycle_history(
    db: sqlite_utils.Database,
    out: TextIO,
    since: float | None,
    until: float | None,
    target_ids: Sequence[str] | None,
    columns: Sequence[str] | None = None,
    chunk_rows: int = 5000,
    *,
    header: bool = True,
) -> int:
    """Write the target rows with `since <= at <= until` as CSV to `out`; return rows written.

    A header row comes first (unless `header=False`); `at`-like columns are ISO-8601 UTC; text
    cells a spreadsheet would run as a formula are prefixed with `'`. None means no bound /
    every target.
    """
    chosen = check_export_request(since, until, columns)
    if chunk_rows < 1:
        raise InvalidQueryError(f"chunk_rows must be at least 1, got {chunk_rows}")

    # The keyset (at, cycle_id, target_id) is selected after the chosen columns.
    keyset = ("t.at", "t.cycle_id", "t.target_id")
    select = ", ".join([*(EXPORT_COLUMNS[name] for name in chosen), *keyset])
    filters = ["(t.at, t.cycle_id, t.target_id) > (:key_at, :key_cycle, :key_target)"]
    filters.append("t.at >= :key_at")
    where, fixed_params = target_filter("t.target_id", target_ids)
    if since is not None:
        filters.append("t.at >= :since")
        fixed_params["since"] = since
    if until is not None:
        filters.append("t.at <= :until")
        fixed_params["until"] = until
    sql = (
        f"SELECT {select} FROM cycle_targets_keyed AS t "
        "JOIN cycles AS c ON c.cycle_id = t.cycle_id "
        f"WHERE {' AND '.join(filters)}{where} "
        "ORDER BY t.at, t.cycle_id, t.target_id LIMIT :chunk_rows"
    )

    writer = csv_writer(out)
    if header:
        writer.writerow(chosen)
    time_positions = [i for i, name in enumerate(chosen) if name in _TIME_COLUMNS]
    width = len(chosen)
    # Before every real row: at is REAL NOT NULL and -inf sorts first.
    key: tuple[float, str, str] = (-math.inf, "", "")
    written = 0
    while True:
        # `t.at >= key` repeats the keyset's first part so the time index bounds the scan.
        keyset_params = {"key_at": key[0], "key_cycle": key[1], "key_target": key[2]}
        params = {**keyset_params, **fixed_params, "chunk_rows": chunk_rows}
        rows = db.conn.execute(sql, params).fetchall()
        if not rows:
            break
        for row in rows:
            cells = [_cell(value) for value in row[:width]]
            for i in time_positions:
                cells[i] = _iso(row[i])
            writer.writerow(cells)
        written += len(rows)
        key = (rows[-1][width], rows[-1][width + 1], rows[-1][width + 2])
        if len(rows) < chunk_rows:
            break
    return written


def check_export_request(
    since: float | None, until: float | None, columns: Sequence[str] | None
) -> list[str]:
    """The chosen columns; `InvalidQueryError` for a request the export refuses."""
    chosen = _check_columns(columns)
    if since is not None and until is not None and since > until:
        raise InvalidQueryError(
            f"the export range starts after it ends (since={_describe(since)}, "
            f"until={_describe(until)}): swap the two dates"
        )
    for name, bound in (("since", since), ("until", until)):
        if bound is not None and math.isnan(bound):
            raise InvalidQueryError(f"{name} must be a number of epoch seconds, got NaN")
    return chosen


def export_cells(columns: Sequence[str], values: Sequence[Any]) -> list[object]:
    """One row's cells as the export writes them, from raw values or archived text."""
    cells: list[object] = []
    for name, value in zip(columns, values, strict=True):
        if name in _TIME_COLUMNS:
            cells.append(_iso(None if value in (None, "") else float(value)))
        else:
            cells.append(_cell(value))
    return cells


def _check_columns(columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return list(DEFAULT_COLUMNS)
    if isinstance(columns, str):
        raise InvalidQueryError("columns must be a list of column names, not one string")
    chosen = list(columns)
    unknown = [name for name in chosen if name not in EXPORT_COLUMNS]
    if unknown:
        raise InvalidQueryError(
            f"unknown export column(s): {', '.join(map(repr, unknown))}; valid columns are: "
            f"{', '.join(EXPORT_COLUMNS)}"
        )
    if not chosen:
        raise InvalidQueryError(
            f"choose at least one export column among: {', '.join(EXPORT_COLUMNS)}"
        )
    duplicates = sorted({name for name in chosen if chosen.count(name) > 1})
    if duplicates:
        raise InvalidQueryError(f"export column(s) chosen twice: {', '.join(duplicates)}")
    return chosen


def _cell(value: object) -> object:
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def _iso(epoch_s: float | None) -> str:
    if epoch_s is None:
        return ""
    return datetime.fromtimestamp(epoch_s, tz=UTC).isoformat()


def _describe(epoch_s: float) -> str:
    try:
        return _iso(epoch_s)
    except (OverflowError, OSError, ValueError):  # beyond datetime's range
        return repr(epoch_s)
