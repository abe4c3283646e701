"""The Alarms page's loaders and sections, and the alarm loaders other pages share.

Loaders are cached with a short ttl over `read_or_reason`. The sections draw inside the page's
refreshing fragments; the action form lives in `alarm_actions`, outside every fragment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.alarm_view import (
    STATE_WORDS,
    active_table,
    build_flood_figure,
    count_by_category,
    history_table,
    order_alarms,
)
from dashboard.annotations import MARKER_TO_STATES
from dashboard.downloads import alarm_history_download
from dashboard.formats import format_duration, format_time
from dashboard.ui.chrome import Chrome, resolved_range
from dashboard.ui.loading import LIVE_TTL_S, SERIES_TTL_S, read_or_reason, shared_until
from storage.alarms.store import (
    AlarmFigures,
    read_active_alarms,
    read_alarm_figures,
    read_alarm_history,
    read_conditions,
)

FLOOD_BUCKET_S = 600.0
HISTORY_ROWS = 1000


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_active(database_path: str) -> pd.DataFrame | str:
    """Every alarm instance not in `normal`, or why there are none to read."""
    return read_or_reason(database_path, read_active_alarms)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_history(
    database_path: str,
    since: float,
    until: float,
    conditions: tuple[str, ...],
    states: tuple[str, ...],
    who: str,
    limit: int,
) -> pd.DataFrame | str:
    return read_or_reason(
        database_path,
        lambda db: read_alarm_history(
            db,
            since=since,
            until=until,
            conditions=conditions or None,
            states=states or None,
            who=who or None,
            limit=limit,
        ),
    )


@st.cache_data(ttl=SERIES_TTL_S, max_entries=16, show_spinner=False)
def load_figures(database_path: str, now: float, window_s: float) -> AlarmFigures | str:
    return read_or_reason(database_path, lambda db: read_alarm_figures(db, now, window_s=window_s))


@st.cache_data(ttl=SERIES_TTL_S, max_entries=8, show_spinner=False)
def load_conditions(database_path: str) -> pd.DataFrame | str:
    return read_or_reason(database_path, read_conditions)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_marker_transitions(database_path: str, since: float, until: float) -> pd.DataFrame:
    """Raises and clears in the range for chart markers (empty when alarms are not set up)."""
    result = read_or_reason(
        database_path,
        lambda db: read_alarm_history(
            db, since=since, until=until, states=MARKER_TO_STATES, limit=5000
        ),
    )
    return pd.DataFrame() if isinstance(result, str) else result


def active_alarm_counts(database_path: str) -> dict[str, int] | None:
    """Active alarms per category (Critical, Major, Minor, Warning), or None without alarms."""
    active = load_active(database_path)
    return None if isinstance(active, str) else count_by_category(active)


def show_active_alarms(chrome: Chrome) -> None:
    """Tiles per category, then the alarms needing attention first."""
    active = load_active(chrome.database)
    if isinstance(active, str):
        st.warning(active, icon=":material/database:")
        return
    ordered = order_alarms(active, time.time())
    counts = count_by_category(ordered)
    tiles = st.columns(len(counts) + 1)
    for tile, (category, count) in zip(tiles, counts.items(), strict=False):
        tile.metric(f"Active · {category}", count, border=True)
    unacknowledged = int(ordered["state"].isin(["cleared_unacknowledged"]).sum())
    tiles[-1].metric("Cleared, unacknowledged", unacknowledged, border=True)
    if ordered.empty:
        st.success("No alarm is active, unacknowledged, shelved or out of service.")
        return
    runbooks = dict(chrome.config.alarms.runbooks)
    _show_alarm_table(active_table(ordered, chrome.config.node.timezone, runbooks), "active")


def show_alarm_figures(chrome: Chrome) -> None:
    """Flood and chatter over the range: tiles, the alarm rate chart, the tables behind them."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    until = shared_until(time_range.until, FLOOD_BUCKET_S)
    figures = load_figures(chrome.database, until, time_range.span_s)
    if isinstance(figures, str):
        st.warning(figures)
        return
    tiles = st.columns(4)
    tiles[0].metric("Alarms raised", figures.raises_in_window, border=True)
    tiles[1].metric("Peak per 10 min", figures.peak_per_10_min, border=True)
    tiles[2].metric("Flood periods (>10 / 10 min)", figures.flood_buckets, border=True)
    tiles[3].metric("Chattering alarms", len(figures.chattering), border=True)
    zone = chrome.config.node.timezone
    since = until - time_range.span_s
    st.plotly_chart(
        build_flood_figure(figures.per_bucket, FLOOD_BUCKET_S, since, until, zone),
        width="stretch",
        key="flood",
    )
    if not figures.chattering.empty:
        st.caption("Chattering: raised 3 or more times within 60 s")
        st.dataframe(figures.chattering.drop(columns=["instance_id"]), hide_index=True)
    stale = figures.stale_unacknowledged
    if not stale.empty:
        st.caption("Unacknowledged for more than 24 h")
        shown = stale.assign(age=stale["age_s"].map(format_duration))
        st.dataframe(shown[["severity", "condition", "scope", "age"]], hide_index=True)


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """What the operator narrowed the alarm history to (empty: everything)."""

    conditions: tuple[str, ...]
    states: tuple[str, ...]
    who: str


def history_filter(database_path: str) -> HistoryFilter:
    """The history's filters: conditions, entered state and operator name."""
    known = load_conditions(database_path)
    names = [] if isinstance(known, str) else sorted(str(n) for n in known["name"])
    pick_condition, pick_state, pick_who = st.columns([2, 2, 1])
    conditions = pick_condition.multiselect("Conditions", names, key="history-conditions")
    states = pick_state.multiselect(
        "Entered state",
        list(STATE_WORDS),
        format_func=lambda state: STATE_WORDS.get(state, state),
        key="history-states",
    )
    who = pick_who.text_input("Operator", key="history-who").strip()
    return HistoryFilter(tuple(conditions), tuple(states), who)


def show_alarm_history(chrome: Chrome, chosen: HistoryFilter) -> None:
    """Every transition in the range that matches the filter, newest first."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    until = shared_until(time_range.until, None)
    since = until - time_range.span_s
    history = load_history(
        chrome.database, since, until, chosen.conditions, chosen.states, chosen.who, HISTORY_ROWS
    )
    if isinstance(history, str):
        st.warning(history)
        return
    zone = chrome.config.node.zone
    st.caption(
        f"{len(history)} transitions{' (newest 1,000)' if len(history) >= HISTORY_ROWS else ''} · "
        f"{format_time(time_range.since, zone)} → {format_time(time_range.until, zone)}"
    )
    if history.empty:
        st.info(
            "No alarm transition matches in this range: choose a longer range or fewer filters."
        )
        return
    _show_alarm_table(history_table(history, chrome.config.node.timezone), "history")


def _show_alarm_table(table: pd.DataFrame, key: str) -> None:
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "value": st.column_config.NumberColumn(format="%.4g"),
            "runbook": st.column_config.LinkColumn(display_text="runbook"),
        },
    )


def alarm_history_download_button(chrome: Chrome) -> None:
    """The whole alarm history of the range as CSV (the file `pacing alarms export` writes)."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    st.download_button(
        "Download the alarm history as CSV",
        data=alarm_history_download(chrome.database, time_range.since, time_range.until),
        file_name="pacing-alarm-history.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every transition of the range, oldest first, unfiltered; times in UTC.",
    )
