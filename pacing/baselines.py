"""The rules users would otherwise run, kept for comparison in the pacing lab.

* `progressive`: free capacity (ready slots) net of the queue and of the accepts expected from
  pending invitations, divided by the acceptance rate; halved while the recent abandonment
  ratio is above the goal.
* `adaptive`: a dial-level controller in the style of open-source predictive dialers (the
  VICIdial "ADAPT" modes): invitations = level × (ready − waiting) − pending, where the level
  is multiplied by (1 + gain · (ready − waiting) / slots) each cycle and cut back while the
  drop (abandonment) rate over the long window is above the goal.

Both take arrays (one entry per target) and return (invitations, reasons).
"""

from __future__ import annotations

import numpy as np

from domain.bounds import INVITATIONS_PER_CYCLE_MAX
from pacing.state import FloatArray, IntArray

PROGRESSIVE_MAX_INVITATIONS_PER_SLOT = 4
PROGRESSIVE_BRAKE_FACTOR = 0.5


def decide_progressive(
    *,
    ready: FloatArray,
    in_queue: FloatArray,
    logged_in: FloatArray,
    pending: FloatArray,  # NaN = unknown
    accept: FloatArray,
    abandon_ratio: FloatArray,  # NaN = no traffic yet
    goal: FloatArray,
) -> tuple[IntArray, list[str]]:
    """Free slots over the acceptance rate; nothing when the pending count is unknown."""
    unknown = np.isnan(pending)
    headroom = ready - in_queue - np.where(unknown, 0.0, pending) * accept
    allowed = np.floor(np.maximum(headroom, 0.0) / accept)
    allowed = np.minimum(allowed, PROGRESSIVE_MAX_INVITATIONS_PER_SLOT * logged_in)
    braking = ~np.isnan(abandon_ratio) & (abandon_ratio > goal)
    allowed = np.where(braking, np.floor(allowed * PROGRESSIVE_BRAKE_FACTOR), allowed)
    reasons = np.where(
        unknown,
        "pending-unknown",
        np.where(headroom <= 0, "no-free-slots", np.where(braking, "brake", "progressive")),
    )
    allowed = np.where(unknown | (headroom <= 0), 0.0, allowed)
    return np.minimum(allowed, INVITATIONS_PER_CYCLE_MAX).astype(np.int64), reasons.tolist()


def decide_adaptive(
    *,
    ready: FloatArray,
    in_queue: FloatArray,
    logged_in: FloatArray,
    pending: FloatArray,  # an estimate when unknown
    level: FloatArray,  # NaN = first cycle
    drop_ratio: FloatArray,  # NaN = no traffic yet
    goal: FloatArray,
    gain: float,
    max_level: float,
) -> tuple[IntArray, FloatArray, list[str]]:
    """(invitations, new dial level, reasons)."""
    level = np.where(np.isnan(level), 1.0, level)
    difference = ready - in_queue
    dropping = ~np.isnan(drop_ratio) & (drop_ratio > goal)
    raised = level * (1.0 + gain * difference / np.maximum(logged_in, 1.0))
    level = np.where(dropping, level * (1.0 - gain), raised)
    level = np.clip(level, 1.0, max_level)
    allowed = np.floor(level * np.maximum(difference, 0.0) - pending)
    allowed = np.clip(allowed, 0.0, INVITATIONS_PER_CYCLE_MAX).astype(np.int64)
    reasons = np.where(dropping, "brake", "adaptive").tolist()
    return allowed, level, reasons
