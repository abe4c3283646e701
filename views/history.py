"""History: filter the cycle history and download it as CSV (the same file as `pacing export`)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard.downloads import csv_download
from dashboard.ui import (
    format_time,
    load_history_preview,
    load_target_ids,
    page_chrome,
    resolved_range,
    selected_targets,
)
from storage.export import DEFAULT_COLUMNS, EXPORT_COLUMNS

PREVIEW_ROWS = 200

chrome = page_chrome("History", "Every target's inputs and outputs, cycle by cycle", live=False)
config = chrome.config
database = str(config.node.database_path)
known = load_target_ids(database)
if isinstance(known, str):
    st.info(f"No history yet: {known}", icon=":material/database:")
    st.stop()
targets = selected_targets(known, default_count=len(known))
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
if not targets or not columns:
    st.info("Choose at least one target and one column.", icon=":material/checklist:")
    st.stop()

chosen = None if set(targets) == set(known) else tuple(targets)
result = load_history_preview(
    database, chosen, tuple(columns), time_range.since, time_range.until, PREVIEW_ROWS
)
if isinstance(result, str):
    st.warning(result, icon=":material/database:")
    st.stop()
rows, preview = result
since_text = format_time(time_range.since, config)
until_text = format_time(time_range.until, config)
st.caption(f"{rows:,} rows from {since_text} to {until_text}")
stamp = datetime.fromtimestamp(time_range.until, tz=config.node.zone).strftime("%Y%m%d-%H%M")
st.download_button(
    f"Download {rows:,} rows as CSV",
    data=csv_download(database, time_range.since, time_range.until, chosen, columns),
    file_name=f"pacing-history-{stamp}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    disabled=rows == 0,
    help="The same file as `pacing export` with these filters; times in UTC (ISO-8601); cells "
    "starting with = + - @ are prefixed with ' so spreadsheets do not run them.",
)
if rows == 0:
    st.info(
        "No cycle in this range for these targets: choose a longer range, or start a node.",
        icon=":material/search_off:",
    )
    st.stop()
st.caption(f"Newest {min(rows, PREVIEW_ROWS)} rows (times in {config.node.timezone}):")
for name in ("at", "cycle_started_at"):
    if name in preview:
        preview[name] = preview[name].map(
            lambda t: datetime.fromtimestamp(t, tz=config.node.zone).strftime("%Y-%m-%d %H:%M:%S")
        )
st.dataframe(preview, hide_index=True, width="stretch")
