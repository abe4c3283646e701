"""The few SQL constructs with no spelling shared by SQLite and PostgreSQL, one helper each.

Every other statement of `storage/` is written once, portably (named `:parameters`,
`ON CONFLICT`, `COALESCE`, `CASE`), so the move to the `Database` facade runs it unchanged on
both engines. What differs lives here, SQLite's spelling today; each docstring names the
PostgreSQL spelling the port adds beside it, chosen by `Database.dialect`. A test
(tests/storage/test_portable_sql.py) refuses these constructs anywhere else in `storage/`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Literal

import sqlite_utils

Synchronous = Literal["NORMAL", "FULL"]


def json_values(param: str) -> str:
    """A subquery yielding each element of the JSON array text bound to `:param`.

    Used as `column IN (<this>)` to pass a list of ids as one parameter.
    PostgreSQL: `SELECT jsonb_array_elements_text(CAST(:param AS jsonb))`.
    """
    return f"SELECT value FROM json_each(:{param})"


def json_array_rows(column: str, alias: str) -> str:
    """A table of the elements of the JSON array in `column`, each as `<alias>.value`.

    PostgreSQL: `jsonb_array_elements(CAST(column AS jsonb)) AS alias(value)`.
    """
    return f"json_each({column}) AS {alias}"


def json_item(expression: str, index: int) -> str:
    """Element `index` of the JSON array `expression`, as a number.

    PostgreSQL: `CAST((expression) ->> index AS double precision)`.
    """
    return f"json_extract({expression}, '$[{int(index)}]')"


def greatest(first: str, second: str) -> str:
    """The larger of two non-NULL values (SQLite's two-argument scalar `max`).

    PostgreSQL: `GREATEST(first, second)`, which skips a NULL where SQLite's returns NULL:
    callers pass non-NULL values, or divide the result by a NULL anyway (a first `lag`).
    """
    return f"max({first}, {second})"


def bucket_start(expression: str, size: str) -> str:
    """The start of the `size`-wide bucket holding the non-negative number `expression`.

    SQLite's CAST to INTEGER truncates; PostgreSQL's rounds, so the port spells it
    `floor((expression) / size) * size`.
    """
    return f"CAST({expression} / {size} AS INTEGER) * {size}"


def relation_names(db: sqlite_utils.Database) -> set[str]:
    """The names of the tables and views of the database.

    PostgreSQL: `SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema()` (views included there).
    """
    rows = db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
    ).fetchall()
    return {str(row[0]) for row in rows}


def column_names(db: sqlite_utils.Database, table: str) -> list[str]:
    """The columns of `table` (a fixed name of ours, never a caller's), in order.

    PostgreSQL: `SELECT column_name FROM information_schema.columns WHERE table_name = :table
    ORDER BY ordinal_position`.
    """
    return [str(row[1]) for row in db.conn.execute(f"PRAGMA table_info({table})").fetchall()]


def reclaim_free_pages(db: sqlite_utils.Database) -> int:
    """Give the file's free pages back to the filesystem; how many pages it returned.

    The first time, the database is switched to incremental auto-vacuum with one full
    VACUUM (a one-off rewrite); later calls only release the pages freed since.
    PostgreSQL: `VACUUM (ANALYZE)` of the purged tables, outside a transaction (the port
    returns 0: partitions dropped by hive-off free their space at once).
    """
    before = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    if int(db.execute("PRAGMA auto_vacuum").fetchone()[0]) != 2:
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.execute("VACUUM")
    db.execute("PRAGMA incremental_vacuum")
    return before - int(db.execute("PRAGMA freelist_count").fetchone()[0])


def configure_connection(
    conn: sqlite3.Connection, busy_timeout_ms: int, *, synchronous: Synchronous | None
) -> None:
    """Set this connection's waiting and durability; `synchronous=None`: a read-only one.

    A writer gets WAL, `synchronous` and foreign keys; a reader is made query-only.
    PostgreSQL: none of these; `storage/sql/engines.py` sends `statement_timeout` instead.
    """
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    if synchronous is None:
        conn.execute("PRAGMA query_only=ON")
        return
    if synchronous not in ("NORMAL", "FULL"):
        raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {synchronous!r}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")  # checked literal above
    conn.execute("PRAGMA foreign_keys=ON")


def bulk_insert(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Insert many rows given as tuples in `columns` order: the cycle rows' hot path.

    Tuples, not named parameters: binding by name costs SQLite more per row than by position,
    and this runs for every target of every cycle. `table` and `columns` are fixed names of
    ours, never a caller's. PostgreSQL: psycopg's `COPY table (columns) FROM STDIN`.
    """
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def row_at_extreme(
    edge: Literal["min", "max"], group: str, order: str, columns: Sequence[str], source: str
) -> str:
    """Per `group`, `order`'s least (min) or greatest (max) value and `columns` of that row.

    `source` is the query's `FROM ... WHERE ...`. SQLite takes the bare columns of a query
    with a single min()/max() aggregate from the row holding the extreme: one pass, no sort.
    PostgreSQL: `SELECT DISTINCT ON (group) group, order, columns <source>
    ORDER BY group, order ASC|DESC` (DESC for max).
    """
    return f"SELECT {group}, {edge}({order}), {', '.join(columns)} {source} GROUP BY {group}"


def value_at_latest(column: str, order: str) -> str:
    """In a grouped query, `column` of the group's row with the greatest `order`.

    SQLite: the bare column, taken from the row of the query's one max() aggregate, which
    must be `max(order)`. PostgreSQL: `(array_agg(column ORDER BY order DESC))[1]`.
    """
    return column
