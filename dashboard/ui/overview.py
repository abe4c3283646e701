"""The Overview page's loader and sections: nodes, activity tiles and one row per target."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from config import Config
from dashboard.charts import build_allowed_figure, build_target_table, light_style
from dashboard.compliance import BUDGET_COLUMN, add_budget_column
from dashboard.formats import format_age, format_ms
from dashboard.ui.alarms import active_alarm_counts
from dashboard.ui.compliance import load_budgets
from dashboard.ui.loading import LIVE_TTL_S, read_or_reason
from domain.freshness import node_stale_after_s
from domain.records import NodeStatus
from storage.cycles import CycleSummary, read_cycle_summary
from storage.history import read_target_history
from storage.nodes import read_node_status
from storage.targets import ActivityFigures, read_activity, read_target_state

ALARMS_PENDING = (
    "Alarm counts appear here once the alarm engine is installed (storage/alarms/) "
    "and the database holds its tables."
)


@dataclass(frozen=True, slots=True)
class OverviewData:
    """What the overview page shows, read in one go."""

    nodes: tuple[NodeStatus, ...]
    summary: CycleSummary
    targets: pd.DataFrame
    recent: pd.DataFrame
    activity: ActivityFigures


@st.cache_data(ttl=LIVE_TTL_S, max_entries=8, show_spinner=False)
def load_overview(database_path: str, period_s: float, history_s: float) -> OverviewData | str:
    """The overview's data, or the reason there is none yet (a sentence for the operator)."""
    now = time.time()
    stale_after_s = node_stale_after_s(period_s)
    return read_or_reason(
        database_path,
        lambda db: OverviewData(
            nodes=tuple(read_node_status(db, now=now, stale_after_s=stale_after_s)),
            summary=read_cycle_summary(db, now=now, window_s=60.0),
            targets=read_target_state(db),
            recent=read_target_history(db, None, since=now - history_s, until=now + 1),
            activity=read_activity(db, now=now, stale_after_s=stale_after_s),
        ),
    )


def show_overview(config: Config, data: OverviewData) -> None:
    """Node tiles, activity tiles, the target table with its traffic lights, allowed invitations."""
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
    table = add_budget_column(build_target_table(data.targets), load_budgets(config))
    if table.empty:
        st.info(
            "No cycle has been recorded yet: the node writes its first cycle within one period."
        )
        return
    st.dataframe(
        table.style.map(light_style, subset=["vs goal"]),
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
    if not data.recent.empty:
        st.plotly_chart(build_allowed_figure(data.recent, config.node.timezone), width="stretch")


def _show_activity(database_path: str, activity: ActivityFigures) -> None:
    tiles = st.columns(5)
    tiles[0].metric(
        "Targets paced", f"{activity.targets_paced} / {activity.targets_known}", border=True
    )
    tiles[1].metric("Invitations allowed / min", f"{activity.allowed_per_minute:,}", border=True)
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
