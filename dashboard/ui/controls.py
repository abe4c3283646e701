"""The Targets page's controls: what is in force (everyone), and the form (operators).

The form lives outside every refreshing fragment. Its callback acts as the signed-in viewer
through `node.controls.apply_control`, the function `pacing control` calls too: a viewer is
refused there whatever the page shows. The node applies a control from its next cycle.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

import streamlit as st

from config.reader import parse_duration_s
from dashboard.access import Viewer
from dashboard.controls_view import ACTION_LABELS, controls_table
from dashboard.target_choice import form_options
from dashboard.ui.access import session_viewer
from dashboard.ui.loading import LIVE_TTL_S, read_or_reason
from domain.controls import ControlError, TargetControl
from node.controls import ControlAction, ControlRequest, apply_control
from storage.controls import load_controls
from storage.db import StorageError, connect

TARGET_KEY = "control-target"
ACTION_KEY = "control-action"
VALUE_KEY = "control-value"
FOR_KEY = "control-for"
REASON_KEY = "control-reason"
RESULT_KEY = "control-result"

# Shows what the model predicts for a target at its current goal (None: the configured one)
# and at a new goal; the Targets page passes `dashboard.ui.goal_preview.goal_override_preview`.
GoalPreview = Callable[[str, float | None, float], None]


@dataclass(frozen=True, slots=True)
class ControlOutcome:
    """What the last control action did, for the operator to read."""

    level: str  # "success" | "error"
    text: str


@st.cache_data(ttl=LIVE_TTL_S, max_entries=16, show_spinner=False)
def load_target_controls(database_path: str) -> list[TargetControl] | str:
    return read_or_reason(database_path, load_controls)


def controls_section(
    database_path: str,
    targets: Sequence[str],
    zone: tzinfo,
    goal_preview: GoalPreview | None = None,
    chosen: Sequence[str] = (),
) -> None:
    """The controls in force, then the form (disabled for viewers).

    Above `PICKER_OPTIONS` targets the form offers the `chosen` ones (the page's picker) and
    those with a control in force (`form_options`); any known target is accepted on apply.
    With `goal_preview`, a goal override typed in the form shows what the model predicts at
    the current and the new goal (the "Preview" button), before the operator applies it.
    """
    st.subheader("Controls")
    viewer = session_viewer()
    controls = load_target_controls(database_path)
    if isinstance(controls, str):
        st.info(f"Controls cannot be read yet: {controls}", icon=":material/database:")
        controls = []
    table = controls_table(controls, time.time(), zone)
    if table.empty:
        st.caption("No control in force: every target is paced as configured.")
    else:
        st.dataframe(table, hide_index=True, width="stretch", key="controls-in-force")
    locked = not viewer.is_operator
    if locked:
        st.info("Changing controls needs the operator role; you are signed in as a viewer.")
    offered = form_options(targets, chosen, [control.target_id for control in controls])
    if len(offered) < len(targets):
        st.caption(
            f"The form offers the targets chosen above and those with a control in force "
            f"({len(offered):,} of {len(targets):,}): choose others in Targets at the top."
        )
    with st.form("target-control"):
        left, middle, right = st.columns([2, 2, 1])
        left.selectbox("Target", offered, key=TARGET_KEY, disabled=locked)
        middle.selectbox("Action", list(ACTION_LABELS), key=ACTION_KEY, disabled=locked)
        right.text_input(
            "Value",
            key=VALUE_KEY,
            disabled=locked,
            help="cap/fixed: invitations per cycle; algorithm: predictive, progressive or "
            "adaptive; goal: percent; remove: pause, cap, fixed, algorithm or goal",
        )
        reason, lasting = st.columns([3, 1])
        reason.text_input("Reason (required)", key=REASON_KEY, max_chars=500, disabled=locked)
        lasting.text_input(
            "For (empty: until removed)",
            key=FOR_KEY,
            disabled=locked,
            placeholder="30min",
            help='lapses by itself after this long: "30min", "90s", "2h"',
        )
        if goal_preview is not None:
            _preview_goal_override(goal_preview, controls)
            st.form_submit_button(
                "Preview",
                disabled=locked,
                help="Goal override: what the model predicts at the new goal, nothing applied",
            )
        st.form_submit_button(
            "Apply control",
            type="primary",
            disabled=locked,
            on_click=perform_control_action,
            args=(database_path, tuple(targets)),
        )
    for outcome in st.session_state.get(RESULT_KEY) or []:
        getattr(st, outcome.level)(outcome.text)


def _preview_goal_override(preview: GoalPreview, controls: Sequence[TargetControl]) -> None:
    """Inside the form: the prediction for the goal override the form holds, if it holds one."""
    state = st.session_state
    if ACTION_LABELS.get(str(state.get(ACTION_KEY) or "")) != "goal":
        return
    target = str(state.get(TARGET_KEY) or "")
    new_goal = goal_value(str(state.get(VALUE_KEY) or ""))
    if not target or new_goal is None:
        st.caption(
            "Goal override: type the new goal in Value and press Preview to see what "
            "the model predicts before applying it."
        )
        return
    current = next(
        (c.goal_pct for c in controls if c.target_id == target and c.kind == "goal"), None
    )
    preview(target, current, new_goal)


def goal_value(text: str) -> float | None:
    """The form's goal in percent, or None when it is not one (apply_control names why)."""
    try:
        goal = float(text.strip())
    except ValueError:
        return None
    return goal if math.isfinite(goal) and 0 < goal <= 100 else None


def perform_control_action(database_path: str, targets: tuple[str, ...]) -> None:
    """Widget callback: apply the form's control as the signed-in viewer."""
    state = st.session_state
    outcome = act_as(
        session_viewer(),
        database_path,
        targets,
        target=str(state.get(TARGET_KEY) or ""),
        action_label=str(state.get(ACTION_KEY) or ""),
        value=str(state.get(VALUE_KEY) or ""),
        reason=str(state.get(REASON_KEY) or ""),
        for_text=str(state.get(FOR_KEY) or ""),
    )
    if outcome.level == "success":
        state[REASON_KEY] = ""
        state[VALUE_KEY] = ""
        state[FOR_KEY] = ""
        load_target_controls.clear()
    state[RESULT_KEY] = [outcome]


def act_as(
    viewer: Viewer,
    database_path: str,
    targets: Sequence[str],
    *,
    target: str,
    action_label: str,
    value: str,
    reason: str,
    for_text: str,
) -> ControlOutcome:
    """Apply one control as `viewer` (refused for a viewer); what happened, in one sentence."""
    action = ACTION_LABELS.get(action_label)
    if action is None:
        return ControlOutcome("error", f"Unknown action {action_label!r}.")
    for_s = None
    if for_text.strip():
        for_s = parse_duration_s(for_text.strip())
        if for_s is None or for_s <= 0:
            return ControlOutcome(
                "error", f'For: "{for_text}" — expected a duration such as 30min, 90s or 2h.'
            )
    request = ControlRequest(target, _action(action), reason, value, for_s)
    try:
        db = connect(database_path)
    except StorageError as error:
        return ControlOutcome("error", f"Nothing done: {error}")
    try:
        message = apply_control(
            db,
            request,
            user=viewer.name,
            role=viewer.role,
            now=time.time(),
            source="dashboard",
            known_targets=targets,
        )
    except (ControlError, StorageError) as error:
        return ControlOutcome("error", f"Nothing done: {error}")
    finally:
        db.close()
    return ControlOutcome("success", f"{message}; the node applies it from its next cycle.")


def _action(name: str) -> ControlAction:
    actions: tuple[ControlAction, ...] = (
        "pause",
        "resume",
        "cap",
        "fixed",
        "algorithm",
        "goal",
        "clear",
    )
    for action in actions:
        if action == name:
            return action
    raise ValueError(name)
