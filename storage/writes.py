"""Writes of the pacing node: cycles with their targets, node lifecycle, scheduler events.

Every record carries its own id and is inserted with `ON CONFLICT(<id>) DO NOTHING`, so the
backlog can retry a write without duplicating it. `INSERT OR IGNORE` is avoided on purpose: it
would also silently drop rows that break NOT NULL or CHECK constraints.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Literal, get_args

import sqlite_utils

from storage.errors import UnknownNodeError
from storage.transactions import write_transaction

__all__ = [
    "TARGET_VALUE_COLUMNS",
    "CycleRecord",
    "CycleStatus",
    "NodeMode",
    "SchedulerEventKind",
    "TargetRecord",
    "record_cycle",
    "record_heartbeat",
    "record_node_start",
    "record_node_stop",
    "record_scheduler_event",
]

CycleStatus = Literal["ok", "partial", "failed", "overrun"]
NodeMode = Literal["embedded", "headless"]
SchedulerEventKind = Literal["skipped", "missed", "error"]


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """One pacing cycle as stored (times are epoch seconds, UTC)."""

    cycle_id: str
    node_id: str
    seq: int
    scheduled_at: float
    started_at: float
    duration_s: float
    lateness_s: float
    period_s: float
    status: CycleStatus
    targets_count: int
    errors_count: int
    error: str | None = None
    skipped_before: int = 0  # scheduler fires skipped since the previous cycle (overruns)

    def __post_init__(self) -> None:
        where = f"(cycle {self.cycle_id!r})"
        if not self.cycle_id:
            raise ValueError("cycle_id must not be empty")
        if self.status not in get_args(CycleStatus):
            raise ValueError(
                f"status must be one of {', '.join(get_args(CycleStatus))}, "
                f"got {self.status!r} {where}"
            )
        for name in ("seq", "targets_count", "errors_count", "skipped_before"):
            _check_not_negative(name, getattr(self, name), where)
        for name in ("scheduled_at", "started_at", "duration_s", "lateness_s", "period_s"):
            _check_finite(name, getattr(self, name), where)
        _check_not_negative("duration_s", self.duration_s, where)
        if self.period_s <= 0:
            raise ValueError(f"period_s must be positive, got {self.period_s} {where}")


@dataclass(frozen=True, slots=True)
class TargetRecord:
    """Every input and output of one pacing target in one cycle."""

    cycle_id: str
    target_id: str
    at: float
    media: str
    goal_pct: float
    # None when the stat source gave nothing for this target (then `error` says why)
    logged_in_slots: int | None
    ready_slots: int | None
    busy_slots: int | None
    in_queue: int | None
    accepted_total: int | None
    abandoned_total: int | None
    pending_invitations: int | None = None
    acceptance_rate: float | None = None
    avg_handle_time_s: float | None = None
    allowed_invitations: int | None = None
    interval_s: float | None = None
    estimated_wait_s: float | None = None
    reason: str | None = None
    error: str | None = None

    @property
    def record_id(self) -> str:
        """The idempotency key: one row per target per cycle."""
        return f"{self.cycle_id}/{self.target_id}"

    def __post_init__(self) -> None:
        where = f"(target {self.target_id!r}, cycle {self.cycle_id!r})"
        if not self.cycle_id or not self.target_id:
            raise ValueError(f"cycle_id and target_id must not be empty {where}")
        _check_finite("at", self.at, where)
        if not 0 <= self.goal_pct <= 100:
            raise ValueError(f"goal_pct must be between 0 and 100, got {self.goal_pct} {where}")
        for name in (
            "logged_in_slots",
            "ready_slots",
            "busy_slots",
            "in_queue",
            "accepted_total",
            "abandoned_total",
            "pending_invitations",
            "allowed_invitations",
        ):
            value = getattr(self, name)
            if value is not None:
                _check_not_negative(name, value, where)


# Every figure of a target row besides its keys (cycle_id, target_id, at), in column order.
TARGET_VALUE_COLUMNS: tuple[str, ...] = tuple(
    field.name
    for field in fields(TargetRecord)
    if field.name not in ("cycle_id", "target_id", "at")
)


def _check_not_negative(name: str, value: float, where: str) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value} {where}")


def _check_finite(name: str, value: float, where: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value} {where}")


_CYCLE_COLUMNS = tuple(f.name for f in fields(CycleRecord))
_TARGET_COLUMNS = tuple(f.name for f in fields(TargetRecord))
_STATE_COLUMNS = (*_TARGET_COLUMNS, "updated_at")
_cycle_values = attrgetter(*_CYCLE_COLUMNS)  # a tuple in column order
_target_values = attrgetter(*_TARGET_COLUMNS)


def _insert_sql(table: str, columns: Sequence[str], conflict_key: str) -> str:
    # Identifiers come from the dataclass fields above, never from callers.
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT({conflict_key}) DO NOTHING"


_INSERT_CYCLE = _insert_sql("cycles", _CYCLE_COLUMNS, "cycle_id")
_INSERT_TARGET = _insert_sql("cycle_targets", ("record_id", *_TARGET_COLUMNS), "record_id")
_UPSERT_STATE = (
    f"INSERT INTO target_state ({', '.join(_STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _STATE_COLUMNS)}) "
    "ON CONFLICT(target_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS if c != "target_id")
    # A late retry of an old cycle must not overwrite a newer live state.
    + " WHERE excluded.at > target_state.at"
)


def record_cycle(
    db: sqlite_utils.Database,
    cycle: CycleRecord,
    targets: Sequence[TargetRecord],
    *,
    recorded_at: float | None = None,
) -> bool:
    """Store one cycle and its target rows atomically; False if it was already stored.

    The latest state of each target is updated only when the row is newer than the stored one.
    `recorded_at` (default: now) stamps `target_state.updated_at`.
    """
    for target in targets:
        if target.cycle_id != cycle.cycle_id:
            raise ValueError(
                f"target {target.target_id!r} belongs to cycle {target.cycle_id!r}, "
                f"not to cycle {cycle.cycle_id!r}"
            )
    stamp = time.time() if recorded_at is None else recorded_at
    conn = db.conn
    with write_transaction(db):
        if conn.execute(_INSERT_CYCLE, _cycle_values(cycle)).rowcount == 0:
            return False  # a retry: the targets were stored with the cycle, atomically
        conn.executemany(_INSERT_TARGET, [(t.record_id, *_target_values(t)) for t in targets])
        conn.executemany(_UPSERT_STATE, [(*_target_values(t), stamp) for t in targets])
    return True


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
            VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
            ON CONFLICT(node_id) DO UPDATE SET
                host = excluded.host, pid = excluded.pid, mode = excluded.mode,
                period_s = excluded.period_s, started_at = excluded.started_at,
                heartbeat_at = excluded.heartbeat_at, stopped_at = NULL,
                config_path = excluded.config_path
            """,
            (node_id, host, pid, mode, period_s, started_at, started_at, config_path),
        )


def record_heartbeat(db: sqlite_utils.Database, node_id: str, at: float) -> None:
    """Move the node's heartbeat forward to `at` (never backwards)."""
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE nodes SET heartbeat_at = max(heartbeat_at, ?) WHERE node_id = ?",
            (at, node_id),
        )
        if cursor.rowcount == 0:
            raise UnknownNodeError(_unknown_node(node_id, "heartbeat"))


def record_node_stop(db: sqlite_utils.Database, node_id: str, at: float) -> None:
    """Mark the node stopped at `at`; its last heartbeat moves forward to `at` too."""
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE nodes SET stopped_at = ?, heartbeat_at = max(heartbeat_at, ?) "
            "WHERE node_id = ?",
            (at, at, node_id),
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
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
            (event_id, node_id, at, kind, detail),
        )
        return cursor.rowcount == 1
