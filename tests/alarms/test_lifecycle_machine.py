"""Random sequences of events never reach an impossible state, and every change is recorded."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from alarms.lifecycle import RULES, apply_event, check_invariants
from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    Cancel,
    Category,
    Detect,
    LifecycleEvent,
    OperatorAction,
    Tick,
)

CONDITION = AlarmCondition(
    name="GC Latency",
    description="",
    category=Category.MAJOR,
    detect_event_id=10005,
    cancel_event_id=10006,
    cancel_timeout_s=300.0,
    on_delay_s=5.0,
    off_delay_s=10.0,
)
ACTIONS = ("acknowledge", "unshelve", "clear", "remove_from_service", "return_to_service")
gaps = st.floats(min_value=0.0, max_value=120.0, allow_nan=False)


class AlarmLifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.instance = AlarmInstance(condition=CONDITION.name)
        self.rules_seen: set[str] = set()

    def apply(self, event: LifecycleEvent) -> None:
        before = self.instance
        step = apply_event(before, CONDITION, event)
        state = before.state
        for transition in step.transitions:
            rule_ = RULES[transition.rule]
            assert transition.from_state == state, "a transition must start where the last ended"
            assert state in rule_.from_states and transition.to_state == rule_.to_state
            assert transition.at == event.at
            state = transition.to_state
            self.rules_seen.add(transition.rule)
        assert state == step.instance.state, "a state change without a recorded transition"
        if not step.transitions:
            assert step.instance.state == before.state
        self.instance = step.instance

    @rule(gap=gaps, severity=st.sampled_from([None, Category.CRITICAL]))
    def detect(self, gap: float, severity: Category | None) -> None:
        self.now += gap
        self.apply(Detect(self.now, 1.0, "detected", severity))

    @rule(gap=gaps)
    def cancel(self, gap: float) -> None:
        self.now += gap
        self.apply(Cancel(self.now))

    @rule(gap=gaps, ack_expiry_s=st.sampled_from([0.0, 5.0]))
    def tick(self, gap: float, ack_expiry_s: float = 0.0) -> None:
        self.now += gap
        self.apply(Tick(self.now, ack_expiry_s))

    @rule(gap=gaps, kind=st.sampled_from(ACTIONS), who=st.sampled_from(["ana", "bob"]))
    def operator(self, gap: float, kind: str, who: str) -> None:
        self.now += gap
        self.apply(OperatorAction(kind, self.now, who))  # type: ignore[arg-type]

    @rule(gap=gaps, length=st.floats(min_value=1.0, max_value=600.0))
    def shelve(self, gap: float, length: float) -> None:
        self.now += gap
        self.apply(OperatorAction("shelve", self.now, "ana", "noisy", until=self.now + length))

    @invariant()
    def no_impossible_state(self) -> None:
        assert check_invariants(self.instance) == []

    @invariant()
    def occurrences_never_decrease_below_zero(self) -> None:
        assert self.instance.occurrences >= 0


AlarmLifecycleMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=40)
TestAlarmLifecycle = AlarmLifecycleMachine.TestCase


def test_random_walks_reach_every_rule_of_the_table() -> None:
    """Coverage check: a long seeded random walk exercises every named rule at least once."""
    import random

    rng = random.Random(7)
    machine = AlarmLifecycleMachine()
    for _ in range(20_000):
        choice = rng.random()
        gap = rng.choice([0.0, 1.0, 6.0, 11.0, 400.0])
        if choice < 0.3:
            machine.detect(gap, rng.choice([None, None, Category.CRITICAL]))
        elif choice < 0.55:
            machine.cancel(gap)
        elif choice < 0.7:
            machine.tick(gap, rng.choice([0.0, 5.0]))
        elif choice < 0.92:
            machine.operator(gap, rng.choice(ACTIONS), rng.choice(["ana", "bob"]))
        else:
            machine.shelve(gap, rng.choice([5.0, 500.0]))
        machine.no_impossible_state()
    assert machine.rules_seen == set(RULES), set(RULES) - machine.rules_seen
