"""Overview: is a node pacing, and which targets are doing worst right now?"""

from __future__ import annotations

import streamlit as st

from dashboard.ui.chrome import dashboard_config
from dashboard.ui.overview import load_overview, show_overview, show_target_table, target_filters

config = dashboard_config()
st.title("Overview")
st.caption(
    f"{len(config.targets):,} pacing targets · refresh period {config.pacing.refresh_period_s:g} s"
    f" · database `{config.node.database_path}` · times in {config.node.timezone}"
)
run_every = f"{max(1.0, min(config.pacing.refresh_period_s, 5.0)):g}s"


@st.fragment(run_every=run_every)
def live_tiles() -> None:
    data = load_overview(str(config.node.database_path), config.pacing.refresh_period_s)
    if isinstance(data, str):
        st.warning(f"No node is running: {data}", icon=":material/power_off:")
        return
    show_overview(config, data)


@st.fragment(run_every=run_every)
def live_targets(search: str, states: tuple[str, ...]) -> None:
    show_target_table(config, search, states)


live_tiles()
st.subheader("Targets, worst first")
search, states = target_filters()
live_targets(search, states)
