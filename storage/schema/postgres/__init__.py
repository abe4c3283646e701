"""The PostgreSQL schema: its numbered migrations, and the history partitioned by day."""

from storage.schema.postgres.migrations import (
    BASELINE_VERSION,
    POSTGRES_MIGRATIONS,
    PostgresMigration,
    apply_postgres_migrations,
    postgres_schema_version,
)

__all__ = [
    "BASELINE_VERSION",
    "POSTGRES_MIGRATIONS",
    "PostgresMigration",
    "apply_postgres_migrations",
    "postgres_schema_version",
]
