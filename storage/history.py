"""History: per-target cycle rows over a range, their count and a preview (the History page)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import sqlite_utils

from domain.records import TARGET_VALUE_COLUMNS
from storage.errors import InvalidQueryError
from storage.export import EXPORT_COLUMNS
from storage.frames import (
    add_utc_time,
    check_range,
    fetch,
    target_filter,
    typed_frame,
    with_abandon_ratio,
)

_HISTORY_COLUMNS = (
    "record_id",
    "cycle_id",
    "node_id",
    "cycle_status",
    "target_id",
    "at",
    *TARGET_VALUE_COLUMNS,
)


_HISTORY_SELECT = (
    "SELECT t.record_id, t.cycle_id, c.node_id, c.status, t.target_id, t.at, "
    + ", ".join(f"t.{name}" for name in TARGET_VALUE_COLUMNS)
    + " FROM cycle_targets AS t JOIN cycles AS c ON c.cycle_id = t.cycle_id"
)


def read_target_history(
    db: sqlite_utils.Database,
    target_ids: Sequence[str] | None,
    since: float,
    until: float,
) -> pd.DataFrame:
    """Per-target cycle rows with `since <= at <= until`, oldest first; None = every target."""
    if math.isnan(since) or math.isnan(until) or since > until:
        raise InvalidQueryError(f"since must not be after until, got since={since}, until={until}")
    where, params = target_filter("t.target_id", target_ids)
    sql = _HISTORY_SELECT + f" WHERE t.at >= :since AND t.at <= :until{where}"
    sql += " ORDER BY t.at, t.target_id"
    frame = typed_frame(
        fetch(db, sql, {"since": since, "until": until, **params}), _HISTORY_COLUMNS
    )
    return add_utc_time(with_abandon_ratio(frame))


def count_history_rows(
    db: sqlite_utils.Database, since: float, until: float, target_ids: Sequence[str] | None
) -> int:
    """How many rows an export of this range and these targets would write."""
    check_range(since, until)
    where, params = target_filter("target_id", target_ids)
    sql = f"SELECT count(*) FROM cycle_targets WHERE at >= :since AND at <= :until{where}"
    return int(fetch(db, sql, {"since": since, "until": until, **params})[0][0])


def read_history_preview(
    db: sqlite_utils.Database,
    since: float,
    until: float,
    target_ids: Sequence[str] | None,
    columns: Sequence[str],
    limit: int,
) -> pd.DataFrame:
    """The newest `limit` rows of an export, in the export's columns (raw values, no CSV)."""
    check_range(since, until)
    unknown = [name for name in columns if name not in EXPORT_COLUMNS]
    if unknown or not columns:
        raise InvalidQueryError(
            f"choose export columns among {', '.join(EXPORT_COLUMNS)}; got {list(columns)}"
        )
    where, params = target_filter("t.target_id", target_ids)
    select = ", ".join(EXPORT_COLUMNS[name] for name in columns)
    sql = (
        f"SELECT {select} FROM cycle_targets AS t JOIN cycles AS c ON c.cycle_id = t.cycle_id "
        f"WHERE t.at >= :since AND t.at <= :until{where} "
        "ORDER BY t.at DESC, t.record_id DESC LIMIT :limit"
    )
    rows = fetch(db, sql, {"since": since, "until": until, **params, "limit": int(limit)})
    return pd.DataFrame.from_records(rows, columns=list(columns))
