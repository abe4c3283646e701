"""The compliance maths: counter increases, the ledger, the budget and the guarded goal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compliance import (
    CounterLedger,
    abandon_budget,
    budget_goal_pct,
    budget_goals_pct,
    check_windows,
    counter_increase,
    guarded_goal_pct,
    window_since,
)

T0 = 1_700_006_400.0  # midnight UTC


def test_a_drop_counts_the_new_total_as_the_increase() -> None:
    assert counter_increase(1300, 50) == 50
    assert counter_increase(100, 130) == 30
    assert counter_increase(None, 130) == 0


def test_the_budget_is_what_keeps_the_ratio_at_the_goal() -> None:
    # 97 accepted, 0 abandoned at 3 %: 3 more make 3 of 100
    assert abandon_budget(97, 0, 3.0) == 3
    assert abandon_budget(97, 4, 3.0) == -1
    assert abandon_budget(97, 4, 100.0) is None


@given(
    accepted=st.integers(0, 10**6),
    abandoned=st.integers(0, 10**5),
    goal=st.floats(0.0, 99.0),
)
def test_spending_exactly_the_budget_keeps_the_window_within_the_goal(
    accepted: int, abandoned: int, goal: float
) -> None:
    budget = abandon_budget(accepted, abandoned, goal)
    assert budget is not None
    if budget >= 0:
        total = accepted + abandoned + budget
        assert total == 0 or (abandoned + budget) / total <= goal / 100 + 1e-9
        over = abandoned + budget + 1
        assert over / (total + 1) > goal / 100 - 1e-9


def test_the_guarded_goal_brings_the_window_back_within_the_horizon() -> None:
    # 1000 accepted + 50 abandoned (4.76 %) at 3 %; the next 1050 must run at 1.24 %
    goal = guarded_goal_pct(1000, 50, 3.0, recent_resolved=1050, min_share=0.1)
    assert goal == pytest.approx(100 * (0.03 * 2100 - 50) / 1050)
    assert (50 + goal / 100 * 1050) / 2100 == pytest.approx(0.03)


def test_the_guarded_goal_is_the_goal_when_the_window_is_within_it() -> None:
    assert guarded_goal_pct(1000, 10, 3.0, recent_resolved=100, min_share=0.1) == 3.0


def test_the_guarded_goal_never_falls_below_its_floor() -> None:
    assert guarded_goal_pct(100, 100, 3.0, recent_resolved=10, min_share=0.25) == 0.75


def test_the_ledger_sums_whole_minutes_from_the_window_start() -> None:
    ledger = CounterLedger(retention_s=3600)
    for at, accepted, abandoned in ((0, 10, 1), (30, 20, 1), (70, 5, 3), (200, 15, 3)):
        ledger.observe("t", T0 + at, accepted, abandoned)
    # 30 s: +10 (minute 0); 70 s: accepted reset +5, abandoned +2 (minute 1); 200 s: +10
    assert ledger.counts_since("t", T0) == (25, 2)
    assert ledger.counts_since("t", T0 + 61) == (15, 2)
    assert ledger.counts_since("t", T0 + 181) == (10, 0)
    assert ledger.counts_since("unknown", T0) == (0, 0)


def test_a_repeated_sample_is_not_counted_twice() -> None:
    ledger = CounterLedger(retention_s=3600)
    ledger.observe("t", T0, 10, 1)
    ledger.observe("t", T0 + 5, 20, 2)
    ledger.observe("t", T0 + 5, 20, 2)
    assert ledger.counts_since("t", T0) == (10, 1)


def test_the_ledger_forgets_what_is_older_than_its_retention_but_keeps_its_sums() -> None:
    ledger = CounterLedger(retention_s=600)
    for minute in range(200):
        ledger.observe("t", T0 + 60 * minute, minute, 0)
    assert ledger.counts_since("t", T0 + 60 * 190) == (10, 0)  # minutes 190..199


def test_the_day_starts_at_local_midnight() -> None:
    assert window_since("day", T0 + 3600, ZoneInfo("UTC")) == T0
    assert window_since("day", T0 + 3600, ZoneInfo("Europe/Paris")) == T0 - 3600
    assert window_since("24h", T0, ZoneInfo("UTC")) == T0 - 86_400


def test_unknown_or_repeated_windows_are_refused_with_the_place() -> None:
    with pytest.raises(ValueError, match=r"compliance.windows: \['1w'\] — expected"):
        check_windows(["1w"], "compliance.windows")
    with pytest.raises(ValueError, match="distinct"):
        check_windows(["day", "day"], "compliance.windows")


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),  # the target
            st.integers(0, 600),  # seconds since the previous sample
            st.integers(0, 40),  # accepted since it
            st.integers(0, 10),  # abandoned since it
        ),
        max_size=60,
    ),
    st.sampled_from([0.0, 1.0, 3.0, 10.0]),
)
def test_the_cycle_pass_gives_each_target_the_budget_goal_of_the_one_by_one_rule(
    samples: list[tuple[int, int, int, int]], goal_pct: float
) -> None:
    ledger = CounterLedger(6 * 3600.0)
    totals = {target: (0, 0) for target in range(3)}
    at = 1_700_000_000.0
    for target, step, accepted, abandoned in samples:
        at += step
        totals[target] = (totals[target][0] + accepted, totals[target][1] + abandoned)
        ledger.observe(f"t{target}", at, *totals[target])
    starts = [at - 3600.0, at - 300.0, at - 6 * 3600.0]
    targets = [(f"t{target}", goal_pct) for target in range(4)]  # t3: never seen
    one_by_one = [
        budget_goal_pct(ledger, target, goal, at, starts, 1800.0, 0.25) for target, goal in targets
    ]
    assert budget_goals_pct(ledger, targets, at, starts, 1800.0, 0.25) == one_by_one
