"""Real node cycles against the fake engagement platform through every fault it can play."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.signals import Condition
from fakes import FakeRemote
from tests.support import eventually

from .conftest import HttpNode, conditions, http_config, http_node

GLOBAL = "global"


@pytest.fixture
def node(tmp_path: Path, remote: FakeRemote) -> HttpNode:
    return http_node(http_config(tmp_path, remote))


def published_pending(outcome: object) -> dict[str, int | None]:
    return {t.target_id: t.pending_invitations for t in outcome.targets}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fault,value,condition",
    [
        ("timeout", "5", Condition.PACING_REQUESTS_FAILED),
        ("status", "500", Condition.PACING_REQUESTS_FAILED),
        ("status", "503", Condition.PACING_REQUESTS_FAILED),
        ("rate_limit", "30", Condition.PACING_REQUESTS_FAILED),
        ("malformed_json", None, Condition.PACING_RESPONSE_VALIDATION_ERROR),
        ("wrong_count", None, Condition.PACING_RESPONSE_VALIDATION_ERROR),
        ("negative_counts", None, Condition.PACING_RESPONSE_VALIDATION_ERROR),
    ],
)
def test_a_fault_raises_its_alarm_the_node_keeps_cycling_and_recovery_clears_it(
    node: HttpNode, remote: FakeRemote, fault: str, value: str | None, condition: str
) -> None:
    assert node.settle().cycle.status == "ok"
    remote.set_fault(fault, value)
    node.cycle()
    assert (condition, GLOBAL) in conditions(node.signals(), active=True)
    node.cycle()  # still faulty: no repeated detect event
    assert conditions(node.signals(), active=True) == set()
    remote.clear_faults()
    recovered = node.cycle()
    assert recovered.cycle.error is None
    assert (condition, GLOBAL) in conditions(node.signals(), active=False)
    assert node.node.counters().cycles_recorded == 4


def test_a_refusing_token_endpoint_raises_requests_failed_until_it_accepts(
    node: HttpNode, remote: FakeRemote
) -> None:
    remote.set_fault("token_refuse")
    outcome = node.cycle()
    assert outcome.cycle.status == "failed"
    assert "refused with HTTP 401 (invalid_client)" in (outcome.cycle.error or "")
    assert (Condition.PACING_REQUESTS_FAILED, GLOBAL) in conditions(node.signals(), active=True)
    remote.clear_faults()
    assert node.cycle().cycle.status == "ok"
    assert (Condition.PACING_REQUESTS_FAILED, GLOBAL) in conditions(node.signals(), active=False)


def test_a_401_gets_a_fresh_token_and_the_cycle_succeeds_without_alarm(
    node: HttpNode, remote: FakeRemote
) -> None:
    node.settle()
    remote.set_fault("unauthorized", times=1)
    outcome = node.cycle()
    assert outcome.cycle.status == "ok"
    assert node.signals() == []
    assert remote.state()["token_requests"] == 2


def test_the_token_is_cached_between_cycles(node: HttpNode, remote: FakeRemote) -> None:
    for _ in range(3):
        node.cycle()
    assert remote.state()["token_requests"] == 1


def test_a_429_is_retried_after_its_retry_after_within_the_deadline(
    tmp_path: Path, remote: FakeRemote
) -> None:
    node = http_node(http_config(tmp_path, remote, period_s=2.0))
    node.settle()
    before = remote.state()["bulk_requests"]
    remote.set_fault("rate_limit", "0.2", times=1)
    assert node.cycle().cycle.status == "ok"
    assert node.signals() == []
    assert remote.state()["bulk_requests"] == before + 2


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    node: HttpNode, remote: FakeRemote
) -> None:
    node.cycle()
    before = remote.state()["bulk_requests"]
    remote.set_fault("rate_limit", "30")
    outcome = node.cycle()
    assert "would pass the cycle's deadline" in (outcome.cycle.error or "")
    assert remote.state()["bulk_requests"] == before + 1


def test_a_500_is_not_retried(node: HttpNode, remote: FakeRemote) -> None:
    node.cycle()
    before = remote.state()["bulk_requests"]
    remote.set_fault("status", "500")
    node.cycle()
    assert remote.state()["bulk_requests"] == before + 1


def test_a_slow_answer_within_the_deadline_is_accepted(node: HttpNode, remote: FakeRemote) -> None:
    remote.set_fault("slow", "0.1")
    assert node.settle().cycle.status == "ok"


def test_per_target_errors_name_the_targets_and_leave_their_pending_count_to_the_pacer(
    node: HttpNode, remote: FakeRemote
) -> None:
    first = published_pending(node.cycle())
    remote.set_fault("target_errors", "Sales Chat - chat")
    outcome = node.cycle()
    signals = node.signals()
    raised = [s for s in signals if s.active]
    assert [(s.condition, s.scope) for s in raised] == [
        (Condition.PACING_RESPONSE_TARGET_ERROR, "Sales Chat - chat")
    ]
    assert "Sales Chat - chat" in raised[0].reason and "invalid.value" in raised[0].reason
    assert first["Sales Chat - chat"] is not None
    assert published_pending(outcome)["Sales Chat - chat"] is None  # no answer: none recorded
    assert published_pending(outcome)["Proactive Chat - chat"] is not None
    remote.clear_faults()
    node.cycle()
    assert (Condition.PACING_RESPONSE_TARGET_ERROR, "Sales Chat - chat") in conditions(
        node.signals(), active=False
    )


def test_chunks_are_sent_separately_and_compressed_when_configured(
    tmp_path: Path, remote: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, endpoint={"chunkSize": 1, "gzip": True})
    node = http_node(config)
    outcome = node.cycle()
    assert outcome.cycle.status == "ok"
    assert remote.state()["bulk_requests"] == len(config.targets)
    assert all(t.pending_invitations is not None for t in outcome.targets)


def test_the_node_keeps_cycling_on_its_scheduler_through_a_dead_platform(
    node: HttpNode, remote: FakeRemote
) -> None:
    remote.set_fault("status", "503")
    node.node.start()
    try:
        eventually(lambda: node.node.counters().cycles_recorded >= 3)
    finally:
        node.node.stop()
    assert node.node.counters().cycles_recorded >= 3
    assert (Condition.PACING_REQUESTS_FAILED, GLOBAL) in conditions(node.signals(), active=True)
