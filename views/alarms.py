"""Alarms: what needs attention, acknowledge and shelve by alarm id, history, flood and chatter.

The tables refresh in fragments; the action form lives outside them and picks alarm ids from a
snapshot taken when the page ran, so a refresh can never move an action onto another alarm.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from dashboard.alarm_view import (
    STATE_WORDS,
    active_table,
    alarm_choices,
    build_flood_figure,
    count_by_category,
    format_age_s,
    history_table,
    order_alarms,
)
from dashboard.ui import format_time, page_chrome, resolved_range, shared_until
from dashboard.ui_access import operator_only, session_viewer
from dashboard.ui_alarms import (
    ACTION_COMMENT_KEY,
    ACTION_IDS_KEY,
    ACTION_KIND_KEY,
    ACTION_KINDS,
    ACTION_RESULT_KEY,
    ACTION_SHELVE_KEY,
    SHELVE_CHOICES,
    load_active,
    load_conditions,
    load_figures,
    load_history,
    perform_alarm_action,
)

FLOOD_BUCKET_S = 600.0
chrome = page_chrome("Alarms", "Active first, by category and age · actions are bound to alarm ids")
config = chrome.config
database = str(config.node.database_path)
zone = config.node.timezone
snapshot = load_active(database)
if isinstance(snapshot, str):
    st.info(f"No alarms to show yet: {snapshot}", icon=":material/database:")
    st.stop()


@st.fragment(run_every=chrome.run_every)
def live_active() -> None:
    active = load_active(database)
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
    st.dataframe(
        active_table(ordered, zone),
        hide_index=True,
        width="stretch",
        key="active",
        column_config={"value": st.column_config.NumberColumn(format="%.4g")},
    )


def action_form(ordered: pd.DataFrame) -> None:
    st.subheader("Acknowledge or shelve")
    if not operator_only("Acknowledging and shelving alarms"):
        return
    choices = alarm_choices(ordered, time.time())
    if not choices:
        st.caption("Nothing to act on.")
        return
    top, reload = st.columns([5, 1])
    top.caption(
        f"Acting as **{session_viewer().name}**. The list below is the alarms as they were when "
        "this page loaded; reload it to see newer ones."
    )
    reload.button("Reload the list", icon=":material/refresh:")
    with st.form("alarm-action"):
        st.multiselect(
            "Alarms",
            list(choices),
            format_func=lambda instance_id: choices.get(instance_id, instance_id),
            key=ACTION_IDS_KEY,
            placeholder="Choose one or more alarms",
        )
        kind, shelve_for = st.columns(2)
        kind.radio("Action", list(ACTION_KINDS), key=ACTION_KIND_KEY, horizontal=True)
        shelve_for.selectbox(
            "Shelve for",
            list(SHELVE_CHOICES),
            index=1,
            key=ACTION_SHELVE_KEY,
            help="A shelved alarm comes back by itself when the time is up.",
        )
        st.text_input("Comment", key=ACTION_COMMENT_KEY, max_chars=500)
        st.form_submit_button(
            "Apply", type="primary", on_click=perform_alarm_action, args=(database, choices)
        )
    for outcome in st.session_state.get(ACTION_RESULT_KEY) or []:
        getattr(st, outcome.level)(outcome.text)


@st.fragment(run_every=chrome.run_every)
def live_figures() -> None:
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    until = shared_until(time_range.until, FLOOD_BUCKET_S)
    figures = load_figures(database, until, time_range.span_s)
    if isinstance(figures, str):
        st.warning(figures)
        return
    tiles = st.columns(4)
    tiles[0].metric("Alarms raised", figures.raises_in_window, border=True)
    tiles[1].metric("Peak per 10 min", figures.peak_per_10_min, border=True)
    tiles[2].metric("Flood periods (>10 / 10 min)", figures.flood_buckets, border=True)
    tiles[3].metric("Chattering alarms", len(figures.chattering), border=True)
    st.plotly_chart(
        build_flood_figure(
            figures.per_bucket, FLOOD_BUCKET_S, until - time_range.span_s, until, zone
        ),
        width="stretch",
        key="flood",
    )
    if not figures.chattering.empty:
        st.caption("Chattering: raised 3 or more times within 60 s")
        st.dataframe(figures.chattering.drop(columns=["instance_id"]), hide_index=True)
    stale = figures.stale_unacknowledged
    if not stale.empty:
        st.caption("Unacknowledged for more than 24 h")
        shown = stale.assign(age=stale["age_s"].map(format_age_s))
        st.dataframe(shown[["severity", "condition", "scope", "age"]], hide_index=True)


@st.fragment(run_every=chrome.run_every)
def live_history(conditions: tuple[str, ...], states: tuple[str, ...], who: str) -> None:
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    until = shared_until(time_range.until, None)
    history = load_history(
        database, until - time_range.span_s, until, conditions, states, who, 1000
    )
    if isinstance(history, str):
        st.warning(history)
        return
    st.caption(
        f"{len(history)} transitions{' (newest 1,000)' if len(history) >= 1000 else ''} · "
        f"{format_time(time_range.since, config)} → {format_time(time_range.until, config)}"
    )
    if history.empty:
        st.info(
            "No alarm transition matches in this range: choose a longer range or fewer filters."
        )
        return
    st.dataframe(
        history_table(history, zone),
        hide_index=True,
        width="stretch",
        key="history",
        column_config={"value": st.column_config.NumberColumn(format="%.4g")},
    )


live_active()
action_form(order_alarms(snapshot, time.time()))
st.subheader("Flood and chatter")
live_figures()
st.subheader("History")
known = load_conditions(database)
names = [] if isinstance(known, str) else sorted(str(n) for n in known["name"])
pick_condition, pick_state, pick_who = st.columns([2, 2, 1])
chosen_conditions = pick_condition.multiselect("Conditions", names, key="history-conditions")
chosen_states = pick_state.multiselect(
    "Entered state",
    list(STATE_WORDS),
    format_func=lambda state: STATE_WORDS.get(state, state),
    key="history-states",
)
chosen_who = pick_who.text_input("Operator", key="history-who").strip()
live_history(tuple(chosen_conditions), tuple(chosen_states), chosen_who)
