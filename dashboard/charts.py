"""Pure chart and table builders: DataFrame in, Figure or DataFrame out. No Streamlit, no SQL."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

# Traffic light on abandonment against goal: amber from this share of the goal upwards.
AMBER_FROM_GOAL_SHARE = 0.8


LIGHT_COLOURS = {
    "above goal": "#d62728",
    "near goal": "#e6a100",
    "under goal": "#2ca02c",
    "no data": "#8c8c8c",
}


def abandonment_light(abandon_ratio: float | None, goal_pct: float) -> str:
    """Traffic light as words (no emoji font needed): under 80 % of the goal, up to it, above."""
    if abandon_ratio is None or math.isnan(abandon_ratio):
        return "no data"
    abandon_pct = abandon_ratio * 100.0
    if abandon_pct > goal_pct:
        return "above goal"
    if abandon_pct >= AMBER_FROM_GOAL_SHARE * goal_pct:
        return "near goal"
    return "under goal"


def light_style(label: object) -> str:
    """CSS for one traffic-light cell (used with a pandas Styler)."""
    colour = LIGHT_COLOURS.get(str(label))
    return f"color: {colour}; font-weight: 600" if colour else ""


def build_allowed_figure(history: pd.DataFrame, time_zone: str) -> go.Figure:
    """Allowed invitations per target over time (a step line per target)."""
    figure = go.Figure()
    for target_id, rows in history.groupby("target_id", sort=True):
        times = pd.to_datetime(rows["at"], unit="s", utc=True).dt.tz_convert(time_zone)
        figure.add_trace(
            go.Scatter(
                x=times,
                y=rows["allowed_invitations"],
                name=str(target_id),
                mode="lines",
                line_shape="hv",
                hovertemplate=(
                    "%{y} invitations allowed<br>%{x|%H:%M:%S}<extra>%{fullData.name}</extra>"
                ),
            )
        )
    figure.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title="Allowed invitations per cycle",
        yaxis_title="invitations",
        legend={"orientation": "h", "title": {"text": ""}},
    )
    return figure
