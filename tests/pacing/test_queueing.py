"""Erlang B, C and A: published worked examples and the exact identities between them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacing.queueing import ErlangA, ErlangC, erlang_b, sustainable_arrival_rate


def poisson_tail(mean: float, at_least: int) -> float:
    return 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(at_least))


def test_erlang_b_matches_the_textbook_table() -> None:
    # 5 Erlangs on 10 lines block 1.84 % (every Erlang B table)
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=1e-6)


def test_erlang_b_sizes_the_published_trunk_example() -> None:
    # "10 Erlangs at 1 % blocking need 18 lines" (Dordal, Loyola University, Erlang models notes)
    assert erlang_b(18, 10.0) <= 0.01 < erlang_b(17, 10.0)


def test_erlang_b_is_stable_for_two_thousand_lines() -> None:
    blocking = erlang_b(2000, 1950.0)
    assert 0.0 < blocking < 0.05
    assert math.isfinite(blocking)


def test_erlang_c_reproduces_the_call_centre_worked_example() -> None:
    # 100 calls per half hour, 180 s handle time (10 Erlangs), 11 agents, answer within 20 s:
    # P(wait) 68.21 %, ASA 122.8 s, service level 39 %, occupancy 90.9 %
    # (the Call Centre Helper Erlang C worked example)
    queue = ErlangC(agents=11, arrival_rate=100 / 1800, service_rate=1 / 180)
    assert queue.wait_probability == pytest.approx(0.6821, abs=5e-5)
    assert queue.mean_wait_s == pytest.approx(122.8, abs=0.05)
    assert queue.service_level(20) == pytest.approx(0.3896, abs=5e-4)
    assert queue.occupancy == pytest.approx(10 / 11)


def test_erlang_c_refuses_a_load_the_agents_cannot_carry() -> None:
    with pytest.raises(ValueError, match=r"needs load < agents, got 12.000 Erlangs on 10 agents"):
        ErlangC(agents=10, arrival_rate=12 / 180, service_rate=1 / 180)


@given(
    agents=st.integers(1, 40),
    load_share=st.floats(0.05, 3.0),
)
@settings(max_examples=60, deadline=None)
def test_patience_equal_to_handle_time_gives_a_poisson_number_in_system(
    agents: int, load_share: float
) -> None:
    # θ = μ: every customer leaves at rate μ whether served or waiting, so the number in
    # system is Poisson(λ/μ) as in M/M/∞; an arrival waits when it finds n or more there.
    load = load_share * agents
    queue = ErlangA(agents, arrival_rate=load / 300, service_rate=1 / 300, abandon_rate=1 / 300)
    assert queue.wait_probability == pytest.approx(poisson_tail(load, agents), abs=1e-9)


@given(agents=st.integers(1, 60), load_share=st.floats(0.05, 2.0))
@settings(max_examples=60, deadline=None)
def test_abandonment_equals_patience_rate_times_mean_wait(agents: int, load_share: float) -> None:
    queue = ErlangA(agents, load_share * agents / 240, 1 / 240, 1 / 45)
    assert queue.abandon_probability == pytest.approx(queue.abandon_rate * queue.mean_wait_s)
    assert 0.0 <= queue.abandon_probability <= queue.wait_probability <= 1.0


@pytest.mark.parametrize("agents,load", [(1, 0.5), (5, 3.0), (30, 40.0), (200, 190.0)])
def test_impatient_customers_turn_erlang_a_into_erlang_b(agents: int, load: float) -> None:
    queue = ErlangA(agents, load / 180, 1 / 180, abandon_rate=1e7)
    assert queue.abandon_probability == pytest.approx(erlang_b(agents, load), rel=1e-5)


@pytest.mark.parametrize("agents,load", [(11, 10.0), (3, 2.0), (200, 185.0)])
def test_endlessly_patient_customers_turn_erlang_a_into_erlang_c(agents: int, load: float) -> None:
    patient = ErlangA(agents, load / 180, 1 / 180, abandon_rate=1e-9)
    erlang_c = ErlangC(agents, load / 180, 1 / 180)
    assert patient.wait_probability == pytest.approx(erlang_c.wait_probability, rel=1e-5)
    assert patient.mean_wait_s == pytest.approx(erlang_c.mean_wait_s, rel=1e-4)
    assert patient.service_level(20) == pytest.approx(erlang_c.service_level(20), abs=1e-5)


def test_service_level_over_a_long_time_is_everyone_who_does_not_abandon() -> None:
    queue = ErlangA(5, 1 / 60, 1 / 180, 1 / 120)
    assert queue.service_level(1e6) == pytest.approx(1.0 - queue.abandon_probability, abs=1e-9)
    assert queue.service_level(0) == pytest.approx(1.0 - queue.wait_probability)


def test_erlang_a_stays_finite_for_two_thousand_agents() -> None:
    queue = ErlangA(2000, arrival_rate=6.8, service_rate=1 / 300, abandon_rate=1 / 60)
    for value in (queue.wait_probability, queue.abandon_probability, queue.occupancy):
        assert math.isfinite(value) and 0.0 <= value <= 1.0


@pytest.mark.parametrize("agents", [1, 3, 10, 30, 200])
def test_the_sustainable_rate_is_the_largest_rate_within_the_goal(agents: int) -> None:
    rate = sustainable_arrival_rate(agents, 1 / 300, 1 / 60, abandon_goal=0.03)
    assert ErlangA(agents, rate, 1 / 300, 1 / 60).abandon_probability <= 0.03 + 1e-9
    assert ErlangA(agents, rate * 1.001, 1 / 300, 1 / 60).abandon_probability > 0.03


def test_without_agents_nothing_is_sustainable() -> None:
    assert sustainable_arrival_rate(0, 1 / 300, 1 / 60, 0.03) == 0.0


def test_a_goal_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"abandon_goal must be a ratio between 0 and 1, got 3"):
        sustainable_arrival_rate(10, 1 / 300, 1 / 60, 3)
