"""The goal preview: the model's trade-off at the old and the new goal, and its component."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.goal_preview import (
    TargetFigures,
    exact_bound_applies,
    figures_from_state,
    preview_goal_change,
)

TEN = TargetFigures("Proactive Chat - chat", slots=10, handle_s=300, patience_s=60, acceptance=0.25)


def test_a_lower_goal_predicts_less_occupancy_and_less_abandonment() -> None:
    old, new = preview_goal_change(TEN, 3.0, 1.0)
    assert (old.abandon_pct, new.abandon_pct) == pytest.approx((3.0, 1.0), abs=1e-6)
    assert new.occupancy_pct < old.occupancy_pct <= 100
    assert old.invitations_per_min == pytest.approx(old.accepts_per_min / 0.25)


def test_a_goal_outside_0_to_100_predicts_nothing() -> None:
    _, new = preview_goal_change(TEN, 3.0, 0.0)
    assert math.isnan(new.occupancy_pct)


def test_the_exact_bound_is_offered_on_small_groups_only() -> None:
    assert not exact_bound_applies(TEN)
    small = TargetFigures("t", slots=3, handle_s=300, patience_s=60, acceptance=0.25)
    assert exact_bound_applies(small)


def test_figures_come_from_the_latest_state_and_the_saved_patience() -> None:
    record = {
        "target_id": "t",
        "logged_in_slots": 4,
        "avg_handle_time_s": 240.0,
        "acceptance_rate": math.nan,
    }
    figures = figures_from_state(record, None, 2.0)
    assert figures is not None
    assert (figures.slots, figures.handle_s, figures.acceptance) == (4, 240.0, 0.35)
    assert figures_from_state({**record, "logged_in_slots": 0}, None, 2.0) is None


def _page() -> None:
    from dashboard.goal_preview import TargetFigures
    from dashboard.ui.goal_preview import render_goal_preview

    figures = TargetFigures("t", slots=10, handle_s=300, patience_s=60, acceptance=0.25)
    render_goal_preview(figures, 3.0, 1.5)


def test_the_component_shows_both_goals_side_by_side() -> None:
    app = AppTest.from_function(_page, default_timeout=60).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.columns) == ["", "now", "after the change"]
    assert table.iloc[0].tolist() == ["goal %", "3", "1.5"]
    assert table.iloc[2, 1] == "3.0 %" and table.iloc[2, 2] == "1.5 %"
