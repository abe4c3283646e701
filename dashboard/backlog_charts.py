"""Backlog page maths and figures (pure): backlog frames in, Figures and tables out.

Frames are `storage.backlog.reads` `read_backlog_samples`, `read_drain_rate` and
`read_hive_off_runs`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.chart_style import (
    add_limit_line,
    add_node_lines,
    column,
    keep_curve_in_scale,
    time_chart_layout,
)

MB = 1024.0 * 1024.0
WARNING_COLOUR = "#e6a100"
MAJOR_COLOUR = "#d62728"
# Limits more than this many times the largest size are written, not drawn to scale.
ITEM_COLUMNS = (
    ("pending_items", "waiting"),
    ("processing_items", "processing"),
    ("failed_items", "failed"),
)


def backlog_ever_used(samples: pd.DataFrame) -> bool:
    """Whether anything was backlogged, waiting, processing or failed in these samples."""
    if samples.empty:
        return False
    counted = ["pending_items", "processing_items", "failed_items", "backlogged_total"]
    return bool((samples[counted].fillna(0) > 0).to_numpy().any())


def build_folder_size_figure(
    samples: pd.DataFrame, warning_mb: float, max_mb: float, time_zone: str
) -> go.Figure:
    """Folder size (allocated MB) over time, with the WarningUsedMB and MaxUsedMB lines."""
    figure = go.Figure()
    add_node_lines(
        figure,
        samples,
        time_zone,
        column("used_bytes", MB),
        "folder size",
        line_shape="hv",
        hovertemplate="%{y:.2f} MB used<extra>%{fullData.name}</extra>",
    )
    add_limit_line(
        figure, samples, warning_mb, f"WarningUsedMB {warning_mb:g} MB", time_zone, WARNING_COLOUR
    )
    add_limit_line(
        figure,
        samples,
        max_mb,
        f"MaxUsedMB {max_mb:g} MB (new items refused)",
        time_zone,
        MAJOR_COLOUR,
    )
    if not samples.empty:
        peak_mb = float(samples["used_bytes"].max() or 0) / MB
        label = f"WarningUsedMB {warning_mb:g} MB, MaxUsedMB {max_mb:g} MB"
        keep_curve_in_scale(figure, peak_mb, warning_mb, label, WARNING_COLOUR)
    return time_chart_layout(figure, "Backlog folder size", "MB")


def build_items_figure(samples: pd.DataFrame, time_zone: str) -> go.Figure:
    """Items waiting, processing and failed over time."""
    figure = go.Figure()
    for name, text in ITEM_COLUMNS:
        add_node_lines(
            figure,
            samples,
            time_zone,
            column(name),
            text,
            line_shape="hv",
            hovertemplate=f"%{{y:.0f}} items {text}<extra>%{{fullData.name}}</extra>",
        )
    return time_chart_layout(figure, "Backlog items", "items")


def build_drain_figure(rates: pd.DataFrame, time_zone: str) -> go.Figure:
    """Items drained (written to the database) and backlogged per second."""
    figure = go.Figure()
    for name, text in (("drained_per_s", "drained"), ("backlogged_per_s", "backlogged")):
        add_node_lines(
            figure,
            rates,
            time_zone,
            column(name),
            text,
            hovertemplate=f"%{{y:.2f}} items/s {text}<extra>%{{fullData.name}}</extra>",
        )
    return time_chart_layout(figure, "Drain rate", "items / s")


def hive_off_table(runs: pd.DataFrame, time_zone: str) -> pd.DataFrame:
    """Hive-off runs for display: local times, duration, what was moved, and any error."""
    if runs.empty:
        return pd.DataFrame()

    def local(column: str) -> pd.Series:
        values = pd.to_numeric(runs[column], errors="coerce")
        return pd.to_datetime(values, unit="s", utc=True).dt.tz_convert(time_zone)

    finished = pd.to_numeric(runs["finished_at"], errors="coerce")
    return pd.DataFrame(
        {
            "started": local("started_at"),
            "status": runs["status"],
            "duration s": (finished - pd.to_numeric(runs["started_at"])).round(1),
            "cutoff": local("cutoff"),
            "rows archived": runs["rows_archived"],
            "cycles purged": runs["cycles_purged"],
            "archive files": runs["archive_files"],
            "node": runs["node_id"],
            "error": runs["error"].fillna(""),
        }
    )
