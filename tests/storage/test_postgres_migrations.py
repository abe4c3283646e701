"""PostgreSQL's numbered migrations on a real server: once, idempotent, safe when raced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy

from storage.errors import RecordRejectedError, SchemaVersionError, StorageError
from storage.schema.leases import POSTGRES_LEASES_SCHEMA
from storage.schema.migrations import latest_version
from storage.schema.postgres import (
    POSTGRES_MIGRATIONS,
    PostgresMigration,
    apply_postgres_migrations,
    postgres_schema_version,
)
from storage.sql import Database, DatabaseLocation, build_engine
from tests.storage.races import at_once


@pytest.fixture
def pg_engine(postgres_location: DatabaseLocation) -> Iterator[sqlalchemy.Engine]:
    engine = build_engine(postgres_location)
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_engine: sqlalchemy.Engine) -> Iterator[Database]:
    with Database.open(pg_engine) as database:
        yield database


def recorded(db: Database) -> list[tuple[int, str]]:
    rows = db.execute("SELECT number, name FROM schema_migrations ORDER BY number")
    return [(int(row.number), str(row.name)) for row in rows]


def test_migrations_build_the_schema_once_and_a_second_run_changes_nothing(pg: Database) -> None:
    assert postgres_schema_version(pg) == 0
    assert apply_postgres_migrations(pg, now=lambda: 100.0) == [8]
    assert postgres_schema_version(pg) == 8
    first = recorded(pg)
    assert apply_postgres_migrations(pg, now=lambda: 200.0) == []
    assert recorded(pg) == first
    applied_at = pg.execute("SELECT applied_at FROM schema_migrations").scalar_one()
    assert applied_at == 100.0


def test_a_database_with_the_lease_table_of_before_the_migrations_is_migrated(
    pg: Database,
) -> None:
    # Nodes made only the lease table, by idempotent DDL, before the numbered migrations.
    pg.execute(POSTGRES_LEASES_SCHEMA)
    pg.execute(
        "INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at, term) "
        "VALUES ('master', 'node-a', 1.0, 2.0, 3.0, 4)"
    )
    assert apply_postgres_migrations(pg) == [8]
    assert tuple(pg.execute("SELECT holder, term FROM leases").one()) == ("node-a", 4)


def test_both_engines_are_at_the_same_schema_version() -> None:
    # A migration added to one engine only fails here: write it for both under one number.
    assert POSTGRES_MIGRATIONS[-1].number == latest_version()


def test_two_nodes_migrating_at_once_apply_each_migration_exactly_once(
    pg_engine: sqlalchemy.Engine,
) -> None:
    results = at_once(pg_engine, 2, lambda database, _: apply_postgres_migrations(database))
    assert sorted(results) == [[], [8]]
    with Database.open(pg_engine) as database:
        assert [number for number, _ in recorded(database)] == [8]


def test_a_database_migrated_by_newer_code_is_refused(pg: Database) -> None:
    newer = (*POSTGRES_MIGRATIONS, PostgresMigration(9, "from the future", ()))
    apply_postgres_migrations(pg, newer)
    with pytest.raises(SchemaVersionError, match="version 9, newer than this code's version 8"):
        apply_postgres_migrations(pg)


def test_a_failed_migration_leaves_nothing_behind(pg: Database) -> None:
    broken = (*POSTGRES_MIGRATIONS, PostgresMigration(9, "broken", ("CREATE TABLE x (",)))
    with pytest.raises(StorageError):
        apply_postgres_migrations(pg, broken)
    assert postgres_schema_version(pg) == 0
    assert pg.execute("SELECT to_regclass('nodes')").scalar_one() is None


def test_migrations_must_continue_from_the_baseline(pg: Database) -> None:
    with pytest.raises(StorageError, match=r"numbered 8, 9, \.\.\. in order, got \[8, 10\]"):
        apply_postgres_migrations(pg, (*POSTGRES_MIGRATIONS, PostgresMigration(10, "gap", ())))


def test_a_sqlite_database_is_not_given_postgresql_migrations(any_database: Database) -> None:
    if any_database.dialect == "postgresql":
        return
    with pytest.raises(StorageError, match="SQLite is migrated by"):
        apply_postgres_migrations(any_database)


def _audit_row(db: Database) -> None:
    db.execute(
        "INSERT INTO audit_log (at, who, action, subject) VALUES (1.0, 'ops', 'pause', 'q1')"
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET who = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_the_audit_log_refuses_every_rewrite(pg: Database, statement: str) -> None:
    apply_postgres_migrations(pg)
    _audit_row(pg)
    with pytest.raises(RecordRejectedError, match="audit_log is append-only"):
        pg.execute(statement)
    assert pg.execute("SELECT who FROM audit_log").scalars().all() == ["ops"]


def test_audit_ids_are_assigned_in_order(pg: Database) -> None:
    apply_postgres_migrations(pg)
    _audit_row(pg)
    _audit_row(pg)
    assert pg.execute("SELECT audit_id FROM audit_log ORDER BY audit_id").scalars().all() == [1, 2]


def test_alarm_transitions_are_never_rewritten(pg: Database) -> None:
    apply_postgres_migrations(pg)
    pg.execute(
        "INSERT INTO alarm_transitions (instance_id, condition, scope, from_state, to_state, "
        "rule, severity, occurrence, at) VALUES ('i', 'c', 's', 'normal', "
        "'active_unacknowledged', 'raise', 'Major', 1, 1.0)"
    )
    with pytest.raises(RecordRejectedError, match="alarm_transitions is append-only"):
        pg.execute("UPDATE alarm_transitions SET rule = 'rewritten'")
