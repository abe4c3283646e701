"""Pure chart and table builders."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.charts import (
    abandonment_light,
    build_allowed_figure,
    build_target_table,
    light_style,
)


@pytest.mark.parametrize(
    ("ratio", "goal_pct", "light"),
    [
        (None, 3.0, "no data"),
        (math.nan, 3.0, "no data"),
        (0.0, 3.0, "under goal"),
        (0.0239, 3.0, "under goal"),
        (0.0241, 3.0, "near goal"),
        (0.03, 3.0, "near goal"),
        (0.0301, 3.0, "above goal"),
    ],
)
def test_traffic_light_compares_abandonment_with_the_goal(
    ratio: float | None, goal_pct: float, light: str
) -> None:
    assert abandonment_light(ratio, goal_pct) == light


def state_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target_id": ["A - chat", "B - voice"],
            "media": ["chat", "voice"],
            "logged_in_slots": [10, 0],
            "ready_slots": [4, 0],
            "busy_slots": [6, 0],
            "in_queue": [1, 0],
            "pending_invitations": [2, None],
            "allowed_invitations": [3, 0],
            "abandon_ratio": [0.05, None],
            "goal_pct": [3.0, 5.0],
            "reason": ["progressive", "no-agents"],
            "error": [None, "no statistics for this target"],
        }
    )


def test_target_table_shows_percent_and_a_light_per_target() -> None:
    table = build_target_table(state_frame())
    assert list(table["target"]) == ["A - chat", "B - voice"]
    assert list(table["vs goal"]) == ["above goal", "no data"]
    assert "#d62728" in light_style("above goal") and light_style("other") == ""
    assert table["abandoned %"].iloc[0] == pytest.approx(5.0)
    assert math.isnan(table["abandoned %"].iloc[1])
    assert list(table["error"]) == ["", "no statistics for this target"]


def test_an_empty_state_gives_an_empty_table() -> None:
    assert build_target_table(pd.DataFrame()).empty


def test_allowed_figure_has_one_step_line_per_target_in_the_operator_time_zone() -> None:
    history = pd.DataFrame(
        {
            "target_id": ["A - chat", "A - chat", "B - voice"],
            "at": [0.0, 5.0, 0.0],
            "allowed_invitations": [3, 4, 1],
        }
    )
    figure = build_allowed_figure(history, "Europe/Paris")
    assert [trace.name for trace in figure.data] == ["A - chat", "B - voice"]
    assert list(figure.data[0].y) == [3, 4]
    assert pd.Timestamp(figure.data[0].x[0]).hour == 1  # 00:00 UTC is 01:00 in Paris
