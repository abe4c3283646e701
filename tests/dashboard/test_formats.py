"""One duration formatter for every page: tables say `12 s`, tiles and captions `12 s ago`."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.formats import format_age, format_duration, format_ms, format_range, format_time
from dashboard.timerange import TimeRange


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0 s"),
        (119.4, "119 s"),
        (120.0, "2 min"),
        (7199.0, "120 min"),
        (7200.0, "2.0 h"),
        (172_799.0, "48.0 h"),
        (172_800.0, "2.0 d"),
        (-5.0, "0 s"),
    ],
)
def test_a_duration_picks_the_unit_a_person_would(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert format_age(seconds) == f"{text} ago"


@pytest.mark.parametrize("unknown", [None, math.nan, pd.NA])
def test_an_unknown_duration_is_a_dash_and_an_unknown_age_is_never(unknown: object) -> None:
    assert format_duration(unknown) == "–"  # type: ignore[arg-type]
    assert format_age(unknown) == "never"  # type: ignore[arg-type]


def test_milliseconds_and_local_times() -> None:
    assert format_ms(None) == "–" and format_ms(0.0123) == "12 ms"
    paris = ZoneInfo("Europe/Paris")
    assert format_time(0.0, paris) == "1970-01-01 01:00:00 CET"
    hour = TimeRange(0.0, 3600.0, "Last 1 hour", live=True)
    assert format_range(hour, paris) == (
        "Last 1 hour: 1970-01-01 01:00:00 CET → 1970-01-01 02:00:00 CET"
    )
