"""The Targets page's loaders and sections (the History page shares the target list).

Charts come from `dashboard.target_charts`; alarm raises and clears of the chosen targets (and
of the pacing requests) are drawn on every chart as markers.
"""

from __future__ import annotations

import pandas as pd
import sqlite_utils
import streamlit as st

from dashboard.annotations import PACING_CONDITIONS, alarm_markers
from dashboard.formats import format_range
from dashboard.sustainable import sustainable_rates
from dashboard.target_charts import ABANDON_WINDOW_S, add_derived, build_targets_figure
from dashboard.timerange import pick_bucket_s
from dashboard.ui.alarms import load_marker_transitions
from dashboard.ui.chrome import Chrome, resolved_range
from dashboard.ui.loading import SERIES_TTL_S, read_or_reason, shared_until
from storage.pacer_state import read_saved_target_states
from storage.target_lookup import read_target_state_of
from storage.targets import read_target_ids, read_target_series


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_target_ids(database_path: str) -> list[str] | str:
    return read_or_reason(database_path, read_target_ids)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_target_series(
    database_path: str,
    target_ids: tuple[str, ...],
    since: float,
    until: float,
    bucket_s: float | None,
) -> pd.DataFrame | str:
    return read_or_reason(
        database_path, lambda db: read_target_series(db, target_ids, since, until, bucket_s)
    )


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_charted_series(
    database_path: str,
    target_ids: tuple[str, ...],
    since: float,
    until: float,
    bucket_s: float | None,
) -> pd.DataFrame | str:
    """The target series with occupancy and windowed abandonment added (`add_derived`).

    Cached apart from the raw series: the rolling windows and Wilson bands are the slowest part
    of the page's own work after the charts, and a reload of the same range reuses them.
    """
    series = load_target_series(database_path, target_ids, since, until, bucket_s)
    if isinstance(series, str) or series.empty:
        return series
    return add_derived(series, max(ABANDON_WINDOW_S, bucket_s or 0.0))


@st.cache_data(ttl=SERIES_TTL_S, max_entries=8, show_spinner=False)
def load_sustainable_rates(database_path: str, target_ids: tuple[str, ...]) -> pd.DataFrame | str:
    """Sustainable rates of these targets (Erlang A with the pacer's patience estimates)."""

    def read(db: sqlite_utils.Database) -> pd.DataFrame:
        return sustainable_rates(read_target_state_of(db, target_ids), read_saved_target_states(db))

    return read_or_reason(database_path, read)


def show_targets(chrome: Chrome, targets: tuple[str, ...]) -> None:
    """The chosen targets over the range: six panels with alarm markers, sustainable rates."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    if not targets:
        st.info("Choose at least one target above.", icon=":material/checklist:")
        return
    bucket_s = pick_bucket_s(time_range.span_s)
    until = shared_until(time_range.until, bucket_s)
    since = until - time_range.span_s
    series = load_charted_series(chrome.database, targets, since, until, bucket_s)
    if isinstance(series, str):
        st.warning(series, icon=":material/database:")
        return
    st.caption(
        f"{format_range(time_range, chrome.config.node.zone)} · "
        + (
            "one point per cycle"
            if bucket_s is None
            else f"one point per {bucket_s / 60:g} min (gauges averaged over its cycles)"
        )
    )
    if series.empty:
        st.info(
            "No cycle of these targets in this range: the node stores one row per target per "
            "cycle. Choose a longer range, or start a node if none is running.",
            icon=":material/search_off:",
        )
        return
    transitions = load_marker_transitions(chrome.database, since, until)
    markers = alarm_markers(transitions, scopes=targets, conditions=PACING_CONDITIONS)
    st.plotly_chart(
        build_targets_figure(series, chrome.config.node.timezone, markers),
        width="stretch",
        key="targets-charts",
    )
    show_sustainable_rates(chrome.database, targets)
    st.caption(
        "Dotted red and green lines mark raises and clears of these targets' alarms and of the "
        "pacing requests."
    )


def show_sustainable_rates(database_path: str, target_ids: tuple[str, ...]) -> None:
    """The sustainable-rate table of the Targets page, or what it still needs."""
    rates = load_sustainable_rates(database_path, target_ids)
    st.subheader("Sustainable rate now")
    if isinstance(rates, str) or rates.empty:
        st.info(
            "No sustainable rate yet: it needs logged-in slots, a handle time and the predictive "
            "pacer's patience estimate, which a node saves every 30 cycles.",
            icon=":material/hourglass_empty:",
        )
        return
    number = st.column_config.NumberColumn
    st.dataframe(
        rates,
        hide_index=True,
        width="stretch",
        column_config={
            "handle time s": number(format="%.0f s"),
            "patience s": number(format="%.0f s"),
            "goal %": number(format="%.1f %%"),
            "sustainable accepts / min": number(format="%.2f"),
            "sustainable invitations / min": number(format="%.1f"),
        },
    )
