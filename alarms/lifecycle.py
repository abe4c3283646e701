"""The alarm lifecycle as a transition table of named rules (pure: `now` is the event's time).

`apply_event(instance, condition, event)` returns the new instance and the transitions it made.
Every state change goes through `_move`, which refuses a move the table does not list, so an
impossible state cannot be reached by any sequence of events. The vocabulary is ISA-18.2's
(alerta's `isa_18_2.py` names its rules the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    AlarmState,
    AlarmTransition,
    Cancel,
    Detect,
    LifecycleEvent,
    OperatorAction,
    Tick,
)

S = AlarmState
_ANY_BUT_OOS = frozenset(set(S) - {S.OUT_OF_SERVICE})
_ANNUNCIATED = frozenset({S.NORMAL, S.UNACK, S.ACKED, S.CLEARED_UNACK})


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the transition table."""

    name: str
    from_states: frozenset[AlarmState]
    to_state: AlarmState


def _rule(name: str, from_states: set[AlarmState] | frozenset[AlarmState], to: AlarmState) -> Rule:
    return Rule(name, frozenset(from_states), to)


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        _rule("alarm occurs", {S.NORMAL}, S.UNACK),
        _rule("alarm re-occurs before acknowledgement", {S.CLEARED_UNACK}, S.UNACK),
        _rule("returns to normal before acknowledgement", {S.UNACK}, S.CLEARED_UNACK),
        _rule("returns to normal", {S.ACKED}, S.NORMAL),
        _rule("re-alarm: severity rose", {S.ACKED}, S.UNACK),
        _rule("severity rose", {S.UNACK}, S.UNACK),
        _rule("cancel timeout before acknowledgement", {S.UNACK}, S.CLEARED_UNACK),
        _rule("cancel timeout", {S.ACKED}, S.NORMAL),
        _rule("operator acknowledges", {S.UNACK}, S.ACKED),
        _rule("operator acknowledges a cleared alarm", {S.CLEARED_UNACK}, S.NORMAL),
        _rule("operator clears", {S.UNACK, S.ACKED, S.CLEARED_UNACK}, S.NORMAL),
        _rule("operator shelves", _ANNUNCIATED, S.SHELVED),
        _rule("operator unshelves, alarm active", {S.SHELVED}, S.UNACK),
        _rule("operator unshelves", {S.SHELVED}, S.NORMAL),
        _rule("shelve expires, alarm active", {S.SHELVED}, S.UNACK),
        _rule("shelve expires", {S.SHELVED}, S.NORMAL),
        _rule("operator removes from service", _ANY_BUT_OOS, S.OUT_OF_SERVICE),
        _rule("operator returns to service, alarm active", {S.OUT_OF_SERVICE}, S.UNACK),
        _rule("operator returns to service", {S.OUT_OF_SERVICE}, S.NORMAL),
        _rule("acknowledgement expires, alarm active", {S.ACKED}, S.UNACK),
    )
}


class ImpossibleTransitionError(RuntimeError):
    """A rule was applied to a state the table does not allow (a bug, never an input error)."""


@dataclass(frozen=True, slots=True)
class Step:
    """What one event did: the new instance, its transitions, and a note when nothing changed."""

    instance: AlarmInstance
    transitions: tuple[AlarmTransition, ...]
    note: str = ""


class _Builder:
    """Accumulates the moves of one event."""

    def __init__(self, instance: AlarmInstance) -> None:
        self.instance = instance
        self.transitions: list[AlarmTransition] = []

    def update(self, **changes: object) -> None:
        self.instance = replace(self.instance, **changes)  # type: ignore[arg-type]

    def move(
        self,
        rule_name: str,
        at: float,
        who: str | None = None,
        comment: str = "",
        **changes: object,
    ) -> None:
        rule = RULES[rule_name]
        before = self.instance.state
        if before not in rule.from_states:
            raise ImpossibleTransitionError(
                f"rule {rule_name!r} cannot apply in state {before.value} "
                f"(instance {self.instance.instance_id!r})"
            )
        self.update(state=rule.to_state, updated_at=at, **changes)
        i = self.instance
        self.transitions.append(
            AlarmTransition(
                instance_id=i.instance_id,
                condition=i.condition,
                scope=i.scope,
                from_state=before,
                to_state=rule.to_state,
                rule=rule_name,
                at=at,
                severity=i.severity,
                occurrence=i.occurrences,
                reason=i.reason,
                value=i.value,
                who=who,
                comment=comment,
            )
        )


def apply_event(instance: AlarmInstance, condition: AlarmCondition, event: LifecycleEvent) -> Step:
    """Apply one event to one instance; never reads the clock."""
    builder = _Builder(instance)
    note = ""
    if isinstance(event, Detect):
        _on_detect(builder, condition, event)
    elif isinstance(event, Cancel):
        _on_cancel(builder, event)
    elif isinstance(event, OperatorAction):
        note = _on_operator(builder, event)
    _settle(builder, condition, event.at)
    if isinstance(event, Tick) and event.ack_expiry_s > 0:
        _expire_acknowledgement(builder, event.at, event.ack_expiry_s)
    return Step(builder.instance, tuple(builder.transitions), note)


def _on_detect(b: _Builder, condition: AlarmCondition, event: Detect) -> None:
    severity = event.severity or condition.category
    changes: dict[str, object] = {
        "value": event.value,
        "reason": event.reason or b.instance.reason,
        "requested_severity": severity,
    }
    if not b.instance.detected:
        changes.update(detected=True, detect_since=event.at, cancel_since=None)
    b.update(**changes)


def _on_cancel(b: _Builder, event: Cancel) -> None:
    if b.instance.detected:
        b.update(
            detected=False,
            cancel_since=event.at,
            detect_since=None,
            value=event.value if event.value is not None else b.instance.value,
            reason=event.reason or b.instance.reason,
        )


def _settle(b: _Builder, condition: AlarmCondition, now: float) -> None:
    """Apply whatever the passage of time makes due at `now`, in a fixed order."""
    i = b.instance
    if i.state is S.SHELVED and i.shelved_until is not None and now >= i.shelved_until:
        rule = "shelve expires, alarm active" if i.raised else "shelve expires"
        b.update(**_fresh_ack(i.raised))
        b.move(rule, now, shelved_by=None, shelved_until=None)
    i = b.instance
    if i.raised and i.raised_at is not None and now - i.raised_at >= condition.cancel_timeout_s:
        _clear(b, now, "cancel timeout before acknowledgement", "cancel timeout")
        b.update(detected=False, detect_since=None, cancel_since=None)
    i = b.instance
    if (
        i.raised
        and not i.detected
        and i.cancel_since is not None
        and now - i.cancel_since >= condition.off_delay_s
    ):
        _clear(b, now, "returns to normal before acknowledgement", "returns to normal")
    i = b.instance
    if (
        not i.raised
        and i.detected
        and i.detect_since is not None
        and now - i.detect_since >= condition.on_delay_s
    ):
        _raise(b, condition, now)
    _maybe_escalate(b, now)


def _expire_acknowledgement(b: _Builder, now: float, ack_expiry_s: float) -> None:
    """An alarm acknowledged `ack_expiry_s` ago and still active is annunciated again."""
    i = b.instance
    if i.state is not S.ACKED or i.acknowledged_at is None:
        return
    if now - i.acknowledged_at < ack_expiry_s:
        return
    who = i.acknowledged_by
    b.update(**_fresh_ack(True))
    b.move(
        "acknowledgement expires, alarm active",
        now,
        comment=f"acknowledged by {who} {ack_expiry_s / 60:g} min ago; still active",
    )


def _fresh_ack(active: bool) -> dict[str, object]:
    """A newly annunciated alarm has not been acknowledged by anybody yet."""
    return {"acknowledged_by": None, "acknowledged_at": None} if active else {}


def _raise(b: _Builder, condition: AlarmCondition, now: float) -> None:
    i = b.instance
    severity = i.requested_severity or condition.category
    b.update(
        raised=True,
        raised_at=now,
        cleared_at=None,
        occurrences=i.occurrences + 1,
        severity=severity,
    )
    if i.state is S.NORMAL:
        b.update(**_fresh_ack(True))
        b.move("alarm occurs", now)
    elif i.state is S.CLEARED_UNACK:
        b.update(**_fresh_ack(True))
        b.move("alarm re-occurs before acknowledgement", now)
    # shelved or out of service: raised but suppressed, no annunciation


def _clear(b: _Builder, now: float, unacked_rule: str, acked_rule: str) -> None:
    state = b.instance.state
    b.update(raised=False, cleared_at=now)
    if state is S.UNACK:
        b.move(unacked_rule, now)
    elif state is S.ACKED:
        b.move(acked_rule, now)


def _maybe_escalate(b: _Builder, now: float) -> None:
    i = b.instance
    wanted = i.requested_severity
    if not (i.raised and i.detected and wanted is not None and wanted.rank > i.severity.rank):
        return
    if i.state is S.ACKED:
        b.update(**_fresh_ack(True))
        b.move("re-alarm: severity rose", now, severity=wanted)
    elif i.state is S.UNACK:
        b.move("severity rose", now, severity=wanted)
    else:
        b.update(severity=wanted)


def _on_operator(b: _Builder, action: OperatorAction) -> str:
    """Apply an operator action; return a note when it changed nothing (idempotent repeats)."""
    i, at, who, comment = b.instance, action.at, action.operator.strip(), action.comment
    if action.kind == "acknowledge":
        if i.state is S.UNACK:
            b.move(
                "operator acknowledges", at, who, comment, acknowledged_by=who, acknowledged_at=at
            )
        elif i.state is S.CLEARED_UNACK:
            b.move(
                "operator acknowledges a cleared alarm",
                at,
                who,
                comment,
                acknowledged_by=who,
                acknowledged_at=at,
            )
        elif i.acknowledged_by:
            return f"already acknowledged by {i.acknowledged_by}"
        else:
            return f"nothing to acknowledge ({i.state.value})"
    elif action.kind == "shelve":
        if i.state not in _ANNUNCIATED:
            return f"cannot shelve: {i.state.value}" + (
                f" by {i.shelved_by} until {i.shelved_until}" if i.shelved_by else ""
            )
        b.move("operator shelves", at, who, comment, shelved_by=who, shelved_until=action.until)
    elif action.kind == "unshelve":
        if i.state is not S.SHELVED:
            return f"not shelved ({i.state.value})"
        rule = "operator unshelves, alarm active" if i.raised else "operator unshelves"
        b.update(**_fresh_ack(i.raised))
        b.move(rule, at, who, comment, shelved_by=None, shelved_until=None)
    elif action.kind == "clear":
        if i.state not in (S.UNACK, S.ACKED, S.CLEARED_UNACK):
            return f"nothing to clear ({i.state.value})"
        b.update(raised=False, detected=False, detect_since=None, cancel_since=None, cleared_at=at)
        b.move("operator clears", at, who, comment)
    elif action.kind == "remove_from_service":
        if i.state is S.OUT_OF_SERVICE:
            return "already out of service"
        b.move(
            "operator removes from service", at, who, comment, shelved_by=None, shelved_until=None
        )
    else:  # return_to_service
        if i.state is not S.OUT_OF_SERVICE:
            return f"not out of service ({i.state.value})"
        rule = (
            "operator returns to service, alarm active"
            if i.raised
            else "operator returns to service"
        )
        b.update(**_fresh_ack(i.raised))
        b.move(rule, at, who, comment)
    return ""


def check_invariants(instance: AlarmInstance) -> list[str]:
    """Every broken invariant of an instance, in words (empty when sound)."""
    i, broken = instance, []
    if i.state in (S.UNACK, S.ACKED) and not i.raised:
        broken.append(f"{i.state.value} but not raised")
    if i.state in (S.NORMAL, S.CLEARED_UNACK) and i.raised:
        broken.append(f"{i.state.value} but raised")
    if (i.state is S.SHELVED) != (i.shelved_until is not None):
        broken.append(f"{i.state.value} with shelved_until={i.shelved_until}")
    if i.state is S.ACKED and not i.acknowledged_by:
        broken.append("acknowledged by nobody")
    if i.occurrences < 0 or (i.raised and i.occurrences == 0):
        broken.append(f"occurrences={i.occurrences}")
    if i.detected and i.detect_since is None:
        broken.append("detected without detect_since")
    return broken


__all__ = ["RULES", "ImpossibleTransitionError", "Rule", "Step", "apply_event", "check_invariants"]
