"""Signals the alarm subsystem derives itself: abandonment significance, overruns, staleness."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alarms.catalogue import default_conditions
from alarms.detectors import (
    abandonment_signal,
    cycle_signals,
    no_master_signal,
    sample_signals,
    wilson_lower_bound,
    window_counts,
)
from alarms.model import Category, RuntimeSample
from config.options import MetricsOptions
from domain.records import NodeStatus
from domain.signals import Condition
from tests.builders import cycle_outcome

CONDITIONS = {c.name: c for c in default_conditions(MetricsOptions(gc_latency_threshold_ms=50))}


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_the_wilson_lower_bound_never_exceeds_the_observed_ratio(
    trials: int, data: st.DataObject
) -> None:
    successes = data.draw(st.integers(min_value=0, max_value=trials))
    lower = wilson_lower_bound(successes, trials)
    assert 0.0 <= lower <= successes / trials + 1e-12


@given(st.integers(min_value=1, max_value=2000))
def test_more_evidence_for_the_same_ratio_raises_the_lower_bound(trials: int) -> None:
    assert wilson_lower_bound(trials // 10, trials) <= wilson_lower_bound(trials, 10 * trials)


def test_one_abandonment_in_ten_is_noise_for_a_three_percent_goal() -> None:
    abandonment = CONDITIONS[Condition.ABANDONMENT_ABOVE_GOAL]
    signal = abandonment_signal(abandonment, "Chat - chat", 3.0, accepted=9, abandoned=1, now=5.0)
    assert signal is not None and not signal.active  # 10 % observed, lower bound ≈ 1.8 %


def test_a_significant_excess_over_the_goal_is_detected_and_escalates_when_double() -> None:
    abandonment = CONDITIONS[Condition.ABANDONMENT_ABOVE_GOAL]
    signal = abandonment_signal(
        abandonment, "Chat - chat", 3.0, accepted=900, abandoned=100, now=5.0
    )
    assert signal is not None and signal.active and signal.scope == "Chat - chat"
    assert signal.severity == Category.CRITICAL.value  # lower bound ≈ 8.3 % ≥ 2 × 3 %


def test_window_counts_use_only_counts_after_a_counter_reset() -> None:
    points = [(1.0, 100, 10), (2.0, 150, 12), (3.0, 5, 1), (4.0, 25, 3)]
    assert window_counts(points, now=4.0, window_s=10.0) == (20, 2)
    assert window_counts(points, now=4.0, window_s=1.5) == (20, 2)
    assert window_counts(points[:1], now=4.0, window_s=10.0) == (0, 0)


def test_an_overrun_cycle_detects_cycle_overrun_and_a_target_error_detects_staleness() -> None:
    signals = {
        (s.condition, s.scope): s
        for s in cycle_signals(cycle_outcome("overrun", 7.0, "no statistics"))
    }
    assert signals[("CycleOverrun", "global")].active
    assert signals[("StatisticsStale", "Chat - chat")].active
    assert "no statistics" in signals[("StatisticsStale", "Chat - chat")].reason
    calm = {(s.condition, s.scope): s for s in cycle_signals(cycle_outcome("ok", 0.1))}
    assert not any(s.active for s in calm.values())


def test_a_gc_pause_above_the_threshold_detects_gc_latency() -> None:
    sample = RuntimeSample("n", 1.0, 0.120, 0.120, 1, 1.0, 1, 100, 1000)
    signals = {s.condition: s for s in sample_signals(sample, CONDITIONS)}
    assert signals["GC Latency"].active and signals["GC Latency"].severity == "Critical"
    assert not signals["GC Frequency"].active
    assert signals["Heap Memory Usage"].value == 10.0 and not signals["Heap Memory Usage"].active


def test_no_master_is_detected_when_no_heartbeat_is_fresh() -> None:
    stale = NodeStatus("a", "h", 1, "headless", 5.0, 0.0, None, False, 60.0)
    alive = NodeStatus("b", "h", 2, "headless", 5.0, 0.0, None, True, 1.0)
    assert no_master_signal([stale], 60.0).active
    assert not no_master_signal([stale, alive], 60.0).active
    assert no_master_signal([], 60.0).reason == "no node has ever started on this database"


def test_a_publish_failure_is_not_reported_as_stale_statistics() -> None:
    signals = cycle_signals(cycle_outcome("failed", 0.1, "publish: HTTP 503"))
    stale = [s for s in signals if s.condition == "StatisticsStale"]
    assert stale and not any(s.active for s in stale)
