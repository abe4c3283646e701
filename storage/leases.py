"""The fenced master lease: which node may publish, judged by the database's clock.

One row per lease name: holder, term, acquired_at, renewed_at, expires_at (epoch seconds of
the *database's* clock, read inside the same statement, never a node's: nodes on several
machines disagree about the time, the database is the one judge). A node takes the lease when
nobody holds it or the holder let it expire, and keeps it by renewing before it expires.

`term` is the fencing number: it grows by one at every change of holder and never on
renewal. A holder that was paused (SIGSTOP, a long GC, a partition) past its expiry and woke
up still believes it holds term N; `confirm_lease` tells it that the row now says N+1 (or
that the lease ends too soon), so it must not act. The claim is one `INSERT ... ON CONFLICT DO
UPDATE ... WHERE` statement in a write transaction: on SQLite the write lock serialises
claimants, on PostgreSQL the conflicting row is locked and the WHERE re-checked against the
newest version, so of several nodes racing for an expired lease exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.migrate import prepare_schema
from storage.sql import Database
from storage.sql.database import clock_sql_for

__all__ = [
    "MASTER_LEASE",
    "LeaseState",
    "claim_lease",
    "confirm_lease",
    "prepare_leases",
    "read_lease",
    "read_sqlite_lease",
    "release_lease",
]

# The lease the publishing master holds (one per database).
MASTER_LEASE = "master"


@dataclass(frozen=True, slots=True)
class LeaseState:
    """A lease row as read back after a claim, with the database's clock at that moment."""

    name: str
    holder: str
    term: int
    acquired_at: float
    expires_at: float
    db_now: float

    def held_by(self, node_id: str) -> bool:
        return self.holder == node_id

    @property
    def remaining_s(self) -> float:
        """How long the lease still runs, by the database's clock."""
        return self.expires_at - self.db_now


def prepare_leases(db: Database) -> None:
    """Make sure the lease table exists: through each engine's numbered migrations (and so
    the rest of the schema with it)."""
    prepare_schema(db)


def _claim_sql(clock: str) -> str:
    # INSERT ... SELECT so the clock is read once; `WHERE true` lets SQLite parse the ON
    # CONFLICT clause after a SELECT. SET expressions all see the row as it was.
    return f"""
INSERT INTO leases (name, holder, term, acquired_at, renewed_at, expires_at)
SELECT :name, :holder, 1, clock.now, clock.now, clock.now + :ttl_s
FROM (SELECT {clock} AS now) AS clock
WHERE true
ON CONFLICT (name) DO UPDATE SET
    term = CASE WHEN leases.holder = excluded.holder
                THEN leases.term ELSE leases.term + 1 END,
    acquired_at = CASE WHEN leases.holder = excluded.holder
                       THEN leases.acquired_at ELSE excluded.acquired_at END,
    holder = excluded.holder,
    renewed_at = excluded.renewed_at,
    expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at
"""


def _read_sql(clock: str) -> str:
    return (
        f"SELECT name, holder, term, acquired_at, expires_at, {clock} AS db_now "
        "FROM leases WHERE name = :name"
    )


def claim_lease(db: Database, name: str, node_id: str, ttl_s: float) -> LeaseState:
    """Take or renew the lease `name` for `node_id` if free, expired or already ours; return
    the row as it stands afterwards (whoever holds it)."""
    if ttl_s <= 0:
        raise ValueError(f"lease ttl_s must be positive, got {ttl_s}")
    if not node_id:
        raise ValueError("lease node_id must not be empty")
    with db.write_transaction():
        db.execute(_claim_sql(db.clock_sql), {"name": name, "holder": node_id, "ttl_s": ttl_s})
        state = read_lease(db, name)
    assert state is not None  # the statement above inserted or kept the row
    return state


def read_lease(db: Database, name: str) -> LeaseState | None:
    """The lease row `name` with the database's clock now, or None if never taken."""
    row = db.execute(_read_sql(db.clock_sql), {"name": name}).one_or_none()
    if row is None:
        return None
    return LeaseState(
        str(row.name),
        str(row.holder),
        int(row.term),
        float(row.acquired_at),
        float(row.expires_at),
        float(row.db_now),
    )


def read_sqlite_lease(db: sqlite_utils.Database, name: str) -> LeaseState | None:
    """`read_lease` on a SQLite file through the sqlite_utils connection the node's alarm
    evaluation still uses (until the storage port moves it onto `Database`)."""
    cursor = db.conn.execute(_read_sql(clock_sql_for("sqlite")), {"name": name})
    row = cursor.fetchone()
    if row is None:
        return None
    name_, holder, term, acquired_at, expires_at, db_now = row
    return LeaseState(
        str(name_), str(holder), int(term), float(acquired_at), float(expires_at), float(db_now)
    )


def confirm_lease(db: Database, name: str, node_id: str, term: int, must_outlive_s: float) -> bool:
    """True only if `node_id` still holds `name` in `term` and the lease runs at least
    `must_outlive_s` more seconds by the database's clock: the check before acting as master."""
    if must_outlive_s < 0:
        raise ValueError(f"must_outlive_s must not be negative, got {must_outlive_s}")
    found = db.execute(
        f"""SELECT count(*) FROM leases
        WHERE name = :name AND holder = :holder AND term = :term
          AND expires_at - {db.clock_sql} >= :must_outlive_s""",
        {"name": name, "holder": node_id, "term": term, "must_outlive_s": must_outlive_s},
    ).scalar_one()
    return int(found) == 1


def release_lease(db: Database, name: str, node_id: str) -> None:
    """End the lease now if `node_id` holds it, so another node can take over at once."""
    clock = db.clock_sql
    with db.write_transaction():
        db.execute(
            f"UPDATE leases SET expires_at = {clock} "
            f"WHERE name = :name AND holder = :holder AND expires_at > {clock}",
            {"name": name, "holder": node_id},
        )
