"""Health page maths and figures (pure): runtime frames and thresholds in, Figures out.

Frames are `storage.health_reads.read_runtime_series` / `read_gc_generations`. Thresholds are
the alarm conditions' parameters as stored in the database (operators may have edited them),
falling back to `[metrics]` when a condition is not provisioned yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from config.options import MetricsOptions
from dashboard.chart_style import (
    add_limit_line,
    add_node_lines,
    column,
    keep_curve_in_scale,
    local_times,
    node_label,
    time_chart_layout,
)
from domain.signals import Condition

MB = 1024.0 * 1024.0
GENERATION_COLOURS = ("#1f77b4", "#ff7f0e", "#d62728", "#9467bd")
THRESHOLD_COLOUR = "#d62728"
# A threshold more than this many times the highest value is written, not drawn to scale.


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """The three runtime thresholds and where each came from ("database" or "configuration")."""

    gc_latency_ms: float
    gc_frequency_per_min: float
    heap_usage_pct: float
    gc_latency_from: str
    gc_frequency_from: str
    heap_usage_from: str


_PARAMETERS: dict[str, str] = {
    Condition.GC_LATENCY: "threshold_ms",
    Condition.GC_FREQUENCY: "threshold_per_min",
    Condition.HEAP_MEMORY_USAGE: "threshold_pct",
}


def health_thresholds(conditions: pd.DataFrame | None, metrics: MetricsOptions) -> HealthThresholds:
    """Thresholds from the `alarm_conditions` frame (`read_conditions`), else from `[metrics]`."""
    stored: dict[str, float] = {}
    if conditions is not None and not conditions.empty:
        for name, text in zip(conditions["name"], conditions["parameters"], strict=True):
            key = _PARAMETERS.get(str(name))
            if key is None:
                continue
            try:
                value = json.loads(str(text) or "{}").get(key)
            except (ValueError, AttributeError):
                continue
            if isinstance(value, int | float):
                stored[str(name)] = float(value)

    def pick(name: str, configured: float) -> tuple[float, str]:
        return (stored[name], "database") if name in stored else (configured, "configuration")

    latency, latency_from = pick(Condition.GC_LATENCY, metrics.gc_latency_threshold_ms)
    frequency, frequency_from = pick(Condition.GC_FREQUENCY, metrics.gc_frequency_threshold_per_min)
    heap, heap_from = pick(Condition.HEAP_MEMORY_USAGE, metrics.heap_usage_threshold_pct)
    return HealthThresholds(latency, frequency, heap, latency_from, frequency_from, heap_from)


def build_gc_pause_figure(
    generations: pd.DataFrame, series: pd.DataFrame, threshold_ms: float, time_zone: str
) -> go.Figure:
    """Longest GC pause per generation (ms) against the GC Latency threshold."""
    figure = go.Figure()
    nodes = generations["node_id"].nunique() if not generations.empty else 0
    for (node, generation), rows in generations.groupby(["node_id", "generation"], sort=True):
        colour = GENERATION_COLOURS[int(generation) % len(GENERATION_COLOURS)]
        figure.add_trace(
            go.Scatter(
                x=local_times(rows, time_zone),
                y=rows["pause_max_s"] * 1000.0,
                name=node_label(node, nodes, f"generation {generation}"),
                mode="markers+lines" if len(rows) < 200 else "lines",
                line={"color": colour},
                customdata=rows["collections"],
                hovertemplate=(
                    "%{y:.2f} ms longest pause (%{customdata} collections)"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    add_limit_line(
        figure,
        series,
        threshold_ms,
        f"GC Latency threshold {threshold_ms:g} ms",
        time_zone,
        THRESHOLD_COLOUR,
    )
    return time_chart_layout(figure, "GC pause per generation (longest)", "ms")


def build_gc_frequency_figure(
    series: pd.DataFrame, threshold_per_min: float, time_zone: str
) -> go.Figure:
    """Collections in the last 60 s against the GC Frequency threshold."""
    figure = go.Figure()
    add_node_lines(
        figure,
        series,
        time_zone,
        column("gc_collections_per_min"),
        "collections / min",
        hovertemplate="%{y:.0f} collections / min<extra>%{fullData.name}</extra>",
    )
    label = f"GC Frequency threshold {threshold_per_min:g} / min"
    add_limit_line(figure, series, threshold_per_min, label, time_zone, THRESHOLD_COLOUR)
    return time_chart_layout(figure, "Full garbage collections per minute", "collections / min")


def build_memory_figure(series: pd.DataFrame, threshold_pct: float, time_zone: str) -> go.Figure:
    """RSS (and the traced Python heap, when sampled) in MB against the heap threshold."""
    figure = go.Figure()
    nodes = series["node_id"].nunique() if not series.empty else 0
    for node, rows in series.groupby("node_id", sort=True):
        times = local_times(rows, time_zone)
        limit = pd.to_numeric(rows["memory_limit_bytes"], errors="coerce")
        usage = pd.to_numeric(rows["rss_bytes"], errors="coerce") / limit.where(limit > 0) * 100
        figure.add_trace(
            go.Scatter(
                x=times,
                y=pd.to_numeric(rows["rss_bytes"], errors="coerce") / MB,
                name=node_label(node, nodes, "RSS"),
                mode="lines",
                customdata=usage,
                hovertemplate="RSS %{y:.1f} MB (%{customdata:.1f} % of limit)"
                "<extra>%{fullData.name}</extra>",
            )
        )
        heap = pd.to_numeric(rows["heap_current_bytes"], errors="coerce")
        if heap.notna().any():
            figure.add_trace(
                go.Scatter(
                    x=times,
                    y=heap / MB,
                    name=node_label(node, nodes, "traced Python heap"),
                    mode="lines",
                    line={"dash": "dot"},
                    hovertemplate="heap %{y:.1f} MB<extra>%{fullData.name}</extra>",
                )
            )
    limits = pd.to_numeric(series.get("memory_limit_bytes"), errors="coerce").dropna()
    if not limits.empty:
        line_mb = threshold_pct / 100.0 * float(limits.iloc[-1]) / MB
        label = f"Heap Memory Usage threshold {threshold_pct:g} % = {line_mb:,.0f} MB"
        add_limit_line(figure, series, line_mb, label, time_zone, THRESHOLD_COLOUR)
        peak_mb = float(pd.to_numeric(series["rss_bytes"], errors="coerce").max() or 0.0) / MB
        keep_curve_in_scale(figure, peak_mb, line_mb, label, THRESHOLD_COLOUR)
    return time_chart_layout(
        figure, "Resident memory against the Heap Memory Usage threshold", "MB"
    )


def build_cycle_timing_figure(series: pd.DataFrame, period_s: float, time_zone: str) -> go.Figure:
    """Cycle duration and lateness (s) with the refresh period as the line not to cross."""
    figure = go.Figure()
    bucketed = bool((series["samples"] > 1).any()) if not series.empty else False
    for name, text, dash in (
        ("cycle_duration_max_s" if bucketed else "cycle_duration_s", "duration", "solid"),
        ("cycle_lateness_max_s" if bucketed else "cycle_lateness_s", "lateness", "dot"),
    ):
        add_node_lines(
            figure,
            series,
            time_zone,
            column(name),
            f"{text} (max per point)" if bucketed else text,
            line={"dash": dash},
            hovertemplate=f"{text} %{{y:.3f}} s<extra>%{{fullData.name}}</extra>",
        )
    add_limit_line(
        figure, series, period_s, f"refresh period {period_s:g} s", time_zone, THRESHOLD_COLOUR
    )
    return time_chart_layout(figure, "Cycle duration and lateness", "s")
