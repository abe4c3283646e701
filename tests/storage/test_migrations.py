"""Numbered migrations: applied once, in order, recorded, refused when the database is newer."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlite_utils

from storage.db import SchemaVersionError, StorageError, connect, connect_readonly
from storage.schema.migrations import (
    MIGRATIONS,
    Migration,
    apply_migrations,
    latest_version,
    schema_version,
)


def test_a_new_database_gets_every_migration_recorded(db: sqlite_utils.Database) -> None:
    rows = list(db.query("SELECT number, name, applied_at FROM schema_migrations ORDER BY number"))
    assert [(r["number"], r["name"]) for r in rows] == [(m.number, m.name) for m in MIGRATIONS]
    assert all(abs(r["applied_at"] - time.time()) < 60 for r in rows)
    assert {"nodes", "cycles", "target_rows", "target_latest", "scheduler_events"} <= set(
        db.table_names()
    )
    assert {"cycle_targets", "cycle_targets_keyed", "target_state"} <= set(db.view_names())


def test_rerunning_migrations_is_a_no_op(db: sqlite_utils.Database, db_path: Path) -> None:
    assert apply_migrations(db) == []
    connect(db_path).close()
    assert db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    assert schema_version(db) == latest_version()


def test_later_migrations_apply_in_order_and_only_once(db: sqlite_utils.Database) -> None:
    calls: list[int] = []
    first, second = len(MIGRATIONS) + 1, len(MIGRATIONS) + 2

    def add_notes(database: sqlite_utils.Database) -> None:
        calls.append(second)
        database.execute("ALTER TABLE nodes ADD COLUMN notes TEXT")

    more = (
        *MIGRATIONS,
        Migration(
            first,
            "index scheduler events by node",
            "CREATE INDEX ev_node ON scheduler_events (node_id)",
        ),
        Migration(second, "node notes", add_notes),
    )
    assert apply_migrations(db, more, now=lambda: 42.0) == [first, second]
    assert apply_migrations(db, more) == []
    assert calls == [second]
    assert "notes" in db.table("nodes").columns_dict
    applied_at = db.execute(
        "SELECT applied_at FROM schema_migrations WHERE number = ?", [second]
    ).fetchone()[0]
    assert applied_at == 42.0


def test_a_failing_migration_leaves_the_schema_untouched(db: sqlite_utils.Database) -> None:
    broken = (
        *MIGRATIONS,
        Migration(2, "good step", "CREATE TABLE extra (x INTEGER)"),
        Migration(3, "bad step", "CREATE TABLE oops (x NOT A VALID TYPE !!)"),
    )
    with pytest.raises(StorageError):
        apply_migrations(db, broken)
    assert schema_version(db) == latest_version()
    assert "extra" not in db.table_names()


def test_a_database_newer_than_the_code_is_refused_naming_both_versions(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    newer = latest_version() + 5
    db.execute(
        "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, 'future', 0)", (newer,)
    )
    message = f"schema version {newer}, newer than this code's version {latest_version()}"
    with pytest.raises(SchemaVersionError, match=message):
        connect(db_path)
    with pytest.raises(SchemaVersionError, match=message):
        connect_readonly(db_path)


def test_migrations_must_be_numbered_from_one_without_gaps(db: sqlite_utils.Database) -> None:
    with pytest.raises(StorageError, match=r"numbered 1, 2, 3, \.\.\. in order, got \[1, 3\]"):
        apply_migrations(db, (MIGRATIONS[0], Migration(3, "gap", "SELECT 1")))


def test_a_failing_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    import sqlite_utils

    from storage.errors import StorageError
    from storage.schema.migrations import MIGRATIONS, Migration, apply_migrations, schema_version

    db = sqlite_utils.Database(tmp_path / "half.db")
    apply_migrations(db)
    broken = Migration(
        len(MIGRATIONS) + 1,
        "creates a table, then fails",
        "CREATE TABLE first_half (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    with pytest.raises(StorageError):
        apply_migrations(db, [*MIGRATIONS, broken])
    assert "first_half" not in db.table_names()
    assert schema_version(db) == len(MIGRATIONS)
