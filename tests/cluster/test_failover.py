"""The master dies (`kill -9`) or freezes (SIGSTOP past its lease): a standby takes over.

Real `pacing node` processes on one database; who published what is read from the fake
platform's log. Waits are for states, never fixed sleeps; how fast the takeover was is a
benchmark's figure (benchmarks/failover.py), not an assertion.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from domain.signals import Condition
from tests.cluster.harness import (
    Cluster,
    check_one_publisher_at_a_time,
    publishers_after,
    wait_until,
)
from tests.support import pacing_cli


def test_kill_9_of_the_master_a_standby_publishes_and_no_recorded_cycle_is_lost(
    make_cluster: Callable[..., Cluster],
) -> None:
    node_ids = ["node-a", "node-b", "node-c"]
    cluster = make_cluster()
    for node_id in node_ids:
        cluster.start(node_id)
    wait_until(lambda: len(cluster.publishes()) >= 2, "two publishes")
    wait_until(lambda: all(cluster.cycles(n) for n in node_ids), "a cycle of every node")
    master = cluster.publishes()[-1].node
    assert master is not None

    killed_at = cluster.kill(master)
    committed = {c.cycle_id for c in cluster.cycles(master)}
    wait_until(
        lambda: bool(publishers_after(cluster.publishes(), killed_at) - {master}),
        "a standby publishing after the kill",
    )
    successor = cluster.lease()
    assert successor is not None and successor.holder != master
    assert publishers_after(cluster.publishes(), killed_at) == {successor.holder}
    wait_until(
        lambda: any(state == "active_unacknowledged" for state, _ in takeovers(cluster)),
        "the MasterTakeover alarm",
    )
    assert any(f"from {master}" in reason for _, reason in takeovers(cluster))
    status = cluster_status(cluster, successor.holder)
    assert status["master"] == successor.holder
    assert status["lease"]["term"] == successor.term

    # The dead master comes back: it records again, as a standby, and lost nothing.
    restarted_at = time.time()
    cluster.start(master)
    wait_until(
        lambda: any(
            "standby node" in (c.error or "")
            for c in cluster.cycles(master)
            if c.cycle_id not in committed
        ),
        f"a standby cycle of the restarted {master}",
    )
    assert committed <= {c.cycle_id for c in cluster.cycles(master)}
    assert publishers_after(cluster.publishes(), restarted_at) == {successor.holder}
    check_one_publisher_at_a_time(cluster.publishes(), cluster.handover_gap_s)


def cluster_status(cluster: Cluster, node_id: str) -> dict[str, Any]:
    """`pacing cluster status --json` with that node's configuration."""
    shown = pacing_cli(
        "cluster", "status", "--json", "--config", str(cluster.nodes[node_id].config)
    )
    assert shown.returncode == 0, shown.stderr
    status: dict[str, Any] = json.loads(shown.stdout)
    return status


def takeovers(cluster: Cluster) -> list[tuple[str, str]]:
    return [(str(s), str(r)) for s, r in cluster.alarm_transitions(Condition.MASTER_TAKEOVER)]


def test_a_master_frozen_past_its_lease_wakes_as_a_standby_and_never_publishes_again(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster()
    for node_id in ("node-a", "node-b"):
        cluster.start(node_id)
    wait_until(lambda: len(cluster.publishes()) >= 2, "two publishes")
    master = cluster.publishes()[-1].node
    assert master is not None

    frozen_at = cluster.pause(master)
    wait_until(
        lambda: bool(publishers_after(cluster.publishes(), frozen_at) - {master}),
        "the standby publishing while the master is frozen",
    )
    successor = cluster.lease()
    assert successor is not None and successor.holder != master
    woken_at = cluster.resume(master)

    def woken_standby_cycle() -> bool:
        return any(
            "standby node" in (c.error or "") and c.started_at > woken_at
            for c in cluster.cycles(master)
        )

    wait_until(woken_standby_cycle, f"a standby cycle of {master} after it woke")
    # a few more cycles of the new master, with the old one awake
    published = len(cluster.publishes())
    wait_until(lambda: len(cluster.publishes()) >= published + 3, "three more publishes")

    records = cluster.publishes()
    took_over = min(r.at for r in records if r.node == successor.holder)
    assert all(r.at < took_over for r in records if r.node == master), records
    check_one_publisher_at_a_time(records, cluster.handover_gap_s)
    assert "standby" in cluster.nodes[master].log_text()
