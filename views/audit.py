"""Audit: who changed what, when, from what to what, and why; filters and a CSV download."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.audit import PREVIEW_ROWS, audit_download, audit_filters, load_audit, show_audit
from dashboard.ui.chrome import page_chrome, resolved_range
from storage.audit import AuditFilter

chrome = page_chrome(
    "Audit", "Controls, reloads, acknowledgements, shelves and user changes", live=False
)
zone = chrome.config.node.zone
time_range = resolved_range(chrome)
if time_range is None:
    st.stop()
choices = load_audit(chrome.database, AuditFilter(since=0.0, until=0.0), 1)
if isinstance(choices, str):
    st.info(f"No audit trail yet: {choices}", icon=":material/database:")
    st.stop()
_, who, actions = choices
selection = audit_filters(time_range.since, time_range.until, who, actions)
result = load_audit(chrome.database, selection, PREVIEW_ROWS)
if isinstance(result, str):
    st.warning(result, icon=":material/database:")
    st.stop()
frame, _, _ = result
audit_download(chrome.database, selection, zone)
if frame.empty:
    st.info("Nothing in the audit trail for these filters.", icon=":material/search_off:")
    st.stop()
st.caption(
    f"Newest {len(frame)} rows (at most {PREVIEW_ROWS}; times in {chrome.config.node.timezone}):"
)
show_audit(frame, zone)
