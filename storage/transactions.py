"""Write transactions: `BEGIN IMMEDIATE` ... COMMIT / ROLLBACK."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import sqlite_utils

from storage.errors import StorageError, translate_error


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one `BEGIN IMMEDIATE` transaction: commit on success, else roll back.

    IMMEDIATE takes the write lock up front, so waiting for another writer honours
    `busy_timeout`; a deferred transaction in WAL mode can instead fail at once with
    SQLITE_BUSY_SNAPSHOT when it upgrades from reading to writing. sqlite3 errors leave as
    `StorageError` subclasses (busy, write failure, rejected record).
    """
    conn = db.conn
    if conn.in_transaction:
        raise StorageError(
            "write_transaction() cannot be nested: a transaction is already open on this connection"
        )
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate_error(exc, "starting a write transaction") from exc
    try:
        yield db
    except sqlite3.Error as exc:
        _rollback_quietly(conn)
        raise translate_error(exc, "writing") from exc
    except BaseException:
        _rollback_quietly(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback_quietly(conn)
        raise translate_error(exc, "committing") from exc


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    # Some errors (disk full, I/O) already rolled the transaction back: nothing left to undo.
    if conn.in_transaction:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
