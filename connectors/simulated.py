"""Adapters that let the simulator play the stat source and the engagement platform.

The node runs on wall-clock epoch seconds; the simulator runs on its own simulated seconds
starting at 0. This adapter maps one onto the other (`speed` simulated seconds per wall second)
so the live demo can run accelerated. Durations cross the same way: the allowance interval goes
in × speed, and the handle time and answer delays come back ÷ speed. The pacer then sees, in
wall seconds, a centre that is `speed` times quicker, and its clock, its windows and the
durations it is told agree. (Reported in simulated seconds, 10 s accept delays against a 5 s
cycle that was 50 simulated seconds made the pacer count every invitation of the last cycle
as still out, and it allowed 0 and N in turn.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from domain.ports import AnswersByTarget, Decisions, StatisticsByTarget
from domain.targets import PacingTarget
from simulator import ContactCentreSimulator


class SimulatedContactCentre:
    """Both ports of the cycle (`StatSource`, `Publisher`) backed by one simulator."""

    def __init__(self, simulator: ContactCentreSimulator, *, epoch: float, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"simulator speed must be positive, got {speed}")
        self._simulator = simulator
        self._epoch = epoch
        self._speed = speed

    def simulated_s(self, now: float) -> float:
        """Simulated seconds matching the wall-clock instant `now`."""
        return max(0.0, (now - self._epoch) * self._speed)

    def read(self, targets: Sequence[PacingTarget], now: float) -> StatisticsByTarget:
        del targets  # the simulator was built for exactly these targets
        statistics = self._simulator.read_statistics(self.simulated_s(now))
        return {
            target_id: replace(stats, avg_handle_time_s=self._wall_s(stats.avg_handle_time_s))
            for target_id, stats in statistics.items()
        }

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        del statistics  # the real platform receives them; the simulator knows its own state
        if not decisions:
            return {}
        allowed = {decision.target_id: decision.allowed_invitations for decision in decisions}
        interval_s = max(decision.interval_s for decision in decisions) * self._speed
        answers = self._simulator.publish(allowed, interval_s, self.simulated_s(now))
        return {
            target_id: replace(
                answer,
                accept_delay_s=self._wall_s(answer.accept_delay_s),
                decline_delay_s=self._wall_s(answer.decline_delay_s),
            )
            for target_id, answer in answers.items()
        }

    def _wall_s(self, simulated_s: float | None) -> float | None:
        """A simulated duration in wall seconds (None stays None)."""
        return None if simulated_s is None else simulated_s / self._speed
