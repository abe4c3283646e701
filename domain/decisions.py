"""The values the pacer takes and gives: `TargetSnapshot` in, `PacingDecision` out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.checks import GOAL_PCT_MAX, GOAL_PCT_MIN, check_goal_pct, check_not_negative

Algorithm = Literal["predictive", "progressive", "adaptive"]
OptimizationTarget = Literal["abandonment_rate", "busy_factor"]

ALGORITHMS: tuple[str, ...] = ("predictive", "progressive", "adaptive")
OPTIMIZATION_TARGETS: tuple[str, ...] = ("abandonment_rate", "busy_factor")


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    """Everything the pacer knows about one target at one instant.

    `statistics_age_s` (how old the statistics are; 0 = fresh) lets the pacer refuse to pace
    on stale figures; sources that cannot tell leave it at 0.

    `capacity_pool` names the people behind the slots: targets of one media that share agents
    carry the same pool key, and `shared_ready_slots` says how many of `ready_slots` belong to
    agents another target of the pool also counts. The pacer gives each shared ready slot to
    at most one target per cycle. None / 0: the target's ready slots are its own.

    `budget_goal_pct` is the budget guard's input (`domain.compliance.guarded_goal_pct`): when
    it is below `goal_pct`, the pacer paces to it and names the decision `budget-guard`.
    """

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
    statistics_age_s: float = 0.0
    capacity_pool: str | None = None
    shared_ready_slots: int = 0
    budget_goal_pct: float | None = None  # the budget guard's lower goal (None: not guarded)

    def __post_init__(self) -> None:
        rate, shared, budget = self.acceptance_rate, self.shared_ready_slots, self.budget_goal_pct
        try:  # the common case without a closure; anything else gets the named checks
            if (
                GOAL_PCT_MIN <= self.goal_pct <= GOAL_PCT_MAX
                and (budget is None or GOAL_PCT_MIN <= budget <= GOAL_PCT_MAX)
                and min(self.logged_in_slots, self.ready_slots, self.busy_slots, self.in_queue) >= 0
                and 0 <= shared <= self.ready_slots
                and (not shared or self.capacity_pool is not None)
                and (rate is None or 0.0 <= rate <= 1.0)
            ):
                return
        except TypeError:
            pass
        self.check_named()

    def check_named(self) -> None:
        """Every check, each failure naming its figure (what `__post_init__` falls back to)."""

        def where() -> str:
            return f"(target {self.target_id!r})"

        check_goal_pct(self.goal_pct, where)
        if self.budget_goal_pct is not None:
            check_goal_pct(self.budget_goal_pct, where)
        check_not_negative(
            self, ("logged_in_slots", "ready_slots", "busy_slots", "in_queue"), where
        )
        if not 0 <= self.shared_ready_slots <= self.ready_slots:
            raise ValueError(
                f"shared_ready_slots must be between 0 and ready_slots ({self.ready_slots}), "
                f"got {self.shared_ready_slots} (target {self.target_id!r})"
            )
        if self.shared_ready_slots and self.capacity_pool is None:
            raise ValueError(
                f"shared_ready_slots ({self.shared_ready_slots}) needs a capacity_pool naming "
                f"the targets it is shared with (target {self.target_id!r})"
            )
        if self.acceptance_rate is not None and not 0.0 <= self.acceptance_rate <= 1.0:
            raise ValueError(
                f"acceptance_rate must be between 0 and 1, got {self.acceptance_rate} "
                f"(target {self.target_id!r})"
            )


@dataclass(frozen=True, slots=True)
class PacingDecision:
    """The engine's only output: invitations that may be sent during the next interval.

    `reason` is a short code: `model` (predictive), `progressive`, `adaptive`, `busy-factor`,
    `no-agents`, `closed`, `stale`, `brake`, `compliance-guard`, `budget-guard`, `no-free-slots`,
    `pending-unknown`; an operator's control gives `paused`, `fixed` or `capped`, and a forced
    algorithm or goal override is appended (`model; goal override 2 %`, see `pacing.controls`).
    """

    target_id: str
    allowed_invitations: int
    interval_s: float
    estimated_wait_s: float | None
    reason: str
