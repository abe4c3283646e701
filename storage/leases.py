"""The master lease: which node may publish to the engagement platform.

One row per lease name. A node takes the lease when nobody holds it or the holder let it
expire, and keeps it by renewing before it expires (each cycle). Everything happens in one
`BEGIN IMMEDIATE` transaction, so two nodes racing for an expired lease cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.transactions import write_transaction

__all__ = ["LEASES_SCHEMA", "LeaseState", "claim_lease", "release_lease"]

# Applied by the migration "master lease" in storage/migrations.py.
LEASES_SCHEMA = """
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at REAL NOT NULL,
    renewed_at  REAL NOT NULL,
    expires_at  REAL NOT NULL
) STRICT;
"""

_CLAIM = """
INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at)
VALUES (:name, :holder, :now, :now, :expires_at)
ON CONFLICT (name) DO UPDATE SET
    acquired_at = CASE WHEN leases.holder = excluded.holder
                       THEN leases.acquired_at ELSE excluded.acquired_at END,
    holder = excluded.holder,
    renewed_at = excluded.renewed_at,
    expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at
"""


@dataclass(frozen=True, slots=True)
class LeaseState:
    """Who holds a lease after a claim, and until when (epoch seconds)."""

    name: str
    holder: str
    acquired_at: float
    expires_at: float

    def held_by(self, node_id: str) -> bool:
        return self.holder == node_id


def claim_lease(
    db: sqlite_utils.Database, name: str, node_id: str, now: float, ttl_s: float
) -> LeaseState:
    """Take or renew the lease `name` for `node_id` if free, expired or already ours."""
    if ttl_s <= 0:
        raise ValueError(f"lease ttl_s must be positive, got {ttl_s}")
    with write_transaction(db):
        db.execute(_CLAIM, {"name": name, "holder": node_id, "now": now, "expires_at": now + ttl_s})
        row = db.execute(
            "SELECT holder, acquired_at, expires_at FROM leases WHERE name = ?", [name]
        ).fetchone()
    return LeaseState(name, str(row[0]), float(row[1]), float(row[2]))


def release_lease(db: sqlite_utils.Database, name: str, node_id: str, now: float) -> None:
    """Let the lease expire now if `node_id` holds it, so another node can take over at once."""
    with write_transaction(db):
        db.execute(
            "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?", [now, name, node_id]
        )
