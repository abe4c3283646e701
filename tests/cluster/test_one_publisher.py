"""Two and three real `pacing node` processes on one database: exactly one publishes.

Checked from the fake platform's record of who published each bulk request (the
`X-Pacing-Node` and `X-Pacing-Term` headers) and from the cycle rows every node records.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cluster.harness import Cluster, check_one_publisher_at_a_time, wait_until

CYCLES = 5


@pytest.mark.parametrize("size", [2, 3])
def test_every_published_cycle_has_one_publisher_and_every_node_records_its_cycles(
    make_cluster: Callable[..., Cluster], size: int
) -> None:
    cluster = make_cluster()
    node_ids = [f"node-{n}" for n in "abc"[:size]]
    for node_id in node_ids:
        cluster.start(node_id)

    def every_node_cycled() -> bool:
        return all(len(cluster.cycles(n)) >= CYCLES for n in node_ids)

    wait_until(every_node_cycled, f"{CYCLES} cycles recorded by each of {node_ids}")
    wait_until(lambda: len(cluster.publishes()) >= CYCLES, f"{CYCLES} publishes")

    records = cluster.publishes()
    check_one_publisher_at_a_time(records, cluster.handover_gap_s)
    lease = cluster.lease()
    assert lease is not None
    standbys = set(node_ids) - {lease.holder}
    assert len(standbys) == size - 1
    for standby in standbys:
        notes = [c.error or "" for c in cluster.cycles(standby)]
        assert any("standby node" in note for note in notes), notes
        assert all(c.status != "failed" for c in cluster.cycles(standby))
