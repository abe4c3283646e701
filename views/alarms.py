"""Alarms: what needs attention, acknowledge and shelve by alarm id, history, flood and chatter.

The tables refresh in fragments; the action form lives outside them and picks alarm ids from a
snapshot taken when the page ran, so a refresh can never move an action onto another alarm.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboard.alarm_view import order_alarms
from dashboard.ui.alarm_actions import action_form
from dashboard.ui.alarms import (
    HistoryFilter,
    alarm_history_download_button,
    history_filter,
    load_active,
    show_active_alarms,
    show_alarm_figures,
    show_alarm_history,
)
from dashboard.ui.chrome import page_chrome

chrome = page_chrome("Alarms", "Active first, by category and age · actions are bound to alarm ids")
snapshot = load_active(chrome.database)
if isinstance(snapshot, str):
    st.info(f"No alarms to show yet: {snapshot}", icon=":material/database:")
    st.stop()


@st.fragment(run_every=chrome.run_every)
def live_active() -> None:
    show_active_alarms(chrome)


@st.fragment(run_every=chrome.run_every)
def live_figures() -> None:
    show_alarm_figures(chrome)


@st.fragment(run_every=chrome.run_every)
def live_history(chosen: HistoryFilter) -> None:
    show_alarm_history(chrome, chosen)


live_active()
action_form(chrome.database, order_alarms(snapshot, time.time()))
st.subheader("Flood and chatter")
live_figures()
st.subheader("History")
live_history(history_filter(chrome.database))
alarm_history_download_button(chrome)
