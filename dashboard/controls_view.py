"""The Targets page's controls table and the Audit page's rows, as operators read them (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import pandas as pd

from domain.controls import TargetControl

CONTROL_COLUMNS = ("target", "control", "value", "until", "set by", "set at", "reason")
# Action label on the page -> the action `node.controls.apply_control` takes.
ACTION_LABELS: dict[str, str] = {
    "Pause": "pause",
    "Resume": "resume",
    "Cap per cycle": "cap",
    "Fixed per cycle": "fixed",
    "Force algorithm": "algorithm",
    "Goal override": "goal",
    "Remove a control": "clear",
}


def _time(epoch_s: float | None, zone: tzinfo) -> str:
    if epoch_s is None:
        return "until removed"
    return datetime.fromtimestamp(epoch_s, tz=zone).strftime("%Y-%m-%d %H:%M:%S")


def controls_table(controls: Sequence[TargetControl], now: float, zone: tzinfo) -> pd.DataFrame:
    """One row per control still in force, by target."""
    rows = [
        (
            control.target_id,
            control.kind,
            control.value,
            _time(control.expires_at, zone),
            control.set_by,
            _time(control.set_at, zone),
            control.reason,
        )
        for control in controls
        if control.active_at(now)
    ]
    return pd.DataFrame(rows, columns=list(CONTROL_COLUMNS))


def audit_table(frame: pd.DataFrame, zone: tzinfo) -> pd.DataFrame:
    """The audit rows with their times in the operator's zone."""
    shown = frame.drop(columns=["audit_id"], errors="ignore").copy()
    if "at" in shown:
        shown["at"] = shown["at"].map(lambda t: _time(float(t), zone))
    return shown


__all__ = ["ACTION_LABELS", "CONTROL_COLUMNS", "audit_table", "controls_table"]
