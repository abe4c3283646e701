"""The goal preview: what the lab predicts at the old and the new goal, before applying it.

`render_goal_preview(figures, old_goal_pct, new_goal_pct)` is the component a goal form places
under its goal field; `show_goal_preview` is the Targets page's own "what if" section.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import sqlite_utils
import streamlit as st

from config import Config
from dashboard.goal_preview import (
    EXACT_MAX_SLOTS,
    GoalPrediction,
    TargetFigures,
    exact_bound_applies,
    exact_occupancy_pct,
    figures_from_state,
    preview_goal_change,
)
from dashboard.ui.loading import SERIES_TTL_S, read_or_reason
from storage.pacer_state import read_saved_target_states
from storage.targets import read_target_state


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _predict(
    figures: TargetFigures, old_goal_pct: float, new_goal_pct: float
) -> tuple[GoalPrediction, GoalPrediction]:
    return preview_goal_change(figures, old_goal_pct, new_goal_pct)


@st.cache_data(ttl=3600, max_entries=64, show_spinner="Solving the exact bound…")
def _exact(figures: TargetFigures, goal_pct: float) -> float | None:
    return exact_occupancy_pct(figures, goal_pct)


def render_goal_preview(figures: TargetFigures, old_goal_pct: float, new_goal_pct: float) -> None:
    """Occupancy and abandonment the model predicts at both goals, side by side."""
    old, new = _predict(figures, old_goal_pct, new_goal_pct)
    table = pd.DataFrame(
        {
            "": ["goal %", "occupancy %", "abandoned %", "accepts / min", "invitations / min"],
            "now": _column(old),
            "after the change": _column(new),
        }
    )
    st.dataframe(table, hide_index=True, width="content")
    st.caption(
        f"Erlang A for {figures.slots} slots, handle time {figures.handle_s:.0f} s, patience "
        f"{figures.patience_s:.0f} s (the pacer's estimate), acceptance {figures.acceptance:.2f}. "
        "It assumes accepts arrive at random: on small groups a pacer that aims at free slots "
        "does better."
    )
    if not exact_bound_applies(figures):
        return
    if st.toggle(
        f"Exact bound ({figures.slots} slots; takes seconds to a minute)",
        key=f"exact-{figures.target_id}-{old_goal_pct}-{new_goal_pct}",
    ):
        before, after = _exact(figures, old_goal_pct), _exact(figures, new_goal_pct)
        st.write(
            f"Best occupancy any pacer can reach (`pacing bound`): {_pct(before)} at "
            f"{old_goal_pct:g} %, {_pct(after)} at {new_goal_pct:g} %."
        )


@st.cache_data(ttl=SERIES_TTL_S, max_entries=64, show_spinner=False)
def load_preview_figures(
    database_path: str, target_id: str, cycle_s: float
) -> TargetFigures | None | str:
    def read(db: sqlite_utils.Database) -> TargetFigures | None:
        state = read_target_state(db)
        rows = state[state["target_id"] == target_id].to_dict("records")
        if not rows:
            return None
        saved = read_saved_target_states(db).get(target_id)
        return figures_from_state(rows[0], saved, cycle_s)

    return read_or_reason(database_path, read)


def show_goal_preview(config: Config, targets: tuple[str, ...]) -> None:
    """Pick a target and a goal: the trade-off at its size and traffic, before anything changes."""
    with st.expander("Preview a goal change"):
        target = st.selectbox("Target", targets, key="preview-target")
        goals = {t.target_id: t.goal_pct for t in config.targets}
        if target is None:
            return
        old = goals.get(target, config.pacing.default_goal_pct)
        new = st.number_input(
            "New goal %", min_value=0.1, max_value=50.0, value=float(old), step=0.5
        )
        figures = load_preview_figures(
            str(config.node.database_path), target, config.pacing.refresh_period_s
        )
        if isinstance(figures, str) or figures is None:
            st.info(
                "No preview yet: the target needs logged-in slots and a handle time in its "
                f"latest cycle. The exact bound applies up to {EXACT_MAX_SLOTS} slots.",
                icon=":material/hourglass_empty:",
            )
            return
        render_goal_preview(figures, old, float(new))


def goal_override_preview(config: Config) -> Callable[[str, float | None, float], None]:
    """The preview the controls form shows for a goal override (`controls_section`)."""
    configured = {t.target_id: t.goal_pct for t in config.targets}

    def show(target_id: str, current_pct: float | None, new_goal_pct: float) -> None:
        old = current_pct
        if old is None:
            old = configured.get(target_id, config.pacing.default_goal_pct)
        figures = load_preview_figures(
            str(config.node.database_path), target_id, config.pacing.refresh_period_s
        )
        if isinstance(figures, str) or figures is None:
            st.caption(
                f"No prediction for {target_id} yet: it needs logged-in slots and a handle "
                "time in its latest cycle."
            )
            return
        st.caption(f"What the model predicts for {target_id} at {old:g} % and {new_goal_pct:g} %")
        render_goal_preview(figures, old, new_goal_pct)

    return show


def _column(prediction: GoalPrediction) -> list[str]:
    invitations = prediction.invitations_per_min
    return [
        f"{prediction.goal_pct:g}",
        _pct(prediction.occupancy_pct),
        _pct(prediction.abandon_pct),
        f"{prediction.accepts_per_min:.1f}",
        "–" if invitations is None else f"{invitations:.1f}",
    ]


def _pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1f} %"
