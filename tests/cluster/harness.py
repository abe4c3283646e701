"""A test cluster: real `pacing node` processes sharing one database and one fake platform.

Each node is its own process (`python -m cli node`) with its own configuration file, all
pointing at the same `[node] database` and the same in-process `FakeRemote`, whose publish log
says which node published each bulk request under which lease term. The database is named by
a string (a SQLite path today, a `postgresql://` URL once the storage port lands), and every
read goes through the portable `storage.sql` layer, so the same harness serves both engines.
Waits are for states (rows, log records, a process gone) with generous give-ups.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import parse_config
from fakes import FakeCredentials, FakeRemote
from fakes.remote import PublishRecord
from storage.errors import StorageError
from storage.sql import Database, build_engine, parse_location
from tests.support import ROOT, shipped_raw, write_toml

CLIENT_ID = "pacing-cluster-client"
SECRET = "cluster-s3cr3t-that-must-never-leak"
SECRET_ENV = "PACING_CLUSTER_CLIENT_SECRET"

# A state a healthy cluster reaches in a few periods; generous for a busy 2-core machine.
STATE_TIMEOUT_S = 90.0


@dataclass(frozen=True, slots=True)
class CycleRow:
    node_id: str
    cycle_id: str
    started_at: float
    status: str
    error: str | None


@dataclass(frozen=True, slots=True)
class LeaseRow:
    holder: str
    term: int
    expires_at: float


@dataclass
class ClusterNode:
    node_id: str
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    paused: bool = False

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.node_id} was never started"
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    """Nodes, the fake platform and the shared database of one test (or benchmark) cluster."""

    folder: Path
    database: str
    period_s: float = 2.0
    lease_ttl_s: float = 2.0
    budget_ratio: float = 0.5
    nodes: dict[str, ClusterNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        raw = shipped_raw()
        config = parse_config(raw, source="cluster")
        self.remote = FakeRemote(
            config.targets,
            config.agent_groups,
            config.simulator,
            credentials=FakeCredentials(CLIENT_ID, SECRET),
        ).start()
        self._engine = build_engine(parse_location(self.database, where="cluster database"))

    @property
    def handover_gap_s(self) -> float:
        """The least time between two publishers' requests: lease ttl - publish deadline."""
        return self.lease_ttl_s - self.budget_ratio * self.period_s

    # -- nodes ----------------------------------------------------------------------------

    def start(self, node_id: str) -> ClusterNode:
        """Start (or restart) `pacing node` as `node_id`; its log goes to `<node_id>.log`."""
        node = self.nodes.get(node_id) or ClusterNode(
            node_id, self._write_config(node_id), self.folder / f"{node_id}.log"
        )
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "node", "--config", str(node.config)],
                cwd=self.folder,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", SECRET_ENV: SECRET},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        node.paused = False
        self.nodes[node_id] = node
        return node

    def kill(self, node_id: str) -> float:
        """`kill -9` the node; returns when it was sent (epoch seconds)."""
        node = self.nodes[node_id]
        at = time.time()
        os.kill(node.pid, signal.SIGKILL)
        assert node.process is not None
        node.process.wait(timeout=30)
        return at

    def pause(self, node_id: str) -> float:
        """SIGSTOP the node at a moment it holds no write transaction; when it was frozen.

        On SQLite a process frozen inside a write transaction keeps the database's one write
        lock until it wakes, so no node can write, not even to take the lease over (README
        "Running a cluster" says so). That is not the freeze this harness is for: if the
        frozen node turns out to hold the lock, it is woken and frozen again until it does not.
        """
        node = self.nodes[node_id]
        give_up = time.monotonic() + STATE_TIMEOUT_S
        while True:
            at = time.time()
            os.kill(node.pid, signal.SIGSTOP)
            node.paused = True
            if self._write_lock_free():
                return at
            self.resume(node_id)
            if time.monotonic() > give_up:
                raise AssertionError(f"{node_id} held the write lock at every freeze")

    def _write_lock_free(self) -> bool:
        """Whether a write transaction can start now (waiting up to the busy timeout)."""
        if self._engine.dialect.name != "sqlite":
            return True  # PostgreSQL locks rows, not the database: its own tests will show how
            # a frozen holder of the lease row is handled there
        try:
            with Database.open(self._engine) as db, db.write_transaction():
                return True
        except StorageError:
            return False

    def resume(self, node_id: str) -> float:
        node = self.nodes[node_id]
        at = time.time()
        os.kill(node.pid, signal.SIGCONT)
        node.paused = False
        return at

    def close(self) -> None:
        """Stop every node (waking frozen ones first), then the platform and the pool."""
        for node in self.nodes.values():
            process = node.process
            if process is None or process.poll() is not None:
                continue
            if node.paused:
                os.kill(process.pid, signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
        for node in self.nodes.values():
            if node.process is None:
                continue
            try:
                node.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait(timeout=30)
        self.remote.stop()
        self._engine.dispose()

    # -- what happened --------------------------------------------------------------------

    def publishes(self) -> list[PublishRecord]:
        """The fake platform's log of bulk requests, oldest first."""
        return [
            PublishRecord(p["at"], p["node"], p["term"], p["targets"])
            for p in self.remote.state()["publishes"]
        ]

    def cycles(self, node_id: str | None = None) -> list[CycleRow]:
        rows = self._query(
            "SELECT node_id, cycle_id, started_at, status, error FROM cycles "
            + ("WHERE node_id = :node_id " if node_id else "")
            + "ORDER BY started_at",
            {"node_id": node_id} if node_id else {},
        )
        return [CycleRow(*row) for row in rows]

    def lease(self) -> LeaseRow | None:
        rows = self._query("SELECT holder, term, expires_at FROM leases WHERE name = 'master'")
        return LeaseRow(*rows[0]) if rows else None

    def alarm_transitions(self, condition: str) -> list[tuple[Any, ...]]:
        return self._query(
            "SELECT to_state, reason FROM alarm_transitions WHERE condition = :condition "
            "ORDER BY at",
            {"condition": condition},
        )

    def _query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            with Database.open(self._engine) as db:
                return [tuple(row) for row in db.execute(sql, params or {})]
        except StorageError:  # the nodes have not created or migrated it yet
            return []

    # -- configuration --------------------------------------------------------------------

    def _write_config(self, node_id: str) -> Path:
        raw = shipped_raw()
        raw["node"].update(database=self.database, node_id=node_id, embedded=False)
        raw["pacing"]["refreshPeriod"] = self.period_s
        raw["pacingEndpoint"].update(timeout=1.0)
        url = self.remote.url
        raw["hybrid_integration"] = {
            "base_auth_url": f"{url}/oauth/token",
            "base_service_url": f"{url}/api/",
            "client_id": CLIENT_ID,
            "client_secret_env": SECRET_ENV,
        }
        raw["stat_source"] = {"kind": "http", "url": f"{url}/stats", "timeout": 1.0}
        raw["publisher"] = {
            "kind": "http",
            "lease_ttl": self.lease_ttl_s,
            "budget_ratio": self.budget_ratio,
        }
        return write_toml(self.folder / f"{node_id}.toml", raw)


def wait_until(check: Callable[[], bool], what: str, within_s: float = STATE_TIMEOUT_S) -> None:
    """Wait for a state; fail naming it when it does not come within the (generous) limit."""
    give_up = time.monotonic() + within_s
    while not check():
        if time.monotonic() > give_up:
            raise AssertionError(f"waited {within_s:g} s in vain for: {what}")
        time.sleep(0.1)


def publishers_after(records: list[PublishRecord], at: float) -> set[str | None]:
    return {record.node for record in records if record.at > at}


def check_one_publisher_at_a_time(records: list[PublishRecord], min_gap_s: float) -> None:
    """The fencing invariants, from the platform's point of view.

    Every request names its node and term; a term belongs to one node; terms never go back;
    and when the publisher changes, the new one's first request comes at least `min_gap_s`
    after the old one's last. The old master sent it within the publish deadline of a
    confirmation that its lease (renewed for a full ttl) outlived that deadline, and the new
    master could only take the lease once it expired: the gap is at least ttl - deadline.
    """
    assert records, "nobody published"
    assert all(r.node and r.term for r in records), records
    owners: dict[int, str | None] = {}
    for record in records:
        assert record.term is not None
        assert owners.setdefault(record.term, record.node) == record.node, (
            f"term {record.term} published by {owners[record.term]} and {record.node}"
        )
    terms = [r.term or 0 for r in records]
    assert terms == sorted(terms), f"terms went back: {terms}"
    for before, after in zip(records, records[1:], strict=False):
        if before.node != after.node:
            gap_s = after.at - before.at
            assert gap_s >= min_gap_s, (
                f"{before.node} published at {before.at:.3f} and {after.node} at "
                f"{after.at:.3f}, only {gap_s:.3f} s apart (at least {min_gap_s:g} s expected)"
            )
