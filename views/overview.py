"""Overview: is a node pacing, and how is every target doing right now?"""

from __future__ import annotations

import streamlit as st

from dashboard.ui.chrome import dashboard_config
from dashboard.ui.overview import load_overview, show_overview

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
    show_overview(config, data)


live_overview()
