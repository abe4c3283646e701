"""A cycle never dies on a bad target or a failed step, and records what happened."""

from __future__ import annotations

from collections.abc import Sequence

from domain.decisions import PacingDecision, TargetSnapshot
from domain.targets import PacingTarget, TargetAgent
from node.cycle import PacingCycle
from pacing import Pacer
from tests.fake_centre import FakeCentre

CHAT = PacingTarget(
    "Proactive Chat - chat", "Proactive Chat", "7001", "chat", 3.0, ("G",), (TargetAgent("a", 3),)
)
VOICE = PacingTarget(
    "Proactive Voice - voice",
    "Proactive Voice",
    "7002",
    "voice",
    5.0,
    ("G",),
    (TargetAgent("a", 1),),
)


def make_cycle(
    centre: FakeCentre, clock_values: list[float] | None = None, pacer: Pacer | None = None
) -> PacingCycle:
    ticks = iter(clock_values or [float(i) for i in range(1000)])
    return PacingCycle(
        node_id="n1",
        targets=[CHAT, VOICE],
        stat_source=centre,
        publisher=centre,
        pacer=pacer or Pacer(algorithm="progressive", interval_s=5.0),
        period_s=5.0,
        clock=lambda: next(ticks),
    )


def test_a_healthy_cycle_records_one_row_per_target_with_inputs_and_outputs() -> None:
    outcome = make_cycle(FakeCentre()).run(seq=1, scheduled_at=0.0)
    assert outcome.cycle.status == "ok"
    assert [r.target_id for r in outcome.targets] == [CHAT.target_id, VOICE.target_id]
    chat = outcome.targets[0]
    assert (chat.ready_slots, chat.accepted_total, chat.goal_pct) == (3, 10, 3.0)
    assert chat.allowed_invitations == 8  # 3 ready / prior acceptance 0.35
    assert chat.record_id == f"{outcome.cycle.cycle_id}/{CHAT.target_id}"


def test_a_target_without_statistics_is_paced_at_zero_and_the_others_go_on() -> None:
    centre = FakeCentre()
    centre.missing = {VOICE.target_id}
    outcome = make_cycle(centre).run(seq=1, scheduled_at=0.0)
    voice = outcome.targets[1]
    assert outcome.cycle.status == "partial"
    assert (voice.allowed_invitations, voice.reason) == (0, "stale")
    assert voice.error == "no statistics for this target"
    assert outcome.targets[0].allowed_invitations > 0


def test_a_failed_collect_is_recorded_and_nothing_is_invited() -> None:
    centre = FakeCentre()
    centre.fail_read = True
    outcome = make_cycle(centre).run(seq=1, scheduled_at=0.0)
    assert outcome.cycle.status == "failed"
    assert "collect: stat server unreachable" in (outcome.cycle.error or "")
    assert all(r.allowed_invitations == 0 for r in outcome.targets)


class RecordingPacer(Pacer):
    """The real pacer, keeping the snapshots it was given."""

    def __init__(self) -> None:
        super().__init__(algorithm="predictive", interval_s=5.0)
        self.seen: list[Sequence[TargetSnapshot]] = []

    def decide(self, snapshots: Sequence[TargetSnapshot], now: float) -> list[PacingDecision]:
        self.seen.append(list(snapshots))
        return super().decide(snapshots, now)


def test_nothing_is_pending_before_the_first_publish() -> None:
    pacer = RecordingPacer()
    make_cycle(FakeCentre(), pacer=pacer).run(seq=1, scheduled_at=0.0)
    assert [s.pending_invitations for s in pacer.seen[0]] == [0, 0]


def test_a_missing_answer_leaves_the_pending_count_to_the_pacers_own_estimate() -> None:
    centre, pacer = FakeCentre(), RecordingPacer()
    cycle = make_cycle(centre, pacer=pacer)
    first = cycle.run(seq=1, scheduled_at=0.0)
    answered = first.targets[0].pending_invitations
    assert answered == first.decisions[0].allowed_invitations  # the fake answers pending = allowed
    centre.fail_publish = True
    second = cycle.run(seq=2, scheduled_at=5.0)
    assert pacer.seen[1][0].pending_invitations == answered  # cycle 1's answer, as it came
    assert second.targets[0].pending_invitations is None  # cycle 2 got no answer: not invented
    third = cycle.run(seq=3, scheduled_at=10.0)
    unknown = pacer.seen[2][0]
    assert unknown.pending_invitations is None  # no memory of the count outside the pacer
    # The pacer's estimate (last count + allowed since) decides, as a fresh copy fed the same
    # snapshots shows; the old carry-over would have handed it cycle 1's count instead.
    twin = Pacer(algorithm="predictive", interval_s=5.0)
    for seen, outcome in zip(pacer.seen, (first, second, third), strict=True):
        twin_decisions = twin.decide(seen, outcome.cycle.started_at)
    assert third.decisions[0] == twin_decisions[0]
    assert third.decisions[0].reason != "pending-unknown"


def test_a_cycle_longer_than_its_period_is_an_overrun_with_its_lateness() -> None:
    outcome = make_cycle(FakeCentre(), [12.5, 19.0]).run(seq=3, scheduled_at=10.0)
    assert outcome.cycle.status == "overrun"
    assert outcome.cycle.duration_s == 6.5
    assert outcome.cycle.lateness_s == 2.5
