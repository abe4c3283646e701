"""Operator controls shape decisions (pure): pause, fixed, cap, forced algorithm, goal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.controls import ControlError, TargetControl
from domain.decisions import PacingDecision
from pacing import Pacer
from pacing.controls import (
    ControlledPacer,
    TargetControls,
    controls_in_force,
    shape_decision,
)
from tests.builders import make_snapshot

TARGET = "Proactive Chat - chat"
BASE = make_snapshot(
    ready_slots=4, busy_slots=6, abandoned_total=1, acceptance_rate=0.5, avg_handle_time_s=180.0
)


def decision(allowed: int = 8, reason: str = "model") -> PacingDecision:
    return PacingDecision(TARGET, allowed, 5.0, None, reason)


def control(kind: str, value: str = "", expires_at: float | None = None) -> TargetControl:
    return TargetControl(TARGET, kind, value, "incident 42", "alice", 100.0, expires_at)  # type: ignore[arg-type]


def test_a_pause_sends_nothing_and_says_paused() -> None:
    shaped = shape_decision(decision(8), TargetControls(paused=True))
    assert (shaped.allowed_invitations, shaped.reason) == (0, "paused")


def test_a_fixed_allowance_replaces_the_model() -> None:
    shaped = shape_decision(decision(8), TargetControls(fixed=3))
    assert (shaped.allowed_invitations, shaped.reason) == (3, "fixed")


@pytest.mark.parametrize("guard", ["stale", "no-agents", "closed"])
def test_a_fixed_allowance_never_overrides_a_safety_guard(guard: str) -> None:
    shaped = shape_decision(decision(0, guard), TargetControls(fixed=3))
    assert (shaped.allowed_invitations, shaped.reason) == (0, guard)


def test_a_cap_cuts_a_larger_decision_and_says_capped() -> None:
    shaped = shape_decision(decision(8), TargetControls(cap=5))
    assert (shaped.allowed_invitations, shaped.reason) == (5, "capped")


def test_a_cap_above_the_decision_leaves_it_alone() -> None:
    assert shape_decision(decision(4), TargetControls(cap=5)) == decision(4)


def test_a_pause_wins_over_fixed_and_cap() -> None:
    shaped = shape_decision(decision(8), TargetControls(paused=True, fixed=3, cap=2))
    assert (shaped.allowed_invitations, shaped.reason) == (0, "paused")


def test_forced_algorithm_and_goal_are_named_in_the_reason() -> None:
    shaped = shape_decision(decision(8), TargetControls(algorithm="adaptive", goal_pct=2.5))
    assert shaped.reason == "model; forced algorithm adaptive; goal override 2.5 %"
    assert shaped.allowed_invitations == 8


def test_a_lapsed_control_is_not_in_force() -> None:
    controls = [control("pause", expires_at=200.0), control("cap", "4")]
    assert controls_in_force(controls, 199.0)[TARGET] == TargetControls(paused=True, cap=4)
    assert controls_in_force(controls, 200.0)[TARGET] == TargetControls(cap=4)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("cap", "-1", "cap must be a whole number of invitations per cycle between 0 and 10,000"),
        ("fixed", "2.5", "fixed must be a whole number"),
        ("algorithm", "turbo", "algorithm must be one of predictive, progressive, adaptive"),
        ("goal", "140", "goal_pct must be between 0 and 100, got 140.0"),
        ("goal", "nan", "goal must be a number between 0 and 100"),
        ("pause", "3", "pause takes no value"),
    ],
)
def test_a_bad_value_is_refused_with_what_is_expected(kind: str, value: str, expected: str) -> None:
    with pytest.raises(ControlError, match=expected.replace(".", r"\.")):
        control(kind, value)


def test_a_control_needs_a_reason() -> None:
    with pytest.raises(ControlError, match="needs a reason"):
        TargetControl(TARGET, "pause", "", "  ", "alice", 100.0)


def test_the_goal_override_reaches_the_pacer() -> None:
    pacer = ControlledPacer(Pacer(algorithm="progressive"))
    loose = pacer.decide([BASE], 0.0, {TARGET: TargetControls(goal_pct=90.0)})[0]
    assert loose.reason == "progressive; goal override 90 %"


def test_a_forced_algorithm_decides_with_that_algorithm() -> None:
    pacer = ControlledPacer(Pacer(algorithm="predictive"))
    other = replace(BASE, target_id="Other - chat")
    decisions = pacer.decide([BASE, other], 0.0, {TARGET: TargetControls(algorithm="progressive")})
    assert decisions[0].reason == "progressive; forced algorithm progressive"
    assert decisions[0].allowed_invitations == 8  # the progressive rule's own answer
    assert decisions[1].target_id == "Other - chat"
    assert decisions[1].reason in ("model", "compliance-guard")


def test_the_pacer_is_told_what_a_pause_really_allowed() -> None:
    pacer = Pacer(algorithm="predictive")
    controlled = ControlledPacer(pacer)
    controlled.decide([BASE], 0.0, {TARGET: TargetControls(paused=True)})
    saved = pacer.state()[TARGET]
    assert saved["last_allowed"] == 0.0
    assert saved["allowed_total"] == 0.0


@given(allowed=st.integers(0, 10_000), cap=st.integers(0, 10_000))
def test_a_capped_decision_never_exceeds_its_cap(allowed: int, cap: int) -> None:
    shaped = shape_decision(decision(allowed), TargetControls(cap=cap))
    assert shaped.allowed_invitations == min(allowed, cap)
