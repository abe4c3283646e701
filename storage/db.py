"""Opening the database: connections and pragmas. Re-exports the errors and `write_transaction`.

Threading rule: a connection returned by `connect` or `connect_readonly` belongs to the thread
that opened it. Open one per thread (scheduler job, backlog processor, download callable,
dashboard session) and never share one across threads; SQLite serialises writers itself.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from storage.dialect import Synchronous, configure_connection
from storage.errors import (
    DatabaseBusyError,
    DatabaseMissingError,
    DatabaseWriteError,
    InvalidQueryError,
    RecordRejectedError,
    SchemaVersionError,
    StorageError,
    UnknownNodeError,
    translate_error,
)
from storage.schema.compact import convert_legacy_rows
from storage.schema.migrations import apply_migrations, check_schema_readable
from storage.transactions import write_transaction

__all__ = [
    "DEFAULT_BUSY_TIMEOUT_MS",
    "PerThreadDatabase",
    "DatabaseBusyError",
    "DatabaseMissingError",
    "DatabaseWriteError",
    "InvalidQueryError",
    "RecordRejectedError",
    "SchemaVersionError",
    "StorageError",
    "UnknownNodeError",
    "connect",
    "connect_readonly",
    "write_transaction",
]

DEFAULT_BUSY_TIMEOUT_MS = 5000


def connect(
    path: Path | str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    synchronous: Synchronous = "NORMAL",
) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` for reading and writing, migrated.

    `synchronous="FULL"` is for writers whose commit must survive power loss (the backlog
    deletes its file after the commit). One connection per thread: see the module docstring.
    """
    if synchronous not in ("NORMAL", "FULL"):
        raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {synchronous!r}")
    _check_busy_timeout(busy_timeout_ms)
    file = Path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: the driver never opens hidden transactions; every write
        # transaction is an explicit BEGIN IMMEDIATE (see write_transaction).
        conn = sqlite3.connect(str(file), timeout=busy_timeout_ms / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseWriteError(
            f"cannot open the database {str(file)!r}: {exc}. Check that the folder "
            "exists or can be created and is writable, or configure another database path."
        ) from exc
    db = sqlite_utils.Database(conn, execute_plugins=False)
    try:
        configure_connection(conn, busy_timeout_ms, synchronous=synchronous)
        apply_migrations(db)
        convert_legacy_rows(db)  # resumes a conversion a crash interrupted; no-op when done
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, f"preparing the database {str(file)!r}") from exc
    except BaseException:
        conn.close()
        raise
    return db


def connect_readonly(
    path: Path | str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> sqlite_utils.Database:
    """Open an existing, migrated database for reading only (the dashboard's connection).

    Raises `DatabaseMissingError` when no node has created the database yet, and
    `SchemaVersionError` when it was migrated by newer code.
    """
    _check_busy_timeout(busy_timeout_ms)
    file = Path(path)
    if not file.is_file():
        raise DatabaseMissingError(
            f"no database yet at {str(file)!r}: start a node (the dashboard's embedded node, "
            "or a headless node) with this database path and it will create it."
        )
    uri = file.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseMissingError(
            f"cannot open the database {str(file)!r} read-only: {exc}"
        ) from exc
    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    try:
        configure_connection(conn, busy_timeout_ms, synchronous=None)
        check_schema_readable(db, str(file))
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, f"reading the database {str(file)!r}") from exc
    except BaseException:
        conn.close()
        raise
    return db


def _check_busy_timeout(busy_timeout_ms: int) -> None:
    if busy_timeout_ms < 0:
        raise ValueError(f"busy_timeout_ms must not be negative, got {busy_timeout_ms}")


class PerThreadDatabase:
    """Hands each thread its own connection to one database file, opened on first use."""

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        synchronous: Synchronous = "NORMAL",
    ) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._synchronous = synchronous
        self._local = threading.local()

    def get(self) -> sqlite_utils.Database:
        """This thread's connection (opened, configured and migrated on first use)."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(
                self.path, busy_timeout_ms=self._busy_timeout_ms, synchronous=self._synchronous
            )
            self._local.db = db
        return db

    def close_current_thread(self) -> None:
        """Close this thread's connection; the next `get` opens a fresh one."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            db.close()
