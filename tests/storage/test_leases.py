"""The fenced master lease on SQLite and PostgreSQL: holder, term, expiry by the database clock."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy

from storage.leases import (
    LeaseState,
    claim_lease,
    confirm_lease,
    prepare_leases,
    read_lease,
    release_lease,
)
from storage.sql import Database, DatabaseLocation, build_engine, parse_location
from tests.storage.races import at_once
from tests.support import eventually

HOUR_S = 3600.0


@pytest.fixture
def db(any_database: Database) -> Iterator[Database]:
    prepare_leases(any_database)
    yield any_database


def test_the_first_claimant_holds_the_lease_in_term_one_and_others_wait(db: Database) -> None:
    first = claim_lease(db, "master", "a", HOUR_S)
    assert first.held_by("a") and first.term == 1
    assert first.expires_at == pytest.approx(first.acquired_at + HOUR_S)
    assert first.acquired_at <= first.db_now < first.expires_at
    other = claim_lease(db, "master", "b", HOUR_S)
    assert other.holder == "a" and other.term == 1


def test_renewing_moves_the_expiry_but_never_the_term(db: Database) -> None:
    first = claim_lease(db, "master", "a", 60)
    renewed = claim_lease(db, "master", "a", HOUR_S)
    assert renewed.term == first.term
    assert renewed.acquired_at == first.acquired_at
    assert renewed.expires_at > first.expires_at


def test_an_expired_lease_passes_to_the_next_claimant_with_the_next_term(db: Database) -> None:
    claim_lease(db, "master", "a", 0.05)
    assert eventually(lambda: (read_lease(db, "master") or _never()).remaining_s <= 0)
    taken = claim_lease(db, "master", "b", HOUR_S)
    assert taken.held_by("b") and taken.term == 2
    back = _take_over(db, "b", "a")
    assert back.held_by("a") and back.term == 3


def test_a_released_lease_is_free_at_once(db: Database) -> None:
    claim_lease(db, "master", "a", HOUR_S)
    release_lease(db, "master", "a")
    assert claim_lease(db, "master", "b", HOUR_S).held_by("b")


def test_only_the_holder_can_release(db: Database) -> None:
    claim_lease(db, "master", "a", HOUR_S)
    release_lease(db, "master", "b")
    assert claim_lease(db, "master", "b", HOUR_S).holder == "a"


def test_confirm_needs_the_same_holder_the_same_term_and_enough_time_left(db: Database) -> None:
    lease = claim_lease(db, "master", "a", 60)
    assert confirm_lease(db, "master", "a", lease.term, must_outlive_s=30)
    assert not confirm_lease(db, "master", "a", lease.term, must_outlive_s=120)
    assert not confirm_lease(db, "master", "b", lease.term, must_outlive_s=0)
    assert not confirm_lease(db, "master", "a", lease.term + 1, must_outlive_s=0)
    assert not confirm_lease(db, "never-taken", "a", 1, must_outlive_s=0)


def test_a_holder_that_lost_its_term_cannot_confirm_even_after_taking_it_back(
    db: Database,
) -> None:
    # The fencing case: node a pauses past its expiry, b takes over, then a takes it back;
    # a's publish that was prepared under its old term must not go out.
    old = claim_lease(db, "master", "a", HOUR_S)
    _take_over(db, "a", "b")
    newer = _take_over(db, "b", "a")
    assert newer.held_by("a") and newer.term == old.term + 2
    assert not confirm_lease(db, "master", "a", old.term, must_outlive_s=0)
    assert confirm_lease(db, "master", "a", newer.term, must_outlive_s=0)


def test_a_bad_ttl_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="ttl_s must be positive, got 0"):
        claim_lease(db, "master", "a", 0)


def test_threads_racing_for_an_expired_lease_leave_exactly_one_holder(
    any_engine: sqlalchemy.Engine,
) -> None:
    with Database.open(any_engine) as setup:
        prepare_leases(setup)
        before = claim_lease(setup, "master", "old", HOUR_S)
        release_lease(setup, "master", "old")
    claimants = [f"node-{n}" for n in range(6)]
    states = at_once(
        any_engine,
        len(claimants),
        lambda db, index: claim_lease(db, "master", claimants[index], HOUR_S),
    )
    _assert_one_winner(any_engine, before, dict(zip(claimants, states, strict=True)))


def test_processes_racing_for_an_expired_lease_leave_exactly_one_holder(
    any_location: DatabaseLocation, any_engine: sqlalchemy.Engine
) -> None:
    with Database.open(any_engine) as setup:
        prepare_leases(setup)
        before = claim_lease(setup, "master", "old", HOUR_S)
        release_lease(setup, "master", "old")
    claimants = [f"node-{n}" for n in range(4)]
    # forkserver, not fork: forking the test process copies the locks other threads hold
    # (logging, pools of earlier tests' nodes) and a child can hang on one. The server imports
    # this module once; each child forks from it and opens its own engine and connection.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    start = context.Barrier(len(claimants))
    answers: multiprocessing.Queue[tuple[str, LeaseState]] = context.Queue()
    url = any_location.url.render_as_string(hide_password=False)
    processes = [
        context.Process(target=_claim_in_process, args=(url, node, start, answers))
        for node in claimants
    ]
    for process in processes:
        process.start()
    try:
        replies = [answers.get(timeout=120) for _ in claimants]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():  # never leave a child that would hold the suite's exit
                process.kill()
    failed = [reply for reply in replies if isinstance(reply[1], str)]
    assert not failed, failed
    _assert_one_winner(any_engine, before, dict(replies))


def _claim_in_process(url: str, node_id: str, start: Any, answers: Any) -> None:
    """Run in a child process: its own engine and connection, all children released at once.

    Answers `(node_id, LeaseState)`, or `(node_id, "what failed")` so the test fails at once.
    """
    try:
        engine = build_engine(parse_location(url))
        with Database.open(engine) as db:
            start.wait(timeout=60)
            answers.put((node_id, claim_lease(db, "master", node_id, HOUR_S)))
        engine.dispose()
    except BaseException as error:
        answers.put((node_id, f"{type(error).__name__}: {error}"))


def _assert_one_winner(
    engine: sqlalchemy.Engine, before: LeaseState, results: dict[str, LeaseState]
) -> None:
    winners = {node for node, state in results.items() if state.held_by(node)}
    assert len(winners) == 1, results
    (winner,) = winners
    with Database.open(engine) as db:
        final = read_lease(db, "master")
    assert final is not None and final.holder == winner
    assert final.term == before.term + 1
    assert all(state.holder == winner for state in results.values())


def _take_over(db: Database, holder: str, taker: str) -> LeaseState:
    release_lease(db, "master", holder)
    return claim_lease(db, "master", taker, HOUR_S)


def _never() -> LeaseState:
    raise AssertionError("the lease row vanished")
