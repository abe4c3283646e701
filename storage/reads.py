"""Read models for the dashboard and /healthz: frozen dataclasses and pandas DataFrames.

Every function takes `now` where age matters (no clock here) and passes values as SQL
parameters. Works on connections from `connect` and `connect_readonly` alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlite_utils

from storage.errors import InvalidQueryError
from storage.writes import TARGET_VALUE_COLUMNS

__all__ = [
    "TABLES",
    "CycleSummary",
    "NodeStatus",
    "count_rows",
    "read_cycle_summary",
    "read_node_status",
    "read_target_history",
    "read_target_state",
]

TABLES = (
    "nodes",
    "cycles",
    "cycle_targets",
    "target_state",
    "scheduler_events",
    "schema_migrations",
)

_TARGET_VALUE_COLUMNS = TARGET_VALUE_COLUMNS


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """One node as the dashboard shows it."""

    node_id: str
    host: str
    pid: int
    mode: str
    period_s: float
    started_at: float
    stopped_at: float | None
    alive: bool  # heartbeat within stale_after_s of now, and not stopped
    last_heartbeat_age_s: float


@dataclass(frozen=True, slots=True)
class CycleSummary:
    """Cycle figures over all time and over the window `(now - window_s, now]`.

    Means and maxima are None when the window holds no cycle.
    """

    window_s: float
    total_cycles: int
    cycles_in_window: int
    cycles_per_minute: float
    mean_duration_s: float | None
    max_duration_s: float | None
    mean_lateness_s: float | None
    max_lateness_s: float | None
    overruns_in_window: int
    failed_in_window: int
    skipped_in_window: int  # scheduler fires skipped because the previous cycle overran
    missed_in_window: int  # scheduler fires dropped because they started too late
    last_cycle_age_s: float | None  # now - start of the most recent cycle
    last_status: str | None


_Row = tuple[Any, ...]


def _rows(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> list[_Row]:
    rows: list[_Row] = db.conn.execute(sql, tuple(params)).fetchall()
    return rows


def read_node_status(
    db: sqlite_utils.Database, now: float, stale_after_s: float
) -> list[NodeStatus]:
    """Every node known to the database, most recent heartbeat first."""
    rows = _rows(
        db,
        "SELECT node_id, host, pid, mode, period_s, started_at, stopped_at, heartbeat_at "
        "FROM nodes ORDER BY heartbeat_at DESC, node_id",
    )
    statuses = []
    for node_id, host, pid, mode, period_s, started_at, stopped_at, heartbeat_at in rows:
        age_s = now - heartbeat_at
        statuses.append(
            NodeStatus(
                node_id=node_id,
                host=host,
                pid=pid,
                mode=mode,
                period_s=period_s,
                started_at=started_at,
                stopped_at=stopped_at,
                alive=stopped_at is None and age_s <= stale_after_s,
                last_heartbeat_age_s=age_s,
            )
        )
    return statuses


def read_cycle_summary(db: sqlite_utils.Database, now: float, window_s: float) -> CycleSummary:
    """Throughput, duration, lateness and overrun figures of the cycles in the last `window_s`."""
    if window_s <= 0:
        raise InvalidQueryError(f"window_s must be positive, got {window_s}")
    since = now - window_s
    (total,) = _rows(db, "SELECT count(*) FROM cycles")[0]
    in_window, mean_d, max_d, mean_l, max_l, overruns, failed = _rows(
        db,
        """
        SELECT count(*), avg(duration_s), max(duration_s), avg(lateness_s), max(lateness_s),
               coalesce(sum(status = 'overrun'), 0), coalesce(sum(status = 'failed'), 0)
        FROM cycles WHERE started_at > ? AND started_at <= ?
        """,
        (since, now),
    )[0]
    skipped, missed = _rows(
        db,
        """
        SELECT coalesce(sum(kind = 'skipped'), 0), coalesce(sum(kind = 'missed'), 0)
        FROM scheduler_events WHERE at > ? AND at <= ?
        """,
        (since, now),
    )[0]
    last = _rows(db, "SELECT started_at, status FROM cycles ORDER BY started_at DESC LIMIT 1")
    last_age_s = now - last[0][0] if last else None
    return CycleSummary(
        window_s=window_s,
        total_cycles=total,
        cycles_in_window=in_window,
        cycles_per_minute=in_window / (window_s / 60),
        mean_duration_s=mean_d,
        max_duration_s=max_d,
        mean_lateness_s=mean_l,
        max_lateness_s=max_l,
        overruns_in_window=overruns,
        failed_in_window=failed,
        skipped_in_window=skipped,
        missed_in_window=missed,
        last_cycle_age_s=last_age_s,
        last_status=last[0][1] if last else None,
    )


def _with_abandon_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `abandon_ratio` = abandoned / (accepted + abandoned), NaN when both are 0 or unknown."""
    handled = frame["accepted_total"] + frame["abandoned_total"]
    frame["abandon_ratio"] = (frame["abandoned_total"] / handled.where(handled > 0)).astype(
        "float64"
    )
    return frame


# All nullable (a failed stat source leaves the figures NULL): pandas' Int64 keeps them whole.
_INT_COLUMNS = (
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "in_queue",
    "accepted_total",
    "abandoned_total",
    "pending_invitations",
    "allowed_invitations",
)
_FLOAT_COLUMNS = (
    "at",
    "goal_pct",
    "acceptance_rate",
    "avg_handle_time_s",
    "interval_s",
    "estimated_wait_s",
    "updated_at",
)


def _frame(rows: list[_Row], columns: Sequence[str]) -> pd.DataFrame:
    """A frame with stable dtypes, even when empty: NULL becomes NaN or <NA>, never None."""
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    dtypes = {
        **{name: "Int64" for name in _INT_COLUMNS},
        **{name: "float64" for name in _FLOAT_COLUMNS},
    }
    return frame.astype({name: dtype for name, dtype in dtypes.items() if name in frame})


def _add_utc_time(frame: pd.DataFrame) -> pd.DataFrame:
    frame["at_utc"] = pd.to_datetime(frame["at"], unit="s", utc=True)
    return frame


_STATE_COLUMNS = ("target_id", "cycle_id", "at", *_TARGET_VALUE_COLUMNS, "updated_at")


def read_target_state(db: sqlite_utils.Database) -> pd.DataFrame:
    """The latest state of every target (one row each, by target_id), with `abandon_ratio`."""
    rows = _rows(db, f"SELECT {', '.join(_STATE_COLUMNS)} FROM target_state ORDER BY target_id")
    return _add_utc_time(_with_abandon_ratio(_frame(rows, _STATE_COLUMNS)))


_HISTORY_COLUMNS = (
    "record_id",
    "cycle_id",
    "node_id",
    "cycle_status",
    "target_id",
    "at",
    *_TARGET_VALUE_COLUMNS,
)
_HISTORY_SELECT = (
    "SELECT t.record_id, t.cycle_id, c.node_id, c.status, t.target_id, t.at, "
    + ", ".join(f"t.{name}" for name in _TARGET_VALUE_COLUMNS)
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
    sql = _HISTORY_SELECT + " WHERE t.at >= ? AND t.at <= ?"
    params: list[Any] = [since, until]
    if target_ids is not None:
        sql += " AND t.target_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(target_ids)))
    sql += " ORDER BY t.at, t.target_id"
    frame = _frame(_rows(db, sql, params), _HISTORY_COLUMNS)
    return _add_utc_time(_with_abandon_ratio(frame))


def count_rows(db: sqlite_utils.Database) -> dict[str, int]:
    """Row count of every Pacing Watch table present in the database."""
    present = set(db.table_names())
    # Table names come from the fixed TABLES tuple, never from callers.
    return {
        name: int(_rows(db, f"SELECT count(*) FROM {name}")[0][0])
        for name in TABLES
        if name in present
    }
