"""The leased publisher on SQLite and PostgreSQL: one master publishes, a lease it cannot
confirm to outlive the publish deadline publishes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from domain.ports import AnswersByTarget, Decisions, PublishSkipped, StatisticsByTarget
from domain.signals import CollectingSink, Condition
from node.lease import LeasedPublisher, MasterLeaseKeeper
from storage.leases import LeaseState, prepare_leases, read_lease
from storage.sql import Database, DatabaseLocation, ThreadDatabases, build_engine, parse_location
from tests.support import eventually

HOUR_S = 3600.0


class RecordingPublisher:
    """Stands in for the engagement platform: counts the publishes that reached it, and the
    node and term it was told it publishes under."""

    def __init__(self) -> None:
        self.published = 0
        self.identity: tuple[str, int] | None = None
        self.publish_by = 0.0

    def identify(self, node_id: str, term: int, publish_by: float) -> None:
        self.identity = (node_id, term)
        self.publish_by = publish_by

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        self.published += 1
        return {}


@pytest.fixture
def engines() -> Iterator[list[sqlalchemy.Engine]]:
    """One engine per node: nodes share the database, never a pool."""
    made: list[sqlalchemy.Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def node(
    location: DatabaseLocation,
    engines: list[sqlalchemy.Engine],
    node_id: str,
    *,
    ttl_s: float = HOUR_S,
    deadline_s: float = 1.0,
    sink: CollectingSink | None = None,
) -> tuple[LeasedPublisher, RecordingPublisher]:
    engines.append(build_engine(location))
    inner = RecordingPublisher()
    databases = ThreadDatabases(engines[-1], on_open=prepare_leases)
    return LeasedPublisher(inner, databases, node_id, ttl_s, deadline_s, sink=sink), inner


def test_only_the_master_of_two_nodes_publishes(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    master, to_master = node(any_location, engines, "node-a")
    standby, to_standby = node(any_location, engines, "node-b")
    master.publish((), {}, 0.0)
    with pytest.raises(PublishSkipped, match="standby node, node-a holds the master lease"):
        standby.publish((), {}, 0.0)
    master.publish((), {}, 0.0)
    assert (to_master.published, to_standby.published) == (2, 0)


def test_a_clean_stop_hands_the_lease_over_with_the_next_term(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    master, _ = node(any_location, engines, "node-a")
    standby, to_standby = node(any_location, engines, "node-b")
    master.publish((), {}, 0.0)
    master.release()
    standby.publish((), {}, 0.0)
    assert to_standby.published == 1
    with Database.open(engines[0]) as db:
        lease = read_lease(db, "master")
    assert lease is not None and (lease.holder, lease.term) == ("node-b", 2)


def test_a_lease_that_ends_before_the_publish_deadline_publishes_nothing(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    # The configuration refuses such a lease_ttl; built directly it shows the guard itself.
    master, inner = node(any_location, engines, "node-a", ttl_s=5.0, deadline_s=60.0)
    with pytest.raises(PublishSkipped) as caught:
        master.publish((), {}, 0.0)
    assert inner.published == 0
    assert "less than the publish deadline of 60 s" in str(caught.value)
    assert "publisher.lease_ttl" in str(caught.value)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_node_that_cannot_reach_the_database_does_not_publish(
    dialect: str, engines: list[sqlalchemy.Engine], tmp_path: Path
) -> None:
    # SQLite: the database path is a folder; PostgreSQL: nothing listens on port 1.
    unreachable = parse_location(
        str(tmp_path) if dialect == "sqlite" else "postgresql://postgres@127.0.0.1:1/pacing"
    )
    master, inner = node(unreachable, engines, "node-a")
    with pytest.raises(PublishSkipped, match="could not renew the master lease") as caught:
        master.publish((), {}, 0.0)
    assert inner.published == 0
    assert "SQLSTATE 08" in str(caught.value) or dialect == "sqlite"


def test_a_master_that_slept_past_its_lease_does_not_publish_on_waking(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    # SIGSTOP in small: node-a stops renewing, its lease lapses by the database's clock,
    # node-b takes over in the next term, and node-a's next publish is refused.
    sleeper, to_sleeper = node(any_location, engines, "node-a", ttl_s=1.0, deadline_s=0.2)
    taker, to_taker = node(any_location, engines, "node-b")
    sleeper.publish((), {}, 0.0)
    with Database.open(engines[0]) as db:
        assert eventually(lambda: _lease(db).remaining_s <= 0)
    taker.publish((), {}, 0.0)
    with pytest.raises(PublishSkipped, match="standby node, node-b holds the master lease"):
        sleeper.publish((), {}, 0.0)
    assert (to_sleeper.published, to_taker.published) == (1, 1)
    with Database.open(engines[0]) as db:
        assert (_lease(db).holder, _lease(db).term) == ("node-b", 2)


def _lease(db: Database) -> LeaseState:
    lease = read_lease(db, "master")
    assert lease is not None
    return lease


def test_the_publisher_names_its_node_and_term_to_the_platform(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    master, to_master = node(any_location, engines, "node-a", deadline_s=1.0)
    before = time.monotonic()
    master.publish((), {}, 0.0)
    assert to_master.identity == ("node-a", 1)
    # no request may start after the moment up to which the lease was confirmed
    assert before + 1.0 <= to_master.publish_by <= time.monotonic() + 1.0


def test_a_takeover_from_another_node_is_signalled_once_then_cancelled(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    sink = CollectingSink()
    master, _ = node(any_location, engines, "node-a", sink=sink)
    standby, _ = node(any_location, engines, "node-b", sink=sink)
    master.publish((), {}, 0.0)
    assert sink.drain() == []  # the first master of a database takes nothing over
    with pytest.raises(PublishSkipped):
        standby.publish((), {}, 1.0)
    master.release()
    standby.publish((), {}, 2.0)
    [raised] = sink.drain()
    assert (raised.condition, raised.active, raised.value) == (Condition.MASTER_TAKEOVER, True, 2)
    assert raised.reason == "node-b took over the master lease (term 2) from node-a"
    standby.publish((), {}, 3.0)
    assert [(s.condition, s.active) for s in sink.drain()] == [(Condition.MASTER_TAKEOVER, False)]


def test_the_keeper_renews_the_masters_lease_between_cycles_but_not_a_standbys(
    any_location: DatabaseLocation, engines: list[sqlalchemy.Engine]
) -> None:
    master, _ = node(any_location, engines, "node-a", ttl_s=3.0)
    standby, _ = node(any_location, engines, "node-b", ttl_s=3.0)
    master.publish((), {}, 0.0)
    with pytest.raises(PublishSkipped):
        standby.publish((), {}, 0.0)
    assert standby.renew() is None
    with Database.open(engines[0]) as db:
        before = read_lease(db, "master")
    keeper = MasterLeaseKeeper(master)
    keeper.start()
    try:

        def renewed() -> bool:
            with Database.open(engines[0]) as db:
                now = read_lease(db, "master")
            return before is not None and now is not None and now.expires_at > before.expires_at

        assert eventually(renewed)
    finally:
        keeper.stop()  # a clean stop also releases the lease
    with Database.open(engines[0]) as db:
        lease = read_lease(db, "master")
    assert lease is not None and lease.remaining_s <= 0 and lease.term == 1
