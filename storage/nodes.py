"""Nodes: start, heartbeat and stop, the scheduler's events, and every node as dashboards see it."""

from __future__ import annotations

from typing import get_args

import sqlite_utils

from domain.records import NodeMode, NodeStatus, SchedulerEventKind
from storage.dialect import greatest
from storage.errors import UnknownNodeError
from storage.frames import fetch
from storage.transactions import write_transaction


def record_node_start(
    db: sqlite_utils.Database,
    *,
    node_id: str,
    host: str,
    pid: int,
    mode: NodeMode,
    period_s: float,
    started_at: float,
    config_path: str,
) -> None:
    """Register a node (or its restart under the same id): heartbeat = start, not stopped."""
    if mode not in get_args(NodeMode):
        raise ValueError(f"mode must be 'embedded' or 'headless', got {mode!r}")
    with write_transaction(db):
        db.conn.execute(
            """
            INSERT INTO nodes (node_id, host, pid, mode, period_s, started_at, heartbeat_at,
                               stopped_at, config_path)
            VALUES (:node_id, :host, :pid, :mode, :period_s, :started_at, :started_at, NULL,
                    :config_path)
            ON CONFLICT(node_id) DO UPDATE SET
                host = excluded.host, pid = excluded.pid, mode = excluded.mode,
                period_s = excluded.period_s, started_at = excluded.started_at,
                heartbeat_at = excluded.heartbeat_at, stopped_at = NULL,
                config_path = excluded.config_path
            """,
            {
                "node_id": node_id,
                "host": host,
                "pid": pid,
                "mode": mode,
                "period_s": period_s,
                "started_at": started_at,
                "config_path": config_path,
            },
        )


def record_heartbeat(db: sqlite_utils.Database, node_id: str, at: float) -> None:
    """Move the node's heartbeat forward to `at` (never backwards)."""
    with write_transaction(db):
        cursor = db.conn.execute(
            f"UPDATE nodes SET heartbeat_at = {greatest('heartbeat_at', ':at')} "
            "WHERE node_id = :node_id",
            {"at": at, "node_id": node_id},
        )
        if cursor.rowcount == 0:
            raise UnknownNodeError(_unknown_node(node_id, "heartbeat"))


def record_node_stop(db: sqlite_utils.Database, node_id: str, at: float) -> None:
    """Mark the node stopped at `at`; its last heartbeat moves forward to `at` too."""
    with write_transaction(db):
        cursor = db.conn.execute(
            f"UPDATE nodes SET stopped_at = :at, heartbeat_at = {greatest('heartbeat_at', ':at')} "
            "WHERE node_id = :node_id",
            {"at": at, "node_id": node_id},
        )
        if cursor.rowcount == 0:
            raise UnknownNodeError(_unknown_node(node_id, "stop"))


def _unknown_node(node_id: str, what: str) -> str:
    return (
        f"cannot record the {what} of node {node_id!r}: it never recorded its start "
        "(record_node_start must run first)"
    )


def record_scheduler_event(
    db: sqlite_utils.Database,
    event_id: str,
    node_id: str,
    at: float,
    kind: SchedulerEventKind,
    detail: str,
) -> bool:
    """Store an APScheduler skip, missed run or crash; False if the event was already stored."""
    if kind not in get_args(SchedulerEventKind):
        raise ValueError(f"kind must be one of skipped, missed, error, got {kind!r}")
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO scheduler_events (event_id, node_id, at, kind, detail) "
            "VALUES (:event_id, :node_id, :at, :kind, :detail) ON CONFLICT(event_id) DO NOTHING",
            {"event_id": event_id, "node_id": node_id, "at": at, "kind": kind, "detail": detail},
        )
        return cursor.rowcount == 1


def read_node_status(
    db: sqlite_utils.Database, now: float, stale_after_s: float
) -> list[NodeStatus]:
    """Every node known to the database, most recent heartbeat first."""
    rows = fetch(
        db,
        "SELECT node_id, host, pid, mode, period_s, started_at, stopped_at, heartbeat_at "
        "FROM nodes ORDER BY heartbeat_at DESC, node_id",
    )
    statuses = []
    for node_id, host, pid, mode, period_s, started_at, stopped_at, heartbeat_at in rows:
        age_s = now - heartbeat_at
        statuses.append(
            NodeStatus(
                node_id=node_id,
                host=host,
                pid=pid,
                mode=mode,
                period_s=period_s,
                started_at=started_at,
                stopped_at=stopped_at,
                alive=stopped_at is None and age_s <= stale_after_s,
                last_heartbeat_age_s=age_s,
            )
        )
    return statuses
