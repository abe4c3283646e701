"""Numbered schema migrations, applied in order and recorded in `schema_migrations`.

Add a migration by appending `Migration(next_number, "what it does", sql_or_callable)` to
`MIGRATIONS`; never edit or renumber one that has shipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from storage.dialect import relation_names
from storage.errors import DatabaseMissingError, SchemaVersionError, StorageError
from storage.pacer_state import PACER_STATE_SCHEMA
from storage.schema.alarms import ALARMS_SCHEMA
from storage.schema.backlog import BACKLOG_SCHEMA
from storage.schema.compact import compact_history, legacy_rows_left
from storage.schema.controls import CONTROLS_SCHEMA
from storage.schema.leases import LEASE_TERM_SCHEMA, LEASES_SCHEMA
from storage.schema.script import split_statements
from storage.transactions import write_transaction

__all__ = [
    "MIGRATIONS",
    "MIGRATIONS_TABLE",
    "Migration",
    "SCHEMA_1",
    "apply_migrations",
    "check_schema_readable",
    "latest_version",
    "schema_version",
]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: SQL statements (`;`-separated) or a callable given the database."""

    number: int
    name: str
    apply: str | Callable[[sqlite_utils.Database], None]


# Migration 1 as shipped (also the source of PostgreSQL's tables: storage/schema/postgres/).
SCHEMA_1 = """
CREATE TABLE nodes (
    node_id      TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('embedded', 'headless')),
    period_s     REAL NOT NULL,
    started_at   REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    stopped_at   REAL,
    config_path  TEXT NOT NULL
) STRICT;

CREATE TABLE cycles (
    cycle_id       TEXT PRIMARY KEY,
    node_id        TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    scheduled_at   REAL NOT NULL,
    started_at     REAL NOT NULL,
    duration_s     REAL NOT NULL,
    lateness_s     REAL NOT NULL,
    period_s       REAL NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed', 'overrun')),
    targets_count  INTEGER NOT NULL,
    errors_count   INTEGER NOT NULL,
    error          TEXT,
    skipped_before INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX idx_cycles_started_at ON cycles (started_at);

-- Agent and queue figures are NULL when the stat source failed for the target: the cycle is
-- still recorded, with the error, rather than lost.
CREATE TABLE cycle_targets (
    record_id           TEXT PRIMARY KEY,
    cycle_id            TEXT NOT NULL REFERENCES cycles (cycle_id),
    target_id           TEXT NOT NULL,
    at                  REAL NOT NULL,
    media               TEXT NOT NULL,
    goal_pct            REAL NOT NULL,
    logged_in_slots     INTEGER,
    ready_slots         INTEGER,
    busy_slots          INTEGER,
    in_queue            INTEGER,
    accepted_total      INTEGER,
    abandoned_total     INTEGER,
    pending_invitations INTEGER,
    acceptance_rate     REAL,
    avg_handle_time_s   REAL,
    allowed_invitations INTEGER,
    interval_s          REAL,
    estimated_wait_s    REAL,
    reason              TEXT,
    error               TEXT
) STRICT;
CREATE INDEX idx_cycle_targets_target_at ON cycle_targets (target_id, at);
-- (at, record_id) rather than (at): it is also the keyset order of the CSV export
CREATE INDEX idx_cycle_targets_at ON cycle_targets (at, record_id);
CREATE INDEX idx_cycle_targets_cycle ON cycle_targets (cycle_id);

CREATE TABLE target_state (
    target_id           TEXT PRIMARY KEY,
    cycle_id            TEXT NOT NULL,
    at                  REAL NOT NULL,
    media               TEXT NOT NULL,
    goal_pct            REAL NOT NULL,
    logged_in_slots     INTEGER,
    ready_slots         INTEGER,
    busy_slots          INTEGER,
    in_queue            INTEGER,
    accepted_total      INTEGER,
    abandoned_total     INTEGER,
    pending_invitations INTEGER,
    acceptance_rate     REAL,
    avg_handle_time_s   REAL,
    allowed_invitations INTEGER,
    interval_s          REAL,
    estimated_wait_s    REAL,
    reason              TEXT,
    error               TEXT,
    updated_at          REAL NOT NULL
) STRICT;

CREATE TABLE scheduler_events (
    event_id TEXT PRIMARY KEY,
    node_id  TEXT NOT NULL,
    at       REAL NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('skipped', 'missed', 'error')),
    detail   TEXT NOT NULL
) STRICT;
CREATE INDEX idx_scheduler_events_at ON scheduler_events (at);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "nodes, cycles, cycle targets, target state, scheduler events", SCHEMA_1),
    Migration(2, "backlog settings and samples, hive-off rollups, runs, archives", BACKLOG_SCHEMA),
    Migration(3, "master lease", LEASES_SCHEMA),
    Migration(4, "alarm conditions, instances, transitions, runtime samples", ALARMS_SCHEMA),
    Migration(5, "pacer state for warm restarts", PACER_STATE_SCHEMA),
    Migration(6, "compact history: integer keys, row batches, views", compact_history),
    Migration(7, "target controls, audit trail, node requests", CONTROLS_SCHEMA),
    Migration(8, "fenced master lease: term", LEASE_TERM_SCHEMA),
)

MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    number     INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at REAL NOT NULL
) STRICT
"""


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The schema version this code migrates to."""
    return max((m.number for m in migrations), default=0)


def schema_version(db: sqlite_utils.Database) -> int:
    """The highest migration recorded in the database; 0 for a fresh one."""
    if "schema_migrations" not in relation_names(db):
        return 0
    row = db.execute("SELECT max(number) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def apply_migrations(
    db: sqlite_utils.Database,
    migrations: Sequence[Migration] = MIGRATIONS,
    now: Callable[[], float] = time.time,
) -> list[int]:
    """Apply pending migrations in one write transaction; return the numbers applied.

    Nodes starting together serialise on the write lock, so each migration runs once. A
    database recorded at a version newer than this code raises `SchemaVersionError`.
    """
    _check_sequence(migrations)
    target = latest_version(migrations)
    applied: list[int] = []
    with write_transaction(db):
        db.execute(MIGRATIONS_TABLE)
        current = schema_version(db)
        if current > target:
            raise SchemaVersionError(_too_new_message(current, target))
        for migration in migrations:
            if migration.number <= current:
                continue
            if isinstance(migration.apply, str):
                # Not executescript(): it COMMITs first, which would break the transaction
                # and leave a half-applied migration behind a failure.
                for statement in split_statements(migration.apply):
                    db.execute(statement)
            else:
                migration.apply(db)
            db.execute(
                "INSERT INTO schema_migrations (number, name, applied_at) "
                "VALUES (:number, :name, :applied_at)",
                {"number": migration.number, "name": migration.name, "applied_at": now()},
            )
            applied.append(migration.number)
    return applied


def check_schema_readable(db: sqlite_utils.Database, where: str) -> None:
    """Refuse to read a database that is not migrated yet, or migrated by newer code."""
    current = schema_version(db)
    target = latest_version()
    if current == 0:
        raise DatabaseMissingError(
            f"the database {where!r} exists but holds no Pacing Watch schema yet: start a node "
            "with this database path to initialise it."
        )
    if current > target:
        raise SchemaVersionError(_too_new_message(current, target))
    if current < target:
        raise SchemaVersionError(
            f"the database {where!r} is at schema version {current}, this code reads "
            f"version {target}: start a node of this version once to migrate it."
        )
    left = legacy_rows_left(db)
    if left is not None:
        raise SchemaVersionError(
            f"the database {where!r} is being converted to the compact history schema "
            f"({left:,} rows left): wait for the node that started it to finish, or start a "
            "node of this version with this database to resume the conversion."
        )


def _too_new_message(current: int, target: int) -> str:
    return (
        f"the database is at schema version {current}, newer than this code's version "
        f"{target}: it was migrated by a newer Pacing Watch. Upgrade this installation, or "
        "point it at another database file."
    )


def _check_sequence(migrations: Sequence[Migration]) -> None:
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StorageError(f"migrations must be numbered 1, 2, 3, ... in order, got {numbers}")
