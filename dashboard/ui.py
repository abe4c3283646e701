"""The small Streamlit helper module: cached read models and shared widgets.

Every query opens its own read-only connection in the calling thread (a SQLite connection
must stay in its thread) and is cached with a short ttl, so ten open browsers cost about one
query per refresh.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import pandas as pd
import sqlite_utils
import streamlit as st

from config import Config
from dashboard.settings import load_dashboard_config
from dashboard.sustainable import sustainable_rates
from dashboard.timerange import (
    DEFAULT_RANGE,
    DEFAULT_REFRESH,
    RANGE_CHOICES,
    REFRESH_CHOICES,
    TimeRange,
    TimeRangeError,
    quantise_now,
    refresh_seconds,
    resolve_range,
)
from domain.freshness import node_stale_after_s
from domain.records import NodeStatus
from storage.alarms.reads import read_active_alarms
from storage.cycles import CycleSummary, read_cycle_summary
from storage.db import StorageError, connect_readonly
from storage.history import count_history_rows, read_history_preview, read_target_history
from storage.nodes import read_node_status
from storage.pacer_state import read_saved_target_states
from storage.targets import (
    ActivityFigures,
    read_activity,
    read_target_ids,
    read_target_series,
    read_target_state,
)

LIVE_TTL_S = 2


@dataclass(frozen=True, slots=True)
class OverviewData:
    """What the overview page shows, read in one go."""

    nodes: tuple[NodeStatus, ...]
    summary: CycleSummary
    targets: pd.DataFrame
    recent: pd.DataFrame
    activity: ActivityFigures


def dashboard_config() -> Config:
    return load_dashboard_config()


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_overview(database_path: str, period_s: float, history_s: float) -> OverviewData | str:
    """The overview's data, or the reason there is none yet (a sentence for the operator)."""
    now = time.time()
    try:
        db = connect_readonly(database_path)
    except StorageError as error:
        return str(error)
    try:
        stale_after_s = node_stale_after_s(period_s)
        return OverviewData(
            nodes=tuple(read_node_status(db, now=now, stale_after_s=stale_after_s)),
            summary=read_cycle_summary(db, now=now, window_s=60.0),
            targets=read_target_state(db),
            recent=read_target_history(db, None, since=now - history_s, until=now + 1),
            activity=read_activity(db, now=now, stale_after_s=stale_after_s),
        )
    finally:
        db.close()


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def format_ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


# --- page chrome: time range and refresh interval, both kept in the URL ----------------------


@dataclass(frozen=True, slots=True)
class Chrome:
    """What a chart page's header chose; `current_range()` resolves it at each refresh."""

    config: Config
    range_key: str
    custom_from: datetime | None
    custom_to: datetime | None
    refresh_s: float | None  # None: paused

    @property
    def run_every(self) -> timedelta | None:
        return None if self.refresh_s is None else timedelta(seconds=self.refresh_s)

    def current_range(self) -> TimeRange:
        """The range at this moment (relative ranges follow the clock); raises TimeRangeError."""
        return resolve_range(
            self.range_key, time.time(), self.config.node.zone, self.custom_from, self.custom_to
        )


def page_chrome(title: str, caption: str | None = None, *, live: bool = True) -> Chrome:
    """Title, then Grafana-like pickers: range and refresh (URL keys `range`, `refresh`).

    `live=False` (a filter page such as History) draws no refresh picker.
    """
    config = dashboard_config()
    head, pick_range, pick_refresh = st.columns([3, 1.2, 1])
    head.title(title)
    if caption:
        head.caption(caption)
    # The options are the URL values themselves (Streamlit writes the shown text to the URL).
    range_key = pick_range.selectbox(
        "Time range (last …)",
        list(RANGE_CHOICES),
        index=list(RANGE_CHOICES).index(DEFAULT_RANGE),
        key="range",
        bind="query-params",
    )
    if not live:
        refresh_key = "paused"
    else:
        refresh_key = pick_refresh.selectbox(
            "Refresh every",
            list(REFRESH_CHOICES),
            index=list(REFRESH_CHOICES).index(DEFAULT_REFRESH),
            key="refresh",
            bind="query-params",
            help="How often the live parts of the page reload. Paused: they stay as they are.",
        )
    custom_from = custom_to = None
    if range_key == "custom":
        zone = config.node.zone
        now = datetime.now(zone).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        left, right = st.columns(2)
        custom_from = left.datetime_input(
            f"From ({config.node.timezone})",
            value=now - timedelta(hours=24),
            key="from",
            bind="query-params",
        )
        custom_to = right.datetime_input(
            f"To ({config.node.timezone})",
            value=now + timedelta(hours=1),
            key="to",
            bind="query-params",
        )
    return Chrome(config, str(range_key), custom_from, custom_to, refresh_seconds(str(refresh_key)))


def resolved_range(chrome: Chrome) -> TimeRange | None:
    """The chrome's range now, or None after telling the operator what to fix."""
    try:
        return chrome.current_range()
    except TimeRangeError as error:
        st.warning(f"Time range: {error}", icon=":material/date_range:")
        return None


def format_time(epoch_s: float, config: Config) -> str:
    """A time in the operator's zone, e.g. `2026-11-30 08:15:02 CET`."""
    return datetime.fromtimestamp(epoch_s, tz=config.node.zone).strftime("%Y-%m-%d %H:%M:%S %Z")


# --- cached read models: each opens its own read-only connection in the calling thread --------

_T = TypeVar("_T")
SERIES_TTL_S = 10
SERIES_STEP_S = 2.0


def _read(database_path: str, read: Callable[[sqlite_utils.Database], _T]) -> _T | str:
    try:
        db = connect_readonly(database_path)
    except StorageError as error:
        return str(error)
    try:
        return read(db)
    except StorageError as error:
        return str(error)
    finally:
        db.close()


def shared_until(until: float, bucket_s: float | None) -> float:
    """`until` rounded up so every session asking in the same few seconds shares one query."""
    return quantise_now(until, SERIES_STEP_S if bucket_s is None else SERIES_TTL_S)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_target_ids(database_path: str) -> list[str] | str:
    return _read(database_path, read_target_ids)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_target_series(
    database_path: str,
    target_ids: tuple[str, ...],
    since: float,
    until: float,
    bucket_s: float | None,
) -> pd.DataFrame | str:
    return _read(
        database_path, lambda db: read_target_series(db, target_ids, since, until, bucket_s)
    )


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_history_preview(
    database_path: str,
    target_ids: tuple[str, ...] | None,
    columns: tuple[str, ...],
    since: float,
    until: float,
    limit: int,
) -> tuple[int, pd.DataFrame] | str:
    def read(db: sqlite_utils.Database) -> tuple[int, pd.DataFrame]:
        count = count_history_rows(db, since, until, target_ids)
        return count, read_history_preview(db, since, until, target_ids, columns, limit)

    return _read(database_path, read)


def selected_targets(known: Sequence[str], default_count: int = 10) -> list[str]:
    """A target multiselect kept in the URL (`targets`); defaults to the first few targets."""
    chosen = st.multiselect(
        "Targets",
        list(known),
        default=list(known[:default_count]),
        key="targets",
        bind="query-params",
        placeholder="Choose one or more pacing targets",
    )
    return [str(target) for target in chosen]


ALARMS_PENDING = (
    "Alarm counts appear here once the alarm engine is installed (storage/alarms_reads.py) "
    "and the database holds its tables."
)
SEVERITIES = ("Critical", "Major", "Minor", "Warning")


@st.cache_data(ttl=SERIES_TTL_S, max_entries=8, show_spinner=False)
def load_sustainable_rates(database_path: str, target_ids: tuple[str, ...]) -> pd.DataFrame | str:
    """Sustainable rates of these targets (Erlang A with the pacer's patience estimates)."""

    def read(db: sqlite_utils.Database) -> pd.DataFrame:
        state = read_target_state(db)
        return sustainable_rates(
            state[state["target_id"].isin(target_ids)], read_saved_target_states(db)
        )

    return _read(database_path, read)


def show_sustainable_rates(database_path: str, target_ids: tuple[str, ...]) -> None:
    """The sustainable-rate table of the Targets page, or what it still needs."""
    rates = load_sustainable_rates(database_path, target_ids)
    st.subheader("Sustainable rate now")
    if isinstance(rates, str) or rates.empty:
        st.info(
            "No sustainable rate yet: it needs logged-in slots, a handle time and the predictive "
            "pacer's patience estimate, which a node saves every 30 cycles.",
            icon=":material/hourglass_empty:",
        )
        return
    number = st.column_config.NumberColumn
    st.dataframe(
        rates,
        hide_index=True,
        width="stretch",
        column_config={
            "handle time s": number(format="%.0f s"),
            "patience s": number(format="%.0f s"),
            "goal %": number(format="%.1f %%"),
            "sustainable accepts / min": number(format="%.2f"),
            "sustainable invitations / min": number(format="%.1f"),
        },
    )


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_active_alarms(database_path: str) -> dict[str, int] | None:
    """Active alarms per category (Critical, Major, Minor, Warning), or None without alarms."""
    try:
        result = _read(database_path, read_active_alarms)
    except sqlite3.Error:  # a database from before the alarm migration
        return None
    if isinstance(result, str):
        return None
    active = result[result["state"].astype(str).str.startswith("active")]
    counts = active["severity"].value_counts()
    return {severity: int(counts.get(severity, 0)) for severity in SEVERITIES}
