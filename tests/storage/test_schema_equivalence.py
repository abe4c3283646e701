"""SQLite's and PostgreSQL's latest schemas are the same schema, read through `inspect()`.

Tables, columns (name, order, type family, nullability), primary keys, unique constraints,
foreign keys, secondary indexes, the number of CHECK constraints, views (and their columns)
and triggers are compared, so a
migration written for one engine and not the other fails here. What PostgreSQL has on purpose
and SQLite has not is named in the schema modules (partitions of target_rows, the trigger
that assigns day-encoded batch keys, TRUNCATE refused on the audit log).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import sql

from storage.db import connect
from storage.schema.postgres import apply_postgres_migrations
from storage.schema.postgres.history import POSTGRES_ONLY_TRIGGERS as HISTORY_TRIGGERS
from storage.schema.postgres.migrations import POSTGRES_ONLY_CHECKS
from storage.schema.postgres.triggers import POSTGRES_ONLY_TRIGGERS
from storage.sql import Database, DatabaseLocation, build_engine, parse_location

_PARTITIONS = sql.text(
    "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
)
_TRIGGERS = {
    "sqlite": sql.text("SELECT name FROM sqlite_schema WHERE type = 'trigger'"),
    "postgresql": sql.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"),
}


@dataclass(frozen=True)
class Shape:
    """Everything `inspect()` tells about a schema, in engine-neutral terms."""

    tables: dict[str, dict[str, Any]]
    views: dict[str, list[str]]
    triggers: frozenset[str]


def _family(column_type: sqlalchemy.types.TypeEngine[Any]) -> str:
    for family, kind in (
        ("integer", sqlalchemy.Integer),
        ("real", sqlalchemy.Float),
        ("text", sqlalchemy.String),
    ):
        if isinstance(column_type, kind):
            return family
    raise AssertionError(f"no type family for {column_type!r}")


def _table(inspector: sqlalchemy.Inspector, name: str) -> dict[str, Any]:
    key = inspector.get_pk_constraint(name)["constrained_columns"]
    indexes = {
        index["name"]: tuple(index["column_names"])
        for index in inspector.get_indexes(name)
        if not index.get("duplicates_constraint") and not index.get("unique")
    }
    return {
        # A key column is never NULL (SQLite's table_info does not always say so).
        "columns": [
            (c["name"], _family(c["type"]), c["nullable"] and c["name"] not in key)
            for c in inspector.get_columns(name)
        ],
        "primary_key": key,
        "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
        "foreign_keys": sorted(
            (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
            for f in inspector.get_foreign_keys(name)
        ),
        "indexes": indexes,
        # Their text is spelled differently by each engine's catalogue; their number is not.
        "checks": sum(
            1
            for check in inspector.get_check_constraints(name)
            if check["name"] not in POSTGRES_ONLY_CHECKS
        ),
    }


def _shape(engine: sqlalchemy.Engine) -> Shape:
    inspector = sqlalchemy.inspect(engine)
    with engine.connect() as connection:
        partitions = set()
        if engine.dialect.name == "postgresql":
            partitions = set(connection.execute(_PARTITIONS).scalars())
        triggers = frozenset(connection.execute(_TRIGGERS[engine.dialect.name]).scalars())
    return Shape(
        tables={
            name: _table(inspector, name)
            for name in inspector.get_table_names()
            if name not in partitions
        },
        views={
            name: [column["name"] for column in inspector.get_columns(name)]
            for name in inspector.get_view_names()
        },
        triggers=triggers,
    )


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sqlalchemy.Engine]:
    connect(tmp_path / "pacing.db").close()  # every SQLite migration, as a node applies them
    engine = build_engine(parse_location(tmp_path / "pacing.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(postgres_location: DatabaseLocation) -> Iterator[sqlalchemy.Engine]:
    engine = build_engine(postgres_location)
    with Database.open(engine) as database:
        apply_postgres_migrations(database)
    yield engine
    engine.dispose()


@pytest.fixture
def shapes(
    sqlite_engine: sqlalchemy.Engine, postgres_engine: sqlalchemy.Engine
) -> tuple[Shape, Shape]:
    return _shape(sqlite_engine), _shape(postgres_engine)


def test_both_engines_have_the_same_tables(shapes: tuple[Shape, Shape]) -> None:
    sqlite, postgres = shapes
    assert sorted(postgres.tables) == sorted(sqlite.tables)


@pytest.mark.parametrize(
    "aspect", ["columns", "primary_key", "unique", "foreign_keys", "indexes", "checks"]
)
def test_every_table_has_the_same_shape_on_both_engines(
    shapes: tuple[Shape, Shape], aspect: str
) -> None:
    sqlite, postgres = shapes
    differences = {
        name: {"sqlite": table[aspect], "postgresql": postgres.tables[name][aspect]}
        for name, table in sqlite.tables.items()
        if postgres.tables.get(name, {}).get(aspect) != table[aspect]
    }
    assert differences == {}


def test_both_engines_have_the_same_views_with_the_same_columns(
    shapes: tuple[Shape, Shape],
) -> None:
    sqlite, postgres = shapes
    assert postgres.views == sqlite.views
    assert {"cycle_targets", "cycle_targets_keyed", "target_state"} <= set(sqlite.views)


def test_both_engines_have_the_same_triggers(shapes: tuple[Shape, Shape]) -> None:
    sqlite, postgres = shapes
    assert postgres.triggers - POSTGRES_ONLY_TRIGGERS - HISTORY_TRIGGERS == sqlite.triggers


def test_the_history_is_partitioned_by_day_on_postgresql_only(shapes: tuple[Shape, Shape]) -> None:
    sqlite, postgres = shapes
    # The partitions are left out of the comparison above; the default one is always there.
    assert "target_rows_default" not in postgres.tables
    assert "target_rows" in postgres.tables
    assert postgres.tables["target_rows"] == sqlite.tables["target_rows"]
