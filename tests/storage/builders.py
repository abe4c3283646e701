"""Record builders for storage tests: sensible defaults, override what the test is about."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlite_utils

from domain.records import CycleRecord, TargetRecord


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
