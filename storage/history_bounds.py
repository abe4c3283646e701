"""Bounded reads of the History page: a row count that stops counting at a cap.

Counting every row of a day at 10,000 targets reads the whole range of the `at` index (seconds
for millions of rows) before the page can show anything; above the cap the page says "more
than" instead, and the CSV download still streams every row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from storage.errors import InvalidQueryError
from storage.frames import check_range, fetch, target_filter

HISTORY_COUNT_CAP = 1_000_000


def count_history_rows_upto(
    db: sqlite_utils.Database,
    since: float,
    until: float,
    target_ids: Sequence[str] | None,
    cap: int = HISTORY_COUNT_CAP,
) -> int:
    """Rows an export of this range and these targets would write, or `cap + 1` if more."""
    check_range(since, until)
    if cap < 1:
        raise InvalidQueryError(f"count cap: {cap} — expected 1 or more")
    where, params = target_filter("target_id", target_ids)
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM cycle_targets "
        f"WHERE at >= :since AND at <= :until{where} LIMIT :cap) AS capped"
    )
    return int(fetch(db, sql, {"since": since, "until": until, **params, "cap": cap + 1})[0][0])
