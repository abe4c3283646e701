"""The snapshots as numpy columns, and small statistics over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

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


def _column(snapshots: Sequence[TargetSnapshot], name: str) -> FloatArray:
    # attrgetter runs in C, and numpy turns None into NaN for a float array
    return np.fromiter(map(attrgetter(name), snapshots), dtype=np.float64, count=len(snapshots))


def read_snapshots(snapshots: Sequence[TargetSnapshot]) -> Inputs:
    return Inputs(
        goal=_column(snapshots, "goal_pct") / 100.0,
        logged_in=_column(snapshots, "logged_in_slots"),
        ready=_column(snapshots, "ready_slots"),
        busy=_column(snapshots, "busy_slots"),
        in_queue=_column(snapshots, "in_queue"),
        accepted=_column(snapshots, "accepted_total"),
        abandoned=_column(snapshots, "abandoned_total"),
        pending=_column(snapshots, "pending_invitations"),
        acceptance=_column(snapshots, "acceptance_rate"),
        accept_delay_s=_column(snapshots, "accept_delay_s"),
        handle_time_s=_column(snapshots, "avg_handle_time_s"),
        reactive=_column(snapshots, "reactive_arrivals_total"),
        open=_column(snapshots, "business_hours_open") > 0,
        age_s=_column(snapshots, "statistics_age_s"),
    )


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
