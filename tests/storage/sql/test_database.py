"""The `Database` facade behaves the same on SQLite and PostgreSQL (`any_database`)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy

from storage.backlog.classify import error_name
from storage.errors import DatabaseBusyError, RecordRejectedError, StorageError
from storage.sql import Database, EngineOptions, ThreadDatabases, build_engine, parse_location

_TABLE = "CREATE TABLE items (item_id INTEGER PRIMARY KEY, label TEXT NOT NULL)"


def count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM items").scalar_one())


def test_named_parameters_run_on_both_engines(any_database: Database) -> None:
    any_database.execute(_TABLE)
    any_database.execute("INSERT INTO items VALUES (:id, :label)", {"id": 1, "label": "a"})
    assert any_database.executemany(
        "INSERT INTO items VALUES (:id, :label)", [{"id": 2, "label": "b"}, {"id": 3, "label": "c"}]
    ) in (2, 0)  # psycopg may not report a total for a batch; the rows are what counts
    rows = any_database.execute(
        "SELECT label FROM items WHERE item_id >= :low ORDER BY item_id", {"low": 2}
    ).scalars()
    assert list(rows) == ["b", "c"]


def test_a_write_transaction_commits_on_success_and_rolls_back_on_error(
    any_database: Database,
) -> None:
    any_database.execute(_TABLE)
    with any_database.write_transaction():
        any_database.execute("INSERT INTO items VALUES (1, 'kept')")
    with pytest.raises(RuntimeError), any_database.write_transaction():
        any_database.execute("INSERT INTO items VALUES (2, 'undone')")
        raise RuntimeError("boom")
    assert count(any_database) == 1
    assert not any_database.in_write_transaction


def test_a_rejected_record_rolls_the_whole_transaction_back(any_database: Database) -> None:
    any_database.execute(_TABLE)
    with pytest.raises(RecordRejectedError), any_database.write_transaction():
        any_database.execute("INSERT INTO items VALUES (1, 'first')")
        any_database.execute("INSERT INTO items VALUES (1, 'same key')")
    assert count(any_database) == 0
    any_database.execute("INSERT INTO items VALUES (1, 'usable afterwards')")
    assert count(any_database) == 1


def test_write_transactions_do_not_nest(any_database: Database) -> None:
    with (
        any_database.write_transaction(),
        pytest.raises(StorageError, match="cannot be nested"),
        any_database.write_transaction(),
    ):
        pass


def test_the_dialect_names_the_engine(
    any_database: Database, any_engine: sqlalchemy.Engine
) -> None:
    assert any_database.dialect == any_engine.dialect.name
    assert (any_database.sqlite_path is None) == (any_database.dialect == "postgresql")


def test_db_now_is_the_databases_clock_in_epoch_seconds(any_database: Database) -> None:
    before = time.time()
    first = any_database.db_now()
    second = any_database.db_now()
    # Same host here: the database's clock is this machine's, to within a generous margin.
    assert abs(first - before) < 60
    assert second >= first


def test_a_writer_waits_for_another_writers_transaction_instead_of_failing(
    any_engine: sqlalchemy.Engine,
) -> None:
    with Database.open(any_engine) as setup:
        setup.execute(_TABLE)
        setup.execute("INSERT INTO items VALUES (1, 'none')")
    holder, waiter = Database.open(any_engine), Database.open(any_engine)
    started = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        started.set()
        try:
            with waiter.write_transaction():
                waiter.execute("UPDATE items SET label = label || ', second' WHERE item_id = 1")
        except BaseException as exc:  # reported below
            errors.append(exc)

    with holder.write_transaction():
        holder.execute("UPDATE items SET label = 'first' WHERE item_id = 1")
        thread = threading.Thread(target=second_writer)
        thread.start()
        started.wait()
    thread.join()
    assert errors == []
    # The second writer waited for the first one's commit and then saw its row.
    assert holder.execute("SELECT label FROM items").scalar_one() == "first, second"
    holder.close()
    waiter.close()


def test_each_thread_gets_its_own_database(any_engine: sqlalchemy.Engine) -> None:
    opened: list[Database] = []
    databases = ThreadDatabases(any_engine, on_open=opened.append)
    mine = databases.get()
    assert databases.get() is mine
    other: list[Database] = []
    thread = threading.Thread(target=lambda: other.append(databases.get()))
    thread.start()
    thread.join()
    assert other[0] is not mine
    assert opened == [mine, other[0]]
    databases.close_current_thread()
    assert databases.get() is not mine
    databases.dispose()


def test_a_sqlite_writer_past_the_busy_timeout_gets_a_retryable_busy_error(
    tmp_path: Path,
) -> None:
    location = parse_location(tmp_path / "pacing.db")
    patient, impatient = (
        build_engine(location),
        build_engine(location, EngineOptions(busy_timeout_ms=0)),
    )
    with Database.open(patient) as holder, Database.open(impatient) as other:
        with (
            holder.write_transaction(),
            pytest.raises(DatabaseBusyError) as caught,
            other.write_transaction(),
        ):
            pass
        assert caught.value.retryable
        assert error_name(caught.value) == "SQLITE_BUSY"
        assert not other.in_write_transaction
    patient.dispose()
    impatient.dispose()


def test_has_table_sees_a_table_once_it_is_created(any_database: Database) -> None:
    assert not any_database.has_table("created_here")
    any_database.execute("CREATE TABLE created_here (id INTEGER PRIMARY KEY)")
    assert any_database.has_table("created_here")
