"""The `progressive` baseline: safe before it is clever (kept for comparison in the lab)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.decisions import TargetSnapshot
from pacing import Pacer
from tests.builders import make_snapshot

BASE = make_snapshot(
    ready_slots=4, busy_slots=6, abandoned_total=1, acceptance_rate=0.5, avg_handle_time_s=180.0
)


def decide(snapshot: TargetSnapshot, pacer: Pacer | None = None) -> tuple[int, str]:
    decision = (pacer or Pacer(algorithm="progressive")).decide([snapshot], now=0.0)[0]
    return decision.allowed_invitations, decision.reason


def test_free_slots_divided_by_the_acceptance_rate() -> None:
    assert decide(BASE) == (8, "progressive")


def test_no_invitations_when_no_agent_is_logged_in() -> None:
    snapshot = replace(BASE, logged_in_slots=0, ready_slots=0, busy_slots=0)
    assert decide(snapshot) == (0, "no-agents")


def test_no_invitations_when_the_queue_already_fills_the_ready_slots() -> None:
    assert decide(replace(BASE, in_queue=4)) == (0, "no-free-slots")


def test_pending_invitations_count_as_expected_accepts() -> None:
    # 4 ready, 6 pending at 50 % → 3 expected accepts → 1 free slot → 2 invitations
    assert decide(replace(BASE, pending_invitations=6)) == (2, "progressive")


def test_unknown_pending_count_is_paced_conservatively_not_as_zero() -> None:
    assert decide(replace(BASE, pending_invitations=None)) == (0, "pending-unknown")


def test_closed_business_hours_send_nothing() -> None:
    assert decide(replace(BASE, business_hours_open=False)) == (0, "closed")


def test_abandonment_above_goal_brakes() -> None:
    pacer = Pacer(algorithm="progressive")
    decide(BASE, pacer)
    # 10 served and 2 abandoned since the last cycle: 16.7 % against a 3 % goal
    after = replace(BASE, accepted_total=110, abandoned_total=3)
    allowed, reason = decide(after, pacer)
    assert reason == "brake"
    assert allowed == 4


def test_a_counter_reset_is_not_read_as_negative_traffic() -> None:
    pacer = Pacer(algorithm="progressive")
    decide(BASE, pacer)
    assert decide(replace(BASE, accepted_total=0, abandoned_total=0), pacer) == (8, "progressive")


def test_state_survives_a_save_and_restore_through_json() -> None:
    pacer = Pacer(algorithm="progressive")
    decide(BASE, pacer)
    decide(replace(BASE, accepted_total=110, abandoned_total=3), pacer)
    restored = Pacer(algorithm="progressive")
    restored.restore(json.loads(json.dumps(pacer.state())))
    after = replace(BASE, accepted_total=111, abandoned_total=3)
    assert decide(after, restored) == decide(after, pacer)


def test_unknown_algorithm_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"pacing algorithm 'magic'.*pacing.algorithm"):
        Pacer(algorithm="magic")


def test_goal_out_of_range_is_refused_where_the_snapshot_is_built() -> None:
    with pytest.raises(ValueError, match=r"goal_pct must be between 0 and 100, got 140"):
        replace(BASE, goal_pct=140.0)


snapshots = st.builds(
    TargetSnapshot,
    target_id=st.just("t"),
    media=st.just("chat"),
    goal_pct=st.floats(0, 100),
    logged_in_slots=st.integers(0, 200),
    ready_slots=st.integers(0, 200),
    busy_slots=st.integers(0, 200),
    in_queue=st.integers(0, 100),
    accepted_total=st.integers(0, 10_000),
    abandoned_total=st.integers(0, 10_000),
    pending_invitations=st.one_of(st.none(), st.integers(0, 500)),
    acceptance_rate=st.one_of(st.none(), st.floats(0, 1)),
    accept_delay_s=st.none(),
    avg_handle_time_s=st.one_of(st.none(), st.floats(1, 3600)),
)


@given(snapshots)
def test_allowed_invitations_are_never_negative_and_bounded_by_capacity(
    snapshot: TargetSnapshot,
) -> None:
    allowed, _ = decide(snapshot)
    assert 0 <= allowed <= 4 * snapshot.logged_in_slots
    if snapshot.ready_slots <= snapshot.in_queue:
        assert allowed == 0
