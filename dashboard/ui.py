"""The small Streamlit helper module: cached read models and shared widgets.

Every query opens its own read-only connection in the calling thread (a SQLite connection
must stay in its thread) and is cached with a short ttl, so ten open browsers cost about one
query per refresh.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.settings import load_dashboard_config
from engine.config import Config
from storage.db import StorageError, connect_readonly
from storage.reads import (
    CycleSummary,
    NodeStatus,
    read_cycle_summary,
    read_node_status,
    read_target_history,
    read_target_state,
)

LIVE_TTL_S = 2
STALE_AFTER_PERIODS = 3.0


@dataclass(frozen=True, slots=True)
class OverviewData:
    """What the overview page shows, read in one go."""

    nodes: tuple[NodeStatus, ...]
    summary: CycleSummary
    targets: pd.DataFrame
    recent: pd.DataFrame


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
        stale_after_s = max(STALE_AFTER_PERIODS * period_s, 10.0)
        return OverviewData(
            nodes=tuple(read_node_status(db, now=now, stale_after_s=stale_after_s)),
            summary=read_cycle_summary(db, now=now, window_s=60.0),
            targets=read_target_state(db),
            recent=read_target_history(db, None, since=now - history_s, until=now + 1),
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
