"""Each engine comes configured: SQLite pragmas, PostgreSQL pool and session settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.sql import Database, DatabaseLocation, EngineOptions, build_engine, parse_location


def test_sqlite_connections_get_wal_the_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = build_engine(
        parse_location(tmp_path / "new" / "pacing.db"),
        EngineOptions(busy_timeout_ms=1234, synchronous="FULL"),
    )
    with Database.open(engine) as db:
        assert db.execute("PRAGMA journal_mode").scalar_one() == "wal"
        assert db.execute("PRAGMA busy_timeout").scalar_one() == 1234
        assert db.execute("PRAGMA foreign_keys").scalar_one() == 1
        assert db.execute("PRAGMA synchronous").scalar_one() == 2  # FULL
    assert (tmp_path / "new" / "pacing.db").is_file()
    engine.dispose()


def test_postgresql_connections_get_the_pool_timeouts_and_application_name(
    postgres_location: DatabaseLocation,
) -> None:
    options = EngineOptions(
        pool_size=3, max_overflow=1, statement_timeout_ms=4500, application_name="node-a"
    )
    engine = build_engine(postgres_location, options)
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    with Database.open(engine) as db:
        assert db.execute("SHOW statement_timeout").scalar_one() == "4500ms"
        assert db.execute("SHOW application_name").scalar_one() == "node-a"
        assert db.execute("SHOW transaction_isolation").scalar_one() == "read committed"
    engine.dispose()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pool_size": 0}, "pool_size must be positive, got 0"),
        ({"statement_timeout_ms": -1}, "statement_timeout_ms must not be negative, got -1"),
        ({"synchronous": "OFF"}, "synchronous must be 'NORMAL' or 'FULL', got 'OFF'"),
        ({"application_name": "x" * 64}, "application_name must be printable and at most 63"),
    ],
)
def test_bad_engine_options_are_named(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EngineOptions(**options)  # type: ignore[arg-type]
