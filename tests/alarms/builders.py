"""Small builders of cycle outcomes for alarm tests."""

from __future__ import annotations

from domain.ports import CycleOutcome
from domain.records import CycleRecord, CycleStatus, TargetRecord


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
