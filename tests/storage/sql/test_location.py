"""A database location is a SQLite path or a PostgreSQL URL; anything else says what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.sql import DatabaseLocationError, parse_location


def test_a_plain_path_is_a_sqlite_file() -> None:
    location = parse_location("data/pacing.db")
    assert location.dialect == "sqlite"
    assert location.path == Path("data/pacing.db")
    assert location.url.drivername == "sqlite+pysqlite"
    assert location.redacted == "data/pacing.db"


def test_a_path_object_and_a_sqlite_url_are_sqlite_files_too() -> None:
    assert parse_location(Path("/tmp/x.db")).path == Path("/tmp/x.db")
    assert parse_location("sqlite:////tmp/x.db").path == Path("/tmp/x.db")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw@db:5432/pacing",
        "postgres://u:pw@db/pacing",
        "postgresql+psycopg://u:pw@db/pacing",
    ],
)
def test_every_postgresql_spelling_is_served_by_psycopg(url: str) -> None:
    location = parse_location(url)
    assert location.dialect == "postgresql"
    assert location.url.drivername == "postgresql+psycopg"
    assert location.url.password == "pw"
    assert location.path is None


def test_the_password_never_shows_in_the_redacted_form_nor_the_repr() -> None:
    location = parse_location("postgresql://pacer:s3cret@db.example:5432/pacing?password=s3cret")
    assert "s3cret" not in location.redacted
    assert "s3cret" not in repr(location)
    assert "s3cret" not in str(location)
    assert location.redacted.startswith("postgresql://pacer:***@db.example:5432/pacing")


@pytest.mark.parametrize("value", ["mysql://u@h/db", "http://example.com/db"])
def test_another_kind_of_url_is_refused_with_what_is_expected(value: str) -> None:
    with pytest.raises(DatabaseLocationError) as caught:
        parse_location(value, where="node.database")
    message = str(caught.value)
    assert message.startswith("node.database: a ")
    assert "expected a SQLite file path or a postgresql://" in message


def test_an_empty_location_is_refused() -> None:
    with pytest.raises(DatabaseLocationError, match="database: empty — expected"):
        parse_location("  ")


def test_an_unparseable_url_does_not_echo_its_password() -> None:
    with pytest.raises(DatabaseLocationError) as caught:
        parse_location("postgresql://u:s3cret@db:notaport/pacing")
    assert "s3cret" not in str(caught.value)
    assert "is not a valid URL" in str(caught.value)
