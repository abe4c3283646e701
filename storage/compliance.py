"""Compliance windows from the recorded running totals: per-minute increases, per target.

Detail rows (`cycle_targets`) give one increase per consecutive pair of samples, summed per
minute in SQL; the minutes hive-off has already purged come from `target_minute_rollups`,
whose `accepted_delta`/`abandoned_delta` were computed the same way when they were rolled up.
The first sample of a window is continued from the last sample before it (a detail row, or a
rolled-up minute's last totals), so no increase is lost at the window's edge nor counted twice.
The rules for resets and gaps are `domain.compliance.counter_increase`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlite_utils

from domain.compliance import (
    CounterLedger,
    MinuteCounts,
    WindowFigures,
    compliance_figures,
    counter_increase,
    minute_of,
    window_length_s,
    window_since,
)
from storage.dialect import bucket_start, json_values, relation_names, row_at_extreme
from storage.frames import check_range, fetch, target_filter

_ROLLUPS = "target_minute_rollups"

LastSample = tuple[float, int | None, int | None]

# Every target: the keyed tables in time order, partitioned by the integer key (through the
# cycle_targets view the window sorted on its text ids and record_id: about 3x slower).
_DETAIL_MINUTES = f"""
SELECT k.target_id, minute, accepted, abandoned FROM (
    SELECT target_key, {bucket_start("at", "60.0")} AS minute,
           sum(CASE WHEN prev_acc IS NULL THEN 0 WHEN acc >= prev_acc THEN acc - prev_acc
                    ELSE acc END) AS accepted,
           sum(CASE WHEN prev_ab IS NULL THEN 0 WHEN ab >= prev_ab THEN ab - prev_ab
                    ELSE ab END) AS abandoned
    FROM (
        SELECT r.target_key AS target_key, b.at AS at, r.accepted_total AS acc,
               r.abandoned_total AS ab, lag(r.accepted_total) OVER w AS prev_acc,
               lag(r.abandoned_total) OVER w AS prev_ab
        FROM row_batches AS b JOIN target_rows AS r ON r.batch_key = b.batch_key
        WHERE b.at >= :since AND b.at <= :until AND r.accepted_total IS NOT NULL
          AND r.abandoned_total IS NOT NULL
        WINDOW w AS (PARTITION BY r.target_key ORDER BY b.at, b.cycle_id)
    ) AS samples
    GROUP BY target_key, minute
) AS minutes JOIN target_keys AS k USING (target_key)
"""

# Each target's first or last sample in the range (the row at its least or greatest `at`).
_EDGE_ROWS = """
FROM cycle_targets
WHERE at >= :since AND at <= :until AND accepted_total IS NOT NULL
  AND abandoned_total IS NOT NULL{where}
"""
_TOTALS = ("accepted_total", "abandoned_total")

_SAMPLE_BEFORE = """
SELECT at, accepted_total, abandoned_total FROM cycle_targets
WHERE target_id = :target_id AND at < :before AND accepted_total IS NOT NULL
  AND abandoned_total IS NOT NULL
ORDER BY at DESC LIMIT 1
"""

# The same for a few targets (a dashboard page): from each target's key to its rows of each
# batch in range by the primary key (batch_key, target_key), not through every row of every
# batch. CROSS JOIN keeps that order; `cycle_id` orders a target's rows as `record_id` does.
_FEW_ROWS = f"""
    FROM target_keys AS k
    CROSS JOIN row_batches AS b
    JOIN target_rows AS r ON r.batch_key = b.batch_key AND r.target_key = k.target_key
    WHERE k.target_id IN ({json_values("target_ids")}) AND b.at >= :since
      AND b.at <= :until AND r.accepted_total IS NOT NULL AND r.abandoned_total IS NOT NULL
"""

_DETAIL_MINUTES_FEW = f"""
SELECT target_id, {bucket_start("at", "60.0")} AS minute,
       sum(CASE WHEN prev_acc IS NULL THEN 0 WHEN acc >= prev_acc THEN acc - prev_acc
                ELSE acc END),
       sum(CASE WHEN prev_ab IS NULL THEN 0 WHEN ab >= prev_ab THEN ab - prev_ab ELSE ab END)
FROM (
    SELECT k.target_id AS target_id, b.at AS at, r.accepted_total AS acc,
           r.abandoned_total AS ab, lag(r.accepted_total) OVER w AS prev_acc,
           lag(r.abandoned_total) OVER w AS prev_ab
    {_FEW_ROWS}
    WINDOW w AS (PARTITION BY k.target_id ORDER BY b.at, b.cycle_id)
) AS samples
GROUP BY target_id, minute
"""


def _edge_samples(edge: Literal["min", "max"], few: bool, where: str) -> str:
    if few:
        columns = ("r.accepted_total", "r.abandoned_total")
        return row_at_extreme(edge, "k.target_id", "b.at", columns, _FEW_ROWS)
    return row_at_extreme(edge, "target_id", "at", _TOTALS, _EDGE_ROWS.format(where=where))


_ROLLUP_MINUTES_FEW = f"""
SELECT k.target_id, m.minute_start, m.accepted_delta, m.abandoned_delta
FROM target_keys AS k CROSS JOIN minute_rollups AS m
WHERE k.target_id IN ({json_values("target_ids")}) AND m.target_key = k.target_key
  AND m.minute_start >= :since AND m.minute_start <= :until
"""

_ROLLUP_MINUTES = f"""
SELECT target_id, minute_start, accepted_delta, abandoned_delta FROM {_ROLLUPS}
WHERE minute_start >= :since AND minute_start <= :until{{where}}
"""

_ROLLUP_BEFORE = f"""
SELECT last_at, accepted_last, abandoned_last FROM {_ROLLUPS}
WHERE target_id = :target_id AND last_at < :before ORDER BY minute_start DESC LIMIT 1
"""


def read_minute_counts(
    db: sqlite_utils.Database,
    since: float,
    until: float,
    target_ids: Sequence[str] | None = None,
) -> tuple[list[MinuteCounts], dict[str, LastSample]]:
    """Per-minute increases from the minute of `since` to `until`, oldest first per target,
    and each target's last sample in that range (to continue counting from it)."""
    check_range(since, until)
    start = minute_of(since)
    few = target_ids is not None
    where, params = target_filter("target_id", target_ids)
    named = {"since": start, "until": until, **params}

    def read(every: str, for_few: str) -> list[Any]:
        return fetch(db, for_few if few else every, named)

    counts: dict[tuple[str, float], list[int]] = {}
    for target_id, minute, accepted, abandoned in read(_DETAIL_MINUTES, _DETAIL_MINUTES_FEW):
        counts[(target_id, float(minute))] = [int(accepted), int(abandoned)]
    rolled = _has_rollups(db)
    if rolled:
        for target_id, minute, accepted, abandoned in read(
            _ROLLUP_MINUTES.format(where=where),
            _ROLLUP_MINUTES_FEW,
        ):
            cell = counts.setdefault((target_id, float(minute)), [0, 0])
            cell[0] += int(accepted)
            cell[1] += int(abandoned)
    for target_id, at, accepted, abandoned in read(
        _edge_samples("min", False, where), _edge_samples("min", True, where)
    ):
        before = _sample_before(db, target_id, at, start, rolled)
        if before is None:
            continue
        cell = counts.setdefault((target_id, minute_of(at)), [0, 0])
        cell[0] += counter_increase(before[1], accepted)
        cell[1] += counter_increase(before[2], abandoned)
    last = {
        target_id: (float(at), accepted, abandoned)
        for target_id, at, accepted, abandoned in read(
            _edge_samples("max", False, where), _edge_samples("max", True, where)
        )
    }
    minutes = [
        MinuteCounts(target_id, minute, cell[0], cell[1])
        for (target_id, minute), cell in sorted(counts.items())
    ]
    return minutes, last


def _sample_before(
    db: sqlite_utils.Database, target_id: str, first_at: float, start: float, rolled: bool
) -> LastSample | None:
    """The sample the window's first detail row continues from: detail first, then rollups."""
    found = fetch(db, _SAMPLE_BEFORE, {"target_id": target_id, "before": start})
    if found:
        return found[0][0], found[0][1], found[0][2]
    if not rolled:
        return None
    found = fetch(db, _ROLLUP_BEFORE, {"target_id": target_id, "before": first_at})
    if found and found[0][1] is not None and found[0][2] is not None:
        return found[0][0], found[0][1], found[0][2]
    return None


def read_ledger(
    db: sqlite_utils.Database,
    since: float,
    until: float,
    retention_s: float,
    target_ids: Sequence[str] | None = None,
) -> CounterLedger:
    """A ledger holding the stored increases from `since` to `until`, ready to continue."""
    minutes, last = read_minute_counts(db, since, until, target_ids)
    ledger = CounterLedger(retention_s)
    ledger.seed(minutes, last)
    return ledger


def read_goals(
    db: sqlite_utils.Database, target_ids: Sequence[str] | None = None
) -> dict[str, float]:
    """Each target's latest goal, in target order (from the latest state); all or `target_ids`."""
    where, params = target_filter("target_id", target_ids)
    rows = fetch(
        db,
        f"SELECT target_id, goal_pct FROM target_state WHERE true{where} ORDER BY target_id",
        params,
    )
    return {str(target_id): float(goal) for target_id, goal in rows}


def read_compliance(
    db: sqlite_utils.Database,
    windows: Sequence[str],
    now: float,
    zone: ZoneInfo,
    goals_pct: Mapping[str, float] | None = None,
    target_ids: Sequence[str] | None = None,
) -> list[WindowFigures]:
    """The abandonment of every target (or of `target_ids`) over every window at `now`.

    Goals: `goals_pct`, else the latest recorded.
    """
    goals = read_goals(db, target_ids) if goals_pct is None else dict(goals_pct)
    since = min(window_since(kind, now, zone) for kind in windows)
    retention_s = max(window_length_s(kind) for kind in windows)
    ledger = read_ledger(db, since, now, retention_s, list(goals))
    return compliance_figures(ledger, goals, windows, now, zone)


def _has_rollups(db: sqlite_utils.Database) -> bool:
    # a view over `minute_rollups` since the compact history (migration 6)
    return _ROLLUPS in relation_names(db)
