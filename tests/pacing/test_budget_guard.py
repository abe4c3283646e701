"""The budget guard: a target whose compliance window spent its budget is paced to a lower goal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pacing import Pacer
from tests.builders import make_snapshot


@pytest.mark.parametrize("algorithm", ["predictive", "progressive", "adaptive"])
def test_a_spent_target_is_paced_to_the_guarded_goal_and_says_so(algorithm: str) -> None:
    free = make_snapshot(ready_slots=8, busy_slots=2, accepted_total=100, abandoned_total=2)
    later = make_snapshot(ready_slots=8, busy_slots=2, accepted_total=200, abandoned_total=4)
    plain, guarded = Pacer(algorithm), Pacer(algorithm)
    plain.decide([free], 0.0)
    guarded.decide([free], 0.0)
    (as_usual,) = plain.decide([later], 5.0)
    (spent,) = guarded.decide([replace(later, budget_goal_pct=0.75)], 5.0)
    assert spent.reason == "budget-guard"
    assert as_usual.reason != "budget-guard"
    assert spent.allowed_invitations < as_usual.allowed_invitations


def test_a_budget_goal_at_or_above_the_goal_changes_nothing() -> None:
    snapshot = make_snapshot(ready_slots=8, busy_slots=2)
    (plain,) = Pacer("predictive").decide([snapshot], 0.0)
    (same,) = Pacer("predictive").decide([replace(snapshot, budget_goal_pct=3.0)], 0.0)
    assert same == plain


def test_a_guarded_target_without_agents_still_says_no_agents() -> None:
    snapshot = make_snapshot(ready_slots=0, busy_slots=0, logged_in_slots=0, budget_goal_pct=0.5)
    (decision,) = Pacer("predictive").decide([snapshot], 0.0)
    assert (decision.allowed_invitations, decision.reason) == (0, "no-agents")
