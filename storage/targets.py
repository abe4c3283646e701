"""Targets: the latest state per target, bucketed series over a range, and activity figures.

Long ranges never load every detail row: `read_target_series` groups cycle rows into buckets
of `bucket_s` seconds in SQL (one row per target per bucket). Minutes that hive-off has
already purged from `cycle_targets` are read from the per-minute rollup table
`target_minute_rollups` when that table exists (see `ROLLUP_COLUMNS` for what is read from it).
Every function takes `now` or explicit bounds; no clock here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from domain.records import TARGET_VALUE_COLUMNS
from storage.dialect import bucket_start, column_names, greatest
from storage.errors import InvalidQueryError
from storage.frames import (
    Row,
    add_utc_time,
    check_range,
    count_where,
    fetch,
    target_filter,
    typed_frame,
    with_abandon_ratio,
)

_STATE_COLUMNS = ("target_id", "cycle_id", "at", *TARGET_VALUE_COLUMNS, "updated_at")


def read_target_state(db: sqlite_utils.Database) -> pd.DataFrame:
    """The latest state of every target (one row each, by target_id), with `abandon_ratio`."""
    rows = fetch(db, f"SELECT {', '.join(_STATE_COLUMNS)} FROM target_state ORDER BY target_id")
    return add_utc_time(with_abandon_ratio(typed_frame(rows, _STATE_COLUMNS)))


ROLLUP_TABLE = "target_minute_rollups"


# Columns of the rollup table (written by hive-off) this module reads: one row per target per
# minute, additive figures (sample counts, sums, means with their counts, last running totals).
ROLLUP_COLUMNS = (
    "target_id",
    "minute_start",
    "samples",
    "allowed_sum",
    "pending_mean",
    "pending_n",
    "ready_mean",
    "ready_n",
    "busy_mean",
    "busy_n",
    "queue_mean",
    "queue_n",
    "accepted_last",
    "abandoned_last",
)


# The frame `read_target_series` returns (`at` = start of the bucket, epoch seconds).
SERIES_COLUMNS = (
    "target_id",
    "at",
    "cycles",
    "allowed",
    "pending",
    "ready",
    "busy",
    "logged_in",
    "in_queue",
    "accepted_total",
    "abandoned_total",
    "goal_pct",
)


def read_target_ids(db: sqlite_utils.Database) -> list[str]:
    """Every target that has a latest state, sorted."""
    return [row[0] for row in fetch(db, "SELECT target_id FROM target_state ORDER BY target_id")]


def read_target_series(
    db: sqlite_utils.Database,
    target_ids: Sequence[str] | None,
    since: float,
    until: float,
    bucket_s: float | None,
) -> pd.DataFrame:
    """Per-target series over `[since, until]`, oldest first (`SERIES_COLUMNS`).

    `bucket_s=None` returns one row per cycle; otherwise one row per target per bucket, with
    gauges averaged over the bucket's cycles and running totals at their bucket maximum.
    """
    check_range(since, until)
    if bucket_s is not None and not bucket_s >= 1:
        raise InvalidQueryError(f"bucket_s must be at least 1 second, got {bucket_s}")
    where, params = target_filter("target_id", target_ids)
    if bucket_s is None:
        sql = (
            "SELECT target_id, at, 1, allowed_invitations, pending_invitations, ready_slots, "
            "busy_slots, logged_in_slots, in_queue, accepted_total, abandoned_total, goal_pct "
            f"FROM cycle_targets WHERE at >= :since AND at <= :until{where} ORDER BY at, target_id"
        )
        return _series_frame(fetch(db, sql, {"since": since, "until": until, **params}))
    detail = fetch(
        db,
        _BUCKET_SQL.format(where=where),
        {"bucket_s": bucket_s, "since": since, "until": until, **params},
    )
    rolled = _read_rollups(db, target_ids, since, until, bucket_s, detail)
    frame = _series_frame(rolled + detail)
    return frame.sort_values(["at", "target_id"], kind="stable").reset_index(drop=True)


_MEANS = (
    "allowed_invitations",
    "pending_invitations",
    "ready_slots",
    "busy_slots",
    "logged_in_slots",
    "in_queue",
)


def _mean(column: str) -> str:
    # avg() of whole numbers is a float on SQLite but an exact numeric on PostgreSQL.
    return f"CAST(avg({column}) AS DOUBLE PRECISION)"


_BUCKET_SQL = f"""
SELECT target_id, {bucket_start("at", ":bucket_s")} AS bucket, count(*),
       {", ".join(f"{_mean(name)}" for name in _MEANS)},
       max(accepted_total), max(abandoned_total),
       max(goal_pct)
FROM cycle_targets WHERE at >= :since AND at <= :until{{where}}
GROUP BY target_id, bucket ORDER BY bucket, target_id
"""


def _read_rollups(
    db: sqlite_utils.Database,
    target_ids: Sequence[str] | None,
    since: float,
    until: float,
    bucket_s: float,
    detail: list[Row],
) -> list[Row]:
    """Buckets before the oldest detail row, from the per-minute rollups (hive-off purged them)."""
    if not _has_rollups(db):
        return []
    # Every row batch holds rows (they are stored and purged together): its index answers.
    oldest = fetch(db, "SELECT min(at) FROM row_batches")[0][0]
    rollup_until = until if oldest is None else min(until, oldest - 1e-6)
    if rollup_until < since:
        return []
    where, params = target_filter("r.target_id", target_ids)
    # Rollups keep no logged-in slots: occupancy is unknown (NaN) for purged minutes; the goal
    # is the target's current one.
    sql = f"""
    SELECT r.target_id, {bucket_start("r.minute_start", ":bucket_s")} AS bucket, sum(r.samples),
           CAST(sum(r.allowed_sum) AS DOUBLE PRECISION) / sum(r.samples),
           sum(r.pending_mean * r.pending_n) / nullif(sum(r.pending_n), 0),
           sum(r.ready_mean * r.ready_n) / nullif(sum(r.ready_n), 0),
           sum(r.busy_mean * r.busy_n) / nullif(sum(r.busy_n), 0),
           NULL,
           sum(r.queue_mean * r.queue_n) / nullif(sum(r.queue_n), 0),
           max(r.accepted_last), max(r.abandoned_last),
           max((SELECT s.goal_pct FROM target_latest AS s JOIN target_keys AS k
                ON k.target_key = s.target_key WHERE k.target_id = r.target_id))
    FROM {ROLLUP_TABLE} AS r
    WHERE r.minute_start >= :since AND r.minute_start <= :until AND r.samples > 0{where}
    GROUP BY r.target_id, bucket ORDER BY bucket, r.target_id
    """
    rows = fetch(db, sql, {"bucket_s": bucket_s, "since": since, "until": rollup_until, **params})
    seen = {(row[0], row[1]) for row in detail}
    return [row for row in rows if (row[0], row[1]) not in seen]


def _has_rollups(db: sqlite_utils.Database) -> bool:
    return set(ROLLUP_COLUMNS) <= set(column_names(db, ROLLUP_TABLE))


def _series_frame(rows: list[Row]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(SERIES_COLUMNS))
    numeric = [name for name in SERIES_COLUMNS if name != "target_id"]
    return frame.astype({name: "float64" for name in numeric})


@dataclass(frozen=True, slots=True)
class ActivityFigures:
    """The overview's activity tiles."""

    allowed_per_minute: int  # invitations allowed by the cycles of the last minute, all targets
    accepted_last_hour: int  # increase of the running totals over the last hour
    abandoned_last_hour: int
    targets_paced: int  # targets whose latest row is recent and carries no error
    targets_known: int


_DELTA_SQL = f"""
SELECT coalesce(sum({greatest("accepted_total - prev_accepted", "0")}), 0),
       coalesce(sum({greatest("abandoned_total - prev_abandoned", "0")}), 0)
FROM (
    SELECT accepted_total, abandoned_total,
           lag(accepted_total) OVER w AS prev_accepted,
           lag(abandoned_total) OVER w AS prev_abandoned
    FROM cycle_targets WHERE at > :since AND at <= :until
    WINDOW w AS (PARTITION BY target_id ORDER BY at)
) AS deltas
"""


def read_activity(db: sqlite_utils.Database, now: float, stale_after_s: float) -> ActivityFigures:
    """Allowed per minute, accepted and abandoned in the last hour, targets paced."""
    (allowed,) = fetch(
        db,
        "SELECT coalesce(sum(allowed_invitations), 0) FROM cycle_targets "
        "WHERE at > :since AND at <= :now",
        {"since": now - 60.0, "now": now},
    )[0]
    # A counter that went down (a restarted source) contributes nothing, not a negative.
    accepted, abandoned = fetch(db, _DELTA_SQL, {"since": now - 3600.0, "until": now})[0]
    paced, known = fetch(
        db,
        f"SELECT {count_where('at >= :fresh AND error IS NULL')}, count(*) FROM target_state",
        {"fresh": now - stale_after_s},
    )[0]
    return ActivityFigures(int(allowed), int(accepted), int(abandoned), int(paced), int(known))
