"""A throw-away PostgreSQL database per test, on the server every project machine runs.

CI machines and developers' machines run PostgreSQL 15 on 127.0.0.1:5432 (trust); tests create
a uniquely named database and drop it afterwards. A machine without it fails these tests with a
message saying so: PostgreSQL is a requirement of the suite, not an option to skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from storage.sql import DatabaseLocation, parse_location

# The server the tests use; the variable lets a developer point them elsewhere.
SERVER_URL = os.environ.get("PACING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the server's `postgres` database, or a clear test failure."""
    try:
        return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {_shown(SERVER_URL)} ({exc}). The suite needs "
            "it: start PostgreSQL 15 on 127.0.0.1:5432 with trust authentication for user "
            "postgres, or set PACING_TEST_POSTGRES to a server URL.",
            pytrace=False,
        )


@contextmanager
def scratch_database() -> Iterator[DatabaseLocation]:
    """Create a uniquely named database, yield its location, drop it (sessions and all)."""
    name = f"pacing_test_{uuid.uuid4().hex[:16]}"
    with admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parse_location(f"{SERVER_URL}/{name}")
    finally:
        with admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _shown(url: str) -> str:
    """The server URL without its password, if it has one."""
    return make_url(url).render_as_string(hide_password=True)
