"""What every time chart of the dashboard shares: local times and one layout (pure)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def local_times(frame: pd.DataFrame, time_zone: str) -> pd.Series:
    """The frame's `at` column (epoch seconds) as times in the operator's time zone."""
    return pd.to_datetime(frame["at"], unit="s", utc=True).dt.tz_convert(time_zone)


def node_label(node: object, nodes: int, text: str) -> str:
    """A trace name: the node is named only when several nodes share the chart."""
    return text if nodes <= 1 else f"{node} · {text}"


def time_chart_layout(figure: go.Figure, title: str, unit: str) -> go.Figure:
    """The dashboard's time-chart layout: fixed height, unified hover, legend below."""
    figure.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title=title,
        yaxis_title=unit,
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.24, "title": {"text": ""}},
    )
    return figure
