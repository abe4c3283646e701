"""Targets page maths and figures (pure): series frame in, series or Figure out.

The series frame is `storage.reads_targets.SERIES_COLUMNS`: one row per target per cycle or
per bucket, gauges averaged, running totals (accepted, abandoned) at their latest value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.chart_style import local_times, unvalidated_figure

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


def _by_target(series: pd.DataFrame, time_zone: str) -> list[tuple[str, np.ndarray, pd.DataFrame]]:
    """(target, local times, rows) per target, the times converted once for the whole frame.

    The times are naive local wall times (datetime64), what Plotly itself turns a zoned series
    into, so the figure's JSON is unchanged without Plotly converting every trace again.
    """
    naive = local_times(series, time_zone).dt.tz_localize(None)
    return [
        (str(target_id), naive.loc[rows.index].to_numpy(), rows)
        for target_id, rows in series.groupby("target_id", sort=True)
    ]


def _values(rows: pd.DataFrame, column: str) -> np.ndarray:
    values: np.ndarray = rows[column].to_numpy()
    return values


def build_metric_figure(
    series: pd.DataFrame, column: str, title: str, unit: str, time_zone: str
) -> go.Figure:
    """One line per target of `column`, hover showing the value with its unit."""
    traces = [
        {
            "type": "scatter",
            "x": times,
            "y": _values(rows, column),
            "name": target_id,
            "mode": "lines",
            "line": {"color": _colour(index)},
            "hovertemplate": f"%{{y:.2f}} {unit}<extra>%{{fullData.name}}</extra>",
        }
        for index, (target_id, times, rows) in enumerate(_by_target(series, time_zone))
    ]
    return unvalidated_figure(traces, title, unit)


def build_slots_figure(series: pd.DataFrame, time_zone: str) -> go.Figure:
    """Ready (solid) and busy (dotted) slots per target."""
    traces = [
        {
            "type": "scatter",
            "x": times,
            "y": _values(rows, column),
            "name": f"{target_id} · {column}",
            "mode": "lines",
            "line": {"color": _colour(index), "dash": dash},
            "hovertemplate": f"%{{y:.1f}} {column} slots<extra>%{{fullData.name}}</extra>",
        }
        for index, (target_id, times, rows) in enumerate(_by_target(series, time_zone))
        for column, dash in (("ready", "solid"), ("busy", "dot"))
    ]
    return unvalidated_figure(traces, "Ready and busy slots", "slots")


def build_abandonment_figure(series: pd.DataFrame, time_zone: str) -> go.Figure:
    """Abandonment % per target with its 95 % band, and each target's goal as a dashed line."""
    traces: list[dict[str, Any]] = []
    for index, (target_id, times, rows) in enumerate(_by_target(series, time_zone)):
        colour = _colour(index)
        traces.append(
            {
                "type": "scatter",
                "x": np.concatenate([times, times[::-1]]),
                "y": np.concatenate(
                    [_values(rows, "abandon_high_pct"), _values(rows, "abandon_low_pct")[::-1]]
                ),
                "fill": "toself",
                "fillcolor": colour,
                "opacity": 0.15,
                "line": {"width": 0},
                "name": f"{target_id} · 95 % band",
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": times,
                "y": _values(rows, "abandon_pct"),
                "name": target_id,
                "mode": "lines",
                "line": {"color": colour},
                "customdata": np.column_stack([rows["abandon_low_pct"], rows["abandon_high_pct"]]),
                "hovertemplate": (
                    "%{y:.2f} % abandoned (95 %: %{customdata[0]:.2f}–%{customdata[1]:.2f} %)"
                    "<extra>%{fullData.name}</extra>"
                ),
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": times,
                "y": _values(rows, "goal_pct"),
                "name": f"{target_id} · goal",
                "mode": "lines",
                "line": {"color": colour, "dash": "dash", "width": 1},
                "hovertemplate": "goal %{y:.1f} %<extra>%{fullData.name}</extra>",
            }
        )
    title = f"Abandonment (trailing {ABANDON_WINDOW_S / 60:.0f} min) with 95 % band and goal"
    return unvalidated_figure(traces, title, "%")
