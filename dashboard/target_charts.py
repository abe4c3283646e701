"""Targets page maths and figures (pure): series frame in, series or Figure out.

The series frame is `storage.reads_targets.SERIES_COLUMNS`: one row per target per cycle or
per bucket, gauges averaged, running totals (accepted, abandoned) at their latest value.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.annotations import AlarmMarker, alarm_marker_axes, alarm_marker_traces
from dashboard.chart_style import local_times

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
# Abandonment is counted over a trailing window: per cycle, counts are mostly zero.
ABANDON_WINDOW_S = 900.0
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def wilson_interval(abandoned: float, handled: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of abandoned / handled; (nan, nan) when nothing was handled."""
    if not handled > 0:
        return math.nan, math.nan
    p = abandoned / handled
    denominator = 1.0 + z * z / handled
    centre = (p + z * z / (2.0 * handled)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / handled + z * z / (4.0 * handled * handled)) / denominator
    # Clamped to hold p itself: rounding can put a bound a hair past it at p = 0 or 1.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def add_derived(series: pd.DataFrame, window_s: float = ABANDON_WINDOW_S) -> pd.DataFrame:
    """Add occupancy and trailing-window abandonment with its 95 % Wilson band (percent).

    Running totals become increments per row (a total that went down, a restarted source,
    counts as zero), summed over the trailing `window_s` per target.
    """
    frames = []
    for _target, rows in series.sort_values("at").groupby("target_id", sort=True):
        rows = rows.copy()
        accepted = rows["accepted_total"].diff().clip(lower=0).fillna(0.0)
        abandoned = rows["abandoned_total"].diff().clip(lower=0).fillna(0.0)
        index = pd.to_datetime(rows["at"], unit="s")
        window = f"{int(window_s)}s"
        accepted_w = pd.Series(accepted.to_numpy(), index=index).rolling(window).sum()
        abandoned_w = pd.Series(abandoned.to_numpy(), index=index).rolling(window).sum()
        handled = (accepted_w + abandoned_w).to_numpy()
        lost = abandoned_w.to_numpy()
        bands = [wilson_interval(a, n) for a, n in zip(lost, handled, strict=True)]
        with np.errstate(divide="ignore", invalid="ignore"):
            rows["abandon_pct"] = np.where(handled > 0, lost / handled * 100.0, np.nan)
            logged_in = rows["logged_in"].to_numpy(dtype="float64")
            busy = rows["busy"].to_numpy(dtype="float64")
            rows["occupancy_pct"] = np.where(logged_in > 0, busy / logged_in * 100.0, np.nan)
        rows["abandon_low_pct"] = [low * 100.0 for low, _ in bands]
        rows["abandon_high_pct"] = [high * 100.0 for _, high in bands]
        rows["handled_window"] = handled
        frames.append(rows)
    if not frames:
        extra = ["abandon_pct", "abandon_low_pct", "abandon_high_pct", "occupancy_pct"]
        return series.assign(**{name: pd.Series(dtype="float64") for name in extra})
    return pd.concat(frames, ignore_index=True)


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


# The page's six panels, left to right and top to bottom: (title, y unit).
PANELS = (
    ("Allowed invitations per cycle", "invitations"),
    ("Pending invitations", "invitations"),
    ("Ready (solid) and busy (dotted) slots", "slots"),
    ("Waiting in queue", "interactions"),
    (
        f"Abandonment (trailing {ABANDON_WINDOW_S / 60:.0f} min), 95 % band, goal (dashed)",
        "%",
    ),
    ("Occupancy (busy ÷ logged-in slots)", "%"),
)
PANEL_HEIGHT_PX = 280


@dataclass(frozen=True, slots=True)
class _TargetRows:
    """One target's rows, its colour and its times as the browser gets them."""

    target_id: str
    colour: str
    times: np.ndarray  # local wall times as ISO strings to the second
    rows: pd.DataFrame

    def values(self, column: str) -> np.ndarray:
        """A column as float32: half the bytes of float64, far finer than any hover shows."""
        values: np.ndarray = self.rows[column].to_numpy(dtype="float32")
        return values


def _by_target(series: pd.DataFrame, time_zone: str) -> list[_TargetRows]:
    """Each target's rows, the times converted once for the whole frame.

    The times are naive local wall times written to the second (`2026-12-08T09:30:00`), what
    Plotly itself writes for a zoned series less the offset and the microseconds.
    """
    naive = local_times(series, time_zone).dt.tz_localize(None).to_numpy()
    text = np.datetime_as_string(naive, unit="s")
    return [
        _TargetRows(
            str(target_id), _colour(index), text[series.index.get_indexer(rows.index)], rows
        )
        for index, (target_id, rows) in enumerate(series.groupby("target_id", sort=True))
    ]


def _line(target: _TargetRows, column: str, hover: str, **style: Any) -> dict[str, Any]:
    """One target's line of `column`, in the target's legend group, not in the legend itself."""
    return {
        "type": "scatter",
        "x": target.times,
        "y": target.values(column),
        "name": target.target_id,
        "mode": "lines",
        "line": {"color": target.colour, **style},
        "legendgroup": target.target_id,
        "showlegend": False,
        "hovertemplate": f"{hover}<extra>%{{fullData.name}}</extra>",
    }


def _metric_traces(target: _TargetRows, column: str, unit: str) -> list[dict[str, Any]]:
    return [_line(target, column, f"%{{y:.2f}} {unit}")]


def _slots_traces(target: _TargetRows) -> list[dict[str, Any]]:
    """Ready (solid) and busy (dotted) slots."""
    return [
        {
            **_line(target, column, f"%{{y:.1f}} {column} slots", dash=dash),
            "name": f"{target.target_id} · {column}",
        }
        for column, dash in (("ready", "solid"), ("busy", "dot"))
    ]


def _abandonment_traces(target: _TargetRows) -> list[dict[str, Any]]:
    """Abandonment % with its 95 % band, and the target's goal as a dashed line."""
    band = {
        "type": "scatter",
        "x": np.concatenate([target.times, target.times[::-1]]),
        "y": np.concatenate(
            [target.values("abandon_high_pct"), target.values("abandon_low_pct")[::-1]]
        ),
        "fill": "toself",
        "fillcolor": target.colour,
        "opacity": 0.15,
        "line": {"width": 0},
        "name": f"{target.target_id} · 95 % band",
        "legendgroup": target.target_id,
        "hoverinfo": "skip",
        "showlegend": False,
    }
    share = _line(
        target,
        "abandon_pct",
        "%{y:.2f} % abandoned (95 %: %{customdata[0]:.2f}–%{customdata[1]:.2f} %)",
    )
    share["customdata"] = np.column_stack(
        [target.values("abandon_low_pct"), target.values("abandon_high_pct")]
    )
    goal = {
        **_line(target, "goal_pct", "goal %{y:.1f} %", dash="dash", width=1),
        "name": f"{target.target_id} · goal",
    }
    return [band, share, goal]


def _panel_traces(target: _TargetRows) -> list[list[dict[str, Any]]]:
    """The target's traces for each panel of `PANELS`, in order."""
    return [
        _metric_traces(target, "allowed", "invitations"),
        _metric_traces(target, "pending", "invitations"),
        _slots_traces(target),
        _metric_traces(target, "in_queue", "interactions"),
        _abandonment_traces(target),
        _metric_traces(target, "occupancy_pct", "%"),
    ]


def build_targets_figure(
    series: pd.DataFrame, time_zone: str, markers: Sequence[AlarmMarker] = ()
) -> go.Figure:
    """The Targets page's six panels in one figure: one legend entry per target for all of them.

    One figure instead of six: the browser lays out one plot and one legend, and a click on a
    target's legend entry shows or hides it on every panel. The panels share the time axis.
    """
    traces: list[dict[str, Any]] = []
    for target in _by_target(series, time_zone):
        for panel, panel_traces in enumerate(_panel_traces(target), start=1):
            suffix = "" if panel == 1 else str(panel)
            traces += [
                {**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for trace in panel_traces
            ]
            if panel == 1:  # the first panel's line is the target's one legend entry
                traces[-1]["showlegend"] = True
    if markers:
        traces += alarm_marker_traces(markers, time_zone, panels=len(PANELS))
    # The figure copies the cached layout: drawing on it never changes the cache.
    return go.Figure(data=traces, layout=_panels_layout(marked=bool(markers)))


@functools.lru_cache(maxsize=2)
def _panels_layout(*, marked: bool) -> go.Layout:
    """The grid of panels (the same at every run: built once, `make_subplots` is not cheap)."""
    rows = math.ceil(len(PANELS) / 2)
    grid = make_subplots(
        rows=rows,
        cols=2,
        shared_xaxes="all",
        subplot_titles=[title for title, _ in PANELS],
        vertical_spacing=0.06,
        horizontal_spacing=0.07,
    )
    layout = grid.layout
    layout.update(
        height=PANEL_HEIGHT_PX * rows,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "title": {"text": ""}},
    )
    for panel, (_, unit) in enumerate(PANELS, start=1):
        layout[f"yaxis{'' if panel == 1 else panel}"].title = {"text": unit}
    if marked:
        layout.update(alarm_marker_axes(panels=len(PANELS)))
    return layout
