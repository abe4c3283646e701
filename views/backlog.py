"""Backlog: the folder that keeps cycles the database refused, its drain, and hive-off runs."""

from __future__ import annotations

import streamlit as st

from dashboard.backlog_charts import (
    MB,
    backlog_ever_used,
    build_drain_figure,
    build_folder_size_figure,
    build_items_figure,
    hive_off_table,
)
from dashboard.ui import format_age, format_time, page_chrome, resolved_range, shared_until
from dashboard.ui_alarms import BacklogData, load_backlog

EMPTY = "No backlog yet: the database has accepted every write."
chrome = page_chrome("Backlog", "Writes the database refused, kept on disk until they drain")
config = chrome.config
database = str(config.node.database_path)
zone = config.node.timezone
options = config.backlog


@st.fragment(run_every=chrome.run_every)
def live_backlog() -> None:
    time_range = resolved_range(chrome)
    if time_range is None:
        return
    until = shared_until(time_range.until, 10.0)
    data = load_backlog(database, until - time_range.span_s, until)
    if isinstance(data, str):
        st.info(f"Nothing to show yet: {data}", icon=":material/database:")
        return
    show_status(data, time_range.until)
    st.caption(
        f"{time_range.label}: {format_time(time_range.since, config)} → "
        f"{format_time(time_range.until, config)} · folder `{options.folder}` measured every "
        f"{options.disk_check_interval_ms / 1000:g} s"
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
    show_hive_off(data)


def show_status(data: BacklogData, now: float) -> None:
    status = data.status
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
    measured = "never" if status.at is None else format_age(now - status.at)
    st.caption(f"Level **{status.level}** · last measured {measured}")


def show_hive_off(data: BacklogData) -> None:
    st.subheader("Hive-off runs")
    table = hive_off_table(data.runs, zone)
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


live_backlog()
