"""Rows and typed DataFrames: the helpers every read model of storage shares."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import sqlite_utils

from domain.records import TARGET_COLUMN_KINDS
from storage.dialect import json_values
from storage.errors import InvalidQueryError

Row = tuple[Any, ...]

# Columns beside the target row's own that read models return.
_EXTRA_FLOAT_COLUMNS = ("at", "updated_at")


Params = dict[str, Any]


def fetch(
    db: sqlite_utils.Database, sql: str, params: Mapping[str, Any] | None = None
) -> list[Row]:
    """Every row of one query with named `:parameters` (the facade's form on both engines)."""
    found: list[Row] = db.conn.execute(sql, dict(params or {})).fetchall()
    return found


def count_where(condition: str) -> str:
    """How many rows meet `condition`, 0 for none (SQLite's `sum(<boolean>)`, portably)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def check_range(since: float, until: float) -> None:
    """Refuse a time range that is not one (NaN, or starting after it ends)."""
    if math.isnan(since) or math.isnan(until) or since > until:
        raise InvalidQueryError(
            f"the range starts after it ends (since={since}, until={until}): swap the two times"
        )


def target_filter(column: str, target_ids: Sequence[str] | None) -> tuple[str, Params]:
    """An `AND column IN (...)` clause and its `:target_ids` parameter; nothing for None (all)."""
    if target_ids is None:
        return "", {}
    return (
        f" AND {column} IN ({json_values('target_ids')})",
        {"target_ids": json.dumps(list(target_ids))},
    )


def typed_frame(found: list[Row], columns: Sequence[str]) -> pd.DataFrame:
    """A frame with stable dtypes, even when empty: NULL becomes NaN or <NA>, never None.

    Whole figures are nullable (a failed stat source leaves them NULL): pandas' Int64 keeps
    them whole. The kinds come from the target row's declaration (`domain.records`).
    """
    frame = pd.DataFrame.from_records(found, columns=list(columns))
    dtypes = {name: ("Int64" if kind is int else "float64") for name, kind in _KINDS.items()}
    return frame.astype({name: dtype for name, dtype in dtypes.items() if name in frame})


_KINDS: dict[str, type] = {
    **{name: kind for name, kind in TARGET_COLUMN_KINDS.items() if kind in (int, float)},
    **dict.fromkeys(_EXTRA_FLOAT_COLUMNS, float),
}


def with_abandon_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `abandon_ratio` = abandoned / (accepted + abandoned), NaN when both are 0 or unknown."""
    handled = frame["accepted_total"] + frame["abandoned_total"]
    frame["abandon_ratio"] = (frame["abandoned_total"] / handled.where(handled > 0)).astype(
        "float64"
    )
    return frame


def add_utc_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `at_utc`, the row's time as a UTC timestamp."""
    frame["at_utc"] = pd.to_datetime(frame["at"], unit="s", utc=True)
    return frame


def named_list(prefix: str, values: Sequence[Any]) -> tuple[str, Params]:
    """`(:prefix_0, :prefix_1, ...)` and its parameters: a list for `IN`, one name per value."""
    names = {f"{prefix}_{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{name}" for name in names) + ")", names


def named_values(columns: Sequence[str]) -> str:
    """`:a, :b, ...` for an `INSERT ... VALUES` whose parameters are named after its columns."""
    return ", ".join(f":{name}" for name in columns)
