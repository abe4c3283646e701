"""Targets page maths and figures: Wilson band, trailing abandonment, occupancy."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.annotations import AlarmMarker
from dashboard.target_charts import PANELS, add_derived, build_targets_figure, wilson_interval


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
            "pending": [0.0, 1.0, 0.0, 1.0],
            "ready": [5.0, 5.0, 5.0, 0.0],
            "in_queue": [2.0, 0.0, 1.0, 0.0],
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


def test_one_figure_draws_the_six_panels_with_the_goal_and_band_in_the_operator_zone() -> None:
    figure = build_targets_figure(add_derived(series()), "Europe/Paris")
    panels = {trace.yaxis for trace in figure.data}
    assert panels == {"y", *(f"y{panel}" for panel in range(2, len(PANELS) + 1))}
    abandonment = [trace for trace in figure.data if trace.yaxis == "y5"]
    assert [trace.name for trace in abandonment] == ["A · 95 % band", "A", "A · goal"]
    assert list(abandonment[2].y) == [3.0] * 4
    allowed = next(trace for trace in figure.data if trace.yaxis == "y")
    assert "invitations" in allowed.hovertemplate
    assert list(allowed.y) == [1.0, 2.0, 3.0, 4.0]
    assert pd.Timestamp(allowed.x[0]) == pd.Timestamp("1970-01-01 01:00:00"), "Paris wall time"
    assert [annotation.text for annotation in figure.layout.annotations] == [
        title for title, _ in PANELS
    ]
    assert figure.layout.yaxis5.title.text == "%"


def test_each_target_has_one_legend_entry_that_every_panel_obeys() -> None:
    two = pd.concat([series(), series().assign(target_id="B")], ignore_index=True)
    figure = build_targets_figure(add_derived(two), "UTC")
    assert [trace.name for trace in figure.data if trace.showlegend] == ["A", "B"]
    assert {trace.legendgroup for trace in figure.data} == {"A", "B"}
    assert len(figure.data) == 2 * 9, "per target: 4 lines, 2 slot lines, band, share, goal"


def test_alarm_markers_are_drawn_on_every_panel_and_named_once_in_the_legend() -> None:
    marker = AlarmMarker(120.0, "raise", "StatisticsStale", "A", "Major", "stale (A)")
    figure = build_targets_figure(add_derived(series()), "UTC", [marker])
    points = [trace for trace in figure.data if trace.name == "alarm raised"]
    assert len(points) == len(PANELS)
    assert [trace.showlegend for trace in points].count(True) == 1
    assert {trace.xaxis for trace in points} == {"x", *(f"x{p}" for p in range(2, 7))}
    assert figure.layout.yaxis14.overlaying == "y6"


def test_an_empty_series_gains_the_derived_columns() -> None:
    empty = add_derived(series().iloc[0:0])
    assert {"abandon_pct", "occupancy_pct"} <= set(empty.columns)
