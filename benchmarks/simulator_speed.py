"""How fast the contact-centre simulator runs: simulated seconds per wall second.

Runs 8 simulated hours of the default scenario with 3 targets and 30 agents, driven the way the
node drives it (read statistics, publish, every 5 simulated seconds) by a naive pacing rule.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/simulator_speed.py [simulated_hours]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.simulator import Scenario  # noqa: E402
from domain.targets import PacingTarget, TargetAgent  # noqa: E402
from simulator import ContactCentreSimulator  # noqa: E402

CYCLE_S = 5.0


def demo_targets() -> list[PacingTarget]:
    """Three targets, 30 agents; agents a01-a05 are blended chat+email, a11-a15 chat+voice."""

    def agents(first: int, last: int, slots: int) -> tuple[TargetAgent, ...]:
        return tuple(TargetAgent(f"a{n:02d}", slots) for n in range(first, last + 1))

    def target(name: str, media: str, members: tuple[TargetAgent, ...]) -> PacingTarget:
        return PacingTarget(f"{name} - {media}", name, name, media, 3.0, ("G",), members)

    return [
        target("Proactive Chat", "chat", agents(1, 15, 3)),
        target("Proactive Voice", "voice", agents(11, 22, 1)),
        target("Proactive Email", "email", agents(1, 5, 2) + agents(23, 30, 2)),
    ]


def run(simulated_s: float) -> tuple[float, int]:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    pending = {target_id: 0 for target_id in simulator.totals()}
    cycles = 0
    started = time.perf_counter()
    t_s = 0.0
    while t_s < simulated_s:
        t_s += CYCLE_S
        statistics = simulator.read_statistics(t_s)
        allowed = {
            target_id: max(0, 2 * stats.ready_slots - pending[target_id])
            for target_id, stats in statistics.items()
        }
        answers = simulator.publish(allowed, CYCLE_S, t_s)
        pending = {target_id: answer.pending_invitations for target_id, answer in answers.items()}
        cycles += 1
    return time.perf_counter() - started, cycles


def main() -> None:
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    simulated_s = hours * 3600.0
    wall_s, cycles = run(simulated_s)
    print(f"simulated {hours:g} h ({cycles} cycles of {CYCLE_S:g} s), 3 targets, 30 agents")
    print(f"wall time: {wall_s:.3f} s")
    print(f"speed: {simulated_s / wall_s:,.0f} simulated seconds per wall second")


if __name__ == "__main__":
    main()
