"""The pacer's online estimates: patience is measured, and a prior only starts it."""

from __future__ import annotations

import numpy as np

from engine.pacing import TUNING_DEFAULTS, TargetSnapshot
from engine.pacing.estimates import Estimates
from engine.pacing.inputs import read_snapshots

WAITING = TargetSnapshot(
    target_id="Proactive Chat - chat",
    media="chat",
    goal_pct=3.0,
    logged_in_slots=10,
    ready_slots=0,
    busy_slots=10,
    in_queue=1,
    accepted_total=0,
    abandoned_total=0,
    pending_invitations=0,
    acceptance_rate=0.25,
    accept_delay_s=8.0,
    avg_handle_time_s=300.0,
)


def patience_after(hours: float, **tuning: float) -> float:
    """Estimated patience after `hours` of one customer always waiting, one abandon a minute."""
    estimates = Estimates({**TUNING_DEFAULTS, **tuning})
    rows = estimates.table.rows_for([WAITING.target_id])
    for cycle in range(int(hours * 1800) + 1):
        now = 2.0 * cycle
        snapshot = TargetSnapshot(**{**_fields(WAITING), "abandoned_total": int(now // 60)})
        estimates.observe(rows, read_snapshots([snapshot]), now)
    return float(1.0 / estimates.theta(rows)[0])


def _fields(snapshot: TargetSnapshot) -> dict[str, object]:
    return {name: getattr(snapshot, name) for name in TargetSnapshot.__slots__}


def test_a_new_target_starts_from_the_prior_patience() -> None:
    assert np.isclose(patience_after(0.0, patience_prior_s=120.0), 120.0)


def test_measured_patience_replaces_even_a_strong_prior_within_a_few_windows() -> None:
    # 200 abandons' worth of a 120 s prior against customers who wait 60 s: the prior's
    # pseudo-observations age like real ones, so after 3 h (6 windows) the data rules
    patience_s = patience_after(3.0, patience_prior_s=120.0, patience_prior_weight=200.0)
    assert 55.0 < patience_s < 66.0


def test_a_weak_prior_gives_way_within_one_window() -> None:
    patience_s = patience_after(0.5, patience_prior_s=120.0)
    assert 55.0 < patience_s < 70.0
