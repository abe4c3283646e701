"""The simulator as the node's stat source and platform: wall clock ↔ simulated seconds."""

from __future__ import annotations

from config.simulator import Scenario
from connectors.simulated import SimulatedContactCentre
from domain.decisions import PacingDecision
from simulator import ContactCentreSimulator
from tests.simulator.test_simulator import demo_targets

EPOCH = 1_800_000_000.0


def run(speed: float) -> tuple[list[float | None], list[float | None], list[float | None]]:
    """Ten cycles of 5 wall seconds; the same simulated path whatever the speed (its interval
    and clock scale with it). Answers the AHT and the answer delays the node was told."""
    targets = demo_targets()
    scenario = Scenario(seed=7, visitor_rate_per_min=600.0)
    centre = SimulatedContactCentre(
        ContactCentreSimulator(targets, scenario), epoch=EPOCH, speed=speed
    )
    handle, accept, decline = [], [], []
    for cycle in range(1, 41):
        now = EPOCH + cycle * 50.0 / speed
        statistics = centre.read(targets, now)
        decisions = [PacingDecision(t.target_id, 4, 50.0 / speed, None, "model") for t in targets]
        answers = centre.publish(decisions, statistics, now)
        handle.append(statistics[targets[0].target_id].avg_handle_time_s)
        accept.append(answers[targets[0].target_id].accept_delay_s)
        decline.append(answers[targets[0].target_id].decline_delay_s)
    return handle, accept, decline


def test_durations_come_back_in_wall_seconds_at_any_speed() -> None:
    """At speed 10 the node sees a centre ten times quicker: 10 s accept delays read 1 s."""
    real, fast = run(1.0), run(10.0)
    for at_one, at_ten in zip(real, fast, strict=True):
        known = [(one, ten) for one, ten in zip(at_one, at_ten, strict=True) if one is not None]
        assert known, "the run produced no figure to compare"
        for one, ten in known:
            assert ten is not None and abs(ten - one / 10.0) < 1e-9
    assert real[1][-1] is not None and 5.0 < real[1][-1] < 20.0  # the scenario's 10 s mean


def test_wall_seconds_map_to_simulated_seconds_from_the_epoch() -> None:
    centre = SimulatedContactCentre(
        ContactCentreSimulator(demo_targets(), Scenario()), epoch=EPOCH, speed=10.0
    )
    assert centre.simulated_s(EPOCH + 3.0) == 30.0
    assert centre.simulated_s(EPOCH - 5.0) == 0.0
