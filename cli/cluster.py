"""`pacing cluster status`: every node of the shared database, the master lease, the roles.

Read-only, from the database alone (no node is asked), so it answers the same whichever host
runs it and while nodes are dead: the table an operator reads during a failover.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.common import EXIT_OK, Commands, add_config_option, load_cli_config
from storage.cluster import ClusterStatus, read_cluster_status
from storage.sql import Database, build_engine, parse_location


def register(commands: Commands) -> None:
    """Add `pacing cluster status`."""
    cluster = commands.add_parser("cluster", help="the nodes sharing this database, and the master")
    add_config_option(cluster)
    cluster.add_argument("action", choices=("status",), help="status: nodes, lease, roles")
    cluster.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cluster.set_defaults(handler=_status)


def _status(args: argparse.Namespace) -> int:
    config = load_cli_config(args)
    location = parse_location(config.node.database_path, where="node.database")
    engine = build_engine(location)
    try:
        with Database.open(engine) as db:
            status = read_cluster_status(db)
    finally:
        engine.dispose()
    sys.stdout.write(
        json.dumps(status_json(status), indent=2) + "\n" if args.json else render(status)
    )
    return EXIT_OK


def status_json(status: ClusterStatus) -> dict[str, Any]:
    """The status as JSON: times are ages and time left, by the database's clock."""
    lease = status.lease
    return {
        "master": status.master,
        "lease": None
        if lease is None
        else {
            "holder": lease.holder,
            "term": lease.term,
            "expires_in_s": round(lease.remaining_s, 3),
            "held_for_s": round(lease.db_now - lease.acquired_at, 3),
        },
        "nodes": [
            {
                "node_id": node.node_id,
                "role": node.role,
                "host": node.host,
                "pid": node.pid,
                "heartbeat_age_s": round(node.heartbeat_age_s, 3),
                "stopped": node.stopped,
                "period_s": node.period_s,
            }
            for node in status.nodes
        ],
    }


def render(status: ClusterStatus) -> str:
    """The status as a table an operator reads, with the lease line first."""
    lease = status.lease
    if lease is None:
        head = "master lease: never taken (no node has published on this database)"
    elif status.master is None:
        head = (
            f"master lease: expired {-lease.remaining_s:.1f} s ago (last holder {lease.holder}, "
            f"term {lease.term}): no master"
        )
    else:
        head = (
            f"master lease: {lease.holder}, term {lease.term}, "
            f"expires in {lease.remaining_s:.1f} s (database clock)"
        )
    rows = [("node", "role", "host", "pid", "heartbeat age", "stopped")]
    rows += [
        (
            n.node_id,
            n.role,
            n.host,
            str(n.pid),
            f"{n.heartbeat_age_s:.1f} s",
            "yes" if n.stopped else "no",
        )
        for n in status.nodes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if not status.nodes:
        lines.append("(no node has started on this database)")
    return head + "\n" + "\n".join(lines) + "\n"
