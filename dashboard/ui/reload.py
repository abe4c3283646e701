"""The Health page's "Reload the configuration" button (operators) and the last reloads.

The button leaves a `reload` request in the database; every node of the database (the
embedded one and headless ones alike) reloads its file before its next cycle, and writes the
outcome to the audit trail (and raises `ConfigurationReloadFailed` for a bad file).
"""

from __future__ import annotations

import time
from datetime import tzinfo

import streamlit as st

from dashboard.access import Viewer
from dashboard.controls_view import audit_table
from dashboard.ui.access import session_viewer
from dashboard.ui.audit import load_audit
from storage.audit import AuditFilter
from storage.controls import request_node_action
from storage.db import StorageError, connect

RELOAD_RESULT_KEY = "reload-result"


def reload_section(database_path: str, zone: tzinfo) -> None:
    """The button, what it did, and the last reload outcomes."""
    st.subheader("Configuration")
    viewer = session_viewer()
    st.caption(
        "Reloading reads the configuration file again: queues, groups and goals change at the "
        "next cycle without a restart; a file with problems changes nothing and raises "
        "ConfigurationReloadFailed. `kill -HUP` of a headless node does the same."
    )
    st.button(
        "Reload the configuration",
        icon=":material/refresh:",
        disabled=not viewer.is_operator,
        on_click=lambda: st.session_state.update(
            {RELOAD_RESULT_KEY: request_reload_as(session_viewer(), database_path)}
        ),
        help=None if viewer.is_operator else "needs the operator role",
    )
    result = st.session_state.get(RELOAD_RESULT_KEY)
    if result:
        st.info(result)
    recent = load_audit(database_path, AuditFilter(action="config"), 5)
    if not isinstance(recent, str) and not recent[0].empty:
        st.dataframe(audit_table(recent[0], zone), hide_index=True, width="stretch")


def request_reload_as(viewer: Viewer, database_path: str) -> str:
    """Ask every node to reload, as `viewer` (refused for a viewer); one sentence."""
    if not viewer.is_operator:
        return "Only operators may reload the configuration."
    try:
        db = connect(database_path)
    except StorageError as error:
        return f"Nothing done: {error}"
    try:
        request_node_action(db, "reload", viewer.name, time.time())
    except StorageError as error:
        return f"Nothing done: {error}"
    finally:
        db.close()
    load_audit.clear()
    return "Reload requested: every node reloads before its next cycle (see below)."
