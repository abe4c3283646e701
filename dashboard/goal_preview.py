"""What a goal change would do to one target, before an operator applies it (pure).

Two predictions for the target's size and traffic, at the old and at the new goal:

* the Erlang A model (Palm's M/M/n+M, `pacing.queueing`): the largest accepted rate whose
  P(abandon) is at the goal, and the occupancy it gives. Fast (milliseconds) at any size; it
  assumes the pacer delivers accepts as a Poisson stream, which a good pacer beats on small
  groups (it sees the free slots and aims at them);
* on small groups (at most `EXACT_MAX_SLOTS` slots), the exact bound of `pacing bound`
  (`lab.bound`): the best occupancy any pacer could reach at that abandonment. It costs
  seconds to minutes, so the page computes it only when asked, and caches it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lab.bound import Centre, around_goal, best_at_goal
from pacing import TUNING_DEFAULTS
from pacing.estimates import saved_abandon_rate
from pacing.queueing import ErlangA, sustainable_arrival_rate

EXACT_MAX_SLOTS = 3


@dataclass(frozen=True, slots=True)
class TargetFigures:
    """A target's size and traffic as the preview reads them (from its latest state)."""

    target_id: str
    slots: int
    handle_s: float
    patience_s: float
    acceptance: float
    accept_delay_s: float = 8.0
    cycle_s: float = 2.0

    def __post_init__(self) -> None:
        if self.slots < 1 or not self.handle_s > 0 or not self.patience_s > 0:
            raise ValueError(
                f"a preview needs slots, a handle time and a patience (target "
                f"{self.target_id!r}: {self.slots} slots, {self.handle_s} s, {self.patience_s} s)"
            )


@dataclass(frozen=True, slots=True)
class GoalPrediction:
    """The model's figures at one goal."""

    goal_pct: float
    occupancy_pct: float
    abandon_pct: float
    accepts_per_min: float
    invitations_per_min: float | None


def predict_at_goal(figures: TargetFigures, goal_pct: float) -> GoalPrediction:
    """Erlang A at the largest accepted rate whose abandonment is at `goal_pct`."""
    if not 0 < goal_pct < 100:
        return GoalPrediction(goal_pct, math.nan, math.nan, math.nan, None)
    service, patience = 1.0 / figures.handle_s, 1.0 / figures.patience_s
    rate = sustainable_arrival_rate(figures.slots, service, patience, goal_pct / 100.0)
    lost = ErlangA(figures.slots, rate, service, patience).abandon_probability if rate else 0.0
    served_per_s = rate * (1.0 - lost)
    return GoalPrediction(
        goal_pct=goal_pct,
        occupancy_pct=100.0 * min(1.0, served_per_s * figures.handle_s / figures.slots),
        abandon_pct=100.0 * lost,
        accepts_per_min=60.0 * rate,
        invitations_per_min=60.0 * rate / figures.acceptance if figures.acceptance else None,
    )


def preview_goal_change(
    figures: TargetFigures, old_goal_pct: float, new_goal_pct: float
) -> tuple[GoalPrediction, GoalPrediction]:
    """The model's figures at the old and at the new goal."""
    return predict_at_goal(figures, old_goal_pct), predict_at_goal(figures, new_goal_pct)


def exact_bound_applies(figures: TargetFigures) -> bool:
    return figures.slots <= EXACT_MAX_SLOTS


def exact_occupancy_pct(figures: TargetFigures, goal_pct: float) -> float | None:
    """`pacing bound`'s best occupancy at `goal_pct` (slow: call it when asked, and cache)."""
    centre = Centre(
        slots=figures.slots,
        handle_s=figures.handle_s,
        patience_s=figures.patience_s,
        acceptance=max(min(figures.acceptance, 1.0), 1e-3),
        answer_delay_s=figures.accept_delay_s,
        cycle_s=figures.cycle_s,
    )
    best = best_at_goal(around_goal(centre, goal_pct / 100.0), goal_pct / 100.0)
    return None if best is None else 100.0 * best


def figures_from_state(
    record: Mapping[str, Any], saved: Mapping[str, Any] | None, cycle_s: float
) -> TargetFigures | None:
    """A target's figures from its latest state row and saved pacer state; None if unknown."""
    slots, handle_s = record.get("logged_in_slots"), record.get("avg_handle_time_s")
    if _missing(slots) or _missing(handle_s) or not slots or not handle_s:
        return None
    theta = saved_abandon_rate(saved, TUNING_DEFAULTS) if saved else 0.0
    patience_s = 1.0 / theta if theta > 0 else TUNING_DEFAULTS["patience_prior_s"]
    acceptance = record.get("acceptance_rate")
    return TargetFigures(
        target_id=str(record["target_id"]),
        slots=int(slots),
        handle_s=float(handle_s),
        patience_s=patience_s,
        acceptance=TUNING_DEFAULTS["acceptance_prior"]
        if _missing(acceptance) or not acceptance
        else float(acceptance),
        cycle_s=cycle_s,
    )


def _missing(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)
