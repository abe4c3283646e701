"""Compliance windows on the Targets page and the budget column of the Overview."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from config import Config
from dashboard.compliance import BUDGET_COLUMN, build_budget_frame, build_compliance_table
from dashboard.ui.loading import read_or_reason
from domain.compliance import WindowFigures
from storage.compliance import read_compliance

# A day's window moves little in half a minute, and reading it costs more than a live tile.
COMPLIANCE_TTL_S = 30


@st.cache_data(ttl=COMPLIANCE_TTL_S, max_entries=8, show_spinner=False)
def load_compliance(
    database_path: str, windows: tuple[str, ...], timezone: str, targets: tuple[str, ...]
) -> list[WindowFigures] | str:
    """The figures of `targets` over every window now, or why there are none.

    Only the targets shown are read: 30 days of every target of a 10,000-target centre is far
    more than a page needs.
    """
    now = time.time()
    return read_or_reason(
        database_path,
        lambda db: read_compliance(db, windows, now, ZoneInfo(timezone), target_ids=targets),
    )


def load_budgets(config: Config, targets: tuple[str, ...]) -> pd.DataFrame | None:
    """The binding budget of each of `targets` (the Overview's page); None when not known."""
    if not targets:
        return None
    figures = load_compliance(
        str(config.node.database_path), config.compliance.windows, config.node.timezone, targets
    )
    return None if isinstance(figures, str) else build_budget_frame(figures)


def show_compliance(config: Config, targets: tuple[str, ...]) -> None:
    """The chosen targets' compliance windows, each with its Wilson interval and budget."""
    figures = load_compliance(
        str(config.node.database_path),
        config.compliance.windows,
        config.node.timezone,
        tuple(sorted(targets)),
    )
    if isinstance(figures, str):
        st.warning(figures, icon=":material/database:")
        return
    chosen = list(figures)
    st.subheader("Compliance windows")
    st.caption(
        "Abandoned share of resolved proactive interactions over each window, with its 95 % "
        "Wilson interval. The abandon budget is how many more abandons the window can take at "
        "its current accepted volume before it is above the goal (negative: already over)."
    )
    table = build_compliance_table(chosen).sort_values(BUDGET_COLUMN, kind="stable")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "abandoned %": st.column_config.NumberColumn(format="%.2f %%"),
            "95 % low": st.column_config.NumberColumn(format="%.2f %%"),
            "95 % high": st.column_config.NumberColumn(format="%.2f %%"),
            "goal %": st.column_config.NumberColumn(format="%.1f %%"),
            BUDGET_COLUMN: st.column_config.NumberColumn(format="%d"),
        },
    )
