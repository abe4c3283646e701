"""The storage error hierarchy, and the mapping from sqlite3 errors onto it."""

from __future__ import annotations

import sqlite3


class StorageError(Exception):
    """Base of every error raised by `storage`.

    `retryable` tells the backlog whether writing the same record later may succeed.
    """

    retryable: bool = False


class DatabaseMissingError(StorageError):
    """The database file does not exist yet (no node has started) or is not initialised."""


class SchemaVersionError(StorageError):
    """The database was migrated by a newer version of Pacing Watch than this code."""


class DatabaseBusyError(StorageError):
    """Another connection held the write lock for longer than the busy timeout."""

    retryable = True


class DatabaseWriteError(StorageError):
    """A write failed for a reason outside the record itself (disk full, I/O error, read-only)."""

    retryable = True


class RecordRejectedError(StorageError):
    """The database refused the record itself (NOT NULL, CHECK, foreign key): never retry it."""


class UnknownNodeError(StorageError):
    """A heartbeat or stop arrived for a node that never recorded its start."""


class InvalidQueryError(StorageError, ValueError):
    """A read or export was asked for something impossible (unknown column, since > until)."""


def translate_error(exc: sqlite3.Error, doing: str) -> StorageError:
    """Map a sqlite3 error to the storage hierarchy, keeping SQLite's extended error name."""
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    detail = f"{doing}: {name}: {exc}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseBusyError(
            f"the database stayed locked by another connection past the busy timeout while "
            f"{detail}. Another process is writing for a long time (hive-off, a stuck node?); "
            "the write can be retried."
        )
    if isinstance(exc, sqlite3.IntegrityError) or name.startswith("SQLITE_CONSTRAINT"):
        return RecordRejectedError(f"the database rejected the record while {detail}")
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return DatabaseWriteError(f"the database could not be written while {detail}")
    if name.startswith("SQLITE_NOTADB"):
        return StorageError(f"the file is not a SQLite database ({detail})")
    return StorageError(f"database error while {detail}")
