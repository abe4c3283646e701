"""Targets: allowed, pending, slots, queue, abandonment against goal and occupancy over a range."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.chrome import page_chrome, selected_targets
from dashboard.ui.compliance import show_compliance
from dashboard.ui.controls import controls_section
from dashboard.ui.goal_preview import goal_override_preview, show_goal_preview
from dashboard.ui.targets import load_target_ids, show_targets

chrome = page_chrome("Targets", "Per pacing target over the chosen range")
known = load_target_ids(chrome.database)
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
targets = tuple(selected_targets(known))


@st.fragment(run_every=chrome.run_every)
def live_targets() -> None:
    show_targets(chrome, targets)


live_targets()
controls_section(
    chrome.database,
    known,
    chrome.config.node.zone,
    goal_override_preview(chrome.config),
    chosen=targets,
)
show_compliance(chrome.config, targets)  # windows of hours move slowly: not on every refresh
show_goal_preview(chrome.config, targets)
