"""Streamlit helpers of the Alarms, Health and Backlog pages: cached loaders and alarm actions.

Loaders open their own read-only connection in the calling thread and are cached with a short
ttl (ten browsers, about one query). Operator actions open a read-write connection in the
widget callback and act on the alarm ids the operator picked (never on row positions), as the
signed-in viewer; the callback runs before the page script, so the page shows the new state.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import sqlite_utils
import streamlit as st

from alarms.model import OperatorActionKind
from dashboard.annotations import MARKER_TO_STATES
from dashboard.ui_access import session_viewer
from node.alarm_actions import AlarmActionError, act_on_alarm
from storage.alarms.store import (
    AlarmFigures,
    read_active_alarms,
    read_alarm_figures,
    read_alarm_history,
    read_conditions,
)
from storage.backlog.reads import (
    BacklogStatus,
    read_backlog_samples,
    read_backlog_status,
    read_drain_rate,
    read_hive_off_runs,
)
from storage.db import StorageError, connect, connect_readonly
from storage.runtime import read_gc_generations, read_runtime_series

LIVE_TTL_S = 2
SERIES_TTL_S = 10
ACTION_IDS_KEY = "alarm-action-ids"
ACTION_KIND_KEY = "alarm-action-kind"
ACTION_COMMENT_KEY = "alarm-action-comment"
ACTION_SHELVE_KEY = "alarm-action-shelve-for"
ACTION_RESULT_KEY = "alarm-action-result"
# Label -> seconds a shelve lasts (a shelve always has an expiry).
SHELVE_CHOICES: dict[str, float] = {
    "15 minutes": 900.0,
    "1 hour": 3600.0,
    "4 hours": 14400.0,
    "8 hours": 28800.0,
    "24 hours": 86400.0,
}
ACTION_KINDS: dict[str, OperatorActionKind] = {
    "Acknowledge": "acknowledge",
    "Shelve": "shelve",
    "Unshelve": "unshelve",
}
_VERBS = {"acknowledge": "acknowledged", "shelve": "shelved", "unshelve": "unshelved"}

_T = TypeVar("_T")


def read_or_reason(database_path: str, read: Callable[[sqlite_utils.Database], _T]) -> _T | str:
    """The read's result, or a sentence saying why there is none (no database, no table)."""
    try:
        db = connect_readonly(database_path)
    except StorageError as error:
        return str(error)
    try:
        return read(db)
    except (StorageError, sqlite3.Error) as error:
        return f"the database cannot answer yet ({error}); a node of this version creates it"
    finally:
        db.close()


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_active(database_path: str) -> pd.DataFrame | str:
    return read_or_reason(database_path, read_active_alarms)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_history(
    database_path: str,
    since: float,
    until: float,
    conditions: tuple[str, ...],
    states: tuple[str, ...],
    who: str,
    limit: int,
) -> pd.DataFrame | str:
    return read_or_reason(
        database_path,
        lambda db: read_alarm_history(
            db,
            since=since,
            until=until,
            conditions=conditions or None,
            states=states or None,
            who=who or None,
            limit=limit,
        ),
    )


@st.cache_data(ttl=SERIES_TTL_S, max_entries=16, show_spinner=False)
def load_figures(database_path: str, now: float, window_s: float) -> AlarmFigures | str:
    return read_or_reason(database_path, lambda db: read_alarm_figures(db, now, window_s=window_s))


@st.cache_data(ttl=SERIES_TTL_S, max_entries=8, show_spinner=False)
def load_conditions(database_path: str) -> pd.DataFrame | str:
    return read_or_reason(database_path, read_conditions)


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_marker_transitions(database_path: str, since: float, until: float) -> pd.DataFrame:
    """Raises and clears in the range for chart markers (empty when alarms are not set up)."""
    result = read_or_reason(
        database_path,
        lambda db: read_alarm_history(
            db, since=since, until=until, states=MARKER_TO_STATES, limit=5000
        ),
    )
    return pd.DataFrame() if isinstance(result, str) else result


@dataclass(frozen=True, slots=True)
class RuntimeData:
    series: pd.DataFrame
    generations: pd.DataFrame


@st.cache_data(ttl=SERIES_TTL_S, max_entries=32, show_spinner=False)
def load_runtime(
    database_path: str, since: float, until: float, bucket_s: float | None
) -> RuntimeData | str:
    return read_or_reason(
        database_path,
        lambda db: RuntimeData(
            read_runtime_series(db, since, until, bucket_s),
            read_gc_generations(db, since, until, bucket_s),
        ),
    )


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


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """One line of what the last action did, for the operator to read."""

    level: str  # "success" | "info" | "error"
    text: str


def perform_alarm_action(database_path: str, labels: dict[str, str]) -> None:
    """Widget callback: act on the picked alarm ids as the signed-in operator."""
    viewer = session_viewer()
    ids = [str(i) for i in st.session_state.get(ACTION_IDS_KEY) or []]
    kind = ACTION_KINDS.get(str(st.session_state.get(ACTION_KIND_KEY)), "acknowledge")
    comment = str(st.session_state.get(ACTION_COMMENT_KEY) or "")
    outcomes: list[ActionOutcome] = []
    if not viewer.is_operator:
        outcomes.append(ActionOutcome("error", "Only operators may act on alarms."))
    elif not ids:
        outcomes.append(ActionOutcome("info", "Pick at least one alarm first."))
    else:
        outcomes = _act(database_path, ids, kind, viewer.name, comment, labels)
        st.session_state[ACTION_IDS_KEY] = []
        st.session_state[ACTION_COMMENT_KEY] = ""
        load_active.clear()
        load_history.clear()
    st.session_state[ACTION_RESULT_KEY] = outcomes


def _act(
    database_path: str,
    ids: list[str],
    kind: OperatorActionKind,
    operator: str,
    comment: str,
    labels: dict[str, str],
) -> list[ActionOutcome]:
    now = time.time()
    shelve_for = SHELVE_CHOICES.get(str(st.session_state.get(ACTION_SHELVE_KEY)), 3600.0)
    until = now + shelve_for if kind == "shelve" else None
    verb = _VERBS[kind]
    outcomes: list[ActionOutcome] = []
    try:
        db = connect(database_path)
    except StorageError as error:
        return [ActionOutcome("error", f"Nothing done: {error}")]
    try:
        for instance_id in ids:
            name = labels.get(instance_id, instance_id)
            try:
                result = act_on_alarm(
                    db, instance_id, kind, operator=operator, now=now, comment=comment, until=until
                )
            except (AlarmActionError, StorageError) as error:
                outcomes.append(ActionOutcome("error", f"{name}: {error}"))
                continue
            if result.changed:
                outcomes.append(ActionOutcome("success", f"{name}: {verb} by {operator}"))
            else:
                outcomes.append(ActionOutcome("info", f"{name}: {result.note or 'no change'}"))
    finally:
        db.close()
    return outcomes
