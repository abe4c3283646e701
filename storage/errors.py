"""The storage error hierarchy, and the mapping from sqlite3 and PostgreSQL errors onto it.

SQLite errors are told apart by their extended name (`SQLITE_BUSY_SNAPSHOT`), PostgreSQL ones
by their SQLSTATE class (the first two characters of the code: `08` connection, `57` operator
intervention, ...), which is also what the backlog's error lists match (`sqlstate`).
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError


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


# libpq reports a refused or lost connection without any SQLSTATE; it is a connection
# exception all the same, reported as 08006 (connection_failure) as JDBC drivers do.
LOST_CONNECTION_SQLSTATE = "08006"


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL error (psycopg's, or SQLAlchemy's wrapping it); else None."""
    if isinstance(error, DBAPIError):
        error = error.orig if isinstance(error.orig, BaseException) else error
    if not isinstance(error, psycopg.Error):
        return None
    if error.sqlstate:
        return str(error.sqlstate)
    if isinstance(error, psycopg.OperationalError):
        return LOST_CONNECTION_SQLSTATE
    return None


def translate_error(exc: BaseException, doing: str) -> StorageError:
    """Map a driver error (sqlite3, psycopg, or SQLAlchemy's wrapper) onto the hierarchy.

    The message keeps the engine's own name for the error (SQLite's extended name, or the
    SQLSTATE) so operators and the backlog lists can match it.
    """
    code = sqlstate(exc)
    if code is not None:
        return _translate_sqlstate(code, exc, doing)
    if isinstance(exc, DBAPIError) and isinstance(exc.orig, sqlite3.Error):
        exc = exc.orig
    if not isinstance(exc, sqlite3.Error):
        return StorageError(f"database error while {doing}: {type(exc).__name__}: {exc}")
    return _translate_sqlite(exc, doing)


def _translate_sqlite(exc: sqlite3.Error, doing: str) -> StorageError:
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


# SQLSTATE class -> (error type, what to say). Classes not listed are plain, never-retried
# StorageErrors (42 syntax or undefined object, 22 data exception, XX internal, ...).
_SQLSTATE_CLASSES: dict[str, tuple[type[StorageError], str]] = {
    "08": (DatabaseWriteError, "the connection to PostgreSQL failed or was lost"),
    "57": (DatabaseWriteError, "PostgreSQL cancelled the statement or ended the session"),
    "53": (DatabaseWriteError, "PostgreSQL ran out of resources (disk, memory, connections)"),
    "40": (DatabaseBusyError, "PostgreSQL rolled the transaction back (serialization, deadlock)"),
    "23": (RecordRejectedError, "PostgreSQL rejected the record"),
}


def _translate_sqlstate(code: str, exc: BaseException, doing: str) -> StorageError:
    """Map a PostgreSQL error by its SQLSTATE class; the code stays in the message."""
    message = _driver_message(exc)
    found = _SQLSTATE_CLASSES.get(code[:2])
    if found is None:
        return StorageError(f"database error while {doing}: SQLSTATE {code}: {message}")
    kind, what = found
    advice = " The write can be retried." if kind.retryable else ""
    if code == "57014":
        advice = (
            " The statement ran past the statement timeout (or was cancelled); it can be retried."
        )
    return kind(f"{what} while {doing}: SQLSTATE {code}: {message}.{advice}")


def _driver_message(exc: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's appended statement and parameters."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]
