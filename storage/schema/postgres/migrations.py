"""PostgreSQL's numbered migrations, recorded in `schema_migrations` as on SQLite.

Numbers are shared with SQLite (storage/schema/migrations.py): a version means the same schema
on both engines. PostgreSQL starts at the *baseline*, migration 8, which builds in one step
the schema SQLite reaches through migrations 1-8 (SQLite's 1-7 include conversions of older
data that no PostgreSQL database ever had). A schema change from now on is written twice
under one number, `Migration(9, ...)` in SQLite's list and `PostgresMigration(9, ...)` here;
a test fails while the two lists end at different numbers.

Several nodes may start at once on one database: `apply_postgres_migrations` runs in one
transaction (PostgreSQL's DDL is transactional: a failed migration leaves nothing behind)
that first takes a transaction-scoped advisory lock, so appliers queue and each migration
runs once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storage.errors import SchemaVersionError, StorageError
from storage.pacer_state import PACER_STATE_SCHEMA
from storage.schema.alarms import ALARMS_SCHEMA
from storage.schema.backlog import BACKLOG_SCHEMA
from storage.schema.controls import CONTROLS_SCHEMA
from storage.schema.leases import POSTGRES_LEASES_SCHEMA
from storage.schema.migrations import MIGRATIONS_TABLE, SCHEMA_1
from storage.schema.postgres.history import HISTORY_SCHEMA
from storage.schema.postgres.translate import translate_tables
from storage.schema.postgres.triggers import TRIGGERS
from storage.sql import Database

__all__ = [
    "BASELINE_VERSION",
    "POSTGRES_MIGRATIONS",
    "POSTGRES_ONLY_CHECKS",
    "PostgresMigration",
    "apply_postgres_migrations",
    "postgres_schema_version",
]

BASELINE_VERSION = 8

# CHECK constraints PostgreSQL has and SQLite has not: the lease term is never negative (the
# lease's DDL on PostgreSQL had it from the start), and a batch key encodes its batch's day.
POSTGRES_ONLY_CHECKS = frozenset({"leases_term_check", "row_batches_key_day"})

# One key for every schema change on PostgreSQL (migrations, day partitions), so DDL by two
# nodes never interleaves. The lease's former idempotent DDL used the same key.
SCHEMA_LOCK_KEY = 7_461_357_001


@dataclass(frozen=True, slots=True)
class PostgresMigration:
    """One schema step on PostgreSQL: statements run in order, in the migration transaction."""

    number: int
    name: str
    statements: tuple[str, ...]


_BASELINE: tuple[str, ...] = (
    *translate_tables(SCHEMA_1, skip_tables={"cycle_targets", "target_state"}),
    *translate_tables(BACKLOG_SCHEMA, skip_tables={"target_minute_rollups"}),
    # IF NOT EXISTS: databases made before the numbered migrations already have this table.
    POSTGRES_LEASES_SCHEMA,
    *translate_tables(ALARMS_SCHEMA),
    *translate_tables(PACER_STATE_SCHEMA),
    *HISTORY_SCHEMA,
    *translate_tables(CONTROLS_SCHEMA),
    *TRIGGERS,
)

POSTGRES_MIGRATIONS: tuple[PostgresMigration, ...] = (
    PostgresMigration(
        BASELINE_VERSION,
        "baseline: the schema of migrations 1-8, history partitioned by day",
        _BASELINE,
    ),
)

_MIGRATIONS_TABLE = translate_tables(MIGRATIONS_TABLE)[0]


def postgres_schema_version(db: Database) -> int:
    """The highest migration recorded in the database; 0 for a fresh one."""
    _require_postgres(db)
    if db.execute("SELECT to_regclass('schema_migrations')").scalar_one() is None:
        return 0
    found = db.execute("SELECT max(number) FROM schema_migrations").scalar_one()
    return int(found) if found is not None else 0


def apply_postgres_migrations(
    db: Database,
    migrations: Sequence[PostgresMigration] = POSTGRES_MIGRATIONS,
    now: Callable[[], float] = time.time,
) -> list[int]:
    """Apply pending migrations in one transaction under the schema lock; return those applied.

    A database recorded at a version newer than this code raises `SchemaVersionError`.
    """
    _require_postgres(db)
    _check_sequence(migrations)
    target = migrations[-1].number
    applied: list[int] = []
    with db.write_transaction():
        db.execute("SELECT pg_advisory_xact_lock(:key)", {"key": SCHEMA_LOCK_KEY})
        db.execute(_MIGRATIONS_TABLE)
        current = postgres_schema_version(db)
        if current > target:
            raise SchemaVersionError(
                f"the PostgreSQL database is at schema version {current}, newer than this "
                f"code's version {target}: it was migrated by a newer Pacing Watch. Upgrade "
                "this installation, or point [node] database at another database."
            )
        for migration in migrations:
            if migration.number <= current:
                continue
            for statement in migration.statements:
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (number, name, applied_at) "
                "VALUES (:number, :name, :applied_at)",
                {"number": migration.number, "name": migration.name, "applied_at": now()},
            )
            applied.append(migration.number)
    return applied


def _require_postgres(db: Database) -> None:
    if db.dialect != "postgresql":
        raise StorageError(
            f"PostgreSQL migrations run on a PostgreSQL database, got a {db.dialect} one: "
            "SQLite is migrated by storage.schema.migrations.apply_migrations"
        )


def _check_sequence(migrations: Sequence[PostgresMigration]) -> None:
    numbers = [m.number for m in migrations]
    expected = list(range(BASELINE_VERSION, BASELINE_VERSION + len(numbers)))
    if not numbers or numbers != expected:
        raise StorageError(
            f"PostgreSQL migrations must be numbered {BASELINE_VERSION}, "
            f"{BASELINE_VERSION + 1}, ... in order, got {numbers}"
        )
