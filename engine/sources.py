"""Adapters that let the simulator play the stat source and the engagement platform.

The node runs on wall-clock epoch seconds; the simulator runs on its own simulated seconds
starting at 0. This adapter maps one onto the other (`speed` simulated seconds per wall second)
so the live demo can run accelerated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.model import PublishResult, TargetStatistics
from engine.pacing import PacingDecision
from engine.simulator import ContactCentreSimulator
from engine.targets import PacingTarget


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

    def read(self, targets: Sequence[PacingTarget], now: float) -> Mapping[str, TargetStatistics]:
        del targets  # the simulator was built for exactly these targets
        return self._simulator.read_statistics(self.simulated_s(now))

    def publish(
        self,
        decisions: Sequence[PacingDecision],
        statistics: Mapping[str, TargetStatistics],
        now: float,
    ) -> Mapping[str, PublishResult]:
        del statistics  # the real platform receives them; the simulator knows its own state
        if not decisions:
            return {}
        allowed = {decision.target_id: decision.allowed_invitations for decision in decisions}
        interval_s = max(decision.interval_s for decision in decisions) * self._speed
        return self._simulator.publish(allowed, interval_s, self.simulated_s(now))
