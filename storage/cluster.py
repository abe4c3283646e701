"""The cluster as one database sees it: every node, the master lease, and who is master.

Read through the portable `Database` facade, so `pacing cluster status` works on SQLite and
PostgreSQL alike. Ages and the lease's time left are judged by the database's clock (the one
clock every node shares); heartbeats are written by each node's own clock, so on several
machines a heartbeat age also carries the clocks' skew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from domain.freshness import node_stale_after_s
from storage.leases import MASTER_LEASE, LeaseState, read_lease
from storage.sql import Database

NodeRole = Literal["master", "standby", "stopped", "gone"]


@dataclass(frozen=True, slots=True)
class ClusterNode:
    """One row of `nodes` with its role: master (holds a live lease), standby (alive),
    stopped (stopped cleanly) or gone (no fresh heartbeat: killed, frozen or cut off)."""

    node_id: str
    host: str
    pid: int
    period_s: float
    heartbeat_age_s: float
    stopped: bool
    role: NodeRole


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    db_now: float
    nodes: tuple[ClusterNode, ...]
    lease: LeaseState | None

    @property
    def master(self) -> str | None:
        """The lease holder while the lease is live, else None (nobody may publish)."""
        if self.lease is None or self.lease.remaining_s <= 0:
            return None
        return self.lease.holder


def read_cluster_status(db: Database) -> ClusterStatus:
    """Every node known to the database, the master lease, and each node's role."""
    lease = read_lease(db, MASTER_LEASE) if db.has_table("leases") else None
    db_now = lease.db_now if lease is not None else db.db_now()
    master = lease.holder if lease is not None and lease.remaining_s > 0 else None
    if not db.has_table("nodes"):  # a database no node has opened yet
        return ClusterStatus(db_now, (), lease)
    rows = db.execute(
        "SELECT node_id, host, pid, period_s, heartbeat_at, stopped_at FROM nodes ORDER BY node_id"
    ).all()
    return ClusterStatus(db_now, tuple(_node(row, db_now, master) for row in rows), lease)


def _node(row: Any, db_now: float, master: str | None) -> ClusterNode:
    age_s = db_now - float(row.heartbeat_at)
    period_s = float(row.period_s)
    role: NodeRole
    if row.stopped_at is not None:
        role = "stopped"
    elif age_s > node_stale_after_s(period_s):
        role = "gone"
    else:
        role = "master" if row.node_id == master else "standby"
    return ClusterNode(
        str(row.node_id),
        str(row.host),
        int(row.pid),
        period_s,
        age_s,
        row.stopped_at is not None,
        role,
    )
