"""FakeCentre: the stat source and the publisher of one contact centre the test scripts."""

from __future__ import annotations

import time
from collections.abc import Sequence

from domain.decisions import PacingDecision
from domain.ports import AnswersByTarget, Decisions, StatisticsByTarget
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget


class FakeCentre:
    """Both ports of a node: every slot of every target ready, 10 accepted so far, and the
    platform answering pending = allowed at a 50 % acceptance rate.

    A test changes what it is about: `fail_read` / `fail_publish` make a step raise, `missing`
    targets get no statistics, `publish_delay_s` makes the platform slow, and a subclass
    overrides `statistics` for figures of its own. `reads` and `published` say what happened.
    """

    def __init__(self) -> None:
        self.fail_read = False
        self.fail_publish = False
        self.publish_delay_s = 0.0
        self.missing: set[str] = set()
        self.reads = 0
        self.published: list[Sequence[PacingDecision]] = []

    def statistics(self, target: PacingTarget) -> TargetStatistics:
        slots = target.total_slots
        return TargetStatistics(target.target_id, slots, slots, 0, 0, 10, 0)

    def read(self, targets: Sequence[PacingTarget], now: float) -> StatisticsByTarget:
        if self.fail_read:
            raise ConnectionError("stat server unreachable")
        self.reads += 1
        return {t.target_id: self.statistics(t) for t in targets if t.target_id not in self.missing}

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        if self.publish_delay_s:
            time.sleep(self.publish_delay_s)
        if self.fail_publish:
            raise TimeoutError("platform did not answer")
        self.published.append(decisions)
        return {
            d.target_id: PublishResult(d.target_id, d.allowed_invitations, 0.5) for d in decisions
        }
