"""The Overview page's loaders and sections: nodes, activity tiles, and the graded target table.

At 10,000 targets the table is a page of the worst targets (storage.overview grades, filters
and pages them in SQL) with the totals of the rest; the chart shows the page's first targets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import sqlite_utils
import streamlit as st

from config import Config
from dashboard.charts import build_allowed_figure, light_style
from dashboard.compliance import BUDGET_COLUMN, add_budget_column
from dashboard.formats import format_age, format_ms
from dashboard.overview_table import (
    OVERVIEW_STATES,
    PAGE_ROWS,
    build_overview_table,
    build_totals_table,
    clamp_page,
    page_count,
    rows_caption,
    state_counts_caption,
    state_style,
)
from dashboard.ui.alarms import active_alarm_counts
from dashboard.ui.compliance import load_budgets
from dashboard.ui.loading import LIVE_TTL_S, read_or_reason
from domain.freshness import node_stale_after_s, stale_after_s
from domain.records import NodeStatus
from storage.cycles import CycleSummary, read_cycle_summary
from storage.nodes import read_node_status
from storage.overview import (
    OverviewActivity,
    OverviewPage,
    read_overview_activity,
    read_overview_page,
)
from storage.targets import read_target_series

ALARMS_PENDING = (
    "Alarm counts appear here once the alarm engine is installed (storage/alarms/) "
    "and the database holds its tables."
)
# The allowed-invitations chart draws this many of the page's first (worst) targets.
CHART_TARGETS = 10
CHART_WINDOW_S = 900.0


@dataclass(frozen=True, slots=True)
class OverviewData:
    """The node and activity tiles of the overview, read in one go."""

    nodes: tuple[NodeStatus, ...]
    summary: CycleSummary
    activity: OverviewActivity


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_overview(database_path: str, period_s: float) -> OverviewData | str:
    """The overview's tiles, or the reason there is none yet (a sentence for the operator)."""
    now = time.time()
    node_after_s = node_stale_after_s(period_s)
    return read_or_reason(
        database_path,
        lambda db: OverviewData(
            nodes=tuple(read_node_status(db, now=now, stale_after_s=node_after_s)),
            summary=read_cycle_summary(db, now=now, window_s=60.0),
            activity=read_overview_activity(db, now=now, stale_after_s=stale_after_s(period_s)),
        ),
    )


@st.cache_data(ttl=LIVE_TTL_S, max_entries=64, show_spinner=False)
def load_overview_page(
    database_path: str, period_s: float, search: str, states: tuple[str, ...], page: int
) -> OverviewPage | str:
    """Page `page` (1-based) of the graded targets; the last page if there are fewer."""

    def read(db: sqlite_utils.Database) -> OverviewPage:
        def one(number: int) -> OverviewPage:
            return read_overview_page(
                db,
                now=time.time(),
                stale_after_s=stale_after_s(period_s),
                search=search,
                states=states,
                offset=(number - 1) * PAGE_ROWS,
                limit=PAGE_ROWS,
            )

        found = one(page)
        valid = clamp_page(page, found.matching)
        return found if valid == page else one(valid)

    return read_or_reason(database_path, read)


@st.cache_data(ttl=LIVE_TTL_S, max_entries=16, show_spinner=False)
def load_recent_allowed(database_path: str, target_ids: tuple[str, ...]) -> pd.DataFrame | str:
    """The last 15 minutes of these targets' allowed invitations (an index range per target)."""
    now = time.time()
    return read_or_reason(
        database_path,
        lambda db: read_target_series(db, target_ids, now - CHART_WINDOW_S, now, None).rename(
            columns={"allowed": "allowed_invitations"}
        ),
    )


def show_overview(config: Config, data: OverviewData) -> None:
    """Node tiles and activity tiles."""
    alive = [node for node in data.nodes if node.alive]
    summary = data.summary
    if not alive:
        last = max((n.last_heartbeat_age_s for n in data.nodes), default=None)
        st.error(
            f"No node is running (last heartbeat {format_age(last)}). Start one with "
            "`make run` (embedded) or `pacing node`.",
            icon=":material/power_off:",
        )
    tiles = st.columns(6)
    tiles[0].metric("Node", ", ".join(n.node_id for n in alive) or "none", border=True)
    tiles[1].metric("Cycles stored", f"{summary.total_cycles:,}", border=True)
    tiles[2].metric("Cycles / min", f"{summary.cycles_per_minute:.1f}", border=True)
    tiles[3].metric("Mean lateness", format_ms(summary.mean_lateness_s), border=True)
    tiles[4].metric("Overruns (1 min)", summary.overruns_in_window, border=True)
    tiles[5].metric("Last cycle", format_age(summary.last_cycle_age_s), border=True)
    _show_activity(str(config.node.database_path), data.activity)


def target_filters() -> tuple[str, tuple[str, ...]]:
    """The search box and the state filter above the target table."""
    search_column, states_column = st.columns([2, 3])
    search = search_column.text_input(
        "Search targets",
        key="overview_search",
        placeholder="target or virtual queue name, e.g. Proactive Chat",
        max_chars=200,
        on_change=_first_page,
    )
    chosen = states_column.pills(
        "States",
        OVERVIEW_STATES,
        selection_mode="multi",
        default=OVERVIEW_STATES,
        key="overview_states",
        on_change=_first_page,
        help="alarm: an active alarm on the target · over goal: abandonment above its goal · "
        "stale: no recent row, or a statistics error · ok: the rest",
    )
    return search.strip(), tuple(state for state in OVERVIEW_STATES if state in chosen)


def _first_page() -> None:
    st.session_state["overview_page"] = 1


def show_target_table(config: Config, search: str, states: tuple[str, ...]) -> None:
    """One page of the targets, worst first, with the totals of the rest and a pager."""
    database = str(config.node.database_path)
    wanted = int(st.session_state.get("overview_page", 1))
    page = load_overview_page(database, config.pacing.refresh_period_s, search, states, wanted)
    if isinstance(page, str):
        st.info(f"No target to show yet: {page}", icon=":material/database:")
        return
    if page.known == 0 and not search:
        st.info(
            "No cycle has been recorded yet: the node writes its first cycle within one period."
        )
        return
    st.caption(state_counts_caption(page) + " · " + rows_caption(page))
    table = build_overview_table(page.rows)
    table = add_budget_column(table, load_budgets(config, tuple(page.rows["target_id"])))
    if not table.empty:
        st.dataframe(
            table.style.map(state_style, subset=["state"]).map(light_style, subset=["vs goal"]),
            hide_index=True,
            width="stretch",
            column_config={
                "abandoned %": st.column_config.NumberColumn(format="%.2f %%"),
                "goal %": st.column_config.NumberColumn(format="%.1f %%"),
                BUDGET_COLUMN: st.column_config.NumberColumn(
                    format="%d", help="abandons the tightest compliance window can still take"
                ),
            },
        )
    pages = page_count(page.matching)
    number = page.offset // PAGE_ROWS + 1
    if number != wanted or "overview_page" not in st.session_state:
        st.session_state["overview_page"] = number  # the filter left fewer pages
    pager, totals = st.columns([1, 5])
    pager.number_input(f"Page (of {pages:,})", min_value=1, step=1, key="overview_page")
    totals.dataframe(build_totals_table(page), hide_index=True, width="stretch")
    first = tuple(page.rows["target_id"].head(CHART_TARGETS))
    recent = load_recent_allowed(database, first) if first else None
    if isinstance(recent, pd.DataFrame) and not recent.empty:
        figure = build_allowed_figure(recent, config.node.timezone)
        figure.update_layout(title=f"Allowed invitations per cycle: the first {len(first)} above")
        st.plotly_chart(figure, width="stretch")


def _show_activity(database_path: str, activity: OverviewActivity) -> None:
    tiles = st.columns(5)
    tiles[0].metric(  # "9,950 / 10,000" does not fit a fifth of the page: the known in the label
        f"Targets paced (of {activity.targets_known:,})", f"{activity.targets_paced:,}", border=True
    )
    tiles[1].metric(
        "Invitations allowed / min",
        f"{activity.allowed_per_minute:,.0f}",
        border=True,
        help="The allowances of the latest cycle of every fresh target, as a rate per minute.",
    )
    tiles[2].metric("Accepted (1 h)", f"{activity.accepted_last_hour:,}", border=True)
    tiles[3].metric("Abandoned (1 h)", f"{activity.abandoned_last_hour:,}", border=True)
    alarms = active_alarm_counts(database_path)
    if alarms is None:
        tiles[4].metric("Active alarms", "–", border=True, help=ALARMS_PENDING)
    else:
        total = sum(alarms.values())
        by_category = " · ".join(f"{n} {category}" for category, n in alarms.items() if n)
        tiles[4].metric("Active alarms", total, border=True, help=by_category or "none active")
        if total:
            tiles[4].caption(by_category)
