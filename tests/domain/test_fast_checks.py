"""The common-case checks of the hot value objects accept nothing the named checks refuse.

`TargetStatistics`, `TargetSnapshot` and `TargetRecord` check their figures with one inline
expression and fall back to `check_named` (every check, each failure naming its figure) when
it does not hold. On random figures (negative, None, NaN, infinite, out of range) an object
that could be built must also pass `check_named`, and one refused must be refused by it too
with the same message.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.decisions import TargetSnapshot
from domain.records import TargetRecord
from domain.statistics import TargetStatistics

_VALID = st.integers(0, 9)
# Mostly plainly valid figures (the fast path's case), with every kind of invalid one mixed in.
_COUNT = st.one_of(_VALID, _VALID, _VALID, st.integers(-3, 3), st.none(), st.floats(allow_nan=True))
_FLOAT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-1, 2))
_GOAL = st.one_of(st.floats(-1, 101), st.just(float("nan")), st.sampled_from([0.0, 5.0, 100.0]))


def _same_verdict(kind: type[Any], values: dict[str, Any]) -> None:
    try:
        built = kind(**values)
    except (ValueError, TypeError) as error:
        unchecked = object.__new__(kind)
        for field in fields(kind):  # a field added later keeps its default
            object.__setattr__(unchecked, field.name, values.get(field.name, field.default))
        with pytest.raises(type(error)) as named:
            unchecked.check_named()
        assert str(named.value) == str(error)
        return
    built.check_named()  # raises when the fast path let through what the checks refuse


@settings(max_examples=600, deadline=None)
@given(figures=st.lists(_COUNT, min_size=7, max_size=7))
def test_statistics_fast_path_matches_the_named_checks(figures: list[Any]) -> None:
    names = (
        "logged_in_slots",
        "ready_slots",
        "busy_slots",
        "in_queue",
        "accepted_total",
        "abandoned_total",
        "reactive_arrivals_total",
    )
    values = {"target_id": "t", "avg_handle_time_s": None, **dict(zip(names, figures, strict=True))}
    _same_verdict(TargetStatistics, values)


@settings(max_examples=600, deadline=None)
@given(
    figures=st.lists(_COUNT, min_size=4, max_size=4),
    goal=_GOAL,
    rate=_FLOAT,
    shared=st.integers(-1, 4),
    pool=st.sampled_from([None, "pool"]),
    budget=st.one_of(st.none(), _GOAL),
)
def test_snapshot_fast_path_matches_the_named_checks(
    figures: list[Any], goal: float, rate: Any, shared: int, pool: str | None, budget: Any
) -> None:
    names = ("logged_in_slots", "ready_slots", "busy_slots", "in_queue")
    values = {
        "target_id": "t",
        "media": "chat",
        "goal_pct": goal,
        "accepted_total": 1,
        "abandoned_total": 0,
        "pending_invitations": None,
        "acceptance_rate": rate,
        "accept_delay_s": None,
        "avg_handle_time_s": None,
        "reactive_arrivals_total": 0,
        "business_hours_open": True,
        "statistics_age_s": 0.0,
        "capacity_pool": pool,
        "shared_ready_slots": shared,
        "budget_goal_pct": budget,
        **dict(zip(names, figures, strict=True)),
    }
    _same_verdict(TargetSnapshot, values)


@settings(max_examples=600, deadline=None)
@given(
    figures=st.lists(_COUNT, min_size=8, max_size=8),
    goal=_GOAL,
    at=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(1.7e9)),
    ids=st.sampled_from([("c", "t"), ("", "t"), ("c", "")]),
)
def test_record_fast_path_matches_the_named_checks(
    figures: list[Any], goal: float, at: float, ids: tuple[str, str]
) -> None:
    names = (
        "logged_in_slots",
        "ready_slots",
        "busy_slots",
        "in_queue",
        "accepted_total",
        "abandoned_total",
        "pending_invitations",
        "allowed_invitations",
    )
    values = {
        "cycle_id": ids[0],
        "target_id": ids[1],
        "at": at,
        "media": "chat",
        "goal_pct": goal,
        "acceptance_rate": None,
        "avg_handle_time_s": None,
        "interval_s": None,
        "estimated_wait_s": None,
        "reason": None,
        "error": None,
        **dict(zip(names, figures, strict=True)),
    }
    _same_verdict(TargetRecord, values)
