"""The contact-centre simulator: reproducible, conserving, and shaped like a real centre."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.simulator import SCENARIO_SETTINGS, Scenario, parse_scenario, scenario_settings_markdown
from domain.statistics import TargetStatistics
from domain.targets import PacingTarget, TargetAgent
from simulator import ContactCentreSimulator, SimulatorTotals

CHAT = "Proactive Chat - chat"
VOICE = "Proactive Voice - voice"
EMAIL = "Proactive Email - email"


def make_target(vq_name: str, media: str, agents: Sequence[tuple[str, int]]) -> PacingTarget:
    return PacingTarget(
        target_id=f"{vq_name} - {media}",
        vq_name=vq_name,
        vq_number=vq_name,
        media=media,
        goal_pct=3.0,
        groups=("Group",),
        agents=tuple(TargetAgent(name, slots) for name, slots in agents),
    )


def team(first: int, last: int, slots: int) -> list[tuple[str, int]]:
    return [(f"agent{n:02d}", slots) for n in range(first, last + 1)]


def demo_targets() -> list[PacingTarget]:
    """Three targets, 30 agents, ten of them blended across two media."""
    return [
        make_target("Proactive Chat", "chat", team(1, 15, 3)),
        make_target("Proactive Voice", "voice", team(11, 22, 1)),
        make_target("Proactive Email", "email", team(1, 5, 2) + team(23, 30, 2)),
    ]


def drive(
    simulator: ContactCentreSimulator,
    allowances: Sequence[int],
    interval_s: float = 5.0,
    start_s: float = 0.0,
) -> list[dict[str, TargetStatistics]]:
    """Read statistics then publish the same allowance to every target, once per interval."""
    seen = []
    t_s = start_s
    for allowance in allowances:
        t_s += interval_s
        seen.append(simulator.read_statistics(t_s))
        simulator.publish(dict.fromkeys(seen[-1], allowance), interval_s, t_s)
    return seen


def assert_conserved(totals: SimulatorTotals, stats: TargetStatistics | None = None) -> None:
    assert totals.accepted_invitations == (
        totals.proactive_served + totals.proactive_abandoned + totals.proactive_waiting
    )
    assert totals.invitations_sent == (
        totals.accepted_invitations
        + totals.declined_invitations
        + totals.expired_invitations
        + totals.pending_invitations
    )
    assert totals.reactive_arrived == (
        totals.reactive_served + totals.reactive_abandoned + totals.reactive_waiting
    )
    assert totals.pending_invitations >= 0
    if stats is not None:
        assert stats.accepted_total == totals.proactive_served
        assert stats.abandoned_total == totals.proactive_abandoned
        assert stats.in_queue == totals.proactive_waiting
        assert stats.ready_slots + stats.busy_slots == stats.logged_in_slots


# -- reproducibility -------------------------------------------------------------------------


def test_the_same_seed_gives_an_identical_statistics_sequence() -> None:
    first = drive(ContactCentreSimulator(demo_targets(), Scenario(seed=7)), [10] * 400)
    second = drive(ContactCentreSimulator(demo_targets(), Scenario(seed=7)), [10] * 400)
    assert first == second


def test_different_seeds_give_different_statistics() -> None:
    first = drive(ContactCentreSimulator(demo_targets(), Scenario(seed=1)), [10] * 400)
    second = drive(ContactCentreSimulator(demo_targets(), Scenario(seed=2)), [10] * 400)
    assert first != second


# -- conservation ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    allowances=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=200),
    interval_s=st.sampled_from([1.0, 5.0, 17.5]),
    agents=st.integers(min_value=0, max_value=4),
)
def test_conservation_holds_at_every_step_of_a_random_run(
    seed: int, allowances: list[int], interval_s: float, agents: int
) -> None:
    targets = [
        make_target("Proactive Chat", "chat", team(1, agents, 2)),
        make_target("Proactive Voice", "voice", team(1, agents, 1)),
    ]
    scenario = Scenario(seed=seed, shift_length_s=300.0, off_shift_s=120.0, login_spread_s=60.0)
    simulator = ContactCentreSimulator(targets, scenario)
    t_s = 0.0
    for allowance in allowances:
        t_s += interval_s
        statistics = simulator.read_statistics(t_s)
        totals = simulator.totals()
        for target_id, stats in statistics.items():
            assert_conserved(totals[target_id], stats)
        answers = simulator.publish(dict.fromkeys(statistics, allowance), interval_s, t_s)
        for target_id, answer in answers.items():
            assert answer.pending_invitations == simulator.totals()[target_id].pending_invitations
            assert answer.pending_invitations >= 0


def test_a_long_default_run_conserves_every_interaction() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    drive(simulator, [8] * 3000)
    for totals in simulator.totals().values():
        assert_conserved(totals)
        assert totals.accepted_invitations > 0
        assert totals.reactive_arrived > 0


# -- the engagement platform -----------------------------------------------------------------


def test_no_invitations_means_no_proactive_arrivals() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    drive(simulator, [0] * 1000)
    for totals in simulator.totals().values():
        assert totals.invitations_sent == 0
        assert totals.accepted_invitations == 0
        assert totals.reactive_arrived > 0  # the centre is alive, just not invited to


def test_the_platform_sends_at_most_the_allowed_invitations() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    simulator.publish({CHAT: 7}, interval_s=60.0, t_s=0.0)
    simulator.advance_to(120.0)
    assert simulator.totals()[CHAT].invitations_sent == 7
    assert simulator.totals()[VOICE].invitations_sent == 0


def test_few_visitors_limit_the_invitations_sent() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario(visitor_rate_per_min=6.0))
    simulator.publish({CHAT: 1000}, interval_s=600.0, t_s=0.0)
    simulator.advance_to(600.0)
    assert 30 <= simulator.totals()[CHAT].invitations_sent <= 100  # about 60 visitors came


def test_an_allowance_is_valid_for_its_interval_only() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    simulator.publish({CHAT: 1000}, interval_s=10.0, t_s=0.0)
    simulator.advance_to(10.0)
    sent_in_interval = simulator.totals()[CHAT].invitations_sent
    simulator.advance_to(100.0)
    assert 0 < sent_in_interval < 1000
    assert simulator.totals()[CHAT].invitations_sent == sent_in_interval


def test_a_new_publish_replaces_the_unsent_remainder() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    simulator.publish({CHAT: 1000}, interval_s=600.0, t_s=0.0)
    simulator.publish({CHAT: 0}, interval_s=600.0, t_s=5.0)
    sent_before_replacement = simulator.totals()[CHAT].invitations_sent
    simulator.advance_to(600.0)
    assert simulator.totals()[CHAT].invitations_sent == sent_before_replacement


def test_pending_returns_to_zero_after_allowances_stop_and_the_timeout_passes() -> None:
    scenario = Scenario(invitation_timeout_s=30.0)
    simulator = ContactCentreSimulator(demo_targets(), scenario)
    drive(simulator, [20] * 60)
    assert any(totals.pending_invitations > 0 for totals in simulator.totals().values())
    answers = simulator.publish(dict.fromkeys(simulator.totals(), 0), 5.0, 305.0)
    assert all(answer.pending_invitations >= 0 for answer in answers.values())
    answers = simulator.publish(dict.fromkeys(simulator.totals(), 0), 5.0, 305.0 + 30.0)
    assert all(answer.pending_invitations == 0 for answer in answers.values())


def test_invitations_that_are_never_accepted_bring_no_interaction() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario(acceptance_probability=0.0))
    drive(simulator, [10] * 200)
    simulator.advance_to(2000.0)
    for totals in simulator.totals().values():
        assert totals.invitations_sent > 0
        assert totals.accepted_invitations == 0
        assert totals.declined_invitations + totals.expired_invitations == totals.invitations_sent


def test_the_platform_estimates_nothing_before_any_disposition() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    answer = simulator.publish({CHAT: 5}, 5.0, 0.0)[CHAT]
    assert answer.pending_invitations == 0
    assert answer.acceptance_rate is None
    assert answer.accept_delay_s is None
    assert answer.decline_delay_s is None


def test_the_platform_estimates_acceptance_from_recent_dispositions() -> None:
    scenario = Scenario(acceptance_probability=0.4, invitation_timeout_s=600.0)
    simulator = ContactCentreSimulator(demo_targets(), scenario)
    drive(simulator, [10] * 1000)
    answer = simulator.publish({CHAT: 0}, 5.0, 5001.0)[CHAT]
    assert answer.acceptance_rate is not None and 0.25 <= answer.acceptance_rate <= 0.55
    assert answer.accept_delay_s is not None and 5.0 <= answer.accept_delay_s <= 15.0
    assert answer.decline_delay_s is not None and 12.0 <= answer.decline_delay_s <= 30.0


def test_publishing_to_an_unknown_target_raises_a_key_error_naming_it() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    with pytest.raises(KeyError, match="Nowhere - chat"):
        simulator.publish({"Nowhere - chat": 3}, 5.0, 0.0)


def test_a_negative_allowance_is_refused() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    with pytest.raises(ValueError, match="allowed invitations must be 0 or more, got -1"):
        simulator.publish({CHAT: -1}, 5.0, 0.0)


# -- queues and agents -----------------------------------------------------------------------


def test_without_agents_every_accepted_interaction_eventually_abandons() -> None:
    targets = [make_target("Proactive Chat", "chat", [])]
    simulator = ContactCentreSimulator(targets, Scenario(acceptance_probability=0.8))
    drive(simulator, [5] * 100)
    simulator.advance_to(100_000.0)
    totals = simulator.totals()[CHAT]
    assert totals.accepted_invitations > 0
    assert totals.proactive_abandoned == totals.accepted_invitations
    assert totals.proactive_served == 0
    assert totals.proactive_waiting == 0
    assert simulator.read_statistics(100_000.0)[CHAT].logged_in_slots == 0


def test_agents_log_in_and_out_over_a_shift() -> None:
    scenario = Scenario(
        shift_length_s=3600.0,
        off_shift_s=1800.0,
        login_spread_s=600.0,
        reactive_per_min=(("default", 0.0),),
    )
    simulator = ContactCentreSimulator(demo_targets(), scenario)
    logged_in = [
        simulator.read_statistics(float(t_s))[CHAT].logged_in_slots
        for t_s in range(0, 3 * 5400, 60)
    ]
    assert logged_in[0] == 0  # nobody at the very start: log-ins are spread
    assert max(logged_in) == 45  # 15 agents with 3 chat slots each
    # log-ins in [0, 600) so log-outs in [3600, 4200) and the next log-ins in [5400, 6000)
    assert logged_in[4800 // 60] == 0
    assert logged_in[6000 // 60] == 45  # the next shift came back


def test_ready_plus_busy_equals_logged_in_slots() -> None:
    scenario = Scenario(shift_length_s=1200.0, off_shift_s=300.0)
    simulator = ContactCentreSimulator(demo_targets(), scenario)
    for step in drive(simulator, [15] * 1000):
        for stats in step.values():
            assert stats.ready_slots + stats.busy_slots == stats.logged_in_slots
            assert stats.ready_slots >= 0


def test_an_agent_logging_out_finishes_its_work_but_takes_no_new() -> None:
    scenario = Scenario(
        shift_length_s=100.0,
        off_shift_s=10_000.0,
        login_spread_s=0.0,
        handle_time_mean_s=(("default", 5000.0),),
        handle_time_distribution="exponential",
        reactive_per_min=(("default", 0.0),),
        acceptance_probability=1.0,
    )
    targets = [make_target("Proactive Chat", "chat", [("solo", 3)])]
    simulator = ContactCentreSimulator(targets, scenario)
    simulator.publish({CHAT: 2}, 50.0, 0.0)
    before = simulator.read_statistics(99.0)[CHAT]
    assert (before.logged_in_slots, before.busy_slots, before.ready_slots) == (3, 2, 1)
    after = simulator.read_statistics(101.0)[CHAT]
    assert (after.logged_in_slots, after.busy_slots, after.ready_slots) == (2, 2, 0)
    simulator.publish({CHAT: 5}, 50.0, 101.0)
    simulator.advance_to(200.0)
    assert simulator.totals()[CHAT].proactive_served == 2  # the new ones found nobody
    drained = simulator.read_statistics(9_000.0)[CHAT]
    assert (drained.logged_in_slots, drained.busy_slots) == (0, 0)


def test_a_blended_agent_logs_in_once_for_all_its_media() -> None:
    scenario = Scenario(shift_length_s=500.0, off_shift_s=500.0, login_spread_s=400.0)
    targets = [
        make_target("Proactive Chat", "chat", [("blended", 3)]),
        make_target("Proactive Voice", "voice", [("blended", 1)]),
    ]
    simulator = ContactCentreSimulator(targets, scenario)
    for t_s in range(0, 3000, 10):
        stats = simulator.read_statistics(float(t_s))
        chat, voice = stats[CHAT], stats[VOICE]
        assert (chat.ready_slots > 0) <= (voice.logged_in_slots > 0)
        assert (voice.ready_slots > 0) <= (chat.logged_in_slots > 0)


def test_work_on_one_media_leaves_the_other_media_slots_free() -> None:
    scenario = Scenario(
        login_spread_s=0.0,
        handle_time_mean_s=(("default", 1e6),),
        reactive_per_min=(("chat", 30.0), ("default", 0.0)),
    )
    targets = [
        make_target("Proactive Chat", "chat", [("blended", 3)]),
        make_target("Proactive Voice", "voice", [("blended", 1)]),
    ]
    simulator = ContactCentreSimulator(targets, scenario)
    stats = simulator.read_statistics(600.0)
    assert stats[CHAT].busy_slots == 3
    assert (stats[VOICE].ready_slots, stats[VOICE].busy_slots) == (1, 0)


def test_waiting_proactive_interactions_are_served_before_reactive_ones() -> None:
    scenario = Scenario(
        seed=3,
        shift_length_s=1.0,
        off_shift_s=1000.0,
        login_spread_s=0.0,
        acceptance_probability=1.0,
        patience_mean_s=1e9,
        reactive_patience_mean_s=1e9,
        handle_time_mean_s=(("default", 1e9),),
        reactive_per_min=(("default", 1.0),),
    )
    targets = [make_target("Proactive Chat", "chat", [("solo", 2)])]
    simulator = ContactCentreSimulator(targets, scenario)
    simulator.publish({CHAT: 5}, 100.0, 10.0)
    simulator.advance_to(1000.5)
    before = simulator.totals()[CHAT]
    assert simulator.read_statistics(1000.5)[CHAT].busy_slots == 0
    assert before.proactive_waiting == 5 and before.reactive_waiting > 0
    simulator.advance_to(1001.5)  # the agent is back with two free slots
    after = simulator.totals()[CHAT]
    assert after.proactive_served == before.proactive_served + 2
    assert after.reactive_served == before.reactive_served


def test_average_handle_time_is_none_until_a_handle_completes_then_near_the_mean() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    assert simulator.read_statistics(0.0)[CHAT].avg_handle_time_s is None
    drive(simulator, [10] * 4000)
    average_s = simulator.read_statistics(20_001.0)[CHAT].avg_handle_time_s
    assert average_s is not None and 160.0 <= average_s <= 200.0


def test_advancing_to_an_earlier_time_changes_nothing() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    later = simulator.read_statistics(1000.0)
    assert simulator.read_statistics(10.0) == later
    assert simulator.now_s == 1000.0


def test_an_eight_hour_default_run_is_fast() -> None:
    simulator = ContactCentreSimulator(demo_targets(), Scenario())
    started = time.perf_counter()
    drive(simulator, [6] * (8 * 3600 // 5))
    wall_s = time.perf_counter() - started
    print(f"8 simulated hours, 3 targets, 30 agents: {wall_s:.2f} s wall")
    assert simulator.now_s == 8 * 3600.0


def test_a_target_listed_twice_is_refused() -> None:
    target = make_target("Proactive Chat", "chat", [("solo", 1)])
    with pytest.raises(ValueError, match="listed twice"):
        ContactCentreSimulator([target, target], Scenario())


# -- the scenario ----------------------------------------------------------------------------


def test_an_empty_table_gives_the_default_scenario() -> None:
    assert parse_scenario({}) == (Scenario(), [])


def test_valid_settings_are_taken_and_per_media_tables_merge_into_the_defaults() -> None:
    scenario, problems = parse_scenario(
        {"seed": 9, "acceptance_probability": 1, "handle_time_mean_s": {"chat": 100}}
    )
    assert problems == []
    assert scenario.seed == 9
    assert scenario.acceptance_probability == 1.0
    assert scenario.handle_time_mean_for("chat") == 100.0
    assert scenario.handle_time_mean_for("voice") == 240.0
    assert scenario.handle_time_mean_for("sms") == 200.0


def test_a_per_media_table_that_sets_default_stands_alone() -> None:
    scenario, problems = parse_scenario({"handle_time_mean_s": {"default": 300, "email": 900}})
    assert problems == []
    assert scenario.handle_time_mean_s == (("default", 300.0), ("email", 900.0))
    assert scenario.handle_time_mean_for("chat") == 300.0  # not the built-in 180
    assert scenario.handle_time_mean_for("email") == 900.0


def test_each_bad_setting_is_named_with_its_value_and_what_was_expected() -> None:
    scenario, problems = parse_scenario(
        {
            "acceptance_probability": 1.5,
            "seed": True,
            "handle_time_distribution": "normal",
            "handle_time_mean_s": {"chat": -5, "voice": 240},
            "reactive_per_min": 3,
            "off_shift_s": "1h",
        }
    )
    assert problems == [
        "simulator.acceptance_probability: 1.5 — expected a probability between 0 and 1",
        "simulator.seed: true — expected a whole number between 0 and 9,223,372,036,854,775,807",
        'simulator.handle_time_distribution: "normal" — expected one of "exponential", "lognormal"',
        "simulator.handle_time_mean_s.chat: -5 — expected a number of seconds between 0.1 and "
        "1,000,000,000",
        "simulator.reactive_per_min: 3 — expected a table of media = value,"
        " e.g. {chat = 180, default = 200} (at most 100 media)",
        'simulator.off_shift_s: "1h" — expected a number of seconds between 0 and 604,800',
    ]
    assert scenario == Scenario()


def test_an_unknown_setting_is_named_and_the_known_ones_listed() -> None:
    _, problems = parse_scenario({"colour": "blue"}, where="stat_source.simulator")
    assert len(problems) == 1
    assert problems[0].startswith(
        'stat_source.simulator.colour: "blue" — expected a known simulator setting (seed, speed, '
    )


def test_a_scenario_built_in_code_checks_its_invariants() -> None:
    with pytest.raises(ValueError, match="Scenario.acceptance_probability: 2 — expected"):
        Scenario(acceptance_probability=2)
    with pytest.raises(ValueError, match="handle_time_mean_s must have a 'default' entry"):
        Scenario(handle_time_mean_s=(("chat", 100.0),))


def test_every_scenario_field_is_a_documented_setting() -> None:
    fields = set(Scenario.__dataclass_fields__)
    assert {setting.name for setting in SCENARIO_SETTINGS} == fields
    table = scenario_settings_markdown()
    assert all(f"`{name}`" in table for name in fields)


toml_scalars = st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
toml_values = (
    toml_scalars
    | st.lists(toml_scalars, max_size=3)
    | st.dictionaries(st.text(max_size=5), toml_scalars, max_size=3)
)


@settings(max_examples=200)
@given(raw=st.dictionaries(st.sampled_from([s.name for s in SCENARIO_SETTINGS]), toml_values))
def test_parsing_never_raises_and_always_gives_a_valid_scenario(
    raw: dict[str, object],
) -> None:
    scenario, problems = parse_scenario(raw)
    assert isinstance(scenario, Scenario)
    for problem in problems:
        assert problem.startswith("simulator.") and " — expected " in problem


def test_a_centre_started_staffed_has_agents_logged_in_from_the_first_second() -> None:
    cold = ContactCentreSimulator(demo_targets(), Scenario(start_staffed=False))
    warm = ContactCentreSimulator(demo_targets(), Scenario(start_staffed=True))
    cold_slots = sum(s.logged_in_slots for s in cold.read_statistics(0.0).values())
    warm_slots = sum(s.logged_in_slots for s in warm.read_statistics(0.0).values())
    assert cold_slots == 0
    # 8 h on, 1 h off: about 8/9 of the agents are on shift at any instant
    total_slots = sum(target.total_slots for target in demo_targets())
    assert 0.5 * total_slots < warm_slots <= total_slots
