"""Only the node holding the master lease publishes; a standby still collects and records."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from connectors.gpe import EngagementPublisher, PublisherSettings
from connectors.gpe.client import PublishFailedError
from connectors.http_retry import build_exchanger
from domain.decisions import PacingDecision
from domain.signals import CollectingSink
from fakes import FakeRemote
from tests.support import eventually

from .conftest import CLIENT_ID, SECRET, HttpNode, http_config, http_node


def test_a_single_node_holds_the_lease_and_publishes(tmp_path: Path, remote: FakeRemote) -> None:
    node = http_node(http_config(tmp_path, remote))
    outcome = node.cycle()
    assert outcome.cycle.error is None
    assert remote.state()["bulk_requests"] == 1


def test_the_platform_log_names_the_publishing_node_and_its_term(
    tmp_path: Path, remote: FakeRemote
) -> None:
    master, standby = master_and_standby(tmp_path, remote)
    standby.cycle()
    master.cycle()
    publishes = httpx.get(f"{remote.url}/_fake/state").json()["publishes"]
    targets = len(master.config.targets)
    assert [(p["node"], p["term"], p["targets"]) for p in publishes] == [
        ("node-a", 1, targets),
        ("node-a", 1, targets),
    ]
    assert publishes[0]["at"] <= publishes[1]["at"]


def test_the_platform_log_keeps_requests_without_the_node_headers(remote: FakeRemote) -> None:
    token = httpx.post(
        f"{remote.url}/oauth/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "client_credentials"},
    ).json()["access_token"]
    answered = httpx.post(
        f"{remote.url}/api/v2/journey/actiontargets/bulk",
        headers={"Authorization": f"Bearer {token}", "X-Pacing-Term": "not-a-number"},
        json={"entities": [{"externalId": "x", "allowedInvitationCount": 1}]},
    )
    assert answered.status_code == 200
    [record] = remote.state()["publishes"]
    assert (record["node"], record["term"], record["targets"]) == (None, None, 1)


def test_no_request_starts_after_the_moment_the_lease_was_confirmed_for(
    tmp_path: Path, remote: FakeRemote
) -> None:
    # As if the process froze between confirming its lease and publishing, and woke late.
    config = http_config(tmp_path, remote)
    assert config.hybrid_integration is not None
    publisher = EngagementPublisher(
        config.hybrid_integration,
        PublisherSettings(),
        {"t": "chat"},
        CollectingSink(),
        build_exchanger(),
    )
    try:
        publisher.identify("node-a", 7, publish_by=time.monotonic() - 1.0)
        with pytest.raises(PublishFailedError):
            publisher.publish([PacingDecision("t", 1, 5.0, 12.0, "progressive")], {}, time.time())
        assert remote.state()["bulk_requests"] == 0
        publisher.identify("node-a", 7, publish_by=time.monotonic() + 30.0)
        publisher.publish([PacingDecision("t", 1, 5.0, 12.0, "progressive")], {}, time.time())
        [record] = remote.state()["publishes"]
        assert (record["node"], record["term"]) == ("node-a", 7)
    finally:
        publisher.close()


def master_and_standby(
    tmp_path: Path, remote: FakeRemote, **publisher: float
) -> tuple[HttpNode, HttpNode]:
    """Two nodes on one database and one platform, node-a having cycled (and leased) first."""
    master = http_node(http_config(tmp_path, remote, node_id="node-a", publisher=publisher))
    standby = http_node(http_config(tmp_path, remote, node_id="node-b", publisher=publisher))
    assert master.cycle().cycle.error is None
    return master, standby


def test_a_standby_node_decides_and_records_but_does_not_publish(
    tmp_path: Path, remote: FakeRemote
) -> None:
    _, standby = master_and_standby(tmp_path, remote)
    outcome = standby.cycle()
    assert remote.state()["bulk_requests"] == 1
    assert outcome.cycle.status != "failed"
    assert "standby node, node-a holds the master lease" in (outcome.cycle.error or "")
    assert all(t.allowed_invitations is not None for t in outcome.targets)
    assert standby.node.counters().cycles_recorded == 1


def test_a_standby_takes_over_when_the_master_stops_renewing(
    tmp_path: Path, remote: FakeRemote
) -> None:
    # The master's lease lapses soon (it must still outlive its 2 s publish deadline, or the
    # master could not confirm it); the standby's, once taken, outlives the test, so the
    # outcome does not depend on how fast this machine runs a cycle.
    master = http_node(
        http_config(
            tmp_path, remote, node_id="node-a", publisher={"lease_ttl": 3, "budget_ratio": 0.5}
        )
    )
    standby = http_node(
        http_config(tmp_path, remote, node_id="node-b", publisher={"lease_ttl": 3600})
    )
    assert master.cycle().cycle.error is None
    # The master's cycles stop: its keeper renews for two ttls at most, then the lease lapses
    # and the standby publishes.
    assert eventually(lambda: standby.cycle().cycle.error is None, within_s=60)
    assert "standby node, node-b" in (master.cycle().cycle.error or "")


def test_a_standby_takes_over_at_once_after_the_master_stops_cleanly(
    tmp_path: Path, remote: FakeRemote
) -> None:
    # Without the release the standby would wait an hour.
    master, standby = master_and_standby(tmp_path, remote, lease_ttl=3600)
    assert "standby node, node-a" in (standby.cycle().cycle.error or "")
    master.node.stop()
    outcome = standby.cycle()
    assert outcome.cycle.error is None
    assert remote.state()["bulk_requests"] == 2


def test_a_standby_that_stops_leaves_the_masters_lease_alone(
    tmp_path: Path, remote: FakeRemote
) -> None:
    master, standby = master_and_standby(tmp_path, remote)
    standby.cycle()
    standby.node.stop()
    assert master.cycle().cycle.error is None
    assert "standby node, node-a" in (
        http_node(http_config(tmp_path, remote, node_id="node-c")).cycle().cycle.error or ""
    )
