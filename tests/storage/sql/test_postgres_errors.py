"""Real PostgreSQL failures map onto the storage errors and the backlog's SQLSTATE lists.

Each fault is produced for real on the test server: a backend killed by pg_terminate_backend,
a statement past statement_timeout, a duplicate key, a deadlock, a refused connection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy

from config.options import DEFAULT_STARTS_WITH
from storage.backlog.classify import ErrorPolicy, error_name, is_backloggable
from storage.errors import (
    DatabaseBusyError,
    DatabaseWriteError,
    RecordRejectedError,
    StorageError,
)
from storage.sql import Database, DatabaseLocation, EngineOptions, build_engine, parse_location

DEFAULTS = ErrorPolicy(treat_all=False, exact_match=(), starts_with=DEFAULT_STARTS_WITH)
EVERYTHING = ErrorPolicy(treat_all=True, exact_match=(), starts_with=())


@pytest.fixture
def engine(postgres_location: DatabaseLocation) -> Iterator[sqlalchemy.Engine]:
    engine = build_engine(postgres_location, EngineOptions(statement_timeout_ms=300))
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: sqlalchemy.Engine) -> Iterator[Database]:
    with Database.open(engine) as database:
        yield database


def failure(db: Database, sql: str) -> StorageError:
    with pytest.raises(StorageError) as caught:
        db.execute(sql)
    return caught.value


def test_a_killed_backend_is_a_retryable_write_error_and_the_next_statement_reconnects(
    db: Database, engine: sqlalchemy.Engine
) -> None:
    pid = db.execute("SELECT pg_backend_pid()").scalar_one()
    with Database.open(engine) as killer:
        killer.execute("SELECT pg_terminate_backend(:pid)", {"pid": pid})
    error = failure(db, "SELECT 1")
    assert isinstance(error, DatabaseWriteError) and error.retryable
    assert error_name(error) == "57P01"
    assert "SQLSTATE 57P01" in str(error)
    assert is_backloggable(error_name(error), DEFAULTS)
    assert db.execute("SELECT 1").scalar_one() == 1
    assert db.execute("SELECT pg_backend_pid()").scalar_one() != pid


def test_a_statement_past_the_statement_timeout_is_retryable(db: Database) -> None:
    error = failure(db, "SELECT pg_sleep(5)")
    assert isinstance(error, DatabaseWriteError) and error.retryable
    assert error_name(error) == "57014"
    assert "statement timeout" in str(error)
    assert is_backloggable("57014", DEFAULTS)


def test_a_refused_connection_is_a_connection_exception() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    engine = build_engine(parse_location("postgresql://postgres:s3cret@127.0.0.1:1/none"))
    with pytest.raises(DatabaseWriteError) as caught:
        Database.open(engine)
    assert error_name(caught.value).startswith("08")
    assert is_backloggable(error_name(caught.value), DEFAULTS)
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)


def test_a_duplicate_key_is_rejected_and_never_backlogged(db: Database) -> None:
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO t VALUES (1)")
    error = failure(db, "INSERT INTO t VALUES (1)")
    assert isinstance(error, RecordRejectedError) and not error.retryable
    assert error_name(error) == "23505"
    assert not is_backloggable("23505", EVERYTHING)


def test_an_sql_error_is_never_retried_nor_backlogged(db: Database) -> None:
    error = failure(db, "SELECT * FROM no_such_table")
    assert type(error) is StorageError and not error.retryable
    assert error_name(error) == "42P01"
    assert not is_backloggable("42P01", EVERYTHING)
    assert not is_backloggable(error_name(failure(db, "SELEC 1")), EVERYTHING)


def test_a_deadlock_victim_gets_a_retryable_busy_error(
    postgres_location: DatabaseLocation,
) -> None:
    # No statement timeout: it would end the wait before the deadlock detector does.
    engine = build_engine(postgres_location, EngineOptions(statement_timeout_ms=0))
    with Database.open(engine) as setup:
        setup.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)")
        setup.execute("INSERT INTO t VALUES (1, 0), (2, 0)")
    both_locked = threading.Barrier(2)
    errors: list[StorageError] = []

    def lock_in_order(first: int, second: int) -> None:
        with Database.open(engine) as db:
            try:
                with db.write_transaction():
                    db.execute("UPDATE t SET v = v + 1 WHERE k = :k", {"k": first})
                    both_locked.wait()
                    db.execute("UPDATE t SET v = v + 1 WHERE k = :k", {"k": second})
            except StorageError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=lock_in_order, args=order) for order in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert len(errors) == 1
    assert isinstance(errors[0], DatabaseBusyError) and errors[0].retryable
    assert error_name(errors[0]) == "40P01"
    assert is_backloggable("40P01", DEFAULTS)


def test_a_write_transaction_whose_connection_dies_can_be_retried_on_the_same_database(
    db: Database, engine: sqlalchemy.Engine
) -> None:
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    pid = db.execute("SELECT pg_backend_pid()").scalar_one()
    with pytest.raises(DatabaseWriteError), db.write_transaction():
        db.execute("INSERT INTO t VALUES (1)")
        with Database.open(engine) as killer:
            killer.execute("SELECT pg_terminate_backend(:pid)", {"pid": pid})
        db.execute("INSERT INTO t VALUES (2)")
    assert not db.in_write_transaction
    with db.write_transaction():
        db.execute("INSERT INTO t VALUES (1)")
    assert db.execute("SELECT count(*) FROM t").scalar_one() == 1


def test_an_exhausted_pool_is_a_retryable_timeout(postgres_location: DatabaseLocation) -> None:
    # The original's "connection pool exhaustion" is one of its handled write errors.
    engine = build_engine(
        postgres_location, EngineOptions(pool_size=1, max_overflow=0, pool_timeout_s=0.1)
    )
    with Database.open(engine), pytest.raises(DatabaseWriteError) as caught:
        Database.open(engine)
    assert "no free database connection" in str(caught.value)
    assert error_name(caught.value) == "TIMEOUT"
    assert is_backloggable("TIMEOUT", DEFAULTS)
    engine.dispose()
