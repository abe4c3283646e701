"""Alarm read models for the dashboard's Alarms and Health pages (DataFrames and dataclasses).

No clock here: functions take `now` where age matters. Flood and chatter follow ISA-18.2 /
EEMUA 191 benchmarks: more than 10 new alarms in 10 minutes is a flood; an instance raised 3 or
more times within 60 s is chattering; an alarm unacknowledged for 24 h is stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlite_utils

from alarms.model import RuntimeSample
from storage.errors import InvalidQueryError
from storage.frames import named_list

FLOOD_ALARMS_PER_10_MIN = 10
# Raises are annunciations of a new occurrence (not operator actions, not severity changes).
_RAISE_FILTER = (
    "to_state = 'active_unacknowledged' AND from_state IN ('normal', 'cleared_unacknowledged')"
)
_SEVERITY_ORDER = (
    "CASE severity WHEN 'Critical' THEN 3 WHEN 'Major' THEN 2 WHEN 'Minor' THEN 1 ELSE 0 END"
)


@dataclass(frozen=True, slots=True)
class AlarmFigures:
    """Flood, chatter and staleness over `(now - window_s, now]`."""

    window_s: float
    raises_in_window: int
    per_bucket: pd.DataFrame  # bucket_start (epoch s), alarms; only buckets with a raise
    peak_per_10_min: int
    flood_buckets: int  # buckets above FLOOD_ALARMS_PER_10_MIN
    chattering: pd.DataFrame  # instance_id, condition, scope, max_raises_in_window
    stale_unacknowledged: pd.DataFrame  # instance_id, condition, scope, severity, raised_at, age_s


def _frame(
    db: sqlite_utils.Database, sql: str, params: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    cursor = db.conn.execute(sql, dict(params or {}))
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns)


def read_active_alarms(db: sqlite_utils.Database) -> pd.DataFrame:
    """Every instance not in `normal`, most severe then most recent first, with its condition."""
    return _frame(
        db,
        f"""
        SELECT i.instance_id, i.condition, i.scope, i.state, i.severity, i.raised, i.raised_at,
               i.cleared_at, i.occurrences, i.value, i.reason, i.acknowledged_by,
               i.acknowledged_at, i.shelved_by, i.shelved_until, i.updated_at,
               c.description, c.detect_event_id, c.cancel_event_id
        FROM alarm_instances AS i LEFT JOIN alarm_conditions AS c ON c.name = i.condition
        WHERE i.state != 'normal'
        ORDER BY {_SEVERITY_ORDER.replace("severity", "i.severity")} DESC,
                 i.raised_at DESC, i.instance_id
        """,
    )


def read_alarm_history(
    db: sqlite_utils.Database,
    *,
    since: float | None = None,
    until: float | None = None,
    conditions: Sequence[str] | None = None,
    scopes: Sequence[str] | None = None,
    states: Sequence[str] | None = None,
    who: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Transitions in `[since, until)`, newest first, filtered; at most `limit` rows."""
    if limit < 1:
        raise InvalidQueryError(f"limit must be at least 1, got {limit}")
    where: list[str] = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit}
    if since is not None:
        where.append("at >= :since")
        params["since"] = since
    if until is not None:
        where.append("at < :until")
        params["until"] = until
    for column, values in (("condition", conditions), ("scope", scopes), ("to_state", states)):
        if values:
            names, named = named_list(column, values)
            where.append(f"{column} IN {names}")
            params.update(named)
    if who:
        where.append("who = :who")
        params["who"] = who
    return _frame(
        db,
        f"""
        SELECT transition_id, at, instance_id, condition, scope, from_state, to_state, rule,
               severity, occurrence, reason, value, who, comment
        FROM alarm_transitions WHERE {" AND ".join(where)}
        ORDER BY at DESC, transition_id DESC LIMIT :limit
        """,
        params,
    )


def read_alarm_figures(
    db: sqlite_utils.Database,
    now: float,
    *,
    window_s: float = 86_400.0,
    bucket_s: float = 600.0,
    chatter_window_s: float = 60.0,
    chatter_raises: int = 3,
    stale_after_s: float = 86_400.0,
) -> AlarmFigures:
    """Alarm rate per bucket, flood buckets, chattering instances and stale unacked alarms."""
    if window_s <= 0 or bucket_s <= 0 or chatter_window_s <= 0:
        raise InvalidQueryError("window_s, bucket_s and chatter_window_s must be positive")
    raises = _frame(
        db,
        f"SELECT instance_id, condition, scope, at FROM alarm_transitions "
        f"WHERE {_RAISE_FILTER} AND at > :since AND at <= :now ORDER BY instance_id, at",
        {"since": now - window_s, "now": now},
    )
    if raises.empty:
        per_bucket = pd.DataFrame({"bucket_start": [], "alarms": []})
    else:
        buckets = (raises["at"] // bucket_s) * bucket_s
        per_bucket = buckets.value_counts().sort_index().rename_axis("bucket_start")
        per_bucket = per_bucket.rename("alarms").reset_index()
    peak = int(per_bucket["alarms"].max()) if not per_bucket.empty else 0
    flood_limit = FLOOD_ALARMS_PER_10_MIN * bucket_s / 600.0
    return AlarmFigures(
        window_s=window_s,
        raises_in_window=len(raises),
        per_bucket=per_bucket,
        peak_per_10_min=peak,
        flood_buckets=int((per_bucket["alarms"] > flood_limit).sum()) if peak else 0,
        chattering=_chattering(raises, chatter_window_s, chatter_raises),
        stale_unacknowledged=_frame(
            db,
            """
            SELECT instance_id, condition, scope, severity, raised_at, :now - raised_at AS age_s
            FROM alarm_instances
            WHERE state = 'active_unacknowledged' AND raised_at <= :stale_before
            ORDER BY raised_at
            """,
            {"now": now, "stale_before": now - stale_after_s},
        ),
    )


def _chattering(raises: pd.DataFrame, window_s: float, minimum: int) -> pd.DataFrame:
    rows = []
    for (instance_id, condition, scope), group in raises.groupby(
        ["instance_id", "condition", "scope"], sort=True
    ):
        times = group["at"].tolist()
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window_s:
                start += 1
            best = max(best, end - start + 1)
        if best >= minimum:
            rows.append((instance_id, condition, scope, best))
    return pd.DataFrame(rows, columns=["instance_id", "condition", "scope", "max_raises_in_window"])


def read_conditions(db: sqlite_utils.Database) -> pd.DataFrame:
    """The provisioned conditions as a table (parameters as their JSON text)."""
    return _frame(
        db,
        "SELECT name, description, category, detect_event_id, cancel_event_id, cancel_timeout_s, "
        "on_delay_s, off_delay_s, parameters, scope_kind, enabled, provisioned_at "
        "FROM alarm_conditions ORDER BY name",
    )


# The figures of a runtime sample, in RuntimeSample order (the stored row adds `sample_id`).
SAMPLE_COLUMNS = (
    "node_id",
    "at",
    "gc_pause_max_s",
    "gc_pause_total_s",
    "gc_collections",
    "gc_collections_per_min",
    "gc_collections_total",
    "rss_bytes",
    "memory_limit_bytes",
    "heap_current_bytes",
    "heap_peak_bytes",
    "cycle_duration_s",
    "cycle_lateness_s",
    "gc_by_generation",
)


def read_runtime_samples(
    db: sqlite_utils.Database,
    since: float,
    until: float | None = None,
    node_id: str | None = None,
) -> pd.DataFrame:
    """Runtime samples in `[since, until)`, oldest first (`memory_usage_pct` added)."""
    where: list[str] = ["at >= :since"]
    params: dict[str, Any] = {"since": since}
    if until is not None:
        where.append("at < :until")
        params["until"] = until
    if node_id is not None:
        where.append("node_id = :node_id")
        params["node_id"] = node_id
    frame = _frame(
        db,
        f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM runtime_samples "
        f"WHERE {' AND '.join(where)} ORDER BY at",
        params,
    )
    limit = frame["memory_limit_bytes"].astype("float64")
    frame["memory_usage_pct"] = (
        100.0 * frame["rss_bytes"].astype("float64") / limit.where(limit > 0)
    )
    return frame


def read_latest_runtime_sample(
    db: sqlite_utils.Database, node_id: str | None = None
) -> RuntimeSample | None:
    """The most recent sample (of one node, or of any)."""
    sql = f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM runtime_samples"
    params: dict[str, str] = {}
    if node_id is not None:
        sql += " WHERE node_id = :node_id"
        params["node_id"] = node_id
    row = db.conn.execute(sql + " ORDER BY at DESC LIMIT 1", params).fetchone()
    if not row:
        return None
    generations = tuple((int(g), int(c), float(p)) for g, c, p in json.loads(row[-1] or "[]"))
    values = dict(zip(SAMPLE_COLUMNS[:-1], row[:-1], strict=True))
    return RuntimeSample(**values, gc_by_generation=generations)
