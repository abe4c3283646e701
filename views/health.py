"""Health: GC pauses and frequency, memory, cycle timing, each against its alarm threshold."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.annotations import HEALTH_CONDITIONS, add_alarm_markers, alarm_markers
from dashboard.health_charts import (
    MB,
    HealthThresholds,
    build_cycle_timing_figure,
    build_gc_frequency_figure,
    build_gc_pause_figure,
    build_memory_figure,
    health_thresholds,
)
from dashboard.timerange import pick_bucket_s
from dashboard.ui import format_time, page_chrome, resolved_range, shared_until
from dashboard.ui_alarms import load_conditions, load_marker_transitions, load_runtime

chrome = page_chrome("Health", "The node's runtime against the GC and memory alarm thresholds")
config = chrome.config
database = str(config.node.database_path)
zone = config.node.timezone


def thresholds() -> HealthThresholds:
    conditions = load_conditions(database)
    return health_thresholds(None if isinstance(conditions, str) else conditions, config.metrics)


@st.fragment(run_every=chrome.run_every)
def live_health() -> None:
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    bucket_s = pick_bucket_s(time_range.span_s)
    until = shared_until(time_range.until, bucket_s)
    since = until - time_range.span_s
    data = load_runtime(database, since, until, bucket_s)
    if isinstance(data, str):
        st.info(f"Nothing to show yet: {data}", icon=":material/database:")
        return
    st.caption(
        f"{time_range.label}: {format_time(time_range.since, config)} → "
        f"{format_time(time_range.until, config)} · "
        + ("one point per sample" if bucket_s is None else f"worst of each {bucket_s / 60:g} min")
    )
    if data.series.empty:
        st.info(
            "No runtime sample in this range: a node samples GC, memory and cycle timing after "
            "every cycle. Start a node (`make run` embeds one, or `pacing node`), or choose a "
            "longer range.",
            icon=":material/monitor_heart:",
        )
        return
    limits = thresholds()
    show_tiles(data.series, limits)
    markers = alarm_markers(
        load_marker_transitions(database, since, until), conditions=HEALTH_CONDITIONS
    )
    figures = (
        build_gc_pause_figure(data.generations, data.series, limits.gc_latency_ms, zone),
        build_gc_frequency_figure(data.series, limits.gc_frequency_per_min, zone),
        build_memory_figure(data.series, limits.heap_usage_pct, zone),
        build_cycle_timing_figure(data.series, config.pacing.refresh_period_s, zone),
    )
    columns = st.columns(2)
    for index, figure in enumerate(figures):
        columns[index % 2].plotly_chart(
            add_alarm_markers(figure, markers, zone), width="stretch", key=f"health-{index}"
        )
    st.caption(
        f"Thresholds: GC Latency {limits.gc_latency_ms:g} ms ({limits.gc_latency_from}), "
        f"GC Frequency {limits.gc_frequency_per_min:g} / min ({limits.gc_frequency_from}), "
        f"Heap Memory Usage {limits.heap_usage_pct:g} % ({limits.heap_usage_from}). "
        "Dotted red and green lines mark alarm raises and clears."
    )


def show_tiles(series: pd.DataFrame, limits: HealthThresholds) -> None:
    latest = series.iloc[-1]
    pause_ms = float(series["gc_pause_max_s"].max()) * 1000.0
    rss = pd.to_numeric(pd.Series([latest["rss_bytes"]]), errors="coerce").iloc[0]
    limit = pd.to_numeric(pd.Series([latest["memory_limit_bytes"]]), errors="coerce").iloc[0]
    tiles = st.columns(5)
    tiles[0].metric(
        "Longest GC pause (range)",
        f"{pause_ms:.1f} ms",
        border=True,
        help=f"GC Latency threshold {limits.gc_latency_ms:g} ms",
    )
    tiles[1].metric(
        "Collections / min (now)",
        f"{float(latest['gc_collections_per_min']):.0f}",
        border=True,
        help=f"GC Frequency threshold {limits.gc_frequency_per_min:g} / min",
    )
    tiles[2].metric(
        "Resident memory",
        "–" if pd.isna(rss) else f"{rss / MB:,.0f} MB",
        border=True,
        help="–" if pd.isna(limit) else f"of {limit / MB:,.0f} MB available",
    )
    usage = "–" if pd.isna(rss) or pd.isna(limit) or not limit else f"{100 * rss / limit:.1f} %"
    tiles[3].metric(
        "Memory used",
        usage,
        border=True,
        help=f"Heap Memory Usage threshold {limits.heap_usage_pct:g} %",
    )
    lateness = latest["cycle_lateness_s"]
    tiles[4].metric(
        "Cycle lateness (now)",
        "–" if pd.isna(lateness) else f"{float(lateness) * 1000:.0f} ms",
        border=True,
    )


live_health()
