"""The snapshots as numpy columns, and small statistics over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from domain.bounds import (
    CONTINUED_TOTAL_MAX,
    DISPOSITION_S_MAX,
    HANDLE_TIME_S_MAX,
    IN_QUEUE_MAX,
    PENDING_INVITATIONS_MAX,
    SLOTS_MAX,
)
from domain.decisions import TargetSnapshot
from pacing.state import BoolArray, FloatArray

WILSON_Z = 1.96


@dataclass(frozen=True, slots=True)
class Inputs:
    """The snapshots as columns (NaN for None)."""

    goal: FloatArray  # ratio 0-1
    logged_in: FloatArray
    ready: FloatArray
    busy: FloatArray
    in_queue: FloatArray
    accepted: FloatArray
    abandoned: FloatArray
    pending: FloatArray
    acceptance: FloatArray
    accept_delay_s: FloatArray
    handle_time_s: FloatArray
    reactive: FloatArray
    open: BoolArray
    age_s: FloatArray
    # the operator's goal when the budget guard lowered `goal` (the pacer's own safety guards
    # keep comparing with it); None: `goal` is the operator's
    operator_goal: FloatArray | None = None

    @property
    def safety_goal(self) -> FloatArray:
        """The goal the emergency brake and the compliance guard compare with."""
        return self.goal if self.operator_goal is None else self.operator_goal


def _column(snapshots: Sequence[TargetSnapshot], name: str) -> FloatArray:
    # attrgetter runs in C, and numpy turns None into NaN for a float array
    return np.fromiter(map(attrgetter(name), snapshots), dtype=np.float64, count=len(snapshots))


def _bounded(snapshots: Sequence[TargetSnapshot], name: str, high: float) -> FloatArray:
    """A column clipped to [0, high] (NaN stays NaN): the pacer is safe on its own.

    Sources check their figures (`domain.bounds`), but the pacer never allocates, loops or
    casts to an integer in proportion to a figure it has not bounded itself.
    """
    clipped: FloatArray = np.clip(_column(snapshots, name), 0.0, high)
    return clipped


def read_snapshots(snapshots: Sequence[TargetSnapshot]) -> Inputs:
    return Inputs(
        goal=_column(snapshots, "goal_pct") / 100.0,
        logged_in=_bounded(snapshots, "logged_in_slots", SLOTS_MAX),
        ready=_bounded(snapshots, "ready_slots", SLOTS_MAX),
        busy=_bounded(snapshots, "busy_slots", SLOTS_MAX),
        in_queue=_bounded(snapshots, "in_queue", IN_QUEUE_MAX),
        accepted=_bounded(snapshots, "accepted_total", CONTINUED_TOTAL_MAX),
        abandoned=_bounded(snapshots, "abandoned_total", CONTINUED_TOTAL_MAX),
        pending=_bounded(snapshots, "pending_invitations", PENDING_INVITATIONS_MAX),
        acceptance=_column(snapshots, "acceptance_rate"),
        accept_delay_s=_bounded(snapshots, "accept_delay_s", DISPOSITION_S_MAX),
        handle_time_s=_bounded(snapshots, "avg_handle_time_s", HANDLE_TIME_S_MAX),
        reactive=_bounded(snapshots, "reactive_arrivals_total", CONTINUED_TOTAL_MAX),
        open=_column(snapshots, "business_hours_open") > 0,
        age_s=_column(snapshots, "statistics_age_s"),
    )


def budget_goals(snapshots: Sequence[TargetSnapshot]) -> FloatArray:
    """The budget guard's goals as ratios (NaN: the target is not guarded)."""
    goals: FloatArray = _column(snapshots, "budget_goal_pct") / 100.0
    return goals


def wilson_bound(successes: FloatArray, trials: FloatArray, z: float = WILSON_Z) -> FloatArray:
    """Wilson score bound of a proportion: upper for z > 0, lower for z < 0.

    Without trials: 1 for the upper bound, 0 for the lower one.
    """
    safe = np.maximum(trials, 1e-12)
    share = successes / safe
    z2 = z * z
    centre = share + z2 / (2 * safe)
    spread = z * np.sqrt(np.maximum(share * (1 - share) / safe + z2 / (4 * safe * safe), 0.0))
    bound = np.clip((centre + spread) / (1 + z2 / safe), 0.0, 1.0)
    result: FloatArray = np.where(trials > 0, bound, 1.0 if z > 0 else 0.0)
    return result


def estimated_waits(inputs: Inputs) -> FloatArray:
    """Expected wait of a newly accepted interaction; NaN where no estimate is possible."""
    ahead = inputs.in_queue - inputs.ready + 1.0
    known = ~np.isnan(inputs.handle_time_s) & (inputs.logged_in > 0)
    queued = np.where(
        known, ahead * inputs.handle_time_s / np.maximum(inputs.logged_in, 1.0), np.nan
    )
    waits: FloatArray = np.where(inputs.ready > inputs.in_queue, 0.0, queued)
    return waits
