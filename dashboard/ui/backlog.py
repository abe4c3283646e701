"""The Backlog page's loader and sections: the folder, its drain, and hive-off runs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from config.options import BacklogOptions
from dashboard.backlog_charts import (
    MB,
    backlog_ever_used,
    build_drain_figure,
    build_folder_size_figure,
    build_items_figure,
    hive_off_table,
)
from dashboard.formats import format_age, format_range
from dashboard.ui.chrome import Chrome, resolved_range
from dashboard.ui.loading import SERIES_TTL_S, read_or_reason, shared_until
from storage.backlog.reads import (
    BacklogStatus,
    read_backlog_samples,
    read_backlog_status,
    read_drain_rate,
    read_hive_off_runs,
)

EMPTY = "No backlog yet: the database has accepted every write."


@dataclass(frozen=True, slots=True)
class BacklogData:
    status: BacklogStatus
    samples: pd.DataFrame
    rates: pd.DataFrame
    runs: pd.DataFrame


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_backlog(database_path: str, since: float, until: float) -> BacklogData | str:
    return read_or_reason(
        database_path,
        lambda db: BacklogData(
            read_backlog_status(db),
            read_backlog_samples(db, since, until),
            read_drain_rate(db, since, until),
            read_hive_off_runs(db, limit=50),
        ),
    )


def show_backlog(chrome: Chrome) -> None:
    """Tiles, the folder's charts over the range (once it was ever used), hive-off runs."""
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    config, zone, options = chrome.config, chrome.config.node.timezone, chrome.config.backlog
    until = shared_until(time_range.until, 10.0)
    data = load_backlog(chrome.database, until - time_range.span_s, until)
    if isinstance(data, str):
        st.info(f"Nothing to show yet: {data}", icon=":material/database:")
        return
    _show_status(data.status, options, time_range.until)
    st.caption(
        f"{format_range(time_range, config.node.zone)} · folder `{options.folder}` measured "
        f"every {options.disk_check_interval_ms / 1000:g} s"
    )
    if not backlog_ever_used(data.samples):
        st.success(EMPTY, icon=":material/check_circle:")
    else:
        left, right = st.columns(2)
        left.plotly_chart(
            build_folder_size_figure(
                data.samples, options.disk_warning_used_mb, options.disk_max_used_mb, zone
            ),
            width="stretch",
            key="backlog-size",
        )
        right.plotly_chart(build_items_figure(data.samples, zone), width="stretch", key="items")
        left.plotly_chart(build_drain_figure(data.rates, zone), width="stretch", key="drain")
    _show_hive_off(data.runs, options, zone)


def _show_status(status: BacklogStatus, options: BacklogOptions, now: float) -> None:
    enabled = (
        options.processor_enabled
        if status.processor_enabled_override is None
        else status.processor_enabled_override
    )
    tiles = st.columns(6)
    tiles[0].metric(
        "Folder size",
        f"{status.used_bytes / MB:,.1f} MB",
        border=True,
        help=f"WarningUsedMB {options.disk_warning_used_mb} · MaxUsedMB {options.disk_max_used_mb}",
    )
    tiles[1].metric("Waiting", status.pending_items, border=True)
    tiles[2].metric("Processing", status.processing_items, border=True)
    tiles[3].metric(
        "Failed", status.failed_items, border=True, help="items in failed/ (see .reason files)"
    )
    tiles[4].metric("Refused (disk full)", status.refused_total, border=True)
    tiles[5].metric(
        "Processor",
        "on" if enabled else "off",
        border=True,
        help="as configured" if status.processor_enabled_override is None else "set at run time",
    )
    measured = format_age(None if status.at is None else now - status.at)
    st.caption(f"Level **{status.level}** · last measured {measured}")


def _show_hive_off(runs: pd.DataFrame, options: BacklogOptions, zone: str) -> None:
    st.subheader("Hive-off runs")
    table = hive_off_table(runs, zone)
    if table.empty:
        schedule = (
            f"every night at {options.hive_off_start_time} ({zone})"
            if options.hive_off_enabled
            else "never on this node (HiveOff.Enabled = false)"
        )
        st.info(
            f"No hive-off run yet: it runs {schedule}, or now with `pacing hive-off`.",
            icon=":material/inventory_2:",
        )
        return
    st.dataframe(table, hide_index=True, width="stretch", key="hive-off")
