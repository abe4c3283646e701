"""Shocks the pacing lab plays on the simulator: log-offs and settings changed mid-run."""

from __future__ import annotations

import pytest

from config.simulator import Scenario
from simulator import ContactCentreSimulator
from tests.simulator.test_simulator import assert_conserved, drive, make_target, team

STAFFED = Scenario(
    seed=3,
    start_staffed=True,
    shift_length_s=86_400.0,
    off_shift_s=600.0,
    reactive_per_min=(("default", 0.0),),
)


def chat_centre(scenario: Scenario = STAFFED) -> ContactCentreSimulator:
    return ContactCentreSimulator([make_target("Chat", "chat", team(1, 20, 1))], scenario)


def test_half_the_agents_log_off_at_once_and_never_come_back() -> None:
    simulator = chat_centre()
    before = simulator.read_statistics(10.0)["Chat - chat"].logged_in_slots
    gone = simulator.log_off_agents(0.5, 10.0)
    assert gone == round(before / 2)
    drive(simulator, [0] * 1000, start_s=10.0)  # well past their off-shift time
    stats = simulator.read_statistics(simulator.now_s)["Chat - chat"]
    assert stats.logged_in_slots == 20 - gone  # everyone else is back from their break
    assert_conserved(simulator.totals()["Chat - chat"], stats)


def test_agents_who_log_off_finish_the_work_in_hand() -> None:
    simulator = chat_centre()
    drive(simulator, [20] * 30)
    busy = simulator.read_statistics(simulator.now_s)["Chat - chat"].busy_slots
    assert busy > 0
    simulator.log_off_agents(1.0, simulator.now_s)
    stats = simulator.read_statistics(simulator.now_s)["Chat - chat"]
    assert stats.busy_slots == busy
    assert stats.logged_in_slots == busy  # only the slots still working
    assert stats.ready_slots == 0


def test_a_share_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"between 0 and 1, got 1.5"):
        chat_centre().log_off_agents(1.5, 0.0)


def test_an_acceptance_shock_changes_what_visitors_do_from_then_on() -> None:
    simulator = chat_centre()
    drive(simulator, [10] * 200)
    before = simulator.totals()["Chat - chat"]
    simulator.change_scenario(simulator.now_s, acceptance_probability=0.0)
    drive(simulator, [10] * 200, start_s=simulator.now_s)
    after = simulator.totals()["Chat - chat"]
    # only invitations sent before the shock can still be accepted (within their timeout)
    late_accepts = after.accepted_invitations - before.accepted_invitations
    assert late_accepts <= before.pending_invitations
    assert after.invitations_sent > before.invitations_sent


def test_a_reactive_burst_starts_arrivals_and_its_end_stops_them() -> None:
    simulator = chat_centre()
    drive(simulator, [0] * 100)
    assert simulator.totals()["Chat - chat"].reactive_arrived == 0
    simulator.change_scenario(simulator.now_s, reactive_per_min=(("default", 30.0),))
    drive(simulator, [0] * 120, start_s=simulator.now_s)  # 10 min at 30 per minute
    during = simulator.totals()["Chat - chat"].reactive_arrived
    assert 200 < during < 400
    simulator.change_scenario(simulator.now_s, reactive_per_min=(("default", 0.0),))
    drive(simulator, [0] * 120, start_s=simulator.now_s)
    assert simulator.totals()["Chat - chat"].reactive_arrived <= during + 1


def test_a_bad_setting_in_a_change_is_refused_like_in_a_scenario() -> None:
    with pytest.raises(ValueError, match=r"acceptance_probability"):
        chat_centre().change_scenario(0.0, acceptance_probability=2.0)
