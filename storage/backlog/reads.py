"""Read models of the dashboard's Backlog page (and rollups for the Targets page).

Each takes a connection from `connect` or `connect_readonly` and returns a DataFrame or a
frozen dataclass; times are epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from storage.backlog.control import read_processor_enabled
from storage.dialect import greatest


def read_backlog_samples(db: sqlite_utils.Database, since: float, until: float) -> pd.DataFrame:
    """Disk-monitor samples in [since, until]: folder size and items over time, per node.

    Columns: node_id, at, used_bytes, pending_items, processing_items, failed_items,
    backlogged_total, drained_total, failed_total, refused_total, level.
    """
    return pd.read_sql_query(
        "SELECT * FROM backlog_samples WHERE at BETWEEN :since AND :until ORDER BY at, node_id",
        db.conn,
        params={"since": since, "until": until},
    )


def read_drain_rate(db: sqlite_utils.Database, since: float, until: float) -> pd.DataFrame:
    """Items drained and backlogged per second between consecutive samples of each node.

    Columns: node_id, at, drained_per_s, backlogged_per_s (a counter reset at a node restart
    counts as 0, not negative).
    """
    return pd.read_sql_query(
        f"""
        SELECT node_id, at,
               {greatest("0", "drained_total - lag(drained_total) OVER w")}
                   / (at - lag(at) OVER w) AS drained_per_s,
               {greatest("0", "backlogged_total - lag(backlogged_total) OVER w")}
                   / (at - lag(at) OVER w) AS backlogged_per_s
        FROM backlog_samples WHERE at BETWEEN :since AND :until
        WINDOW w AS (PARTITION BY node_id ORDER BY at)
        ORDER BY at, node_id
        """,
        db.conn,
        params={"since": since, "until": until},
    ).dropna()


@dataclass(frozen=True, slots=True)
class BacklogStatus:
    """The latest sample of each node summed, and the run-time switch."""

    at: float | None
    used_bytes: int
    pending_items: int
    processing_items: int
    failed_items: int
    refused_total: int
    level: str
    processor_enabled_override: bool | None  # None: as configured


def read_backlog_status(db: sqlite_utils.Database) -> BacklogStatus:
    row = db.execute(
        """
        SELECT max(at), coalesce(max(used_bytes), 0), coalesce(max(pending_items), 0),
               coalesce(max(processing_items), 0), coalesce(max(failed_items), 0),
               coalesce(sum(refused_total), 0),
               coalesce(max(CASE level WHEN 'major' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END), 0)
        FROM backlog_samples AS s
        WHERE at = (SELECT max(at) FROM backlog_samples AS l WHERE l.node_id = s.node_id)
        """
    ).fetchone()
    # Nodes sharing one folder measure the same folder: take the largest, not the sum.
    level = ("normal", "warning", "major")[int(row[6])]
    return BacklogStatus(
        row[0],
        int(row[1]),
        int(row[2]),
        int(row[3]),
        int(row[4]),
        int(row[5]),
        level,
        read_processor_enabled(db),
    )


def read_hive_off_runs(db: sqlite_utils.Database, limit: int = 50) -> pd.DataFrame:
    """The latest hive-off runs, newest first (every column of `hive_off_runs`)."""
    return pd.read_sql_query(
        "SELECT * FROM hive_off_runs ORDER BY started_at DESC LIMIT :limit",
        db.conn,
        params={"limit": limit},
    )


def read_target_minute_rollups(
    db: sqlite_utils.Database, target_ids: list[str] | None, since: float, until: float
) -> pd.DataFrame:
    """Per-minute aggregates of archived detail for the Targets page.

    Columns: target_id, minute_start, samples, allowed_sum, pending_mean, ready_mean,
    busy_mean, queue_mean, accepted_delta, abandoned_delta.
    """
    frame = pd.read_sql_query(
        "SELECT target_id, minute_start, samples, allowed_sum, pending_mean, ready_mean, "
        "busy_mean, queue_mean, accepted_delta, abandoned_delta FROM target_minute_rollups "
        "WHERE minute_start BETWEEN :since AND :until ORDER BY minute_start, target_id",
        db.conn,
        params={"since": since, "until": until},
    )
    if target_ids is not None:
        frame = frame[frame["target_id"].isin(target_ids)].reset_index(drop=True)
    return frame
