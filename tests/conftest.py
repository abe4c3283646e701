"""Fixtures every test folder may use: a real, migrated SQLite file with the default conditions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
import sqlite_utils
from hypothesis import HealthCheck, settings

from alarms.catalogue import default_conditions
from config.alarms import AlarmOptions
from node.logs import PROJECT_LOGGERS
from node.node import Node
from storage.alarms.store import provision_conditions
from storage.db import connect
from storage.sql import Database, DatabaseLocation, build_engine, parse_location
from tests.postgres import scratch_database

# The suite runs on shared, busy machines: a property test is judged by what it finds, never by
# how fast this machine generated or ran its examples (no deadline, no too-slow health check).
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


@pytest.fixture
def alarm_db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(tmp_path / "pacing.db")
    provision_conditions(
        database, default_conditions(alarms=AlarmOptions(off_delay_s=0.0)), now=0.0
    )
    yield database
    database.close()


@pytest.fixture
def postgres_location() -> Iterator[DatabaseLocation]:
    """A fresh, empty PostgreSQL database of its own (fails, never skips, without a server)."""
    with scratch_database() as location:
        yield location


@pytest.fixture(params=["sqlite", "postgresql"])
def any_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseLocation]:
    """The same test on both engines: a SQLite file in tmp_path, then a scratch PostgreSQL."""
    if request.param == "sqlite":
        yield parse_location(tmp_path / "pacing.db")
        return
    with scratch_database() as location:
        yield location


@pytest.fixture
def any_engine(any_location: DatabaseLocation) -> Iterator[sqlalchemy.Engine]:
    """An Engine on `any_location`, disposed afterwards (so the database can be dropped)."""
    engine = build_engine(any_location)
    yield engine
    engine.dispose()


@pytest.fixture
def any_database(any_engine: sqlalchemy.Engine) -> Iterator[Database]:
    """A fresh `Database` on SQLite and on PostgreSQL: the fixture storage ports reuse."""
    database = Database.open(any_engine)
    yield database
    database.close()


@pytest.fixture(autouse=True)
def project_logs_reach_caplog(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pacing` commands install their own handler (propagate off); tests read caplog instead,
    whichever test ran a command before them."""
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "handlers", [])


@pytest.fixture(autouse=True)
def nodes_started_by_the_test_are_stopped(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop, after the test, every node whose services the test started and left running.

    `Node.run_once` starts the node's services (backlog processors, hive-off, reporters) the
    way `start` does; a test that cycles a node by hand and never stops it would otherwise
    leave those threads running for the rest of the suite, taking CPU from later tests and
    holding locks a forked child could inherit.
    """
    started: list[Node] = []
    original = Node._start_services

    def start_services(node: Node) -> None:
        if node not in started:
            started.append(node)
        original(node)

    monkeypatch.setattr(Node, "_start_services", start_services)
    yield
    for node in reversed(started):
        try:
            node.stop()
        except Exception:  # noqa: BLE001 - a test may have broken its database on purpose
            logging.getLogger(__name__).warning("node %s did not stop cleanly", node.node_id)
