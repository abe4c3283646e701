"""Building a SQLAlchemy Engine for a `DatabaseLocation`, configured the same way every time.

Both engines run with the *driver* in autocommit: a statement outside a write transaction is
its own short transaction, so a long-lived connection never holds an old snapshot (SQLite WAL)
or sits "idle in transaction" (PostgreSQL). Writes open their transaction explicitly
(`Database.write_transaction`): `BEGIN IMMEDIATE` on SQLite — SQLAlchemy's documented pysqlite
recipe (driver autocommit, our own BEGIN) with IMMEDIATE so the write lock is taken up front and
waits honour `busy_timeout` — and `BEGIN` on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event

from storage.errors import DatabaseWriteError
from storage.sql.location import DatabaseLocation

__all__ = ["EngineOptions", "build_engine"]

Synchronous = Literal["NORMAL", "FULL"]


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Connection settings; each engine ignores the settings of the other."""

    busy_timeout_ms: int = 5000  # SQLite: how long a writer waits for the write lock
    synchronous: Synchronous = "NORMAL"  # SQLite: FULL where a commit must survive power loss
    pool_size: int = 5  # PostgreSQL: connections kept open
    max_overflow: int = 5  # PostgreSQL: extra connections opened under load, closed after
    pool_timeout_s: float = 10.0  # PostgreSQL: wait for a free pooled connection
    connect_timeout_s: int = 5  # PostgreSQL: give up connecting after this
    statement_timeout_ms: int = 30_000  # PostgreSQL: the server cancels longer statements
    application_name: str = "pacing-watch"  # PostgreSQL: shown in pg_stat_activity

    def __post_init__(self) -> None:
        if self.synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {self.synchronous!r}")
        for name in ("busy_timeout_ms", "max_overflow", "statement_timeout_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("pool_size", "pool_timeout_s", "connect_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not self.application_name.isprintable() or len(self.application_name) > 63:
            raise ValueError(
                "application_name must be printable and at most 63 characters, "
                f"got {self.application_name!r}"
            )


def build_engine(location: DatabaseLocation, options: EngineOptions | None = None) -> Engine:
    """An Engine for `location`: pooled, driver autocommit, pragmas or session settings applied."""
    options = options or EngineOptions()
    if location.dialect == "sqlite":
        return _sqlite_engine(location, options)
    return _postgresql_engine(location, options)


def _sqlite_engine(location: DatabaseLocation, options: EngineOptions) -> Engine:
    assert location.path is not None
    try:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseWriteError(
            f"cannot create the folder of the database {location.redacted!r}: {exc}. "
            "Check the [node] database path."
        ) from exc
    engine = create_engine(
        location.url,
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": options.busy_timeout_ms / 1000},
    )
    pragmas = (
        f"PRAGMA busy_timeout={int(options.busy_timeout_ms)}",
        "PRAGMA journal_mode=WAL",
        f"PRAGMA synchronous={options.synchronous}",  # checked literal
        "PRAGMA foreign_keys=ON",
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver never opens hidden transactions
        for pragma in pragmas:
            dbapi_connection.execute(pragma)

    return engine


def _postgresql_engine(location: DatabaseLocation, options: EngineOptions) -> Engine:
    # Session settings travel in the startup packet, so every pooled connection has them
    # before its first statement, including connections the pool re-opens after a failure.
    return create_engine(
        location.url,
        isolation_level="AUTOCOMMIT",
        pool_size=options.pool_size,
        max_overflow=options.max_overflow,
        pool_timeout=options.pool_timeout_s,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": options.connect_timeout_s,
            "application_name": options.application_name,
            "options": f"-c statement_timeout={int(options.statement_timeout_ms)}",
        },
    )
