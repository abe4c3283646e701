"""Time ranges and refresh intervals of the page chrome (pure: values and `now` in, values out).

The choices are keys that live in the URL (`?range=6h&refresh=10s`), so a view can be shared
as a link; a custom range adds `from` and `to` in the operator's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

# URL key -> (label, span in seconds); "custom" takes `from` and `to`.
RANGE_CHOICES: dict[str, tuple[str, float | None]] = {
    "15m": ("Last 15 minutes", 900.0),
    "1h": ("Last 1 hour", 3600.0),
    "6h": ("Last 6 hours", 21600.0),
    "24h": ("Last 24 hours", 86400.0),
    "7d": ("Last 7 days", 604800.0),
    "custom": ("Custom range", None),
}
DEFAULT_RANGE = "1h"
# URL key -> (label, seconds between refreshes); "paused" stops the live parts.
REFRESH_CHOICES: dict[str, tuple[str, float | None]] = {
    "paused": ("Paused", None),
    "2s": ("Every 2 s", 2.0),
    "5s": ("Every 5 s", 5.0),
    "10s": ("Every 10 s", 10.0),
    "30s": ("Every 30 s", 30.0),
    "1m": ("Every minute", 60.0),
}
DEFAULT_REFRESH = "5s"
# Charts keep at most about this many points per target (about a half-width chart's pixels:
# more points than pixels only cost the browser time); ranges up to RAW_UP_TO_S show cycles.
MAX_POINTS = 360
RAW_UP_TO_S = 3600.0
NICE_BUCKETS_S = (60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)


class TimeRangeError(ValueError):
    """A custom range the operator has to fix (the message says how)."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A resolved range: epoch-second bounds, a label, and whether it follows the clock."""

    since: float
    until: float
    label: str
    live: bool

    @property
    def span_s(self) -> float:
        return self.until - self.since


def resolve_range(
    key: str,
    now: float,
    zone: ZoneInfo,
    custom_from: datetime | None = None,
    custom_to: datetime | None = None,
) -> TimeRange:
    """The range a URL key means at `now`; a custom range reads naive times in `zone`."""
    label, span_s = RANGE_CHOICES.get(key, RANGE_CHOICES[DEFAULT_RANGE])
    if key != "custom":
        if span_s is None:  # an unknown key fell back to the default, which has a span
            span_s = RANGE_CHOICES[DEFAULT_RANGE][1] or 3600.0
        return TimeRange(now - span_s, now, label, live=True)
    if custom_from is None or custom_to is None:
        raise TimeRangeError("choose both a start and an end for the custom range")
    since = _epoch(custom_from, zone)
    until = _epoch(custom_to, zone)
    if since >= until:
        raise TimeRangeError(
            f"the custom range starts ({custom_from:%Y-%m-%d %H:%M}) at or after it ends "
            f"({custom_to:%Y-%m-%d %H:%M}): move the start earlier or the end later"
        )
    text = f"{custom_from:%Y-%m-%d %H:%M} → {custom_to:%Y-%m-%d %H:%M} ({zone.key})"
    return TimeRange(since, until, text, live=until >= now)


def _epoch(moment: datetime, zone: ZoneInfo) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def refresh_seconds(key: str) -> float | None:
    """Seconds between refreshes for a URL key; None when paused (unknown keys: default)."""
    return REFRESH_CHOICES.get(key, REFRESH_CHOICES[DEFAULT_REFRESH])[1]


def pick_bucket_s(span_s: float) -> float | None:
    """None (one point per cycle) up to an hour; else the smallest nice bucket within MAX_POINTS."""
    if span_s <= RAW_UP_TO_S:
        return None
    wanted = span_s / MAX_POINTS
    for bucket in NICE_BUCKETS_S:
        if bucket >= wanted:
            return float(bucket)
    return float(math.ceil(wanted / 86400.0) * 86400)


def quantise_now(now: float, step_s: float) -> float:
    """`now` rounded up to a multiple of `step_s`, so concurrent sessions share cache keys."""
    return math.ceil(now / step_s) * step_s
