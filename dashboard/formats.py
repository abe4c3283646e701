"""How the dashboard writes durations, ages and times (pure: no Streamlit).

One duration formatter serves every page: tables write an age as `12 s` (`–` when unknown),
tiles and captions as `12 s ago` (`never` when there is none).
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from dashboard.timerange import TimeRange


def format_duration(seconds: float | None, missing: str = "–") -> str:
    """`12 s`, `5 min`, `3.5 h`, `2.5 d`; `missing` for None or NaN; negatives count as 0."""
    if seconds is None:
        return missing
    try:
        value = float(seconds)
    except TypeError:  # pandas' NA in a table column
        return missing
    if math.isnan(value):
        return missing
    seconds = max(0.0, value)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def format_age(seconds: float | None) -> str:
    """How long ago something happened, e.g. `12 s ago`; `never` when it never did."""
    duration = format_duration(seconds, missing="")
    return f"{duration} ago" if duration else "never"


def format_ms(seconds: float | None) -> str:
    """Seconds shown as whole milliseconds, e.g. `12 ms`; `–` when unknown."""
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


def format_time(epoch_s: float, zone: tzinfo) -> str:
    """A time in the operator's zone, e.g. `2026-11-30 08:15:02 CET`."""
    return datetime.fromtimestamp(epoch_s, tz=zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def format_range(time_range: TimeRange, zone: tzinfo) -> str:
    """A range as the chart captions start, e.g. `Last 1 hour: 2026-… CET → 2026-… CET`."""
    since, until = format_time(time_range.since, zone), format_time(time_range.until, zone)
    return f"{time_range.label}: {since} → {until}"
