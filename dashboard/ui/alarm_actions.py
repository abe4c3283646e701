"""Acknowledge, shelve and unshelve alarms from the Alarms page, bound to alarm ids.

The form lives outside every refreshing fragment and offers the alarm ids of a snapshot taken
when the page ran, so a refresh can never move an action onto another alarm. Its callback runs
before the page script, opens a read-write connection, and acts on the picked ids as the
signed-in viewer, so the page shows the new state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from alarms.model import OperatorActionKind
from dashboard.alarm_view import alarm_choices
from dashboard.ui.access import operator_only, session_viewer
from dashboard.ui.alarms import load_active, load_history
from node.alarm_actions import AlarmActionError, act_on_alarm
from storage.db import StorageError, connect

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


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """One line of what the last action did, for the operator to read."""

    level: str  # "success" | "info" | "error"
    text: str


def action_form(database_path: str, ordered: pd.DataFrame) -> None:
    """The operator's form over the snapshot `ordered`, then what the last action did."""
    st.subheader("Acknowledge or shelve")
    if not operator_only("Acknowledging and shelving alarms"):
        return
    choices = alarm_choices(ordered, time.time())
    if not choices:
        st.caption("Nothing to act on.")
        return
    top, reload = st.columns([5, 1])
    top.caption(
        f"Acting as **{session_viewer().name}**. The list below is the alarms as they were when "
        "this page loaded; reload it to see newer ones."
    )
    reload.button("Reload the list", icon=":material/refresh:")
    with st.form("alarm-action"):
        st.multiselect(
            "Alarms",
            list(choices),
            format_func=lambda instance_id: choices.get(instance_id, instance_id),
            key=ACTION_IDS_KEY,
            placeholder="Choose one or more alarms",
        )
        kind, shelve_for = st.columns(2)
        kind.radio("Action", list(ACTION_KINDS), key=ACTION_KIND_KEY, horizontal=True)
        shelve_for.selectbox(
            "Shelve for",
            list(SHELVE_CHOICES),
            index=1,
            key=ACTION_SHELVE_KEY,
            help="A shelved alarm comes back by itself when the time is up.",
        )
        st.text_input("Comment", key=ACTION_COMMENT_KEY, max_chars=500)
        st.form_submit_button(
            "Apply", type="primary", on_click=perform_alarm_action, args=(database_path, choices)
        )
    for outcome in st.session_state.get(ACTION_RESULT_KEY) or []:
        getattr(st, outcome.level)(outcome.text)


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
