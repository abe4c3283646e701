"""Read models of the dashboard's Health page: runtime samples bucketed in SQL.

`storage.alarms_reads.read_runtime_samples` returns every sample (one per cycle: 43,200 a day
at a 2 s period, each with its per-generation JSON); these group them into buckets of
`bucket_s` seconds in SQL so long ranges stay small. `bucket_s=None` keeps one row per sample.
Bounds are explicit; no clock here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlite_utils

from storage.dialect import bucket_start, json_array_rows, json_item
from storage.errors import InvalidQueryError

__all__ = ["RUNTIME_SERIES_COLUMNS", "read_gc_generations", "read_runtime_series"]

# What `read_runtime_series` returns (`at` = bucket start, or the sample's time unbucketed).
# Maxima where a threshold is compared (the worst moment of the bucket), means of durations.
RUNTIME_SERIES_COLUMNS = (
    "node_id",
    "at",
    "samples",
    "gc_pause_max_s",
    "gc_collections",
    "gc_collections_per_min",
    "rss_bytes",
    "memory_limit_bytes",
    "heap_current_bytes",
    "cycle_duration_s",
    "cycle_duration_max_s",
    "cycle_lateness_s",
    "cycle_lateness_max_s",
)


def _bucket_expression(bucket_s: float | None) -> tuple[str, dict[str, Any]]:
    if bucket_s is None:
        return "at", {}
    if not bucket_s > 0:
        raise InvalidQueryError(f"bucket_s must be positive or None, got {bucket_s}")
    return bucket_start("at", ":bucket_s"), {"bucket_s": bucket_s}


def _frame(db: sqlite_utils.Database, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
    cursor = db.conn.execute(sql, dict(params))
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def read_runtime_series(
    db: sqlite_utils.Database, since: float, until: float, bucket_s: float | None
) -> pd.DataFrame:
    """Runtime samples in `[since, until)` per node and bucket, oldest first."""
    bucket, bucket_params = _bucket_expression(bucket_s)
    return _frame(
        db,
        f"""
        SELECT node_id, {bucket} AS bucket_at, count(*) AS samples,
               max(gc_pause_max_s) AS gc_pause_max_s,
               sum(gc_collections) AS gc_collections,
               max(gc_collections_per_min) AS gc_collections_per_min,
               max(rss_bytes) AS rss_bytes,
               max(memory_limit_bytes) AS memory_limit_bytes,
               max(heap_current_bytes) AS heap_current_bytes,
               avg(cycle_duration_s) AS cycle_duration_s,
               max(cycle_duration_s) AS cycle_duration_max_s,
               avg(cycle_lateness_s) AS cycle_lateness_s,
               max(cycle_lateness_s) AS cycle_lateness_max_s
        FROM runtime_samples WHERE at >= :since AND at < :until
        GROUP BY node_id, bucket_at ORDER BY bucket_at, node_id
        """,
        {**bucket_params, "since": since, "until": until},
    ).rename(columns={"bucket_at": "at"})


def read_gc_generations(
    db: sqlite_utils.Database, since: float, until: float, bucket_s: float | None
) -> pd.DataFrame:
    """Longest GC pause and collections per node, generation and bucket in `[since, until)`.

    Columns: node_id, at, generation, collections, pause_max_s (only buckets where that
    generation collected at least once).
    """
    bucket, bucket_params = _bucket_expression(bucket_s)
    return _frame(
        db,
        f"""
        SELECT node_id, {bucket} AS bucket_at,
               CAST({json_item("g.value", 0)} AS INTEGER) AS generation,
               sum({json_item("g.value", 1)}) AS collections,
               max({json_item("g.value", 2)}) AS pause_max_s
        FROM runtime_samples, {json_array_rows("runtime_samples.gc_by_generation", "g")}
        WHERE at >= :since AND at < :until
        GROUP BY node_id, bucket_at, generation
        HAVING sum({json_item("g.value", 1)}) > 0
        ORDER BY bucket_at, node_id, generation
        """,
        {**bucket_params, "since": since, "until": until},
    ).rename(columns={"bucket_at": "at"})
