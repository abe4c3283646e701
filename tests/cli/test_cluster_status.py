"""`pacing cluster status` on a real database: every node, the master lease, the roles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import connect
from storage.leases import MASTER_LEASE, claim_lease, prepare_leases, release_lease
from storage.nodes import record_node_start, record_node_stop
from storage.sql import Database, build_engine, parse_location
from tests.support import pacing_cli, write_test_config


def start_node(database: Path, node_id: str, started_at: float) -> None:
    db = connect(database)
    try:
        record_node_start(
            db,
            node_id=node_id,
            host=f"host-{node_id}",
            pid=4242,
            mode="headless",
            period_s=1.0,
            started_at=started_at,
            config_path="pacing.toml",
        )
    finally:
        db.close()


@contextmanager
def lease_database(database: Path) -> Iterator[Database]:
    engine = build_engine(parse_location(database))
    try:
        with Database.open(engine) as db:
            yield db
    finally:
        engine.dispose()


def cluster_of_three(database: Path) -> None:
    """node-a master, node-b a live standby, node-c stopped cleanly, node-d long gone."""
    now = time.time()
    for node_id in ("node-a", "node-b", "node-c"):
        start_node(database, node_id, now)
    start_node(database, "node-d", now - 3600)
    db = connect(database)
    try:
        record_node_stop(db, "node-c", now)
    finally:
        db.close()
    with lease_database(database) as lease_db:
        prepare_leases(lease_db)
        claim_lease(lease_db, MASTER_LEASE, "node-a", 3600)


def test_the_status_table_shows_the_master_its_term_and_every_node(tmp_path: Path) -> None:
    config, database = write_test_config(tmp_path)
    cluster_of_three(database)
    shown = pacing_cli("cluster", "status", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    head, header, *rows = shown.stdout.splitlines()
    assert head.startswith("master lease: node-a, term 1, expires in 3")
    assert "(database clock)" in head
    assert header.split() == ["node", "role", "host", "pid", "heartbeat", "age", "stopped"]
    roles = {row.split()[0]: (row.split()[1], row.split()[-1]) for row in rows}
    assert roles == {
        "node-a": ("master", "no"),
        "node-b": ("standby", "no"),
        "node-c": ("stopped", "yes"),
        "node-d": ("gone", "no"),
    }


def test_the_json_status_has_the_lease_and_each_nodes_heartbeat_age(tmp_path: Path) -> None:
    config, database = write_test_config(tmp_path)
    cluster_of_three(database)
    shown = pacing_cli("cluster", "status", "--json", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["master"] == "node-a"
    assert status["lease"]["holder"] == "node-a" and status["lease"]["term"] == 1
    assert 3500 < status["lease"]["expires_in_s"] <= 3600
    nodes = {n["node_id"]: n for n in status["nodes"]}
    assert nodes["node-d"]["heartbeat_age_s"] >= 3600
    assert nodes["node-b"]["host"] == "host-node-b" and nodes["node-b"]["pid"] == 4242
    assert nodes["node-c"]["stopped"] is True


def test_a_released_lease_means_no_master(tmp_path: Path) -> None:
    config, database = write_test_config(tmp_path)
    cluster_of_three(database)
    with lease_database(database) as db:
        release_lease(db, MASTER_LEASE, "node-a")
    status = json.loads(pacing_cli("cluster", "status", "--json", "--config", str(config)).stdout)
    assert status["master"] is None
    assert {n["node_id"]: n["role"] for n in status["nodes"]}["node-a"] == "standby"
    shown = pacing_cli("cluster", "status", "--config", str(config)).stdout
    assert "(last holder node-a, term 1): no master" in shown


def test_a_database_no_node_has_used_says_so(tmp_path: Path) -> None:
    config, _ = write_test_config(tmp_path)
    shown = pacing_cli("cluster", "status", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert "never taken" in shown.stdout
    assert "(no node has started on this database)" in shown.stdout
