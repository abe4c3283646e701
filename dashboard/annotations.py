"""Alarm raises and clears as vertical markers on time charts (pure: frames in, figures out).

The transitions frame is `storage.alarms_store.read_alarm_history`'s. A raise is an alarm
entering `active_unacknowledged` from `normal` or `cleared_unacknowledged` (a new occurrence);
a clear is an active alarm leaving for `normal` or `cleared_unacknowledged`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from domain.signals import Condition

RAISE_FROM = ("normal", "cleared_unacknowledged")
ACTIVE = ("active_unacknowledged", "active_acknowledged")
CLEARED_TO = ("normal", "cleared_unacknowledged")
# States a raise or clear ends in (to ask the store only for those).
MARKER_TO_STATES = ("active_unacknowledged", "normal", "cleared_unacknowledged")
MAX_MARKERS = 200  # the newest; a chart with more lines than pixels says nothing more
MARKER_COLOURS = {"raise": "#d62728", "clear": "#2ca02c"}
# Panel k's markers sit on the invisible 0..1 axis y(BASE + k) (y9 on a single chart).
MARKER_AXIS_BASE = 8
# Conditions whose markers the Health and Targets pages draw (Targets adds its targets' scopes).
HEALTH_CONDITIONS = (
    Condition.GC_LATENCY,
    Condition.GC_FREQUENCY,
    Condition.HEAP_MEMORY_USAGE,
    Condition.CYCLE_OVERRUN,
    Condition.NO_MASTER_NODE,
)
PACING_CONDITIONS = (
    Condition.PACING_REQUESTS_FAILED,
    Condition.PACING_RESPONSE_TARGET_ERROR,
    Condition.PACING_RESPONSE_VALIDATION_ERROR,
)


@dataclass(frozen=True, slots=True)
class AlarmMarker:
    """One raise or clear of one alarm instance."""

    at: float
    kind: str  # "raise" | "clear"
    condition: str
    scope: str
    severity: str
    text: str


def alarm_markers(
    transitions: pd.DataFrame,
    *,
    scopes: Collection[str] | None = None,
    conditions: Collection[str] | None = None,
    limit: int = MAX_MARKERS,
) -> list[AlarmMarker]:
    """Raises and clears whose scope is in `scopes` OR condition in `conditions` (None: all)."""
    if transitions.empty:
        return []
    rows = transitions
    raised = rows["to_state"].eq("active_unacknowledged") & rows["from_state"].isin(RAISE_FROM)
    cleared = rows["from_state"].isin(ACTIVE) & rows["to_state"].isin(CLEARED_TO)
    keep = raised | cleared
    rows = rows[keep].assign(kind=np.where(raised[keep], "raise", "clear"))
    if scopes is not None or conditions is not None:
        wanted = rows["scope"].isin(list(scopes or ())) | rows["condition"].isin(
            list(conditions or ())
        )
        rows = rows[wanted]
    rows = rows.sort_values("at").tail(limit)
    return [
        AlarmMarker(
            at=float(row.at),
            kind=str(row.kind),
            condition=str(row.condition),
            scope=str(row.scope),
            severity=str(row.severity),
            text=_marker_text(str(row.kind), str(row.condition), str(row.scope), row),
        )
        for row in rows.itertuples(index=False)
    ]


def _marker_text(kind: str, condition: str, scope: str, row: object) -> str:
    where = "" if scope == "global" else f" ({scope})"
    verb = "raised" if kind == "raise" else "cleared"
    severity = getattr(row, "severity", "")
    value = getattr(row, "value", None)
    shown = "" if value is None or pd.isna(value) else f", value {float(value):g}"
    return f"{condition}{where} {verb} · {severity}{shown}"


def add_alarm_markers(
    figure: go.Figure, markers: Sequence[AlarmMarker], time_zone: str
) -> go.Figure:
    """Draw each marker as a dotted vertical line, with a hoverable point at the top."""
    if not markers:
        return figure
    figure.add_traces(alarm_marker_traces(markers, time_zone))
    figure.update_layout(alarm_marker_axes())
    return figure


def _panel_axes(panel: int) -> tuple[str, str, str]:
    """(x axis, overlay y axis, y axis it overlays) of a panel, as traces name them."""
    suffix = "" if panel == 1 else str(panel)
    return f"x{suffix}", f"y{MARKER_AXIS_BASE + panel}", f"y{suffix}"


def alarm_marker_traces(
    markers: Sequence[AlarmMarker], time_zone: str, panels: int = 1
) -> list[dict[str, Any]]:
    """The markers as plain Plotly traces on each of `panels` subplots (panel 1: `x`, `y`).

    The legend names each kind once; its entry shows or hides the markers on every panel.
    """
    zone = ZoneInfo(time_zone)
    traces: list[dict[str, Any]] = []
    for kind in ("raise", "clear"):
        chosen = [m for m in markers if m.kind == kind]
        if not chosen:
            continue
        times = [datetime.fromtimestamp(m.at, tz=zone) for m in chosen]
        colour = MARKER_COLOURS[kind]
        name = "alarm raised" if kind == "raise" else "alarm cleared"
        # All of this kind's vertical lines as ONE trace (None breaks the line between them) on
        # the invisible 0..1 axis: hundreds of layout shapes would take seconds to build.
        line_x: list[datetime | None] = []
        line_y: list[float | None] = []
        for moment in times:
            line_x += [moment, moment, None]
            line_y += [0.0, 1.0, None]
        for panel in range(1, panels + 1):
            x_axis, y_axis, _ = _panel_axes(panel)
            traces.append(
                {
                    "type": "scatter",
                    "x": line_x,
                    "y": line_y,
                    "xaxis": x_axis,
                    "yaxis": y_axis,
                    "mode": "lines",
                    "line": {"color": colour, "width": 1, "dash": "dot"},
                    "opacity": 0.7,
                    "hoverinfo": "skip",
                    "legendgroup": name,
                    "showlegend": False,
                }
            )
            traces.append(
                {
                    "type": "scatter",
                    "x": times,
                    "y": [0.97] * len(times),
                    "xaxis": x_axis,
                    "yaxis": y_axis,
                    "mode": "markers",
                    "marker": {"color": colour, "symbol": "triangle-down", "size": 9},
                    "name": name,
                    "text": [m.text for m in chosen],
                    "hovertemplate": "%{text}<extra></extra>",
                    "legendgroup": name,
                    "showlegend": panel == 1,
                }
            )
    return traces


def alarm_marker_axes(panels: int = 1) -> dict[str, Any]:
    """The invisible 0..1 axes the markers of `alarm_marker_traces` sit on, one per panel."""
    layout = {}
    for panel in range(1, panels + 1):
        _, y_axis, overlaid = _panel_axes(panel)
        layout[f"yaxis{y_axis[1:]}"] = {
            "overlaying": overlaid,
            "range": [0, 1],
            "visible": False,
            "fixedrange": True,
        }
    return layout
