"""Targets: allowed, pending, slots, queue, abandonment against goal and occupancy over a range."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.annotations import PACING_CONDITIONS, AlarmMarker, add_alarm_markers, alarm_markers
from dashboard.target_charts import (
    ABANDON_WINDOW_S,
    add_derived,
    build_abandonment_figure,
    build_metric_figure,
    build_slots_figure,
)
from dashboard.timerange import pick_bucket_s
from dashboard.ui import (
    format_time,
    load_target_ids,
    load_target_series,
    page_chrome,
    resolved_range,
    selected_targets,
    shared_until,
    show_sustainable_rates,
)
from dashboard.ui_alarms import load_marker_transitions

chrome = page_chrome("Targets", "Per pacing target over the chosen range")
config = chrome.config
database = str(config.node.database_path)
known = load_target_ids(database)
if isinstance(known, str):
    st.info(f"Nothing to show yet: {known}", icon=":material/database:")
    st.stop()
if not known:
    st.info(
        "No target has been paced yet: the node records every target at its first cycle. "
        "Start a node (`make run` embeds one, or `pacing node`) and wait one refresh period.",
        icon=":material/hourglass_empty:",
    )
    st.stop()
targets = selected_targets(known)


@st.fragment(run_every=chrome.run_every)
def live_targets() -> None:
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    if not targets:
        st.info("Choose at least one target above.", icon=":material/checklist:")
        return
    bucket_s = pick_bucket_s(time_range.span_s)
    until = shared_until(time_range.until, bucket_s)
    series = load_target_series(
        database, tuple(targets), until - time_range.span_s, until, bucket_s
    )
    if isinstance(series, str):
        st.warning(series, icon=":material/database:")
        return
    st.caption(
        f"{time_range.label}: {format_time(time_range.since, config)} → "
        f"{format_time(time_range.until, config)} · "
        + ("one point per cycle" if bucket_s is None else f"one point per {bucket_s / 60:g} min")
    )
    if series.empty:
        st.info(
            "No cycle of these targets in this range: the node stores one row per target per "
            "cycle. Choose a longer range, or start a node if none is running.",
            icon=":material/search_off:",
        )
        return
    transitions = load_marker_transitions(database, until - time_range.span_s, until)
    markers = alarm_markers(transitions, scopes=targets, conditions=PACING_CONDITIONS)
    show(add_derived(series, max(ABANDON_WINDOW_S, bucket_s or 0.0)), markers)


def show(series: pd.DataFrame, markers: list[AlarmMarker]) -> None:
    zone = config.node.timezone
    left_column, right_column = st.columns(2)
    left, right = Marked(left_column, markers, zone), Marked(right_column, markers, zone)
    left.plotly_chart(
        build_metric_figure(
            series, "allowed", "Allowed invitations per cycle", "invitations", zone
        ),
        width="stretch",
        key="targets-chart-1",
    )
    right.plotly_chart(
        build_metric_figure(series, "pending", "Pending invitations", "invitations", zone),
        width="stretch",
        key="targets-chart-2",
    )
    left.plotly_chart(build_slots_figure(series, zone), width="stretch", key="targets-slots")
    right.plotly_chart(
        build_metric_figure(series, "in_queue", "Waiting in queue", "interactions", zone),
        width="stretch",
        key="targets-chart-3",
    )
    left.plotly_chart(
        build_abandonment_figure(series, zone), width="stretch", key="targets-abandonment"
    )
    right.plotly_chart(
        build_metric_figure(
            series, "occupancy_pct", "Occupancy (busy ÷ logged-in slots)", "%", zone
        ),
        width="stretch",
        key="targets-chart-4",
    )
    show_sustainable_rates(database, tuple(targets))
    st.caption(
        "Dotted red and green lines mark raises and clears of these targets' alarms and of the "
        "pacing requests."
    )


class Marked:
    """A column whose charts get the alarm markers drawn on them."""

    def __init__(self, column: DeltaGenerator, markers: list[AlarmMarker], zone: str) -> None:
        self._column, self._markers, self._zone = column, markers, zone

    def plotly_chart(self, figure: go.Figure, **kwargs: Any) -> None:
        self._column.plotly_chart(add_alarm_markers(figure, self._markers, self._zone), **kwargs)


live_targets()
