"""The alarm history (every transition) as CSV: the Alarms page's download and `pacing alarms
export` write the same file, through the history export's writer (every cell quoted, cells
starting like a formula neutralised, times ISO-8601 UTC)."""

from __future__ import annotations

import math
from typing import TextIO

import sqlite_utils

from storage.errors import InvalidQueryError
from storage.export import csv_writer, export_cells

ALARM_HISTORY_COLUMNS: tuple[str, ...] = (
    "at",
    "condition",
    "scope",
    "from_state",
    "to_state",
    "rule",
    "severity",
    "occurrence",
    "value",
    "who",
    "comment",
    "reason",
    "instance_id",
    "transition_id",
)


def export_alarm_history(
    db: sqlite_utils.Database,
    out: TextIO,
    since: float | None = None,
    until: float | None = None,
    chunk_rows: int = 5000,
) -> int:
    """Write the transitions with `since <= at <= until`, oldest first; return rows written."""
    for name, bound in (("since", since), ("until", until)):
        if bound is not None and math.isnan(bound):
            raise InvalidQueryError(f"{name} must be a number of epoch seconds, got NaN")
    if since is not None and until is not None and since > until:
        raise InvalidQueryError("the alarm history range starts after it ends: swap the two dates")
    writer = csv_writer(out)
    writer.writerow(ALARM_HISTORY_COLUMNS)
    sql = (
        f"SELECT {', '.join(ALARM_HISTORY_COLUMNS)} FROM alarm_transitions "
        "WHERE transition_id > :after AND at >= :low AND at <= :high "
        "ORDER BY transition_id LIMIT :chunk_rows"
    )
    low = -math.inf if since is None else since
    high = math.inf if until is None else until
    last_id, written = 0, 0
    while True:
        params = {"after": last_id, "low": low, "high": high, "chunk_rows": chunk_rows}
        rows = db.conn.execute(sql, params).fetchall()
        for row in rows:
            writer.writerow(export_cells(ALARM_HISTORY_COLUMNS, row))
        written += len(rows)
        if len(rows) < chunk_rows:
            return written
        last_id = rows[-1][-1]


__all__ = ["ALARM_HISTORY_COLUMNS", "export_alarm_history"]
