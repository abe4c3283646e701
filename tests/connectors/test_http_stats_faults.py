"""Real node cycles against the fake statistics servers: faults, staleness, resets, failover."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from connectors.http_stats import HttpStatSource
from domain.signals import Condition
from fakes import FakeRemote

from .conftest import HttpNode, conditions, http_config, http_node

ALL = {"Proactive Chat - chat", "Proactive Voice - voice", "Sales Chat - chat"}


@pytest.fixture
def node(tmp_path: Path, remote: FakeRemote) -> HttpNode:
    return http_node(http_config(tmp_path, remote))


def stale_scopes(node: HttpNode, active: bool) -> set[str]:
    return {
        scope
        for name, scope in conditions(node.signals(), active)
        if name == Condition.STATISTICS_STALE
    }


@pytest.mark.parametrize(
    "fault,value",
    [
        ("stats_drop", None),
        ("stats_status", "503"),
        ("stats_status", "500"),
        ("stats_slow", "5"),
        ("stats_malformed", None),
        ("stats_negative", None),
        ("stats_stale", "3600"),
    ],
)
def test_unusable_statistics_mark_every_target_stale_paced_at_zero_until_they_recover(
    node: HttpNode, remote: FakeRemote, fault: str, value: str | None
) -> None:
    node.settle()
    remote.set_fault(fault, value)
    outcome = node.cycle()
    assert stale_scopes(node, active=True) == ALL
    assert {(t.reason, t.allowed_invitations) for t in outcome.targets} == {("stale", 0)}
    remote.clear_faults()
    recovered = node.cycle()
    assert stale_scopes(node, active=False) == ALL
    assert all(t.reason != "stale" for t in recovered.targets)


def test_a_missing_virtual_queue_makes_only_its_target_stale(
    node: HttpNode, remote: FakeRemote
) -> None:
    node.cycle()
    remote.set_fault("stats_missing", "7003")
    outcome = node.cycle()
    assert stale_scopes(node, active=True) == {"Sales Chat - chat"}
    reasons = {t.target_id: t.reason for t in outcome.targets}
    assert reasons["Sales Chat - chat"] == "stale"
    assert reasons["Proactive Chat - chat"] != "stale"


def test_a_counter_reset_never_makes_a_running_total_go_down(
    tmp_path: Path, remote: FakeRemote
) -> None:
    config = http_config(tmp_path, remote)
    node = http_node(config)
    remote.publish({target.target_id: 500 for target in config.targets}, 3600.0)
    remote.epoch -= 3600.0  # an hour of invitations later, so the totals are not 0
    before = {t.target_id: t.accepted_total for t in node.settle().targets}
    remote.set_fault("stats_reset", times=1)
    held = {t.target_id: t.accepted_total for t in node.cycle().targets}
    source = node.node._cycle._stat_source  # noqa: SLF001 - the wired source
    assert isinstance(source, HttpStatSource) and source.resets_detected == 0
    after = {t.target_id: t.accepted_total for t in node.cycle().targets}  # confirms the reset
    assert any(before.values())
    assert held == before  # a drop is held until the next document confirms it
    assert all(after[k] >= before[k] for k in before)  # type: ignore[operator]
    assert source.resets_detected > 0
    assert node.signals() == []


def test_the_backup_takes_over_when_the_primary_fails_and_hands_back_when_it_recovers(
    tmp_path: Path, remote: FakeRemote, backup: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, backup=backup, stat_source={"primary_recheck": 0.05})
    node = http_node(config)
    source = node.node._cycle._stat_source  # noqa: SLF001
    assert isinstance(source, HttpStatSource)
    node.settle()
    assert source.active_url == f"{remote.url}/stats"
    remote.set_fault("stats_status", "503")
    outcome = node.cycle()
    assert source.active_url == f"{backup.url}/stats"
    assert all(t.reason != "stale" for t in outcome.targets)
    served = backup.state()["stats_requests"]
    time.sleep(0.1)  # past primary_recheck, so the next cycle asks the primary first
    remote.clear_faults()
    node.cycle()
    assert source.active_url == f"{remote.url}/stats"
    assert backup.state()["stats_requests"] == served


def test_a_failover_raises_statistics_failover_but_no_target_goes_stale(
    tmp_path: Path, remote: FakeRemote, backup: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, backup=backup, stat_source={"primary_recheck": 0.05})
    node = http_node(config)
    node.settle()
    remote.set_fault("stats_status", "503")
    node.cycle()
    raised = [s for s in node.signals() if s.active]
    assert [(s.condition, s.scope) for s in raised] == [(Condition.STATISTICS_FAILOVER, "global")]
    assert "HTTP 503" in raised[0].reason and backup.url in raised[0].reason
    node.cycle()  # still on the backup: no repeated detect, no stale target
    assert node.signals() == []
    time.sleep(0.1)  # past primary_recheck
    remote.clear_faults()
    node.cycle()
    assert conditions(node.signals(), active=False) == {(Condition.STATISTICS_FAILOVER, "global")}


def test_a_node_with_a_backup_says_on_its_first_cycle_that_the_primary_serves(
    tmp_path: Path, remote: FakeRemote, backup: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, backup=backup)
    node = http_node(config)
    node.cycle()  # first observation: primary serves, the start-up cancel goes out
    assert (Condition.STATISTICS_FAILOVER, "global") in conditions(node.signals(), active=False)


def test_both_servers_down_marks_everything_stale_and_the_cycle_says_why(
    tmp_path: Path, remote: FakeRemote, backup: FakeRemote
) -> None:
    node = http_node(http_config(tmp_path, remote, backup=backup))
    remote.set_fault("stats_status", "503")
    backup.set_fault("stats_drop")
    outcome = node.cycle()
    assert outcome.cycle.status == "failed"
    assert "primary" in (outcome.cycle.error or "") and "backup" in (outcome.cycle.error or "")
    assert stale_scopes(node, active=True) == ALL
