"""Operator actions on one alarm instance: acknowledge, shelve, unshelve, clear, service.

Each action reads the instance, applies the lifecycle and writes the result under one
`BEGIN IMMEDIATE`, so two operators acting at once are serialised: the first changes the state,
the second gets the idempotent answer ("already acknowledged by …") and nothing is written.
The dashboard calls these with its own read-write connection (`storage.db.connect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from alarms.lifecycle import apply_event
from alarms.model import (
    AlarmInstance,
    AlarmTransition,
    OperatorAction,
    OperatorActionKind,
    instance_id_for,
)
from domain.controls import AuditEntry
from node.alarm_evaluator import log_transition
from storage.alarms.store import load_conditions, load_instance, save_instances, save_transitions
from storage.audit import append_audit
from storage.transactions import write_transaction


class AlarmActionError(ValueError):
    """The action cannot apply: unknown instance or condition, or a missing operator name."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What the action did: `changed` False means an idempotent repeat (see `note`)."""

    instance: AlarmInstance
    transitions: tuple[AlarmTransition, ...]
    note: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.transitions)


def act_on_alarm(
    db: sqlite_utils.Database,
    instance_id: str,
    kind: OperatorActionKind,
    *,
    operator: str,
    now: float,
    comment: str = "",
    until: float | None = None,
    source: str = "dashboard",
) -> ActionResult:
    """Apply one operator action to a stored instance; raise `AlarmActionError` if impossible."""
    try:
        action = OperatorAction(kind, now, operator, comment.strip(), until)
    except ValueError as error:
        raise AlarmActionError(str(error)) from error
    with write_transaction(db):
        instance = load_instance(db, instance_id)
        if instance is None:
            raise AlarmActionError(f"no alarm instance {instance_id!r}: it may have been purged")
        conditions = {c.name: c for c in load_conditions(db)}
        condition = conditions.get(instance.condition)
        if condition is None:
            raise AlarmActionError(
                f"alarm condition {instance.condition!r} is not provisioned: run `pacing provision`"
            )
        step = apply_event(instance, condition, action)
        if step.transitions:
            save_instances(db, [step.instance])
            save_transitions(db, step.transitions)
            append_audit(db, _audit_entry(instance, step.instance, action, source))
    for transition in step.transitions:
        log_transition(transition)
    return ActionResult(step.instance, step.transitions, step.note)


def _audit_entry(
    before: AlarmInstance, after: AlarmInstance, action: OperatorAction, source: str
) -> AuditEntry:
    """The audit row of an operator's action: the state before and after, and the comment."""
    new_value = str(after.state)
    if action.until is not None:
        until = datetime.fromtimestamp(action.until, tz=UTC).isoformat(timespec="seconds")
        new_value += f" until {until}"
    return AuditEntry(
        at=action.at,
        who=action.operator,
        action=f"alarm.{action.kind}",
        subject=f"{before.condition} ({before.scope})",
        old_value=str(before.state),
        new_value=new_value,
        reason=action.comment,
        source=source,
    )


def acknowledge(
    db: sqlite_utils.Database, instance_id: str, operator: str, now: float, comment: str = ""
) -> ActionResult:
    """Acknowledge; a second acknowledgement is a no-op that names who was first."""
    return act_on_alarm(db, instance_id, "acknowledge", operator=operator, now=now, comment=comment)


def shelve(
    db: sqlite_utils.Database,
    instance_id: str,
    operator: str,
    now: float,
    until: float,
    comment: str = "",
) -> ActionResult:
    """Shelve until `until` (mandatory); it comes back by itself when the shelve expires."""
    return act_on_alarm(
        db, instance_id, "shelve", operator=operator, now=now, comment=comment, until=until
    )


__all__ = [
    "ActionResult",
    "AlarmActionError",
    "acknowledge",
    "act_on_alarm",
    "instance_id_for",
    "shelve",
]
