"""The History page's loader and sections: a row count, the CSV download, a preview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import pandas as pd
import sqlite_utils
import streamlit as st

from dashboard.downloads import csv_download
from dashboard.timerange import TimeRange
from dashboard.ui.loading import SERIES_TTL_S, read_or_reason
from storage.history import read_history_preview
from storage.history_bounds import HISTORY_COUNT_CAP, count_history_rows_upto


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_history_preview(
    database_path: str,
    target_ids: tuple[str, ...] | None,
    columns: tuple[str, ...],
    since: float,
    until: float,
    limit: int,
) -> tuple[int, pd.DataFrame] | str:
    """How many rows match (HISTORY_COUNT_CAP + 1 for more), and the newest `limit` of them."""

    def read(db: sqlite_utils.Database) -> tuple[int, pd.DataFrame]:
        count = count_history_rows_upto(db, since, until, target_ids)
        return count, read_history_preview(db, since, until, target_ids, columns, limit)

    return read_or_reason(database_path, read)


def rows_text(rows: int) -> str:
    """`1,234`, or `more than 1,000,000` when the count stopped at its cap."""
    return f"more than {HISTORY_COUNT_CAP:,}" if rows > HISTORY_COUNT_CAP else f"{rows:,}"


def csv_download_button(
    database_path: str,
    time_range: TimeRange,
    target_ids: tuple[str, ...] | None,
    columns: Sequence[str],
    rows: int,
    zone: tzinfo,
) -> None:
    """The download of exactly what `pacing export` writes for these filters."""
    stamp = datetime.fromtimestamp(time_range.until, tz=zone).strftime("%Y%m%d-%H%M")
    st.download_button(
        f"Download {rows_text(rows)} rows as CSV",
        data=csv_download(database_path, time_range.since, time_range.until, target_ids, columns),
        file_name=f"pacing-history-{stamp}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        disabled=rows == 0,
        help="The same file as `pacing export` with these filters; times in UTC (ISO-8601); "
        "cells starting with = + - @ are prefixed with ' so spreadsheets do not run them.",
    )


def show_preview(preview: pd.DataFrame, zone: tzinfo) -> None:
    """The newest rows, with their times in the operator's zone."""
    shown = preview.copy()
    for name in ("at", "cycle_started_at"):
        if name in shown:
            shown[name] = shown[name].map(
                lambda t: datetime.fromtimestamp(t, tz=zone).strftime("%Y-%m-%d %H:%M:%S")
            )
    st.dataframe(shown, hide_index=True, width="stretch")
