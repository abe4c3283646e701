"""The Health page's loader and sections: runtime samples against the alarm thresholds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.annotations import HEALTH_CONDITIONS, add_alarm_markers, alarm_markers
from dashboard.formats import format_range
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
from dashboard.ui.alarms import load_conditions, load_marker_transitions
from dashboard.ui.chrome import Chrome, resolved_range
from dashboard.ui.loading import SERIES_TTL_S, read_or_reason, shared_until
from storage.runtime import read_gc_generations, read_runtime_series


@dataclass(frozen=True, slots=True)
class RuntimeData:
    series: pd.DataFrame
    generations: pd.DataFrame


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_runtime(
    database_path: str, since: float, until: float, bucket_s: float | None
) -> RuntimeData | str:
    return read_or_reason(
        database_path,
        lambda db: RuntimeData(
            read_runtime_series(db, since, until, bucket_s),
            read_gc_generations(db, since, until, bucket_s),
        ),
    )


def current_thresholds(chrome: Chrome) -> HealthThresholds:
    """The thresholds as stored in the database, else as configured in `[metrics]`."""
    conditions = load_conditions(chrome.database)
    return health_thresholds(
        None if isinstance(conditions, str) else conditions, chrome.config.metrics
    )


def show_health(chrome: Chrome) -> None:
    """Tiles and the four charts of the range, each against its threshold, with alarm markers."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    config, zone = chrome.config, chrome.config.node.timezone
    bucket_s = pick_bucket_s(time_range.span_s)
    until = shared_until(time_range.until, bucket_s)
    since = until - time_range.span_s
    data = load_runtime(chrome.database, since, until, bucket_s)
    if isinstance(data, str):
        st.info(f"Nothing to show yet: {data}", icon=":material/database:")
        return
    st.caption(
        f"{format_range(time_range, config.node.zone)} · "
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
    limits = current_thresholds(chrome)
    _show_tiles(data.series, limits)
    markers = alarm_markers(
        load_marker_transitions(chrome.database, since, until), conditions=HEALTH_CONDITIONS
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


def _show_tiles(series: pd.DataFrame, limits: HealthThresholds) -> None:
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
        "Full collections / min (now)",
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
