"""What every time chart of the dashboard shares: local times, per-node lines, one layout (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go


def local_times(frame: pd.DataFrame, time_zone: str) -> pd.Series:
    """The frame's `at` column (epoch seconds) as times in the operator's time zone."""
    return pd.to_datetime(frame["at"], unit="s", utc=True).dt.tz_convert(time_zone)


def node_label(node: object, nodes: int, text: str) -> str:
    """A trace name: the node is named only when several nodes share the chart."""
    return text if nodes <= 1 else f"{node} · {text}"


def add_node_lines(
    figure: go.Figure,
    frame: pd.DataFrame,
    time_zone: str,
    values: Callable[[pd.DataFrame], pd.Series],
    text: str,
    **scatter: Any,
) -> None:
    """One line per node of the frame's `values(rows)`, named by node when there are several."""
    nodes = frame["node_id"].nunique() if not frame.empty else 0
    for node, rows in frame.groupby("node_id", sort=True):
        figure.add_trace(
            go.Scatter(
                x=local_times(rows, time_zone),
                y=values(rows),
                name=node_label(node, nodes, text),
                mode="lines",
                **scatter,
            )
        )


def column(name: str, scale: float = 1.0) -> Callable[[pd.DataFrame], pd.Series]:
    """The values of one numeric column (divided by `scale`), NULLs as NaN."""
    return lambda rows: pd.to_numeric(rows[name], errors="coerce") / scale


# A limit line this many times above the curve's peak would flatten the curve.
OFF_SCALE_FACTOR = 4.0


def add_limit_line(
    figure: go.Figure, frame: pd.DataFrame, value: float, label: str, time_zone: str, colour: str
) -> None:
    """A dashed horizontal line across the frame's time span, hoverable with its label."""
    if frame.empty:
        return
    times = local_times(frame, time_zone)
    figure.add_trace(
        go.Scatter(
            x=[times.min(), times.max()],
            y=[value, value],
            mode="lines",
            name=label,
            line={"color": colour, "dash": "dash", "width": 1.5},
            hovertemplate=f"{label}<extra></extra>",
        )
    )


def keep_curve_in_scale(
    figure: go.Figure, peak: float, line: float, label: str, colour: str
) -> None:
    """A limit far above the curve's peak: scale the axis to the curve and write the limit."""
    if peak > 0 and line > OFF_SCALE_FACTOR * peak:
        figure.update_yaxes(range=[0, peak * 1.3])
        figure.add_annotation(
            text=f"{label}: far above this scale",
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font={"color": colour, "size": 11},
        )


def time_chart_layout_dict(title: str, unit: str) -> dict[str, Any]:
    """The dashboard's time-chart layout as plain Plotly JSON (see `time_chart_layout`)."""
    return {
        "height": 300,
        "margin": {"l": 10, "r": 10, "t": 36, "b": 10},
        "title": {"text": title},
        "yaxis": {"title": {"text": unit}},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.24, "title": {"text": ""}},
    }


def time_chart_layout(figure: go.Figure, title: str, unit: str) -> go.Figure:
    """The dashboard's time-chart layout: fixed height, unified hover, legend below."""
    figure.update_layout(time_chart_layout_dict(title, unit))
    return figure
