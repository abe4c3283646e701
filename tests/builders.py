"""Record builders for tests: sensible defaults, override what the test is about."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from domain.decisions import TargetSnapshot
from domain.ports import CycleOutcome
from domain.records import CycleRecord, CycleStatus, TargetRecord
from domain.statistics import COUNT_FIGURES
from storage.nodes import record_node_start

# The figures a statistics source could not give: stored and read back as unknown, not zero.
NO_STATISTICS: dict[str, Any] = dict.fromkeys(COUNT_FIGURES)


def make_cycle(cycle_id: str = "c1", started_at: float = 1_000.0, **changes: Any) -> CycleRecord:
    fields: dict[str, Any] = {
        "cycle_id": cycle_id,
        "node_id": "node-a",
        "seq": 1,
        "scheduled_at": started_at - 0.05,
        "started_at": started_at,
        "duration_s": 0.2,
        "lateness_s": 0.05,
        "period_s": 5.0,
        "status": "ok",
        "targets_count": 0,
        "errors_count": 0,
    }
    return CycleRecord(**{**fields, **changes})


def make_target(
    cycle_id: str = "c1",
    target_id: str = "Proactive Chat - chat",
    at: float = 1_000.1,
    **changes: Any,
) -> TargetRecord:
    fields: dict[str, Any] = {
        "cycle_id": cycle_id,
        "target_id": target_id,
        "at": at,
        "media": "chat",
        "goal_pct": 3.0,
        "logged_in_slots": 10,
        "ready_slots": 4,
        "busy_slots": 6,
        "in_queue": 2,
        "accepted_total": 97,
        "abandoned_total": 3,
        "pending_invitations": 1,
        "acceptance_rate": 0.4,
        "avg_handle_time_s": 240.0,
        "allowed_invitations": 5,
        "interval_s": 5.0,
        "estimated_wait_s": 12.0,
        "reason": "agents ready",
    }
    return TargetRecord(**{**fields, **changes})


def make_snapshot(**changes: Any) -> TargetSnapshot:
    """A chat target with 3 of 10 slots ready, nobody queued, 3 % abandoned so far."""
    fields: dict[str, Any] = {
        "target_id": "Proactive Chat - chat",
        "media": "chat",
        "goal_pct": 3.0,
        "logged_in_slots": 10,
        "ready_slots": 3,
        "busy_slots": 7,
        "in_queue": 0,
        "accepted_total": 100,
        "abandoned_total": 3,
        "pending_invitations": 0,
        "acceptance_rate": 0.25,
        "accept_delay_s": 8.0,
        "avg_handle_time_s": 300.0,
    }
    return TargetSnapshot(**{**fields, **changes})


def count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def register_node(
    db: sqlite_utils.Database,
    node_id: str = "node-a",
    *,
    started_at: float = 1.0,
    pid: int = 1,
    period_s: float = 5.0,
) -> None:
    """Record a headless node's start: what its heartbeats, cycles and alarms refer to."""
    record_node_start(
        db,
        node_id=node_id,
        host="test",
        pid=pid,
        mode="headless",
        period_s=period_s,
        started_at=started_at,
        config_path="",
    )


def cycle_outcome(
    status: CycleStatus = "ok",
    duration_s: float = 0.01,
    error: str | None = None,
    at: float = 0.0,
    accepted_total: int = 0,
    abandoned_total: int = 0,
) -> CycleOutcome:
    cycle = make_cycle(
        f"n:{at}",
        started_at=at,
        node_id="n",
        scheduled_at=at,
        duration_s=duration_s,
        lateness_s=0.0,
        status=status,
        targets_count=1,
        errors_count=int(error is not None),
    )
    target = make_target(
        cycle.cycle_id,
        "Chat - chat",
        at,
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
