"""Targets page maths and figures: Wilson band, trailing abandonment, occupancy."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.target_charts import (
    add_derived,
    build_abandonment_figure,
    build_metric_figure,
    wilson_interval,
)


@given(st.integers(min_value=1, max_value=100_000), st.data())
def test_the_wilson_band_holds_the_observed_ratio_inside_zero_and_one(
    handled: int, data: st.DataObject
) -> None:
    abandoned = data.draw(st.integers(min_value=0, max_value=handled))
    low, high = wilson_interval(abandoned, handled)
    assert 0.0 <= low <= abandoned / handled <= high <= 1.0


def test_the_wilson_band_matches_a_textbook_value_and_narrows_with_more_data() -> None:
    low, high = wilson_interval(3, 100)
    assert (low, high) == (pytest.approx(0.01025, abs=1e-4), pytest.approx(0.08457, abs=1e-4))
    assert wilson_interval(30, 1000)[1] - wilson_interval(30, 1000)[0] < high - low
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target_id": ["A"] * 4,
            "at": [0.0, 60.0, 120.0, 180.0],
            "allowed": [1.0, 2.0, 3.0, 4.0],
            "busy": [5.0, 5.0, 5.0, 0.0],
            "logged_in": [10.0, 10.0, 10.0, 0.0],
            "accepted_total": [100.0, 110.0, 120.0, 5.0],  # the source restarted at 180 s
            "abandoned_total": [10.0, 10.0, 20.0, 1.0],
            "goal_pct": [3.0] * 4,
        }
    )


def test_abandonment_is_counted_over_the_trailing_window_from_total_increments() -> None:
    derived = add_derived(series(), window_s=900.0)
    # increments: accepted 0,10,10,0 (restart → 0); abandoned 0,0,10,0
    assert math.isnan(derived["abandon_pct"].iloc[0])
    assert derived["abandon_pct"].iloc[1] == pytest.approx(0.0)
    assert derived["abandon_pct"].iloc[2] == pytest.approx(10 / 30 * 100)
    assert derived["abandon_low_pct"].iloc[2] < derived["abandon_pct"].iloc[2]
    assert derived["abandon_high_pct"].iloc[2] > derived["abandon_pct"].iloc[2]


def test_occupancy_is_busy_over_logged_in_and_unknown_without_agents() -> None:
    derived = add_derived(series())
    assert derived["occupancy_pct"].iloc[0] == pytest.approx(50.0)
    assert math.isnan(derived["occupancy_pct"].iloc[3])


def test_figures_draw_a_goal_line_and_band_per_target_in_the_operator_zone() -> None:
    derived = add_derived(series())
    figure = build_abandonment_figure(derived, "Europe/Paris")
    assert [trace.name for trace in figure.data] == ["A · 95 % band", "A", "A · goal"]
    assert list(figure.data[2].y) == [3.0] * 4
    line = build_metric_figure(derived, "allowed", "Allowed", "invitations", "Europe/Paris")
    assert "invitations" in line.data[0].hovertemplate
    assert pd.Timestamp(line.data[0].x[0]).hour == 1


def test_an_empty_series_gains_the_derived_columns() -> None:
    empty = add_derived(series().iloc[0:0])
    assert {"abandon_pct", "occupancy_pct"} <= set(empty.columns)
