"""The Overview's target table, its totals and its paging: pure builders over `OverviewPage`."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.charts import abandonment_light
from storage.overview import OVERVIEW_STATES, SUMMED_FIGURES, OverviewPage

PAGE_ROWS = 50

STATE_COLOURS = {
    "alarm": "#d62728",
    "over goal": "#e6550d",
    "stale": "#8c8c8c",
    "ok": "#2ca02c",
}

# Operators' names of the summed figures, in SUMMED_FIGURES order.
_FIGURE_LABELS = {
    "logged_in_slots": "logged in",
    "ready_slots": "ready",
    "busy_slots": "busy",
    "in_queue": "waiting",
    "pending_invitations": "pending",
    "allowed_invitations": "allowed",
}


def page_count(matching: int, page_rows: int = PAGE_ROWS) -> int:
    """Pages needed for `matching` targets (at least one, shown empty when nothing matches)."""
    return max(1, math.ceil(matching / page_rows))


def clamp_page(page: int, matching: int, page_rows: int = PAGE_ROWS) -> int:
    """The page number (1-based) made valid for `matching` targets."""
    return min(max(1, page), page_count(matching, page_rows))


def state_style(label: object) -> str:
    """CSS for one state cell (used with a pandas Styler)."""
    colour = STATE_COLOURS.get(str(label))
    return f"color: {colour}; font-weight: 600" if colour else ""


def build_overview_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One page of targets with operators' column names, worst first as read."""
    if rows.empty:
        return pd.DataFrame()
    abandoned_pct = rows["abandoned_pct"].astype("float64")
    lights = [
        abandonment_light(None if math.isnan(pct) else pct / 100.0, goal)
        for pct, goal in zip(abandoned_pct, rows["goal_pct"], strict=True)
    ]
    return pd.DataFrame(
        {
            "state": rows["state"],
            "target": rows["target_id"],
            "media": rows["media"],
            "logged in": rows["logged_in_slots"],
            "ready": rows["ready_slots"],
            "busy": rows["busy_slots"],
            "waiting": rows["in_queue"],
            "pending": rows["pending_invitations"],
            "allowed": rows["allowed_invitations"],
            "abandoned %": abandoned_pct,
            "goal %": rows["goal_pct"],
            "vs goal": lights,
            "alarms": rows["active_alarms"],
            "reason": rows["reason"].fillna(""),
            "error": rows["error"].fillna(""),
        }
    ).reset_index(drop=True)


def build_totals_table(page: OverviewPage) -> pd.DataFrame:
    """Sums over the targets shown, over the rest of the matching ones, and over all of them."""
    matching = {name: 0 for name in SUMMED_FIGURES}
    for totals in page.totals:
        if totals.state in page.states:
            for name in SUMMED_FIGURES:
                matching[name] += totals.sums[name]
    shown = {name: int(page.rows[name].fillna(0).sum()) for name in SUMMED_FIGURES}
    rest = {name: matching[name] - shown[name] for name in SUMMED_FIGURES}
    shown_count = len(page.rows)
    lines = [
        (f"shown ({shown_count:,})", shown_count, shown),
        (f"the rest ({page.matching - shown_count:,})", page.matching - shown_count, rest),
        (f"all matching ({page.matching:,})", page.matching, matching),
    ]
    return pd.DataFrame(
        [
            {"targets": label, "count": count, **{_FIGURE_LABELS[k]: v for k, v in sums.items()}}
            for label, count, sums in lines
        ]
    )


def state_counts_caption(page: OverviewPage) -> str:
    """`12 alarm · 1,402 over goal · 103 stale · 8,483 ok` (search applied, filter not)."""
    return " · ".join(f"{t.targets:,} {t.state}" for t in page.totals)


def rows_caption(page: OverviewPage) -> str:
    """Which rows the page shows, of how many matching and how many searched."""
    if page.matching == 0:
        return f"No target matches (of {page.known:,} that pass the search)."
    first = page.offset + 1
    last = page.offset + len(page.rows)
    return (
        f"Targets {first:,}–{last:,} of {page.matching:,} matching, worst first "
        f"(alarm, over goal, stale, ok; then furthest over goal)."
    )


__all__ = [
    "OVERVIEW_STATES",
    "PAGE_ROWS",
    "STATE_COLOURS",
    "build_overview_table",
    "build_totals_table",
    "clamp_page",
    "page_count",
    "rows_caption",
    "state_counts_caption",
    "state_style",
]
