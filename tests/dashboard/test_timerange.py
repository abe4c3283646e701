"""Time ranges and refresh intervals of the page chrome."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.timerange import (
    MAX_POINTS,
    TimeRangeError,
    pick_bucket_s,
    quantise_now,
    refresh_seconds,
    resolve_range,
)

PARIS = ZoneInfo("Europe/Paris")


def test_relative_ranges_end_now_and_follow_the_clock() -> None:
    six_hours = resolve_range("6h", now=100_000.0, zone=PARIS)
    assert (six_hours.since, six_hours.until, six_hours.live) == (78_400.0, 100_000.0, True)
    assert six_hours.label == "Last 6 hours"


def test_an_unknown_range_key_falls_back_to_the_last_hour() -> None:
    assert resolve_range("3 weeks", now=7_200.0, zone=PARIS).since == 3_600.0


def test_a_custom_range_reads_times_in_the_operator_time_zone() -> None:
    chosen = resolve_range(
        "custom", 2e9, PARIS, datetime(2026, 1, 1, 1, 0), datetime(2026, 1, 1, 2, 0)
    )
    assert chosen.since == datetime.fromisoformat("2026-01-01T00:00:00+00:00").timestamp()
    assert chosen.span_s == 3600.0 and not chosen.live


def test_a_custom_range_that_ends_before_it_starts_says_how_to_fix_it() -> None:
    with pytest.raises(TimeRangeError, match="move the start earlier"):
        resolve_range("custom", 0.0, PARIS, datetime(2026, 1, 2), datetime(2026, 1, 1))
    with pytest.raises(TimeRangeError, match="both a start and an end"):
        resolve_range("custom", 0.0, PARIS, None, datetime(2026, 1, 1))


def test_paused_refresh_has_no_interval() -> None:
    assert refresh_seconds("paused") is None
    assert refresh_seconds("10s") == 10.0
    assert refresh_seconds("nonsense") == 5.0


@pytest.mark.parametrize(
    ("span_s", "bucket_s"),
    [(900.0, None), (3600.0, None), (21600.0, 60.0), (86400.0, 300.0), (604800.0, 1800.0)],
)
def test_long_ranges_are_bucketed_to_at_most_max_points(
    span_s: float, bucket_s: float | None
) -> None:
    assert pick_bucket_s(span_s) == bucket_s
    if bucket_s is not None:
        assert span_s / bucket_s <= MAX_POINTS


def test_quantised_now_is_shared_by_sessions_asking_within_one_step() -> None:
    assert quantise_now(101.0, 10.0) == quantise_now(109.9, 10.0) == 110.0
