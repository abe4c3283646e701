"""One entry point that brings either engine's database to the latest schema."""

from __future__ import annotations

from storage.db import connect
from storage.schema.postgres import apply_postgres_migrations
from storage.sql import Database

__all__ = ["prepare_schema"]


def prepare_schema(db: Database) -> None:
    """Migrate the database `db` is on: SQLite through `storage.db.connect` (its numbered
    migrations and the resumable history conversion), PostgreSQL through its own migrations.

    Safe when several nodes call it at once, and cheap when there is nothing to do.
    """
    if db.sqlite_path is not None:
        connect(db.sqlite_path).close()
        return
    apply_postgres_migrations(db)
