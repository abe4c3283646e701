"""Figures the Prometheus `/metrics` endpoint serves, read in one pass per scrape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from alarms.model import RuntimeSample
from storage.alarms.reads import read_latest_runtime_sample

_TARGET_GAUGES = (
    "allowed_invitations",
    "pending_invitations",
    "in_queue",
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "goal_pct",
    "accepted_total",
    "abandoned_total",
)


@dataclass(frozen=True, slots=True)
class MetricsFigures:
    cycles_by_status: dict[str, int]
    skipped_fires_total: int
    last_cycle_duration_s: float | None
    last_cycle_lateness_s: float | None
    last_cycle_started_at: float | None
    targets: list[dict[str, Any]]  # target_id plus _TARGET_GAUGES (None when unknown)
    alarms: list[tuple[str, str, str, str]]  # condition, scope, state, severity (not normal)
    transitions_by_state: dict[str, int]
    runtime: RuntimeSample | None


def read_metrics_figures(db: sqlite_utils.Database) -> MetricsFigures:
    conn = db.conn
    by_status = dict(conn.execute("SELECT status, count(*) FROM cycles GROUP BY status").fetchall())
    (skipped,) = conn.execute("SELECT coalesce(sum(skipped_before), 0) FROM cycles").fetchone()
    last = conn.execute(
        "SELECT duration_s, lateness_s, started_at FROM cycles ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    cursor = conn.execute(
        f"SELECT target_id, {', '.join(_TARGET_GAUGES)} FROM target_state ORDER BY target_id"
    )
    columns = [d[0] for d in cursor.description]
    targets = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    alarms = conn.execute(
        "SELECT condition, scope, state, severity FROM alarm_instances WHERE state != 'normal' "
        "ORDER BY condition, scope"
    ).fetchall()
    transitions = dict(
        conn.execute(
            "SELECT to_state, count(*) FROM alarm_transitions GROUP BY to_state"
        ).fetchall()
    )
    return MetricsFigures(
        cycles_by_status={str(k): int(v) for k, v in by_status.items()},
        skipped_fires_total=int(skipped),
        last_cycle_duration_s=last[0] if last else None,
        last_cycle_lateness_s=last[1] if last else None,
        last_cycle_started_at=last[2] if last else None,
        targets=targets,
        alarms=[tuple(row) for row in alarms],
        transitions_by_state={str(k): int(v) for k, v in transitions.items()},
        runtime=read_latest_runtime_sample(db),
    )
