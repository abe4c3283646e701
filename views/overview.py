"""Overview: is a node pacing, and how is every target doing right now?"""

from __future__ import annotations

import streamlit as st

from dashboard.charts import build_allowed_figure, build_target_table, light_style
from dashboard.ui import (
    ALARMS_PENDING,
    OverviewData,
    dashboard_config,
    format_age,
    format_ms,
    load_active_alarms,
    load_overview,
)

config = dashboard_config()
st.title("Overview")
st.caption(
    f"{len(config.targets)} pacing targets · refresh period {config.pacing.refresh_period_s:g} s · "
    f"database `{config.node.database_path}` · times in {config.node.timezone}"
)


@st.fragment(run_every=f"{max(1.0, min(config.pacing.refresh_period_s, 5.0)):g}s")
def live_overview() -> None:
    data = load_overview(str(config.node.database_path), config.pacing.refresh_period_s, 900.0)
    if isinstance(data, str):
        st.warning(f"No node is running: {data}", icon=":material/power_off:")
        return
    show(data)


def show(data: OverviewData) -> None:
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
    show_activity(data)
    table = build_target_table(data.targets)
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
        },
    )
    if not data.recent.empty:
        st.plotly_chart(build_allowed_figure(data.recent, config.node.timezone), width="stretch")


def show_activity(data: OverviewData) -> None:
    activity = data.activity
    tiles = st.columns(5)
    tiles[0].metric(
        "Targets paced", f"{activity.targets_paced} / {activity.targets_known}", border=True
    )
    tiles[1].metric("Invitations allowed / min", f"{activity.allowed_per_minute:,}", border=True)
    tiles[2].metric("Accepted (1 h)", f"{activity.accepted_last_hour:,}", border=True)
    tiles[3].metric("Abandoned (1 h)", f"{activity.abandoned_last_hour:,}", border=True)
    alarms = load_active_alarms(str(config.node.database_path))
    if alarms is None:
        tiles[4].metric("Active alarms", "–", border=True, help=ALARMS_PENDING)
    else:
        total = sum(alarms.values())
        by_category = " · ".join(f"{n} {category}" for category, n in alarms.items() if n)
        tiles[4].metric("Active alarms", total, border=True, help=by_category or "none active")
        if total:
            tiles[4].caption(by_category)


live_overview()
