"""Record builders for tests: sensible defaults, override what the test is about."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlite_utils

from domain.ports import CycleOutcome
from domain.records import CycleRecord, CycleStatus, TargetRecord


def make_cycle(cycle_id: str = "c1", started_at: float = 1_000.0, **changes: Any) -> CycleRecord:
    cycle = CycleRecord(
        cycle_id=cycle_id,
        node_id="node-a",
        seq=1,
        scheduled_at=started_at - 0.05,
        started_at=started_at,
        duration_s=0.2,
        lateness_s=0.05,
        period_s=5.0,
        status="ok",
        targets_count=0,
        errors_count=0,
    )
    return replace(cycle, **changes)


def make_target(
    cycle_id: str = "c1",
    target_id: str = "Proactive Chat - chat",
    at: float = 1_000.1,
    **changes: Any,
) -> TargetRecord:
    target = TargetRecord(
        cycle_id=cycle_id,
        target_id=target_id,
        at=at,
        media="chat",
        goal_pct=3.0,
        logged_in_slots=10,
        ready_slots=4,
        busy_slots=6,
        in_queue=2,
        accepted_total=97,
        abandoned_total=3,
        pending_invitations=1,
        acceptance_rate=0.4,
        avg_handle_time_s=240.0,
        allowed_invitations=5,
        interval_s=5.0,
        estimated_wait_s=12.0,
        reason="agents ready",
    )
    return replace(target, **changes)


def count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def cycle_outcome(
    status: CycleStatus = "ok",
    duration_s: float = 0.01,
    error: str | None = None,
    at: float = 0.0,
    accepted_total: int = 0,
    abandoned_total: int = 0,
) -> CycleOutcome:
    cycle = CycleRecord(
        cycle_id=f"n:{at}",
        node_id="n",
        seq=1,
        scheduled_at=at,
        started_at=at,
        duration_s=duration_s,
        lateness_s=0.0,
        period_s=5.0,
        status=status,
        targets_count=1,
        errors_count=int(error is not None),
    )
    target = TargetRecord(
        cycle_id=cycle.cycle_id,
        target_id="Chat - chat",
        at=at,
        media="chat",
        goal_pct=3.0,
        logged_in_slots=1,
        ready_slots=1,
        busy_slots=0,
        in_queue=0,
        accepted_total=accepted_total,
        abandoned_total=abandoned_total,
        reason="ok",
        error=error,
    )
    return CycleOutcome(cycle, (target,), ())
