"""Only the node holding the master lease publishes; a standby still collects and records."""

from __future__ import annotations

import time
from pathlib import Path

from fakes import FakeRemote

from .conftest import http_config, http_node


def test_a_single_node_holds_the_lease_and_publishes(tmp_path: Path, remote: FakeRemote) -> None:
    node = http_node(http_config(tmp_path, remote))
    outcome = node.cycle()
    assert outcome.cycle.error is None
    assert remote.state()["bulk_requests"] == 1


def test_a_standby_node_decides_and_records_but_does_not_publish(
    tmp_path: Path, remote: FakeRemote
) -> None:
    master = http_node(http_config(tmp_path, remote, node_id="node-a"))
    standby = http_node(http_config(tmp_path, remote, node_id="node-b"))
    master.cycle()
    outcome = standby.cycle()
    assert remote.state()["bulk_requests"] == 1
    assert outcome.cycle.status != "failed"
    assert "standby node, node-a holds the master lease" in (outcome.cycle.error or "")
    assert all(t.allowed_invitations is not None for t in outcome.targets)
    assert standby.node.counters().cycles_recorded == 1


def test_a_standby_takes_over_when_the_master_stops_renewing(
    tmp_path: Path, remote: FakeRemote
) -> None:
    options = {"lease_ttl": 0.2}
    master = http_node(http_config(tmp_path, remote, node_id="node-a", publisher=options))
    standby = http_node(http_config(tmp_path, remote, node_id="node-b", publisher=options))
    master.cycle()
    time.sleep(0.3)  # the master misses its renewal
    outcome = standby.cycle()
    assert outcome.cycle.error is None
    assert "standby node, node-b" in (master.cycle().cycle.error or "")


def test_a_standby_takes_over_at_once_after_the_master_stops_cleanly(
    tmp_path: Path, remote: FakeRemote
) -> None:
    options = {"lease_ttl": 3600}  # without the release the standby would wait an hour
    master = http_node(http_config(tmp_path, remote, node_id="node-a", publisher=options))
    standby = http_node(http_config(tmp_path, remote, node_id="node-b", publisher=options))
    assert master.cycle().cycle.error is None
    assert "standby node, node-a" in (standby.cycle().cycle.error or "")
    master.node.stop()
    outcome = standby.cycle()
    assert outcome.cycle.error is None
    assert remote.state()["bulk_requests"] == 2


def test_a_standby_that_stops_leaves_the_masters_lease_alone(
    tmp_path: Path, remote: FakeRemote
) -> None:
    master = http_node(http_config(tmp_path, remote, node_id="node-a"))
    standby = http_node(http_config(tmp_path, remote, node_id="node-b"))
    master.cycle()
    standby.cycle()
    standby.node.stop()
    assert master.cycle().cycle.error is None
    assert "standby node, node-a" in (
        http_node(http_config(tmp_path, remote, node_id="node-c")).cycle().cycle.error or ""
    )
