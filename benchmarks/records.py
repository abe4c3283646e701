"""Cycles as a busy node records them: for the benchmarks that fill a database."""

from __future__ import annotations

from domain.records import CycleRecord, TargetRecord
from tests.builders import make_cycle, make_target


def bench_cycle(
    seq: int, at: float, targets: int, period_s: float
) -> tuple[CycleRecord, list[TargetRecord]]:
    """Cycle `seq`, scheduled at `at`, with a row for each of `targets` chat queues whose
    figures move from one cycle to the next (as real ones do, so indexes and charts work)."""
    cycle_id = f"bench:{seq}"
    cycle = make_cycle(
        cycle_id,
        started_at=at + 0.01,
        node_id="bench",
        seq=seq,
        scheduled_at=at,
        duration_s=0.05,
        lateness_s=0.01,
        period_s=period_s,
        targets_count=targets,
    )
    rows = [
        make_target(
            cycle_id,
            f"Queue {t:02d} - chat",
            at + 0.02,
            logged_in_slots=30,
            ready_slots=5 + seq % 7,
            busy_slots=25 - seq % 7,
            in_queue=seq % 4,
            accepted_total=seq // 3 + t,
            abandoned_total=seq // 90,
            pending_invitations=seq % 9,
            acceptance_rate=0.35,
            allowed_invitations=(seq + t) % 12,
            interval_s=period_s,
            estimated_wait_s=15.0,
            reason="progressive",
        )
        for t in range(targets)
    ]
    return cycle, rows
