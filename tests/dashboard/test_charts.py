"""Pure chart and table builders."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.charts import (
    abandonment_light,
    build_allowed_figure,
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
