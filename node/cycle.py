"""One pacing cycle: collect → decide → publish, returning what must be recorded.

The cycle never dies on one bad target or one failed step: a target without usable
statistics is paced at 0 with its error recorded, a failed publish is recorded (`failed`),
a publish that left some targets without a usable answer records each one's error
(`partial`), and a target the platform did not answer for is handed to the next decision as
unknown (the pacer estimates its pending count). Recording itself belongs to the node
(`node.node`), so a cycle can be run and checked without a database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence

from domain.decisions import PacingDecision, TargetSnapshot
from domain.ports import (
    CycleOutcome,
    Publisher,
    PublishIncomplete,
    PublishSkipped,
    StatSource,
    close_port,
)
from domain.records import CycleRecord, CycleStatus, TargetRecord
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget
from pacing import Pacer
from pacing.controls import NO_CONTROLS, ControlledPacer, TargetControls
from pacing.pools import find_capacity_pools, snapshot_from

# The controls in force at a cycle's start, per target (see `node.controls.CycleControls`).
ControlsReader = Callable[[float], Mapping[str, TargetControls]]

log = logging.getLogger(__name__)

# Sees every cycle's snapshots before the pacer does, and may lower their goals.
GoalGuard = Callable[[Sequence[TargetSnapshot], float], list[TargetSnapshot]]


class PacingCycle:
    """Runs cycles for a fixed set of targets, passing each publish's answers to the next cycle.

    The pacer alone remembers pending counts: a target the last publish did not answer for is
    handed to it as unknown (None), and the pacer estimates it from the last count it saw and
    what it allowed since. Before the first publish nothing is pending (0).
    """

    def __init__(
        self,
        *,
        node_id: str,
        targets: Sequence[PacingTarget],
        stat_source: StatSource,
        publisher: Publisher,
        pacer: Pacer,
        period_s: float,
        clock: Callable[[], float],
        goal_guard: GoalGuard | None = None,
        controls: ControlsReader | None = None,
    ) -> None:
        self.node_id = node_id
        self._goal_guard = goal_guard  # the compliance budget guard (node.compliance)
        self.targets = tuple(targets)
        self._stat_source = stat_source
        self._publisher = publisher
        self._pacer = ControlledPacer(pacer)
        self._controls = controls
        self.period_s = period_s
        self._clock = clock
        self._answers: Mapping[str, PublishResult] | None = None  # None: never published
        self._pools = find_capacity_pools(self.targets)  # blended agents: shared ready slots
        # Seconds each step of the last cycle took (collect, snapshot, decide, publish,
        # assemble), on the monotonic clock: the node adds record and observers.
        self.last_phases_s: dict[str, float] = {}

    def replace_targets(
        self,
        targets: Sequence[PacingTarget],
        ports: tuple[StatSource, Publisher] | None = None,
    ) -> None:
        """Pace `targets` from the next cycle on (a live reload); new ports replace the old.

        The pacer keeps its state: a target that stays keeps its estimates, a new one starts
        from the priors. Call between cycles (the node does, on the cycle's thread).
        """
        self.targets = tuple(targets)
        self._pools = find_capacity_pools(self.targets)
        if ports is not None:
            self.close()
            self._stat_source, self._publisher = ports
            self._answers = None

    def close(self) -> None:
        """Close both ports: requests in flight are aborted, so a running cycle ends at once."""
        for port in (self._stat_source, self._publisher):
            try:
                close_port(port)
            except Exception:  # noqa: BLE001 - closing the other port matters more
                log.exception("closing %r failed", port)

    def run(self, *, seq: int, scheduled_at: float, skipped_before: int = 0) -> CycleOutcome:
        """Run one cycle now; never raises for a failure of a source, a target or a publish."""
        started_at = self._clock()
        phases = _PhaseTimer()
        cycle_id = f"{self.node_id}:{scheduled_at:.3f}:{seq}"
        step_errors: list[str] = []
        target_errors: dict[str, str] = {}

        statistics: Mapping[str, TargetStatistics] = {}
        try:
            statistics = self._stat_source.read(self.targets, started_at)
        except Exception as error:  # noqa: BLE001 - a source failure must not kill the node
            log.warning("collect failed: %s", error)
            step_errors.append(f"collect: {error}")
        phases.lap("collect")

        snapshots: list[TargetSnapshot] = []
        for target in self.targets:
            stats = statistics.get(target.target_id)
            if stats is None:
                if not step_errors:
                    target_errors[target.target_id] = "no statistics for this target"
                continue
            try:
                snapshots.append(self._snapshot(target, stats))
            except ValueError as error:
                target_errors[target.target_id] = f"bad statistics: {error}"
        phases.lap("snapshot")

        controls: Mapping[str, TargetControls] = {}
        if self._controls is not None:
            controls = self._controls(started_at)
        decided: dict[str, PacingDecision] = {}
        try:
            if self._goal_guard is not None:
                snapshots = self._goal_guard(snapshots, started_at)
            for decision in self._pacer.decide(snapshots, started_at, controls):
                decided[decision.target_id] = decision
        except Exception as error:  # noqa: BLE001
            log.exception("decide failed")
            step_errors.append(f"decide: {error}")
        decisions = [
            decided.get(t.target_id)
            or PacingDecision(
                t.target_id, 0, self.period_s, None, _unpaced_reason(controls.get(t.target_id))
            )
            for t in self.targets
        ]
        phases.lap("decide")

        notes: list[str] = []
        self._answers = self._publish(
            decisions, statistics, started_at, notes, step_errors, target_errors
        )
        phases.lap("publish")

        finished_at = self._clock()
        records = tuple(
            self._target_record(
                cycle_id,
                started_at,
                target,
                statistics,
                decision,
                target_errors,
                step_errors,
                controls.get(target.target_id, NO_CONTROLS),
            )
            for target, decision in zip(self.targets, decisions, strict=True)
        )
        duration_s = finished_at - started_at
        errors_count = sum(1 for record in records if record.error)
        status = _status(step_errors, errors_count, duration_s, self.period_s)
        cycle = CycleRecord(
            cycle_id=cycle_id,
            node_id=self.node_id,
            seq=seq,
            scheduled_at=scheduled_at,
            started_at=started_at,
            duration_s=duration_s,
            lateness_s=max(0.0, started_at - scheduled_at),
            period_s=self.period_s,
            status=status,
            targets_count=len(self.targets),
            errors_count=errors_count,
            error="; ".join([*step_errors, *notes]) or None,
            skipped_before=skipped_before,
        )
        phases.lap("assemble")
        self.last_phases_s = phases.laps
        return CycleOutcome(cycle, records, tuple(decisions))

    def _publish(
        self,
        decisions: Sequence[PacingDecision],
        statistics: Mapping[str, TargetStatistics],
        now: float,
        notes: list[str],
        step_errors: list[str],
        target_errors: dict[str, str],
    ) -> Mapping[str, PublishResult]:
        """The answers of this cycle's publish; what went wrong lands in the lists given."""
        try:
            return self._publisher.publish(decisions, statistics, now)
        except PublishSkipped as skipped:
            notes.append(f"publish skipped: {skipped}")
        except PublishIncomplete as incomplete:  # the answered targets count; the rest say why
            log.warning("publish incomplete: %s", incomplete)
            notes.append(f"publish: {incomplete}")
            for target_id, why in incomplete.target_errors.items():
                target_errors.setdefault(target_id, f"publish: {why}")
            return incomplete.answers
        except Exception as error:  # noqa: BLE001 - a publish failure must not kill the node
            log.warning("publish failed: %s", error)
            step_errors.append(f"publish: {error}")
        return {}

    def _snapshot(self, target: PacingTarget, stats: TargetStatistics) -> TargetSnapshot:
        answer = None if self._answers is None else self._answers.get(target.target_id)
        if self._answers is None:
            pending: int | None = 0  # nothing published yet: nothing pending
        else:
            pending = None if answer is None else answer.pending_invitations
        return snapshot_from(
            target,
            stats,
            pending_invitations=pending,
            answer=answer,
            pool=self._pools.get(target.target_id),
        )

    def _target_record(
        self,
        cycle_id: str,
        at: float,
        target: PacingTarget,
        statistics: Mapping[str, TargetStatistics],
        decision: PacingDecision,
        target_errors: Mapping[str, str],
        step_errors: Sequence[str],
        controls: TargetControls,
    ) -> TargetRecord:
        stats = statistics.get(target.target_id)
        answer = (self._answers or {}).get(target.target_id)  # this cycle's publish
        error = target_errors.get(target.target_id) or ("; ".join(step_errors) or None)
        return TargetRecord(
            cycle_id=cycle_id,
            target_id=target.target_id,
            at=at,
            media=target.media,
            goal_pct=target.goal_pct if controls.goal_pct is None else controls.goal_pct,
            logged_in_slots=stats.logged_in_slots if stats else None,
            ready_slots=stats.ready_slots if stats else None,
            busy_slots=stats.busy_slots if stats else None,
            in_queue=stats.in_queue if stats else None,
            accepted_total=stats.accepted_total if stats else None,
            abandoned_total=stats.abandoned_total if stats else None,
            pending_invitations=answer.pending_invitations if answer else None,
            acceptance_rate=answer.acceptance_rate if answer else None,
            avg_handle_time_s=stats.avg_handle_time_s if stats else None,
            allowed_invitations=decision.allowed_invitations,
            interval_s=decision.interval_s,
            estimated_wait_s=decision.estimated_wait_s,
            reason=decision.reason,
            error=error,
        )


class _PhaseTimer:
    """Laps on the monotonic clock (the injected clock may be simulated or frozen)."""

    __slots__ = ("_last", "laps")

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def _unpaced_reason(controls: TargetControls | None) -> str:
    """Why a target without a decision sends nothing: stale, or paused when it is."""
    return "paused" if controls is not None and controls.paused else "stale"


def _status(
    step_errors: Sequence[str], errors_count: int, duration_s: float, period_s: float
) -> CycleStatus:
    if step_errors:
        return "failed"
    if duration_s > period_s:
        return "overrun"
    if errors_count:
        return "partial"
    return "ok"


__all__ = ["PacingCycle"]
