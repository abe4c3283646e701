"""Failover time of a real cluster: `kill -9` of the master until the new master publishes.

Run: .venv/bin/python benchmarks/failover.py [kills] [period_s] [lease_ttl_s]   (prints figures)

Three `pacing node` processes share one database (a SQLite file: nodes on one machine) and the
fake platform, whose publish log says who published when. Each round kills the master, measures
from the kill to the first request of another node, then restarts the killed node (it comes
back as a standby) and waits until it records a cycle before the next kill. The expected worst
case is lease_ttl + one refresh period (the lease runs out, then the standby's next cycle).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from tests.cluster.harness import Cluster, publishers_after, wait_until  # noqa: E402

NODES = ("node-a", "node-b", "node-c")


def one_kill(cluster: Cluster) -> float:
    """Kill the master, wait for another node's publish; seconds from kill to that publish."""
    lease = cluster.lease()
    assert lease is not None
    master = lease.holder
    killed_at = cluster.kill(master)
    wait_until(
        lambda: bool(publishers_after(cluster.publishes(), killed_at) - {master}),
        "a new master publishing",
    )
    first = min(r.at for r in cluster.publishes() if r.at > killed_at and r.node != master)
    seen = len(cluster.cycles(master))
    cluster.start(master)
    wait_until(lambda: len(cluster.cycles(master)) > seen, f"{master} back as a standby")
    return first - killed_at


def main() -> None:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    period_s = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    ttl_s = float(sys.argv[3]) if len(sys.argv) > 3 else period_s
    with tempfile.TemporaryDirectory() as folder:
        cluster = Cluster(Path(folder), str(Path(folder) / "pacing.db"), period_s, ttl_s)
        try:
            for node_id in NODES:
                cluster.start(node_id)
            wait_until(lambda: all(cluster.cycles(n) for n in NODES), "a cycle of every node")
            wait_until(lambda: len(cluster.publishes()) >= 2, "two publishes")
            times = [one_kill(cluster) for _ in range(kills)]
        finally:
            cluster.close()
    print(f"{len(NODES)} nodes, SQLite, refreshPeriod {period_s:g} s, lease_ttl {ttl_s:g} s")
    print("kill -9 of the master -> first publish by the new master, seconds:")
    print("  " + " ".join(f"{t:.2f}" for t in times))
    median_s, worst_s = statistics.median(times), max(times)
    print(
        f"  median {median_s:.2f} s ({median_s / period_s:.2f} periods), "
        f"worst {worst_s:.2f} s ({worst_s / period_s:.2f} periods); "
        f"bound lease_ttl + period = {ttl_s + period_s:g} s"
    )


if __name__ == "__main__":
    main()
