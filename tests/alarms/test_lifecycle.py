"""The alarm lifecycle, event by event, with an injected `now`."""

from __future__ import annotations

from alarms.lifecycle import RULES, apply_event, check_invariants
from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    AlarmState,
    Cancel,
    Category,
    Detect,
    OperatorAction,
    Tick,
)

S = AlarmState


def condition(on_s: float = 0.0, off_s: float = 0.0, timeout_s: float = 86_400.0) -> AlarmCondition:
    return AlarmCondition(
        name="PacingRequestsFailed",
        description="",
        category=Category.MAJOR,
        detect_event_id=100603,
        cancel_event_id=100604,
        cancel_timeout_s=timeout_s,
        on_delay_s=on_s,
        off_delay_s=off_s,
    )


def run(cond: AlarmCondition, *events: object) -> tuple[AlarmInstance, list[str]]:
    instance = AlarmInstance(condition=cond.name)
    rules: list[str] = []
    for event in events:
        step = apply_event(instance, cond, event)  # type: ignore[arg-type]
        instance = step.instance
        rules.extend(t.rule for t in step.transitions)
        assert check_invariants(instance) == []
    return instance, rules


def test_a_detect_raises_at_once_without_on_delay() -> None:
    instance, rules = run(condition(), Detect(10.0, reason="timeout"))
    assert instance.state is S.UNACK and rules == ["alarm occurs"] and instance.occurrences == 1


def test_the_on_delay_ignores_a_blip_shorter_than_itself() -> None:
    instance, rules = run(condition(on_s=10), Detect(0.0), Tick(5.0), Cancel(6.0), Tick(20.0))
    assert instance.state is S.NORMAL and rules == []


def test_the_on_delay_raises_a_condition_that_lasts() -> None:
    instance, rules = run(condition(on_s=10), Detect(0.0), Tick(9.9), Tick(10.0))
    assert instance.state is S.UNACK and rules == ["alarm occurs"] and instance.raised_at == 10.0


def test_the_off_delay_keeps_a_chattering_alarm_raised_once() -> None:
    events: list[Detect | Cancel] = [Detect(0.0)]
    for k in range(1, 10):
        events += [Cancel(k * 2.0), Detect(k * 2.0 + 1)]
    instance, rules = run(condition(off_s=30), *events)
    assert rules == ["alarm occurs"] and instance.occurrences == 1


def test_a_cancel_clears_after_the_off_delay_into_cleared_unacknowledged() -> None:
    instance, rules = run(condition(off_s=30), Detect(0.0), Cancel(1.0), Tick(30.0), Tick(31.0))
    assert instance.state is S.CLEARED_UNACK
    assert rules == ["alarm occurs", "returns to normal before acknowledgement"]


def test_acknowledging_a_cleared_alarm_returns_it_to_normal() -> None:
    instance, rules = run(
        condition(), Detect(0.0), Cancel(1.0), OperatorAction("acknowledge", 2.0, "ana", "seen")
    )
    assert instance.state is S.NORMAL and instance.acknowledged_by == "ana"
    assert rules[-1] == "operator acknowledges a cleared alarm"


def test_a_second_acknowledgement_changes_nothing_and_names_the_first_operator() -> None:
    cond = condition()
    instance, _ = run(cond, Detect(0.0), OperatorAction("acknowledge", 1.0, "ana"))
    step = apply_event(instance, cond, OperatorAction("acknowledge", 1.5, "bob"))
    assert step.transitions == () and step.note == "already acknowledged by ana"


def test_the_cancel_timeout_clears_an_alarm_whose_cancel_never_came() -> None:
    instance, rules = run(
        condition(timeout_s=100),
        Detect(0.0),
        OperatorAction("acknowledge", 1.0, "ana"),
        Tick(99.0),
        Tick(100.0),
    )
    assert instance.state is S.NORMAL and not instance.detected
    assert rules[-1] == "cancel timeout"


def test_a_higher_severity_while_acknowledged_re_alarms() -> None:
    instance, rules = run(
        condition(),
        Detect(0.0),
        OperatorAction("acknowledge", 1.0, "ana"),
        Detect(2.0),  # same severity: nothing new
        Detect(3.0, severity=Category.CRITICAL),
    )
    assert instance.state is S.UNACK and instance.severity is Category.CRITICAL
    assert instance.acknowledged_by is None
    assert rules == ["alarm occurs", "operator acknowledges", "re-alarm: severity rose"]


def test_a_shelved_alarm_comes_back_when_the_shelve_expires() -> None:
    instance, rules = run(
        condition(),
        Detect(0.0),
        OperatorAction("shelve", 1.0, "ana", "maintenance", until=60.0),
        Tick(59.0),
        Tick(60.0),
    )
    assert instance.state is S.UNACK and instance.shelved_until is None
    assert rules == ["alarm occurs", "operator shelves", "shelve expires, alarm active"]


def test_an_alarm_raised_while_out_of_service_is_counted_but_not_annunciated() -> None:
    instance, rules = run(
        condition(),
        OperatorAction("remove_from_service", 0.0, "ana"),
        Detect(1.0),
        Cancel(2.0),
        Detect(3.0),
    )
    assert instance.state is S.OUT_OF_SERVICE and instance.occurrences == 2
    assert rules == ["operator removes from service"]
    back, more = run(condition(), OperatorAction("remove_from_service", 0.0, "ana"), Detect(1.0))
    step = apply_event(back, condition(), OperatorAction("return_to_service", 2.0, "bob"))
    assert step.instance.state is S.UNACK
    assert step.transitions[0].rule == "operator returns to service, alarm active"


def test_occurrences_count_every_re_raise_of_the_same_instance() -> None:
    instance, _ = run(condition(), Detect(0.0), Cancel(1.0), Detect(2.0), Cancel(3.0), Detect(4.0))
    assert instance.occurrences == 3 and instance.state is S.UNACK


def test_a_shelve_without_a_later_expiry_is_refused_with_the_reason() -> None:
    try:
        OperatorAction("shelve", 10.0, "ana", until=10.0)
    except ValueError as error:
        assert "must come back by itself" in str(error)
    else:
        raise AssertionError("a shelve without expiry was accepted")


def test_an_action_without_an_operator_name_is_refused() -> None:
    try:
        OperatorAction("acknowledge", 10.0, "  ")
    except ValueError as error:
        assert "operator's name" in str(error)
    else:
        raise AssertionError("an anonymous acknowledgement was accepted")


def test_every_rule_of_the_table_has_a_distinct_human_name() -> None:
    assert all(name == rule.name and " " in name for name, rule in RULES.items())


def test_an_acknowledgement_expires_while_the_alarm_is_still_active() -> None:
    acknowledged = OperatorAction("acknowledge", 20.0, "ana", "on it")
    instance, rules = run(condition(), Detect(10.0), acknowledged, Tick(619.0, 600.0))
    assert instance.state is S.ACKED and rules == ["alarm occurs", "operator acknowledges"]
    instance, rules = run(condition(), Detect(10.0), acknowledged, Tick(620.0, 600.0))
    assert instance.state is S.UNACK
    assert rules[-1] == "acknowledgement expires, alarm active"
    assert instance.acknowledged_by is None and instance.occurrences == 1


def test_an_acknowledgement_never_expires_without_the_option_or_after_a_clear() -> None:
    acknowledged = OperatorAction("acknowledge", 20.0, "ana")
    instance, _ = run(condition(), Detect(10.0), acknowledged, Tick(100_000.0))
    assert instance.state is S.NORMAL  # the cancel timeout, not a re-alarm
    instance, rules = run(condition(), Detect(10.0), acknowledged, Cancel(30.0), Tick(700.0, 600.0))
    assert instance.state is S.NORMAL and "acknowledgement expires, alarm active" not in rules
