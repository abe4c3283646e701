"""`Database`: the one object storage code talks to, on SQLite and on PostgreSQL alike.

SQL is written once, as text with named `:parameters` (portable between the two engines);
what differs between them is asked of the facade (`dialect`, `clock_sql`) and kept in a few
helpers, never spread through the queries. One `Database` wraps one connection: it belongs to
the thread that opened it (`ThreadDatabases` hands each thread its own).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, TextClause, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from storage.errors import DatabaseWriteError, StorageError, translate_error
from storage.sql.location import Dialect

__all__ = ["Database", "ThreadDatabases"]

Params = Mapping[str, Any]

# The database's own clock in epoch seconds. SQLite has no server: its clock is the machine's,
# read through SQL so the same statement works on both (julianday keeps milliseconds; SQLite
# 3.40 has no unixepoch('subsec')). PostgreSQL's clock_timestamp() advances within a
# transaction, unlike now(), so a renewal late in a transaction is judged at its real time.
_CLOCK_SQL: dict[str, str] = {
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
    "postgresql": "(EXTRACT(EPOCH FROM clock_timestamp())::double precision)",
}


def clock_sql_for(dialect: Dialect) -> str:
    """The database-clock expression of `dialect` (as `Database.clock_sql`), for code that
    holds a raw connection rather than a `Database`."""
    return _CLOCK_SQL[dialect]


_BEGIN_SQL: dict[str, str] = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}


class Database:
    """One connection, named-parameter SQL, explicit write transactions, the database's clock."""

    def __init__(self, connection: Connection) -> None:
        name = connection.dialect.name
        if name not in _CLOCK_SQL:
            raise ValueError(f"unsupported database engine {name!r}: expected sqlite or postgresql")
        self._connection = connection
        self._dialect: Dialect = "sqlite" if name == "sqlite" else "postgresql"
        self._in_write = False

    @classmethod
    def open(cls, engine: Engine) -> Database:
        """Check a connection out of `engine`'s pool (errors leave as `StorageError`)."""
        try:
            return cls(engine.connect())
        except DBAPIError as exc:
            raise translate_error(exc, f"connecting to {engine.url!r}") from exc
        except PoolTimeoutError as exc:
            # The original's "connection pool exhaustion": a handled, retryable write error.
            raise DatabaseWriteError(
                f"no free database connection within the pool's wait ({exc}); every pooled "
                "connection is busy: fewer backlog threads or a larger pool"
            ) from exc

    @property
    def dialect(self) -> Dialect:
        return self._dialect

    @property
    def clock_sql(self) -> str:
        """An SQL expression for the database's clock in epoch seconds (see `db_now`)."""
        return _CLOCK_SQL[self._dialect]

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file this connection is on; None on PostgreSQL."""
        if self._dialect != "sqlite":
            return None
        return Path(self._connection.engine.url.database or "")

    @property
    def in_write_transaction(self) -> bool:
        return self._in_write

    def execute(self, sql: str, params: Params | None = None) -> CursorResult[Any]:
        """Run one statement with named `:parameters`; errors leave as `StorageError`."""
        try:
            return self._connection.execute(_statement(sql), dict(params or {}))
        except DBAPIError as exc:
            self._after_error(exc)
            raise translate_error(exc, _doing(sql)) from exc

    def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement once per row (batched by the driver); returns rows affected."""
        if not rows:
            return 0
        try:
            result = self._connection.execute(_statement(sql), [dict(row) for row in rows])
        except DBAPIError as exc:
            self._after_error(exc)
            raise translate_error(exc, _doing(sql)) from exc
        return max(result.rowcount, 0)

    def has_table(self, name: str) -> bool:
        """Whether the table `name` exists (SQLAlchemy's inspector: the same on both engines)."""
        try:
            return bool(inspect(self._connection).has_table(name))
        except DBAPIError as exc:
            self._after_error(exc)
            raise translate_error(exc, f"looking for the table {name!r}") from exc

    def db_now(self) -> float:
        """The database's clock, epoch seconds: what leases and fencing are judged by."""
        return float(self.execute(f"SELECT {self.clock_sql}").scalar_one())

    @contextmanager
    def write_transaction(self) -> Iterator[Database]:
        """Run the block in one write transaction: commit on success, else roll back.

        SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so waiting for another writer
        honours `busy_timeout` (a deferred transaction can fail at once with
        SQLITE_BUSY_SNAPSHOT). PostgreSQL: `BEGIN` (READ COMMITTED). Not nestable.
        """
        if self._in_write:
            raise StorageError(
                "write_transaction() cannot be nested: a transaction is already open on this "
                "connection"
            )
        self._driver_sql(_BEGIN_SQL[self._dialect], "starting a write transaction")
        self._in_write = True
        try:
            yield self
            self._driver_sql("COMMIT", "committing")
        except BaseException:
            # A lost connection took its transaction with it (`_after_error` noted it):
            # rolling back would only wait for a reconnect to a database that is away.
            if self._in_write:
                self._rollback_quietly()
            raise
        finally:
            self._in_write = False

    def close(self) -> None:
        """Give the connection back to the pool (rolling back anything left open)."""
        self._in_write = False
        self._connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _driver_sql(self, sql: str, doing: str) -> None:
        try:
            self._connection.exec_driver_sql(sql)
        except DBAPIError as exc:
            self._after_error(exc)
            raise translate_error(exc, doing) from exc

    def _rollback_quietly(self) -> None:
        self._in_write = False
        # Some failures (disk full, I/O) already ended the transaction: nothing to undo.
        with suppress(DBAPIError):
            self._connection.exec_driver_sql("ROLLBACK")

    def _after_error(self, exc: DBAPIError) -> None:
        # A lost connection is invalidated by SQLAlchemy; acknowledging it lets the next
        # statement on this Database reconnect through the pool instead of failing forever.
        if exc.connection_invalidated:
            self._in_write = False
            with suppress(DBAPIError):
                self._connection.rollback()


class ThreadDatabases:
    """Hands each thread its own `Database` on one engine, opened on first use."""

    def __init__(self, engine: Engine, on_open: Callable[[Database], None] | None = None) -> None:
        self.engine = engine
        self._on_open = on_open
        self._local = threading.local()

    def get(self) -> Database:
        """This thread's `Database` (opened, and `on_open` run, on first use)."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = Database.open(self.engine)
            try:
                if self._on_open is not None:
                    self._on_open(db)
            except BaseException:
                db.close()
                raise
            self._local.db = db
        return db

    def close_current_thread(self) -> None:
        """Close this thread's `Database`; the next `get` opens a fresh one."""
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            with suppress(DBAPIError):
                db.close()

    def dispose(self) -> None:
        """Close this thread's connection and every pooled one (at shutdown)."""
        self.close_current_thread()
        self.engine.dispose()


@lru_cache(maxsize=512)
def _statement(sql: str) -> TextClause:
    return text(sql)


def _doing(sql: str) -> str:
    """What failed, for the error message: the statement's first words, never its values."""
    words = " ".join(sql.split()[:4])
    return f"running {words!r}"
