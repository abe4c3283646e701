"""The imperative shell of alarm evaluation: after each cycle, read, decide, write, notify.

`AlarmEvaluator.after_cycle` runs on the cycle thread with that thread's connection. It drains
the sink, derives its own signals (cycle, runtime sample, abandonment, heartbeats), and applies
them under one `BEGIN IMMEDIATE` so that an operator acknowledging at the same moment from the
dashboard is serialised with it, never overwritten. Signals drained from the sink go back into
it when the write fails, so a database hiccup delays alarms instead of losing them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from alarms.abandonment_window import AbandonmentWindow
from alarms.catalogue import threshold_drift
from alarms.detectors import (
    abandonment_signals,
    burn_rate_signal,
    cycle_signals,
    no_master_signal,
    sample_signals,
)
from alarms.evaluate import Evaluation, evaluate_signals
from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    AlarmState,
    AlarmTransition,
    RuntimeSample,
)
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
from storage.leases import MASTER_LEASE, read_sqlite_lease
from storage.nodes import read_node_status
from storage.transactions import write_transaction

if TYPE_CHECKING:
    from domain.ports import CycleOutcome
    from node.compliance import ComplianceKeeper

log = logging.getLogger("alarms.evaluator")

_DEFAULT_WINDOW_S = 900.0


def evaluate_and_store(
    db: sqlite_utils.Database,
    signals: Sequence[AlarmSignal],
    now: float,
    sample: RuntimeSample | None = None,
    ack_expiry_s: float = 0.0,
    derive: Callable[[Mapping[str, AlarmInstance]], Sequence[AlarmSignal]] | None = None,
) -> tuple[Evaluation, dict[str, AlarmCondition]]:
    """Apply `signals` and a tick at `now` to the stored instances, in one write transaction.

    `derive` adds signals that depend on the stored instances (read in the same transaction).
    """
    with write_transaction(db):
        conditions = {c.name: c for c in load_conditions(db)}
        instances = load_instances(db)
        signals = [
            *signals,
            *(sample_signals(sample, conditions) if sample else ()),
            *(derive(instances) if derive is not None else ()),
        ]
        evaluation = evaluate_signals(conditions, instances, signals, now, ack_expiry_s)
        save_instances(db, evaluation.instances)
        save_transitions(db, evaluation.transitions)
        if sample is not None:
            record_runtime_sample(db, sample)
    return evaluation, conditions


def no_master_from(
    db: sqlite_utils.Database, now: float, stale_after_s: float, master_lease: bool
) -> AlarmSignal:
    """NoMasterNode's signal from the heartbeats and, when the nodes publish under the master
    lease (`master_lease`), from how long the lease has lapsed by the database's clock; a
    lapse shorter than a heartbeat's staleness is a handover, not an outage."""
    nodes = read_node_status(db, now=now, stale_after_s=stale_after_s)
    lease = read_sqlite_lease(db, MASTER_LEASE) if master_lease else None
    if lease is None:
        return no_master_signal(nodes, now)
    return no_master_signal(
        nodes,
        now,
        lease_lapsed_s=-lease.remaining_s,
        lease_grace_s=stale_after_s,
        last_holder=lease.holder,
    )


def check_no_master(
    db: sqlite_utils.Database, now: float, stale_after_s: float, *, master_lease: bool = False
) -> tuple[AlarmTransition, ...]:
    """Raise or clear NoMasterNode from the nodes' heartbeats and the master lease (for
    processes without a node)."""
    signal = no_master_from(db, now, stale_after_s, master_lease)
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


_BURN_CONDITIONS = (Condition.ABANDON_BUDGET_FAST_BURN, Condition.ABANDON_BUDGET_SLOW_BURN)


def burn_signals(
    keeper: ComplianceKeeper | None,
    conditions: Mapping[str, AlarmCondition],
    now: float,
    instances: Mapping[str, AlarmInstance] | None = None,
) -> list[AlarmSignal]:
    """AbandonBudgetFastBurn and AbandonBudgetSlowBurn of the targets the keeper knows.

    With `instances` (the stored alarm instances), only the targets that may burn (their short
    window above the threshold: `ComplianceKeeper.burning`) and those with an instance of the
    condition get a signal: a quiet target's "not burning" changes nothing, and at 10,000
    targets building it every cycle cost more than the rest of the evaluation. Without, every
    target gets one.
    """
    if keeper is None:
        return []
    signals = []
    for name in _BURN_CONDITIONS:
        condition = conditions.get(name)
        if condition is None:
            continue
        short_s = condition.parameter("short_window_s", 300.0) or 300.0
        long_s = condition.parameter("long_window_s", 3600.0) or 3600.0
        if instances is None:
            scopes: Sequence[str] = list(keeper.goals())
        else:
            threshold = condition.parameter("burn_rate", 14.4) or 14.4
            wanted = set(keeper.burning(now - short_s, threshold))
            wanted.update(i.scope for i in instances.values() if i.condition == name)
            scopes = sorted(wanted)
        for target_id, goal_pct, short, long in keeper.burn_counts(
            scopes, now - short_s, now - long_s
        ):
            signal = burn_rate_signal(condition, target_id, goal_pct, short, long, now)
            if signal is not None:
                signals.append(signal)
    return signals


class AlarmEvaluator:
    """Cycle observer and node service: provisions at start, evaluates after every cycle."""

    name = "alarm evaluation"
    phase = "alarms"  # the node times each cycle's evaluation under this name

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
        compliance: ComplianceKeeper | None = None,
        ack_expiry_s: float = 0.0,
        master_lease: bool = False,
    ) -> None:
        self._master_lease = master_lease
        self._compliance = compliance
        self._node_id = node_id
        self._ack_expiry_s = ack_expiry_s
        self._database = database
        self._sink = sink
        self._clock = clock
        self._probe = probe
        self._wanted = wanted_conditions
        self._stale_after_s = stale_after_s
        self._dispatcher = dispatcher
        self._window = AbandonmentWindow()
        self._window_s = _DEFAULT_WINDOW_S
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
        window_s = condition.parameter("window_s", _DEFAULT_WINDOW_S) or _DEFAULT_WINDOW_S
        self._window_s = window_s
        points = read_target_counts(db, self._node_id, now - window_s, now)
        self._window.load(
            [
                (p.target_id, (p.at, p.accepted_total, p.abandoned_total), p.goal_pct)
                for p in points
            ],
            window_s,
        )
        if points:
            log.info(
                "abandonment window: %d recorded points of %d targets read back",
                len(points),
                len(self._window.target_ids),
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
            conditions = {c.name: c for c in load_conditions(db)}
            derived = [
                *cycle_signals(outcome),
                *self._abandonment_signals(conditions, now),
                no_master_from(db, now, self._stale_after_s, self._master_lease),
            ]
            evaluation, conditions = evaluate_and_store(
                db,
                [*drained, *derived],
                now,
                sample,
                self._ack_expiry_s,
                derive=lambda stored: burn_signals(self._compliance, conditions, now, stored),
            )
        except Exception:
            for signal in drained:
                self._sink.signal(signal)
            self._database.close_current_thread()
            raise
        self._report(evaluation, conditions)

    def _remember_counts(self, outcome: CycleOutcome) -> None:
        at = outcome.targets[0].at if outcome.targets else outcome.cycle.started_at
        self._window.add(
            at,
            (
                (r.target_id, r.accepted_total, r.abandoned_total, r.goal_pct)
                for r in outcome.targets
                if r.accepted_total is not None and r.abandoned_total is not None
            ),
            self._window_s,
        )

    def _abandonment_signals(
        self, conditions: dict[str, AlarmCondition], now: float
    ) -> list[AlarmSignal]:
        condition = conditions.get(Condition.ABANDONMENT_ABOVE_GOAL)
        if condition is None:
            return []
        window_s = condition.parameter("window_s", _DEFAULT_WINDOW_S) or _DEFAULT_WINDOW_S
        self._window_s = window_s
        accepted, abandoned = self._window.counts(now, window_s)
        window = self._window
        target_ids = window.target_ids
        goals = [window.goal_pct(target_id) for target_id in target_ids]
        return abandonment_signals(condition, target_ids, goals, accepted, abandoned, now)

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
