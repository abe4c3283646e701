"""Alarms page maths (pure): order, label and tabulate alarms; flood figure. No Streamlit.

Frames are `storage.alarms.reads.read_active_alarms` / `read_alarm_history`. Operator actions
are bound to `instance_id`: `alarm_choices` gives id → label, never a row position.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard.formats import format_duration
from storage.alarms.reads import FLOOD_ALARMS_PER_10_MIN

CATEGORY_RANK = {"Critical": 0, "Major": 1, "Minor": 2, "Warning": 3}
CATEGORIES = tuple(CATEGORY_RANK)
# Needs attention first: active or cleared but not yet acknowledged, then the rest.
STATE_RANK = {
    "active_unacknowledged": 0,
    "cleared_unacknowledged": 1,
    "active_acknowledged": 2,
    "shelved": 3,
    "out_of_service": 4,
}
STATE_WORDS = {
    "normal": "normal",
    "active_unacknowledged": "active, unacknowledged",
    "active_acknowledged": "active, acknowledged",
    "cleared_unacknowledged": "cleared, unacknowledged",
    "shelved": "shelved",
    "out_of_service": "out of service",
}
ACKNOWLEDGEABLE = ("active_unacknowledged", "cleared_unacknowledged")
SHELVABLE = ("active_unacknowledged", "active_acknowledged", "cleared_unacknowledged")


def order_alarms(active: pd.DataFrame, now: float) -> pd.DataFrame:
    """Active and cleared-unacknowledged first, then by category, then oldest first; `age_s`."""
    if active.empty:
        return active.assign(age_s=pd.Series(dtype="float64"))
    raised = pd.to_numeric(active["raised_at"], errors="coerce")
    ordered = active.assign(
        age_s=now - raised.fillna(pd.to_numeric(active["updated_at"], errors="coerce")),
        _state=active["state"].map(STATE_RANK).fillna(9),
        _category=active["severity"].map(CATEGORY_RANK).fillna(9),
    )
    ordered = ordered.sort_values(
        ["_state", "_category", "age_s", "instance_id"], ascending=[True, True, False, True]
    )
    return ordered.drop(columns=["_state", "_category"]).reset_index(drop=True)


def count_by_category(active: pd.DataFrame) -> dict[str, int]:
    """Alarms in an active state per category (Critical, Major, Minor, Warning)."""
    if active.empty:
        return dict.fromkeys(CATEGORIES, 0)
    live = active[active["state"].astype(str).str.startswith("active")]
    counts = live["severity"].value_counts()
    return {category: int(counts.get(category, 0)) for category in CATEGORIES}


def alarm_label(row: Mapping[str, object], now: float) -> str:
    """How an alarm is named in the action picker, e.g. `Major · GC Latency · global · …`."""
    scope = str(row.get("scope", ""))
    raised = row.get("raised_at")
    age = format_duration(now - float(raised)) if isinstance(raised, int | float) else "–"
    state = STATE_WORDS.get(str(row.get("state")), str(row.get("state")))
    return f"{row.get('severity')} · {row.get('condition')} · {scope} · {state} · {age}"


def alarm_choices(ordered: pd.DataFrame, now: float) -> dict[str, str]:
    """instance_id → label, in display order (what the operator picks from)."""
    return {str(row["instance_id"]): alarm_label(row, now) for row in ordered.to_dict("records")}


def _local(values: pd.Series, time_zone: str) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    return pd.to_datetime(numeric, unit="s", utc=True).dt.tz_convert(time_zone)


def active_table(
    ordered: pd.DataFrame, time_zone: str, runbooks: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The active alarms as operators read them (local times, words for states, runbooks)."""
    if ordered.empty:
        return pd.DataFrame()
    links = runbooks or {}
    table = pd.DataFrame(
        {
            "category": ordered["severity"],
            "condition": ordered["condition"],
            "scope": ordered["scope"],
            "state": ordered["state"].map(STATE_WORDS).fillna(ordered["state"]),
            "age": ordered["age_s"].map(format_duration),
            "raised": _local(ordered["raised_at"], time_zone),
            "value": ordered["value"],
            "occurrences": ordered["occurrences"],
            "reason": ordered["reason"],
            "acknowledged by": ordered["acknowledged_by"].fillna(""),
            "shelved until": _local(ordered["shelved_until"], time_zone),
            "id": ordered["instance_id"],
        }
    )
    table.insert(3, "runbook", ordered["condition"].map(lambda c: links.get(str(c), "")))
    return table


def history_table(history: pd.DataFrame, time_zone: str) -> pd.DataFrame:
    """Transitions, newest first, with local times and readable states."""
    if history.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "at": _local(history["at"], time_zone),
            "condition": history["condition"],
            "scope": history["scope"],
            "from": history["from_state"].map(STATE_WORDS).fillna(history["from_state"]),
            "to": history["to_state"].map(STATE_WORDS).fillna(history["to_state"]),
            "rule": history["rule"],
            "category": history["severity"],
            "value": history["value"],
            "who": history["who"].fillna(""),
            "comment": history["comment"],
            "reason": history["reason"],
        }
    )


def build_flood_figure(
    per_bucket: pd.DataFrame, bucket_s: float, since: float, until: float, time_zone: str
) -> go.Figure:
    """New alarms per bucket as bars over [since, until], with the flood line (10 per 10 min)."""
    figure = go.Figure()
    limit = FLOOD_ALARMS_PER_10_MIN * bucket_s / 600.0
    edges = _local(pd.Series([since, until]), time_zone)
    if not per_bucket.empty:
        # Bars centred on their bucket, one bucket wide (date axes count in milliseconds).
        times = _local(per_bucket["bucket_start"] + bucket_s / 2, time_zone)
        colours = ["#d62728" if n > limit else "#1f77b4" for n in per_bucket["alarms"]]
        figure.add_trace(
            go.Bar(
                x=times,
                y=per_bucket["alarms"],
                width=[bucket_s * 1000 * 0.9] * len(per_bucket),
                marker_color=colours,
                name=f"alarms raised per {bucket_s / 60:g} min",
                hovertemplate="%{y} alarms raised<extra>%{x}</extra>",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=list(edges),
                y=[limit, limit],
                mode="lines",
                name=f"flood: more than {limit:g}",
                line={"color": "#d62728", "dash": "dash"},
                hovertemplate=f"flood above {limit:g}<extra></extra>",
            )
        )
    figure.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title=f"Alarm rate (new alarms per {bucket_s / 60:g} min)",
        yaxis_title="alarms",
        legend={"orientation": "h", "yanchor": "top", "y": -0.24},
        xaxis={"range": list(edges), "type": "date"},
    )
    return figure
