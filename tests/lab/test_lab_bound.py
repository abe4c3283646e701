"""`engine.lab.bound`: the exact best policy on a small group, and `pacing bound`."""

from __future__ import annotations

import pytest

from cli.main import main
from lab.bound import Centre, Outcome, around_goal, best_at_goal, frontier


def test_one_sure_visitor_per_free_slot_matches_the_closed_form() -> None:
    """Acceptance 1 and a prohibitive price: send one invitation when the slot frees, none while
    it is busy. The slot then idles half a cycle (handles end anywhere in a cycle) plus the
    answer delay, so occupancy = handle / (handle + cycle/2 + delay)."""
    centre = Centre(slots=1, acceptance=1.0, handle_s=300.0, answer_delay_s=8.0, cycle_s=2.0)
    (outcome,) = frontier(centre, [1e6])
    assert outcome.pending_target == (0, 1)
    assert outcome.abandonment < 1e-9
    assert outcome.occupancy == pytest.approx(300.0 / (300.0 + 1.0 + 8.0), abs=5e-4)
    assert outcome.invitations_per_hour == pytest.approx(3600 * outcome.occupancy / 300, rel=0.01)


def test_a_higher_price_never_buys_more_abandonment_or_more_occupancy() -> None:
    outcomes = frontier(Centre(slots=2), [2.0, 10.0, 40.0, 200.0, 1e4])
    abandonment = [outcome.abandonment for outcome in outcomes]
    occupancy = [outcome.occupancy for outcome in outcomes]
    assert abandonment == sorted(abandonment, reverse=True)
    assert occupancy == sorted(occupancy, reverse=True)
    assert abandonment[0] > 0.05 and abandonment[-1] < 0.001


def test_the_reference_three_slots_keep_one_invitation_out_per_free_slot_near_the_goal() -> None:
    outcomes = around_goal(Centre(slots=3), 0.03)
    best = best_at_goal(outcomes, 0.03)
    assert best is not None and 0.90 < best < 0.92
    safe = [outcome for outcome in outcomes if outcome.abandonment <= 0.03]
    assert max(safe, key=lambda o: o.occupancy).pending_target[:2] == (0, 1)


def outcome(abandonment: float, occupancy: float) -> Outcome:
    return Outcome(1.0, occupancy, abandonment, 0.0, ())


def test_best_at_goal_time_shares_the_two_policies_around_the_goal() -> None:
    points = [outcome(0.10, 0.95), outcome(0.01, 0.90), outcome(0.0, 0.89)]
    assert best_at_goal(points, 0.03) == pytest.approx(0.90 + (0.02 / 0.09) * 0.05)
    assert best_at_goal(points, 0.10) == pytest.approx(0.95)
    assert best_at_goal([outcome(0.05, 0.95)], 0.03) is None


def test_a_centre_with_bad_settings_names_each_problem() -> None:
    with pytest.raises(ValueError) as error:
        Centre(slots=0, acceptance=1.5, cycle_s=0.0)
    message = str(error.value)
    assert "slots: 0 — expected 1 or more" in message
    assert "acceptance: 1.5 — expected a share in (0, 1]" in message
    assert "cycle_s: 0.0 — expected a positive number of seconds" in message


def test_pacing_bound_prints_the_policies_and_the_best_occupancy_at_the_goal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bound", "--slots", "1", "--goal", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("price  occupancy %  abandon %")
    assert "best occupancy at or under 3 % abandonment: " in out


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--slots", "40"], "--slots: 40 — expected at most 12"),
        (["--acceptance", "0"], "acceptance: 0.0 — expected a share in (0, 1]"),
        (["--goal", "120"], "--goal: 120.0 — expected a percentage in (0, 100)"),
    ],
)
def test_pacing_bound_names_a_bad_option(
    arguments: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bound", *arguments]) == 2
    assert expected in capsys.readouterr().err
