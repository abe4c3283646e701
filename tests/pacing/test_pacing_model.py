"""The predictive model's maths: the waiting formula, the binomial sum, the normal shortcut."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from pacing.model import (
    EXACT_MAX_VARIANCE,
    expected_abandons,
    largest_invitations,
    waiting_abandons,
)


def one(value: float) -> np.ndarray:
    return np.array([float(value)])


def served_with_ahead(ahead: int, slots: int, mu: float, theta: float) -> float:
    """The issue's product: ∏_{k=0..m} (nμ + kθ) / (nμ + (k+1)θ)."""
    product = 1.0
    for k in range(ahead + 1):
        product *= (slots * mu + k * theta) / (slots * mu + (k + 1) * theta)
    return product


@given(
    waiting=st.integers(0, 40),
    slots=st.integers(1, 200),
    handle_s=st.floats(30, 900),
    patience_s=st.floats(5, 600),
)
def test_the_closed_form_sums_the_abandonment_of_each_waiting_customer(
    waiting: int, slots: int, handle_s: float, patience_s: float
) -> None:
    mu, theta = 1 / handle_s, 1 / patience_s
    by_product = sum(1 - served_with_ahead(m, slots, mu, theta) for m in range(waiting))
    ratio = slots * mu / theta
    closed = waiting_abandons(one(waiting), one(ratio))[0]
    # The closed form subtracts two digamma values of size ln(ratio + waiting + 1), each good
    # to a few ulps, then multiplies by `ratio`: its absolute error is about
    # eps * ratio * ln(ratio + waiting + 1), not a fixed 1e-12 (ratio 955.5, waiting 1 is
    # off by 1.3e-12 on an answer of 1.05e-3).
    rounding = 8 * np.finfo(float).eps * ratio * max(1.0, math.log(ratio + waiting + 1))
    assert closed == pytest.approx(by_product, rel=1e-9, abs=max(1e-12, rounding))


def test_nobody_waiting_means_nobody_abandons() -> None:
    assert waiting_abandons(np.array([0.0, -3.0]), np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


@given(
    trials=st.integers(0, 60),
    accept=st.floats(0.01, 0.99),
    free=st.floats(-5, 30),
    ratio_s=st.floats(0.05, 100),
)
@settings(max_examples=150)
def test_the_exact_path_equals_the_full_binomial_sum(
    trials: int, accept: float, free: float, ratio_s: float
) -> None:
    ks = np.arange(trials + 1)
    values = waiting_abandons(ks - free, np.full(ks.size, ratio_s))
    full = float((binom.pmf(ks, trials, accept) * values).sum())
    got = expected_abandons(one(trials), one(accept), one(free), one(ratio_s))[0]
    assert got == pytest.approx(full, rel=1e-7, abs=1e-10)


def test_the_strided_shortcut_is_within_two_percent_where_it_takes_over() -> None:
    # measured error of the strided sum against the full binomial sum, from just past the
    # switch (σ > 8) to thousands of invitations in flight, free slots up to 3 σ above the mean
    worst = 0.0
    checked = 0
    for trials in (300, 400, 800, 1500, 4000):
        for accept in (0.25, 0.4, 0.6):
            if trials * accept * (1 - accept) <= EXACT_MAX_VARIANCE:
                continue
            mean = trials * accept
            sd = math.sqrt(mean * (1 - accept))
            for free in (mean - sd, mean, mean + sd, mean + 2 * sd, mean + 3 * sd):
                checked += 1
                ks = np.arange(trials + 1)
                values = waiting_abandons(ks - free, np.full(ks.size, 4.0))
                exact = float((binom.pmf(ks, trials, accept) * values).sum())
                approx = expected_abandons(one(trials), one(accept), one(free), one(4.0))[0]
                worst = max(worst, abs(approx - exact) / exact)
    assert checked > 40
    assert worst < 0.02


def test_variance_matters_a_small_group_overflows_where_the_mean_says_it_fits() -> None:
    # 4 invitations at 25 % for 1 free slot: the mean (1 accept) fits, the spread does not
    abandons = expected_abandons(one(4), one(0.25), one(1.0), one(0.5))[0]
    assert abandons > 0.05


def brute_largest(pending: int, accept: float, free: float, s: float, c: float, cap: int) -> int:
    base = expected_abandons(one(pending), one(accept), one(free), one(s))[0]
    best = 0
    for invitations in range(1, cap + 1):
        added = expected_abandons(one(pending + invitations), one(accept), one(free), one(s))[0]
        if added - base <= c * accept * invitations:
            best = invitations
        else:
            break
    return best


@given(
    pending=st.integers(0, 30),
    accept=st.floats(0.05, 0.6),
    free=st.floats(-3, 20),
    ratio_s=st.floats(0.2, 50),
    threshold=st.floats(0.001, 0.3),
    cap=st.integers(0, 120),
    start=st.integers(0, 150),
)
@settings(max_examples=150, deadline=None)
def test_the_search_finds_the_same_answer_from_any_starting_point(
    pending: int,
    accept: float,
    free: float,
    ratio_s: float,
    threshold: float,
    cap: int,
    start: int,
) -> None:
    found = largest_invitations(
        pending=one(pending),
        pending_accepts=one(pending * accept),
        accept=one(accept),
        free=one(free),
        ratio_s=one(ratio_s),
        threshold=one(threshold),
        start=np.array([start]),
        cap=np.array([cap]),
    )[0]
    assert found == brute_largest(pending, accept, free, ratio_s, threshold, cap)


def test_the_expected_abandonments_grow_with_invitations() -> None:
    trials = np.arange(0, 300, dtype=float)
    values = expected_abandons(
        trials, np.full(trials.size, 0.3), np.full(trials.size, 12.0), np.full(trials.size, 3.0)
    )
    assert np.all(np.diff(values) >= -1e-12)
    assert math.isclose(values[0], 0.0)
