"""The public pacing API: snapshots in, one decision per target out.

`Pacer.decide` is pure: no clock (``now`` is a parameter), no I/O. It keeps per-target state
between calls (abandonment estimate, acceptance estimate) that can be saved with `Pacer.state`
and restored with `Pacer.restore`, so a restarted node warm-starts.

Only the `progressive` rule lives here yet: free capacity net of the queue and of the accepts
expected from pending invitations, divided by the acceptance rate, with an abandonment brake.
The model-based `predictive` algorithm is its own piece of work and plugs in behind the same
interface.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Algorithm = Literal["progressive"]
OptimizationTarget = Literal["abandonment_rate"]

ALGORITHMS: tuple[str, ...] = ("progressive",)
OPTIMIZATION_TARGETS: tuple[str, ...] = ("abandonment_rate",)

# Before the platform reports an acceptance rate, assume a cautious one: a low rate would
# multiply invitations, so the prior errs high (fewer invitations).
ACCEPTANCE_PRIOR = 0.35
ACCEPTANCE_FLOOR = 0.05
# Abandonment estimate: exponentially weighted counts with this half-life in cycles.
ABANDON_HALF_LIFE_CYCLES = 24.0
BRAKE_FACTOR = 0.5
MAX_INVITATIONS_PER_SLOT = 4


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    """Everything the pacer knows about one target at one instant."""

    target_id: str
    media: str
    goal_pct: float
    logged_in_slots: int
    ready_slots: int
    busy_slots: int
    in_queue: int
    accepted_total: int
    abandoned_total: int
    pending_invitations: int | None
    acceptance_rate: float | None
    accept_delay_s: float | None
    avg_handle_time_s: float | None
    reactive_arrivals_total: int = 0
    business_hours_open: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.goal_pct <= 100.0:
            raise ValueError(
                f"goal_pct must be between 0 and 100, got {self.goal_pct} "
                f"(target {self.target_id!r})"
            )
        for name in ("logged_in_slots", "ready_slots", "busy_slots", "in_queue"):
            if getattr(self, name) < 0:
                raise ValueError(
                    f"{name} must not be negative, got {getattr(self, name)} "
                    f"(target {self.target_id!r})"
                )
        if self.acceptance_rate is not None and not 0.0 <= self.acceptance_rate <= 1.0:
            raise ValueError(
                f"acceptance_rate must be between 0 and 1, got {self.acceptance_rate} "
                f"(target {self.target_id!r})"
            )


@dataclass(frozen=True, slots=True)
class PacingDecision:
    """The engine's only output: invitations that may be sent during the next interval."""

    target_id: str
    allowed_invitations: int
    interval_s: float
    estimated_wait_s: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class _TargetState:
    """Per-target memory between cycles."""

    last_accepted_total: int | None = None
    last_abandoned_total: int | None = None
    served_weight: float = 0.0
    abandoned_weight: float = 0.0

    @property
    def abandon_ratio(self) -> float | None:
        total = self.served_weight + self.abandoned_weight
        return None if total <= 0 else self.abandoned_weight / total


class Pacer:
    """Decides allowed invitations per target; keeps its own per-target state."""

    def __init__(
        self,
        algorithm: str = "progressive",
        optimization_target: str = "abandonment_rate",
        interval_s: float = 5.0,
        **tuning: float,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(
                f"pacing algorithm {algorithm!r} is not available; choose one of "
                f"{', '.join(ALGORITHMS)} (setting pacing.algorithm)"
            )
        if optimization_target not in OPTIMIZATION_TARGETS:
            raise ValueError(
                f"optimization target {optimization_target!r} is not available; choose one of "
                f"{', '.join(OPTIMIZATION_TARGETS)} (setting pacing.optimizationTarget)"
            )
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        unknown = set(tuning) - {"acceptance_prior", "half_life_cycles"}
        if unknown:
            raise ValueError(f"unknown tuning options: {', '.join(sorted(unknown))}")
        self.algorithm = algorithm
        self.optimization_target = optimization_target
        self.interval_s = interval_s
        self._acceptance_prior = float(tuning.get("acceptance_prior", ACCEPTANCE_PRIOR))
        self._decay = 0.5 ** (1.0 / float(tuning.get("half_life_cycles", ABANDON_HALF_LIFE_CYCLES)))
        self._states: dict[str, _TargetState] = {}

    def decide(self, snapshots: Sequence[TargetSnapshot], now: float) -> list[PacingDecision]:
        """One decision per snapshot, in the same order."""
        del now  # the progressive rule needs no time; kept for the shared interface
        return [self._decide_one(snapshot) for snapshot in snapshots]

    def state(self) -> dict[str, Any]:
        """A JSON-serialisable copy of the per-target state, for a warm restart."""
        return {target: asdict(state) for target, state in self._states.items()}

    def restore(self, saved: Mapping[str, Mapping[str, Any]]) -> None:
        """Load state saved by `state`; unknown fields are an error, not silently dropped."""
        self._states = {target: _TargetState(**dict(fields)) for target, fields in saved.items()}

    def _observe(self, snapshot: TargetSnapshot) -> _TargetState:
        state = self._states.get(snapshot.target_id, _TargetState())
        served_delta = abandoned_delta = 0
        if state.last_accepted_total is not None and state.last_abandoned_total is not None:
            served_delta = snapshot.accepted_total - state.last_accepted_total
            abandoned_delta = snapshot.abandoned_total - state.last_abandoned_total
            if served_delta < 0 or abandoned_delta < 0:
                # A running total went down: the statistics source restarted. Start counting
                # again from here rather than inventing negative traffic.
                served_delta = abandoned_delta = 0
        state = _TargetState(
            last_accepted_total=snapshot.accepted_total,
            last_abandoned_total=snapshot.abandoned_total,
            served_weight=state.served_weight * self._decay + served_delta,
            abandoned_weight=state.abandoned_weight * self._decay + abandoned_delta,
        )
        self._states[snapshot.target_id] = state
        return state

    def _decide_one(self, snapshot: TargetSnapshot) -> PacingDecision:
        state = self._observe(snapshot)
        wait_s = estimate_wait_s(snapshot)

        def decision(allowed: int, reason: str) -> PacingDecision:
            return PacingDecision(snapshot.target_id, allowed, self.interval_s, wait_s, reason)

        if not snapshot.business_hours_open:
            return decision(0, "closed")
        if snapshot.logged_in_slots == 0:
            return decision(0, "no-agents")
        if snapshot.pending_invitations is None:
            return decision(0, "pending-unknown")
        rate = snapshot.acceptance_rate
        if rate is None or rate <= 0:
            rate = self._acceptance_prior
        rate = max(rate, ACCEPTANCE_FLOOR)
        free_slots = snapshot.ready_slots - snapshot.in_queue
        expected_from_pending = snapshot.pending_invitations * rate
        headroom = free_slots - expected_from_pending
        if headroom <= 0:
            return decision(0, "no-free-slots")
        allowed = math.floor(headroom / rate)
        allowed = min(allowed, MAX_INVITATIONS_PER_SLOT * snapshot.logged_in_slots)
        ratio = state.abandon_ratio
        if ratio is not None and ratio * 100.0 > snapshot.goal_pct:
            return decision(math.floor(allowed * BRAKE_FACTOR), "brake")
        return decision(allowed, "progressive")


def estimate_wait_s(snapshot: TargetSnapshot) -> float | None:
    """Expected wait for a newly accepted interaction (None when no estimate is possible)."""
    if snapshot.ready_slots > snapshot.in_queue:
        return 0.0
    if snapshot.avg_handle_time_s is None or snapshot.logged_in_slots == 0:
        return None
    ahead = snapshot.in_queue - snapshot.ready_slots + 1
    return ahead * snapshot.avg_handle_time_s / snapshot.logged_in_slots
