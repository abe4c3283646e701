"""The sustainable proactive rate per target (pure: frames and saved state in, a frame out).

The largest rate of accepted proactive interactions a target's logged-in slots can take with
Erlang A's P(abandon) at the goal, using the handle time from the statistics and the patience
the predictive pacer has estimated online (its saved state). Dividing by the acceptance rate
turns it into invitations per minute.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pacing import TUNING_DEFAULTS
from pacing.estimates import saved_abandon_rate
from pacing.queueing import sustainable_arrival_rate

COLUMNS = (
    "target",
    "logged-in slots",
    "handle time s",
    "patience s",
    "goal %",
    "sustainable accepts / min",
    "sustainable invitations / min",
)


def sustainable_rates(state: pd.DataFrame, saved: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per target that has slots, a handle time and a saved patience estimate."""
    rows = []
    for record in state.to_dict("records"):
        fields = saved.get(str(record["target_id"]))
        slots, handle_s = record.get("logged_in_slots"), record.get("avg_handle_time_s")
        if fields is None or _missing(slots) or _missing(handle_s) or not handle_s:
            continue
        theta = saved_abandon_rate(fields, TUNING_DEFAULTS)
        goal = float(record["goal_pct"]) / 100.0
        if not 0 < goal < 1 or theta <= 0:
            continue
        per_s = sustainable_arrival_rate(int(slots), 1.0 / float(handle_s), theta, goal)
        acceptance = record.get("acceptance_rate")
        invitations = None if _missing(acceptance) or not acceptance else per_s / acceptance
        rows.append(
            (
                record["target_id"],
                int(slots),
                float(handle_s),
                1.0 / theta,
                float(record["goal_pct"]),
                per_s * 60.0,
                None if invitations is None else invitations * 60.0,
            )
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)
