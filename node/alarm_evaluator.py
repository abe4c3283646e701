"""The imperative shell of alarm evaluation: after each cycle, read, decide, write, notify.

`AlarmEvaluator.after_cycle` runs on the cycle thread with that thread's connection. It drains
the sink, derives its own signals (cycle, runtime sample, abandonment, heartbeats), and applies
them under one `BEGIN IMMEDIATE` so that an operator acknowledging at the same moment from the
dashboard is serialised with it, never overwritten. Signals drained from the sink go back into
it when the write fails, so a database hiccup delays alarms instead of losing them.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from alarms.catalogue import threshold_drift
from alarms.detectors import (
    CountPoint,
    abandonment_signal,
    cycle_signals,
    no_master_signal,
    sample_signals,
    window_counts,
)
from alarms.evaluate import Evaluation, evaluate_signals
from alarms.model import AlarmCondition, AlarmState, AlarmTransition, RuntimeSample
from connectors.notifiers import NotificationDispatcher, notification_for
from domain.signals import AlarmSignal, CollectingSink, Condition
from node.probes import RuntimeProbe
from storage.alarms.store import (
    load_conditions,
    load_instances,
    provision_conditions,
    record_runtime_sample,
    save_instances,
    save_transitions,
)
from storage.alarms.window import read_target_counts
from storage.db import PerThreadDatabase
from storage.nodes import read_node_status
from storage.transactions import write_transaction

if TYPE_CHECKING:
    from domain.ports import CycleOutcome

log = logging.getLogger("alarms.evaluator")

# Running-total points kept per target for the abandonment window.
_MAX_POINTS = 20_000


def evaluate_and_store(
    db: sqlite_utils.Database,
    signals: Sequence[AlarmSignal],
    now: float,
    sample: RuntimeSample | None = None,
    ack_expiry_s: float = 0.0,
) -> tuple[Evaluation, dict[str, AlarmCondition]]:
    """Apply `signals` and a tick at `now` to the stored instances, in one write transaction."""
    with write_transaction(db):
        conditions = {c.name: c for c in load_conditions(db)}
        signals = [*signals, *(sample_signals(sample, conditions) if sample else ())]
        evaluation = evaluate_signals(conditions, load_instances(db), signals, now, ack_expiry_s)
        save_instances(db, evaluation.instances)
        save_transitions(db, evaluation.transitions)
        if sample is not None:
            record_runtime_sample(db, sample)
    return evaluation, conditions


def check_no_master(
    db: sqlite_utils.Database, now: float, stale_after_s: float
) -> tuple[AlarmTransition, ...]:
    """Raise or clear NoMasterNode from the nodes' heartbeats (for processes without a node)."""
    signal = no_master_signal(read_node_status(db, now=now, stale_after_s=stale_after_s), now)
    evaluation, _ = evaluate_and_store(db, [signal], now)
    for transition in evaluation.transitions:
        log_transition(transition)
    return evaluation.transitions


def log_transition(t: AlarmTransition) -> None:
    level = logging.WARNING if t.to_state is AlarmState.UNACK else logging.INFO
    log.log(
        level,
        "alarm %s [%s] %s: %s -> %s (%s)%s",
        t.condition,
        t.scope,
        t.severity.value,
        t.from_state.value,
        t.to_state.value,
        t.rule,
        f": {t.reason}" if t.reason else "",
    )


class AlarmEvaluator:
    """Cycle observer and node service: provisions at start, evaluates after every cycle."""

    name = "alarm evaluation"

    def __init__(
        self,
        *,
        node_id: str,
        database: PerThreadDatabase,
        sink: CollectingSink,
        clock: Callable[[], float],
        probe: RuntimeProbe,
        wanted_conditions: tuple[AlarmCondition, ...],
        stale_after_s: float,
        dispatcher: NotificationDispatcher | None = None,
        ack_expiry_s: float = 0.0,
    ) -> None:
        self._node_id = node_id
        self._ack_expiry_s = ack_expiry_s
        self._database = database
        self._sink = sink
        self._clock = clock
        self._probe = probe
        self._wanted = wanted_conditions
        self._stale_after_s = stale_after_s
        self._dispatcher = dispatcher
        self._counts: dict[str, deque[CountPoint]] = {}
        self._goals: dict[str, float] = {}
        self._ignored_logged: set[str] = set()

    def start(self) -> None:
        """Provision the default conditions that are absent (operators' edits are kept)."""
        db = self._database.get()
        result = provision_conditions(db, self._wanted, self._clock())
        if result.created:
            log.info("provisioned alarm conditions: %s", ", ".join(result.created))
        conditions = load_conditions(db)
        for drift in threshold_drift(conditions, self._wanted):
            log.warning(drift)
        self._restore_counts(db, conditions)

    def _restore_counts(
        self, db: sqlite_utils.Database, conditions: tuple[AlarmCondition, ...]
    ) -> None:
        """Refill AbandonmentAboveGoal's window from the cycles this node recorded before."""
        condition = next(
            (c for c in conditions if c.name == Condition.ABANDONMENT_ABOVE_GOAL), None
        )
        if condition is None:
            return
        now = self._clock()
        window_s = condition.parameter("window_s", 900.0) or 900.0
        points = read_target_counts(db, self._node_id, now - window_s, now)
        for point in points:
            counts = self._counts.setdefault(point.target_id, deque(maxlen=_MAX_POINTS))
            counts.append((point.at, point.accepted_total, point.abandoned_total))
            self._goals[point.target_id] = point.goal_pct
        if points:
            log.info(
                "abandonment window: %d recorded points of %d targets read back",
                len(points),
                len(self._counts),
            )

    def stop(self) -> None:
        return None

    def after_cycle(self, outcome: CycleOutcome, recorded: bool) -> None:
        del recorded  # a failed write reports itself through the sink (DatabaseWriteFailed)
        now = self._clock()
        cycle = outcome.cycle
        sample = self._probe.sample(now, cycle.duration_s, cycle.lateness_s)
        self._remember_counts(outcome)
        drained = self._sink.drain()
        db = self._database.get()
        try:
            nodes = read_node_status(db, now=now, stale_after_s=self._stale_after_s)
            conditions = {c.name: c for c in load_conditions(db)}
            derived = [
                *cycle_signals(outcome),
                *self._abandonment_signals(conditions, now),
                no_master_signal(nodes, now),
            ]
            evaluation, conditions = evaluate_and_store(
                db, [*drained, *derived], now, sample, self._ack_expiry_s
            )
        except Exception:
            for signal in drained:
                self._sink.signal(signal)
            self._database.close_current_thread()
            raise
        self._report(evaluation, conditions)

    def _remember_counts(self, outcome: CycleOutcome) -> None:
        for record in outcome.targets:
            if record.accepted_total is None or record.abandoned_total is None:
                continue
            points = self._counts.setdefault(record.target_id, deque(maxlen=_MAX_POINTS))
            points.append((record.at, record.accepted_total, record.abandoned_total))
            self._goals[record.target_id] = record.goal_pct

    def _abandonment_signals(
        self, conditions: dict[str, AlarmCondition], now: float
    ) -> list[AlarmSignal]:
        condition = conditions.get(Condition.ABANDONMENT_ABOVE_GOAL)
        if condition is None:
            return []
        window_s = condition.parameter("window_s", 900.0) or 900.0
        signals = []
        for target_id, points in self._counts.items():
            while points and points[0][0] <= now - window_s:
                points.popleft()
            accepted, abandoned = window_counts(list(points), now, window_s)
            signal = abandonment_signal(
                condition, target_id, self._goals[target_id], accepted, abandoned, now
            )
            if signal is not None:
                signals.append(signal)
        return signals

    def _report(self, evaluation: Evaluation, conditions: dict[str, AlarmCondition]) -> None:
        for name in evaluation.ignored:
            if name not in self._ignored_logged:
                self._ignored_logged.add(name)
                log.warning(
                    'signals of alarm condition "%s" are ignored: it is not provisioned or is '
                    "disabled (run `pacing provision`, or enable it in alarm_conditions)",
                    name,
                )
        for transition in evaluation.transitions:
            log_transition(transition)
            condition = conditions.get(transition.condition)
            if self._dispatcher is None or condition is None:
                continue
            notification = notification_for(transition, condition, self._node_id)
            if notification is not None:
                self._dispatcher.submit(notification)
