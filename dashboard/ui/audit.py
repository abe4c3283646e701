"""The Audit page's loaders and sections: filters, the newest rows, the CSV download."""

from __future__ import annotations

from datetime import datetime, tzinfo

import pandas as pd
import sqlite_utils
import streamlit as st

from dashboard.controls_view import audit_table
from dashboard.downloads import audit_csv_download
from dashboard.ui.loading import LIVE_TTL_S, read_or_reason
from storage.audit import AuditFilter, read_audit, read_audit_choices

EVERYONE = "(everyone)"
EVERYTHING = "(every action)"
PREVIEW_ROWS = 500


@st.cache_data(ttl=LIVE_TTL_S, max_entries=32, show_spinner=False)
def load_audit(
    database_path: str, selection: AuditFilter, limit: int
) -> tuple[pd.DataFrame, list[str], list[str]] | str:
    """The newest matching rows, and everyone and every action for the filters."""

    def read(db: sqlite_utils.Database) -> tuple[pd.DataFrame, list[str], list[str]]:
        who, actions = read_audit_choices(db)
        return read_audit(db, selection, limit), who, actions

    return read_or_reason(database_path, read)


def audit_filters(since: float, until: float, who: list[str], actions: list[str]) -> AuditFilter:
    """Who, which action (a family such as `control` or one action), which subject."""
    families = sorted({action.split(".")[0] for action in actions} | set(actions))
    left, middle, right = st.columns(3)
    person = left.selectbox("Who", [EVERYONE, *who], key="who", bind="query-params")
    action = middle.selectbox("Action", [EVERYTHING, *families], key="action", bind="query-params")
    subject = right.text_input(
        "Subject (target, alarm, user, file)", key="subject", bind="query-params"
    )
    return AuditFilter(
        since=since,
        until=until,
        who=None if person == EVERYONE else str(person),
        action=None if action == EVERYTHING else str(action),
        subject=str(subject).strip() or None,
    )


def audit_download(database_path: str, selection: AuditFilter, zone: tzinfo) -> None:
    """The CSV of every matching row (the same file as `pacing audit export`)."""
    stamp = datetime.fromtimestamp(selection.until or 0.0, tz=zone).strftime("%Y%m%d-%H%M")
    st.download_button(
        "Download the audit rows as CSV",
        data=audit_csv_download(database_path, selection),
        file_name=f"pacing-audit-{stamp}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every matching row, oldest first; times in UTC (ISO-8601); every cell quoted and "
        "cells starting like a formula prefixed with '.",
    )


def show_audit(frame: pd.DataFrame, zone: tzinfo) -> None:
    st.dataframe(audit_table(frame, zone), hide_index=True, width="stretch", key="audit-rows")
