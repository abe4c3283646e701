"""How long one `Pacer.decide` takes for 1,000 / 10,000 / 100,000 targets of mixed sizes.

Targets have 1-200 slots, random occupancy, queues, pending counts and acceptance rates that
drift by a slot or an invitation per cycle. The pacer is warmed up with a few cycles first (the
state a running node has), then three more cycles are timed (median), plus the cold first
cycle. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/pacing_decide.py [algorithm] [counts...]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.decisions import TargetSnapshot  # noqa: E402
from pacing import Pacer  # noqa: E402

CYCLE_S = 2.0


class Centre:
    """Targets of 1-200 slots whose figures drift a little from one cycle to the next."""

    def __init__(self, count: int, rng: random.Random) -> None:
        self.rng = rng
        self.slots = [1 + (index * 7919) % 200 for index in range(count)]
        self.busy = [int(slots * rng.uniform(0.6, 1.0)) for slots in self.slots]
        self.pending = [rng.randint(0, max(1, slots // 2)) for slots in self.slots]
        self.acceptance = [rng.uniform(0.15, 0.4) for _ in self.slots]
        self.accepted = [0] * count
        self.abandoned = [0] * count

    def snapshots(self) -> list[TargetSnapshot]:
        rng = self.rng
        built = []
        for index, slots in enumerate(self.slots):
            busy = min(slots, max(0, self.busy[index] + rng.choice((-1, 0, 0, 1))))
            self.busy[index] = busy
            self.pending[index] = max(0, self.pending[index] + rng.choice((-1, 0, 0, 1)))
            self.accepted[index] += rng.randint(0, 2)
            self.abandoned[index] += rng.random() < 0.03
            built.append(
                TargetSnapshot(
                    target_id=f"target-{index}",
                    media="chat",
                    goal_pct=3.0,
                    logged_in_slots=slots,
                    ready_slots=slots - busy,
                    busy_slots=busy,
                    in_queue=rng.choice((0, 0, 0, 0, 1)),
                    accepted_total=self.accepted[index],
                    abandoned_total=self.abandoned[index],
                    pending_invitations=self.pending[index],
                    acceptance_rate=self.acceptance[index],
                    accept_delay_s=8.0,
                    avg_handle_time_s=300.0,
                )
            )
        return built


def time_decide(algorithm: str, count: int) -> tuple[float, float]:
    """(median seconds of a warm decide, seconds of the cold first one)."""
    centre = Centre(count, random.Random(count))
    pacer = Pacer(algorithm, interval_s=CYCLE_S)
    batch = centre.snapshots()
    started = time.perf_counter()
    pacer.decide(batch, now=CYCLE_S)
    cold_s = time.perf_counter() - started
    for cycle in range(2, 6):
        pacer.decide(centre.snapshots(), now=cycle * CYCLE_S)
    timings = []
    for cycle in range(6, 9):
        batch = centre.snapshots()
        started = time.perf_counter()
        pacer.decide(batch, now=cycle * CYCLE_S)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), cold_s


def main() -> None:
    algorithm = sys.argv[1] if len(sys.argv) > 1 else "predictive"
    counts = [int(arg) for arg in sys.argv[2:]] or [1_000, 10_000, 100_000]
    print(f"Pacer.decide, algorithm {algorithm}, targets of 1-200 slots (warm state)")
    for count in counts:
        warm_s, cold_s = time_decide(algorithm, count)
        print(
            f"{count:>8,} targets: {warm_s * 1000:8.1f} ms warm "
            f"({warm_s / count * 1e6:6.1f} µs per target), {cold_s * 1000:8.1f} ms cold"
        )


if __name__ == "__main__":
    main()
