"""The pacer's online estimates: patience is measured, and a prior only starts it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pacing import TUNING_DEFAULTS, Pacer
from pacing.estimates import Estimates
from pacing.inputs import read_snapshots
from tests.builders import make_snapshot

WAITING = make_snapshot(
    ready_slots=0, busy_slots=10, in_queue=1, accepted_total=0, abandoned_total=0
)


def patience_after(hours: float, **tuning: float) -> float:
    """Estimated patience after `hours` of one customer always waiting, one abandon a minute."""
    estimates = Estimates({**TUNING_DEFAULTS, **tuning})
    rows = estimates.table.rows_for([WAITING.target_id])
    for cycle in range(int(hours * 1800) + 1):
        now = 2.0 * cycle
        snapshot = replace(WAITING, abandoned_total=int(now // 60))
        estimates.observe(rows, read_snapshots([snapshot]), now)
    return float(1.0 / estimates.theta(rows)[0])


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


# -- cold start: figures over a handful of events must not steer the pacer ------------------

COLD = make_snapshot(
    logged_in_slots=30,
    ready_slots=30,
    busy_slots=0,
    accepted_total=0,
    abandoned_total=0,
    pending_invitations=None,
    acceptance_rate=None,
    accept_delay_s=None,
    avg_handle_time_s=None,
)


def test_an_aht_over_the_first_few_handles_does_not_make_busy_slots_look_free() -> None:
    """20 s into a cold start the statistics averaged the one handle that finished: 0.8 s.
    Taken at its word, every busy slot was about to be free and the pacer sent its cap
    (10 per slot); the estimate now leans on the prior until handles back the figure."""
    pacer = Pacer(interval_s=2.0)
    pacer.decide([replace(COLD, pending_invitations=0)], now=2.0)
    early = replace(
        COLD,
        ready_slots=12,
        busy_slots=18,
        accepted_total=19,
        pending_invitations=87,
        acceptance_rate=0.27,
        accept_delay_s=7.0,
        avg_handle_time_s=0.8,
    )
    allowed = pacer.decide([early], now=20.0)[0].allowed_invitations
    assert allowed < 60  # the cap is 300
    assert 150.0 < pacer.state()[COLD.target_id]["handle_time"] < 180.0


def test_the_statistics_aht_takes_over_as_handles_finish_and_at_once_mid_day() -> None:
    pacer = Pacer(interval_s=2.0)
    busy = replace(COLD, ready_slots=0, busy_slots=30, pending_invitations=0)
    busy = replace(busy, avg_handle_time_s=300.0)
    pacer.decide([busy], now=0.0)
    for cycle in range(1, 201):  # one handle finishes and one starts every cycle
        pacer.decide([replace(busy, accepted_total=cycle)], now=2.0 * cycle)
    assert pacer.state()[COLD.target_id]["handle_time"] == pytest.approx(
        (20 * 180 + 200 * 300) / 220
    )
    mid_day = Pacer(interval_s=2.0)  # a node started with 5,000 handles behind the figure
    mid_day.decide([replace(busy, accepted_total=5030)], now=0.0)
    assert mid_day.state()[COLD.target_id]["handle_time"] == pytest.approx(
        (20 * 180 + 1000 * 300) / 1020
    )


def test_an_early_rate_over_a_few_answers_does_not_sink_the_acceptance() -> None:
    """95 allowed but only 19 sent (visitors were fewer) and 2 answered, both no: the
    platform's 0 % rested on 2 answers, not on the 76 that allowed − pending suggested."""
    pacer = Pacer(interval_s=2.0)
    pacer.decide([replace(COLD, pending_invitations=0)], now=2.0)
    pacer.decide([replace(COLD, pending_invitations=0)], now=4.0)
    early = replace(COLD, pending_invitations=19, acceptance_rate=0.0, accept_delay_s=8.0)
    pacer.decide([early], now=6.0)
    assert pacer.state()[COLD.target_id]["acceptance"] > 0.25  # the prior is 0.35
