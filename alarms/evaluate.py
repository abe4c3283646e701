"""Apply a batch of signals, then the passage of time, to every alarm instance (pure).

Signals of conditions that are not provisioned or are disabled are ignored (and named, so the
shell can log them once); a cancel for an instance never raised creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alarms.detectors import parse_severity
from alarms.lifecycle import apply_event
from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    AlarmTransition,
    Cancel,
    Detect,
    Tick,
    instance_id_for,
)
from domain.signals import AlarmSignal


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Instances that changed, the transitions they made, and the conditions ignored."""

    instances: tuple[AlarmInstance, ...]
    transitions: tuple[AlarmTransition, ...]
    ignored: tuple[str, ...] = ()


def evaluate_signals(
    conditions: Mapping[str, AlarmCondition],
    instances: Mapping[str, AlarmInstance],
    signals: Sequence[AlarmSignal],
    now: float,
    ack_expiry_s: float = 0.0,
) -> Evaluation:
    """Signals oldest first (never later than `now`), then a tick at `now` for every instance."""
    current = dict(instances)
    transitions: list[AlarmTransition] = []
    ignored: list[str] = []
    for signal in sorted(signals, key=lambda s: s.at):
        condition = conditions.get(signal.condition)
        if condition is None or not condition.enabled:
            if signal.condition not in ignored:
                ignored.append(signal.condition)
            continue
        key = instance_id_for(signal.condition, signal.scope)
        instance = current.get(key)
        if instance is None:
            if not signal.active:
                continue
            instance = AlarmInstance(
                condition=condition.name,
                scope=signal.scope,
                severity=condition.category,
                updated_at=signal.at,
            )
        at = min(max(signal.at, instance.updated_at), now)
        event = (
            Detect(at, signal.value, signal.reason, parse_severity(signal.severity))
            if signal.active
            else Cancel(at, signal.value, signal.reason)
        )
        step = apply_event(instance, condition, event)
        current[key] = step.instance
        transitions.extend(step.transitions)
    for key, instance in list(current.items()):
        condition = conditions.get(instance.condition)
        if condition is None:
            continue
        step = apply_event(instance, condition, Tick(now, ack_expiry_s))
        current[key] = step.instance
        transitions.extend(step.transitions)
    changed = tuple(i for key, i in current.items() if instances.get(key) != i)
    return Evaluation(changed, tuple(transitions), tuple(ignored))
