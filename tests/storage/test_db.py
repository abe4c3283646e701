"""Opening the database: pragmas, read-only access, the busy timeout."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlite_utils

from storage.cycles import record_cycle
from storage.db import (
    DatabaseBusyError,
    DatabaseMissingError,
    StorageError,
    connect,
    connect_readonly,
    write_transaction,
)
from tests.builders import count, make_cycle, make_target


def test_connect_creates_the_folder_and_sets_the_pragmas(db_path: Path) -> None:
    db = connect(db_path)
    pragma = {
        name: db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")
    }
    assert db_path.is_file()
    assert pragma == {
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "synchronous": 1,
        "foreign_keys": 1,
    }


def test_connect_can_ask_for_full_synchronous_writes(db_path: Path) -> None:
    db = connect(db_path, synchronous="FULL")
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_readonly_connect_on_a_missing_file_says_to_start_a_node(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError, match="no database yet at .*start a node") as info:
        connect_readonly(tmp_path / "nowhere" / "pacing.db")
    assert isinstance(info.value, StorageError)
    assert not (tmp_path / "nowhere").exists()


def test_readonly_connect_refuses_a_file_without_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    empty.touch()
    with pytest.raises(DatabaseMissingError, match="no Pacing Watch schema yet"):
        connect_readonly(empty)


def test_readonly_connection_reads_but_cannot_write(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    record_cycle(db, make_cycle(), [make_target()])
    reader = connect_readonly(db_path)
    assert count(reader, "cycle_targets") == 1
    with pytest.raises(StorageError):
        record_cycle(reader, make_cycle("c2"), [])


def test_readonly_connection_opens_a_database_whose_writers_have_all_closed(
    db_path: Path,
) -> None:
    writer = connect(db_path)
    record_cycle(writer, make_cycle(), [make_target()])
    writer.close()
    reader = connect_readonly(db_path)
    assert count(reader, "cycles") == 1


def test_write_transaction_rolls_back_when_the_block_fails(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO scheduler_events VALUES ('e1', 'n', 1.0, 'error', 'boom')")
        raise RuntimeError("stop here")
    assert count(db, "scheduler_events") == 0
    assert not db.conn.in_transaction


def test_write_transaction_cannot_be_nested(db: sqlite_utils.Database) -> None:
    outer = write_transaction(db)
    with outer, pytest.raises(StorageError, match="cannot be nested"), write_transaction(db):
        pass


def test_record_cycle_fails_busy_after_the_timeout_while_another_connection_holds_the_lock(
    db_path: Path,
) -> None:
    writer = connect(db_path, busy_timeout_ms=200)
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError, match="SQLITE_BUSY.*can be retried") as info:
            record_cycle(writer, make_cycle(), [make_target(), make_target(target_id="t2")])
        waited_s = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert info.value.retryable
    assert waited_s >= 0.15
    assert not writer.conn.in_transaction
    assert (
        count(writer, "cycles"),
        count(writer, "cycle_targets"),
        count(writer, "target_state"),
    ) == (
        0,
        0,
        0,
    )
    assert record_cycle(writer, make_cycle(), [make_target()]) is True
