"""The sustainable proactive rate: Erlang A with the pacer's own patience estimate."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard.sustainable import sustainable_rates
from pacing import TUNING_DEFAULTS, Pacer
from pacing.estimates import saved_abandon_rate
from pacing.queueing import ErlangA, sustainable_arrival_rate
from storage.db import connect
from storage.pacer_state import read_saved_target_states, save_pacer_state
from tests.pacing.test_pacing import BASE


def state_row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "target_id": "Proactive Chat - chat",
        "logged_in_slots": 10,
        "avg_handle_time_s": 300.0,
        "goal_pct": 3.0,
        "acceptance_rate": 0.25,
    }
    row.update(overrides)
    return row


SAVED = {"Proactive Chat - chat": {"patience_abandons": 12.0, "patience_wait_s": 600.0}}


def test_the_rate_keeps_erlang_a_abandonment_at_the_goal() -> None:
    rates = sustainable_rates(pd.DataFrame([state_row()]), SAVED)
    [row] = rates.to_dict("records")
    theta = saved_abandon_rate(SAVED["Proactive Chat - chat"], TUNING_DEFAULTS)
    assert row["patience s"] == pytest.approx(1.0 / theta)
    per_s = row["sustainable accepts / min"] / 60.0
    assert per_s == pytest.approx(sustainable_arrival_rate(10, 1 / 300.0, theta, 0.03))
    assert ErlangA(10, per_s, 1 / 300.0, theta).abandon_probability == pytest.approx(0.03, rel=1e-3)
    assert row["sustainable invitations / min"] == pytest.approx(
        row["sustainable accepts / min"] / 0.25
    )


def test_targets_without_a_handle_time_or_a_patience_estimate_are_left_out() -> None:
    frame = pd.DataFrame([state_row(avg_handle_time_s=math.nan), state_row(target_id="other")])
    assert sustainable_rates(frame, SAVED).empty


def test_more_slots_sustain_a_higher_rate() -> None:
    small = sustainable_rates(pd.DataFrame([state_row(logged_in_slots=3)]), SAVED)
    large = sustainable_rates(pd.DataFrame([state_row(logged_in_slots=30)]), SAVED)
    assert (
        large["sustainable accepts / min"].iloc[0] > 10 * small["sustainable accepts / min"].iloc[0]
    )


def test_the_saved_state_of_the_newest_node_wins(tmp_path: Path) -> None:
    db = connect(tmp_path / "pacing.db")
    pacer = Pacer()
    pacer.decide([BASE], now=0.0)
    state = pacer.state()
    save_pacer_state(db, "old", "predictive", {BASE.target_id: {"patience_wait_s": 1.0}}, 1.0)
    save_pacer_state(db, "new", "predictive", state, 2.0)
    assert read_saved_target_states(db)[BASE.target_id] == state[BASE.target_id]
