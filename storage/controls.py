"""Operator controls in force per target, and the node requests a dashboard leaves.

Every change of a control writes its audit row in the same transaction, so the trail and the
controls never disagree. Lapsed controls are deleted by the next cycle (`lapse_controls`),
which writes one `control.lapse` row for each; two nodes lapsing together serialise on the
write lock and only the first finds the row to delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import sqlite_utils

from domain.controls import (
    SYSTEM_ACTOR,
    AuditEntry,
    ControlKind,
    TargetControl,
    describe_control,
)
from storage.audit import append_audit
from storage.transactions import write_transaction

_COLUMNS = "target_id, kind, value, reason, set_by, set_at, expires_at"
_UPSERT = f"""
INSERT INTO target_controls ({_COLUMNS})
VALUES (:target_id, :kind, :value, :reason, :set_by, :set_at, :expires_at)
ON CONFLICT (target_id, kind) DO UPDATE SET
    value = excluded.value, reason = excluded.reason, set_by = excluded.set_by,
    set_at = excluded.set_at, expires_at = excluded.expires_at
"""

_DELETE = "DELETE FROM target_controls WHERE target_id = :target_id AND kind = :kind"


@dataclass(frozen=True, slots=True)
class NodeRequest:
    """A request a dashboard left for every node of the database (`reload`)."""

    request_id: int
    kind: str
    requested_by: str
    requested_at: float


def _control(row: tuple[object, ...]) -> TargetControl:
    target_id, kind, value, reason, set_by, set_at, expires_at = row
    return TargetControl(
        target_id=str(target_id),
        kind=cast(ControlKind, kind),
        value=str(value),
        reason=str(reason),
        set_by=str(set_by),
        set_at=float(cast(float, set_at)),
        expires_at=None if expires_at is None else float(cast(float, expires_at)),
    )


def load_controls(db: sqlite_utils.Database) -> list[TargetControl]:
    """Every stored control, lapsed or not, by target and kind."""
    rows = db.conn.execute(
        f"SELECT {_COLUMNS} FROM target_controls ORDER BY target_id, kind"
    ).fetchall()
    return [_control(row) for row in rows]


def _load_one(db: sqlite_utils.Database, target_id: str, kind: str) -> TargetControl | None:
    row = db.conn.execute(
        f"SELECT {_COLUMNS} FROM target_controls WHERE target_id = :target_id AND kind = :kind",
        {"target_id": target_id, "kind": kind},
    ).fetchone()
    return None if row is None else _control(row)


def save_control(db: sqlite_utils.Database, control: TargetControl, source: str) -> None:
    """Set (or replace) the target's control of this kind, and audit it."""
    with write_transaction(db):
        old = _load_one(db, control.target_id, control.kind)
        db.execute(
            _UPSERT,
            {
                "target_id": control.target_id,
                "kind": control.kind,
                "value": control.value,
                "reason": control.reason,
                "set_by": control.set_by,
                "set_at": control.set_at,
                "expires_at": control.expires_at,
            },
        )
        append_audit(
            db,
            AuditEntry(
                at=control.set_at,
                who=control.set_by,
                action=f"control.{control.kind}",
                subject=control.target_id,
                old_value=describe_control(old),
                new_value=describe_control(control),
                reason=control.reason,
                source=source,
            ),
        )


def remove_control(
    db: sqlite_utils.Database,
    target_id: str,
    kind: ControlKind,
    *,
    who: str,
    reason: str,
    at: float,
    source: str,
) -> TargetControl | None:
    """Remove the target's control of this kind (audited); None when there was none."""
    with write_transaction(db):
        old = _load_one(db, target_id, kind)
        if old is None:
            return None
        db.execute(_DELETE, {"target_id": target_id, "kind": kind})
        action = "control.resume" if kind == "pause" else f"control.{kind}.remove"
        append_audit(
            db,
            AuditEntry(at, who, action, target_id, describe_control(old), "", reason, source),
        )
    return old


def lapse_controls(db: sqlite_utils.Database, now: float, source: str) -> list[TargetControl]:
    """Delete the controls whose expiry has passed, one audit row each; return them."""
    due = db.conn.execute(
        "SELECT 1 FROM target_controls WHERE expires_at IS NOT NULL AND expires_at <= :now LIMIT 1",
        {"now": now},
    ).fetchone()
    if due is None:  # the usual case: no write lock taken
        return []
    with write_transaction(db):
        rows = db.conn.execute(
            f"SELECT {_COLUMNS} FROM target_controls "
            "WHERE expires_at IS NOT NULL AND expires_at <= :now",
            {"now": now},
        ).fetchall()
        lapsed = [_control(row) for row in rows]
        for control in lapsed:
            db.execute(_DELETE, {"target_id": control.target_id, "kind": control.kind})
            append_audit(
                db,
                AuditEntry(
                    at=now,
                    who=SYSTEM_ACTOR,
                    action="control.lapse",
                    subject=control.target_id,
                    old_value=describe_control(control),
                    new_value="",
                    reason="expired",
                    source=source,
                ),
            )
    return lapsed


def request_node_action(db: sqlite_utils.Database, kind: str, who: str, at: float) -> int:
    """Leave a request (`reload`) that every node picks up at its next cycle; its id."""
    with write_transaction(db):
        row = db.execute(
            "INSERT INTO node_requests (kind, requested_by, requested_at) "
            "VALUES (:kind, :who, :at) RETURNING request_id",
            {"kind": kind, "who": who, "at": at},
        ).fetchone()
        return int(row[0])


def latest_node_request(db: sqlite_utils.Database, kind: str) -> NodeRequest | None:
    """The newest request of this kind, if any."""
    row = db.conn.execute(
        "SELECT request_id, kind, requested_by, requested_at FROM node_requests "
        "WHERE kind = :kind ORDER BY request_id DESC LIMIT 1",
        {"kind": kind},
    ).fetchone()
    if row is None:
        return None
    return NodeRequest(int(row[0]), str(row[1]), str(row[2]), float(row[3]))


__all__ = [
    "NodeRequest",
    "latest_node_request",
    "lapse_controls",
    "load_controls",
    "remove_control",
    "request_node_action",
    "save_control",
]
