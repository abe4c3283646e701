"""Health: GC pauses and frequency, memory, cycle timing, each against its alarm threshold."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.chrome import page_chrome
from dashboard.ui.health import show_health
from dashboard.ui.reload import reload_section

chrome = page_chrome("Health", "The node's runtime against the GC and memory alarm thresholds")


@st.fragment(run_every=chrome.run_every)
def live_health() -> None:
    show_health(chrome)


live_health()
reload_section(chrome.database, chrome.config.node.zone)
