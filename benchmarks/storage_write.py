"""How fast `record_cycle` stores cycles of 3 and 100 targets on a real WAL file.

Run: .venv/bin/python benchmarks/storage_write.py [cycles]   (prints figures, asserts nothing)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from domain.records import CycleRecord, TargetRecord  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402


def _cycle(i: int, targets_count: int) -> tuple[CycleRecord, list[TargetRecord]]:
    cycle_id = f"bench-{targets_count}-{i}"
    at = 1_700_000_000.0 + 5 * i
    cycle = CycleRecord(
        cycle_id=cycle_id,
        node_id="bench",
        seq=i,
        scheduled_at=at,
        started_at=at + 0.01,
        duration_s=0.05,
        lateness_s=0.01,
        period_s=5.0,
        status="ok",
        targets_count=targets_count,
        errors_count=0,
    )
    targets = [
        TargetRecord(
            cycle_id=cycle_id,
            target_id=f"Queue {t} - chat",
            at=at + 0.02,
            media="chat",
            goal_pct=3.0,
            logged_in_slots=30,
            ready_slots=5,
            busy_slots=25,
            in_queue=3,
            accepted_total=1_000 + i,
            abandoned_total=20,
            pending_invitations=2,
            acceptance_rate=0.35,
            avg_handle_time_s=240.0,
            allowed_invitations=4,
            interval_s=5.0,
            estimated_wait_s=15.0,
            reason="agents ready",
        )
        for t in range(targets_count)
    ]
    return cycle, targets


def bench(targets_count: int, cycles: int) -> None:
    batch = [_cycle(i, targets_count) for i in range(cycles)]
    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "bench.db")
        started = time.perf_counter()
        for cycle, targets in batch:
            record_cycle(db, cycle, targets, recorded_at=0.0)
        elapsed_s = time.perf_counter() - started
        db.close()
    rows = cycles * (targets_count + 1)  # cycle rows + target rows (target_state not counted)
    print(
        f"{targets_count:>3} targets: {cycles} cycles in {elapsed_s:.2f} s = "
        f"{cycles / elapsed_s:,.0f} cycles/s, {rows / elapsed_s:,.0f} rows/s, "
        f"{1000 * elapsed_s / cycles:.2f} ms/cycle"
    )


def main() -> None:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    for targets_count in (3, 100):
        bench(targets_count, cycles)


if __name__ == "__main__":
    main()
