"""History: filter the cycle history and download it as CSV (the same file as `pacing export`)."""

from __future__ import annotations

import streamlit as st

from dashboard.formats import format_time
from dashboard.ui.chrome import page_chrome, resolved_range, selected_targets
from dashboard.ui.history import csv_download_button, load_history_preview, rows_text, show_preview
from dashboard.ui.targets import load_target_ids
from storage.export import DEFAULT_COLUMNS, EXPORT_COLUMNS

PREVIEW_ROWS = 200

chrome = page_chrome("History", "Every target's inputs and outputs, cycle by cycle", live=False)
config = chrome.config
zone = config.node.zone
known = load_target_ids(chrome.database)
if isinstance(known, str):
    st.info(f"No history yet: {known}", icon=":material/database:")
    st.stop()
# None chosen means every target: 10,000 preselected chips would take seconds to draw.
targets = selected_targets(known, default_count=0, placeholder="Every target (type to choose some)")
columns = st.multiselect(
    "Columns",
    list(EXPORT_COLUMNS),
    default=list(DEFAULT_COLUMNS),
    key="columns",
    bind="query-params",
)
time_range = resolved_range(chrome)
if time_range is None:
    st.stop()
if not columns:
    st.info("Choose at least one column.", icon=":material/checklist:")
    st.stop()

chosen = None if not targets or set(targets) == set(known) else tuple(targets)
result = load_history_preview(
    chrome.database, chosen, tuple(columns), time_range.since, time_range.until, PREVIEW_ROWS
)
if isinstance(result, str):
    st.warning(result, icon=":material/database:")
    st.stop()
rows, preview = result
since_text, until_text = format_time(time_range.since, zone), format_time(time_range.until, zone)
st.caption(f"{rows_text(rows)} rows from {since_text} to {until_text}")
csv_download_button(chrome.database, time_range, chosen, columns, rows, zone)
if rows == 0:
    st.info(
        "No cycle in this range for these targets: choose a longer range, or start a node.",
        icon=":material/search_off:",
    )
    st.stop()
st.caption(f"Newest {min(rows, PREVIEW_ROWS)} rows (times in {config.node.timezone}):")
show_preview(preview, zone)
