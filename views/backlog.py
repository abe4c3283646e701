"""Backlog: the folder that keeps cycles the database refused, its drain, and hive-off runs."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.backlog import show_backlog
from dashboard.ui.chrome import page_chrome

chrome = page_chrome("Backlog", "Writes the database refused, kept on disk until they drain")


@st.fragment(run_every=chrome.run_every)
def live_backlog() -> None:
    show_backlog(chrome)


live_backlog()
