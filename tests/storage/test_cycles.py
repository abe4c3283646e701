"""Writes: one cycle row and one row per target, idempotent retries, newest live state."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.records import CycleRecord, TargetRecord
from storage.cycles import record_cycle
from storage.db import RecordRejectedError, UnknownNodeError, connect
from storage.nodes import (
    record_heartbeat,
    record_node_start,
    record_node_stop,
    record_scheduler_event,
)
from tests.builders import NO_STATISTICS, count, make_cycle, make_target

TARGETS = ("Proactive Chat - chat", "Proactive Voice - voice", "Sales - chat")


def stored_row(db: sqlite_utils.Database, record_id: str) -> dict[str, Any]:
    """One row of `cycle_targets` (a view over the compact tables) as the readers see it."""
    return next(db.query("SELECT * FROM cycle_targets WHERE record_id = ?", [record_id]))


def stored_state(db: sqlite_utils.Database, target_id: str) -> dict[str, Any]:
    """The latest state of one target (`target_state` is a view since migration 6)."""
    return next(db.query("SELECT * FROM target_state WHERE target_id = ?", [target_id]))


def test_record_cycle_writes_one_cycle_row_and_one_row_per_target(
    db: sqlite_utils.Database,
) -> None:
    targets = [make_target(target_id=t) for t in TARGETS]
    assert record_cycle(db, make_cycle(targets_count=3), targets) is True
    assert count(db, "cycles") == 1
    rows = list(db.query("SELECT record_id, target_id FROM cycle_targets ORDER BY target_id"))
    assert rows == [{"record_id": f"c1/{t}", "target_id": t} for t in sorted(TARGETS)]
    assert count(db, "target_state") == 3


def test_record_cycle_stores_every_field_as_given(db: sqlite_utils.Database) -> None:
    cycle = make_cycle(status="partial", error="publish failed", skipped_before=2, errors_count=1)
    target = make_target(pending_invitations=None, acceptance_rate=None, error="HTTP 503")
    record_cycle(db, cycle, [target])
    stored_cycle = db.table("cycles").get("c1")
    stored_target = stored_row(db, target.record_id)
    assert CycleRecord(**stored_cycle) == cycle
    assert TargetRecord(**{k: v for k, v in stored_target.items() if k != "record_id"}) == target


def test_re_recording_the_same_cycle_adds_nothing_and_returns_false(
    db: sqlite_utils.Database,
) -> None:
    cycle, targets = make_cycle(), [make_target(target_id=t) for t in TARGETS]
    assert record_cycle(db, cycle, targets) is True
    assert record_cycle(db, cycle, targets) is False
    assert (count(db, "cycles"), count(db, "cycle_targets")) == (1, 3)


def test_target_state_keeps_the_newest_row_when_an_old_cycle_arrives_late(
    db: sqlite_utils.Database,
) -> None:
    record_cycle(db, make_cycle("new", 2_000.0), [make_target("new", at=2_000.1, in_queue=9)])
    record_cycle(db, make_cycle("old", 1_000.0), [make_target("old", at=1_000.1, in_queue=1)])
    state = stored_state(db, TARGETS[0])
    assert (state["cycle_id"], state["in_queue"]) == ("new", 9)
    assert count(db, "cycle_targets") == 2


def test_target_state_moves_to_a_newer_row(db: sqlite_utils.Database) -> None:
    record_cycle(db, make_cycle("c1"), [make_target("c1", at=1_000.1)], recorded_at=5.0)
    record_cycle(db, make_cycle("c2", 1_005.0), [make_target("c2", at=1_005.1)], recorded_at=6.0)
    state = stored_state(db, TARGETS[0])
    assert (state["cycle_id"], state["at"], state["updated_at"]) == ("c2", 1_005.1, 6.0)


def test_a_target_of_another_cycle_is_refused_before_writing(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError, match="belongs to cycle 'other', not to cycle 'c1'"):
        record_cycle(db, make_cycle(), [make_target(cycle_id="other")])
    assert count(db, "cycles") == 0


def test_a_row_breaking_a_constraint_is_rejected_not_ignored(db: sqlite_utils.Database) -> None:
    # A record that passes the dataclass checks but not the schema: NULL media.
    bad = make_target()
    object.__setattr__(bad, "media", None)
    with pytest.raises(RecordRejectedError, match="NOT NULL") as info:
        record_cycle(db, make_cycle(), [bad])
    assert not info.value.retryable
    assert (count(db, "cycles"), count(db, "cycle_targets")) == (0, 0)


def test_records_check_their_invariants_when_built() -> None:
    with pytest.raises(ValueError, match="status must be one of ok, partial, failed, overrun"):
        make_cycle(status="late")
    with pytest.raises(ValueError, match="goal_pct must be between 0 and 100, got 140"):
        make_target(goal_pct=140.0)
    with pytest.raises(ValueError, match="ready_slots must not be negative, got -1"):
        make_target(ready_slots=-1)


# Any order of records, with any repeats, leaves exactly the unique rows.
_cycle_indexes = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=25)
_target_sets = st.lists(
    st.sets(st.sampled_from(TARGETS), max_size=len(TARGETS)), min_size=6, max_size=6
)


@settings(max_examples=40, deadline=None)
@given(order=_cycle_indexes, target_sets=_target_sets)
def test_any_sequence_of_duplicate_records_leaves_exactly_the_unique_rows(
    order: list[int], target_sets: list[set[str]]
) -> None:
    cycles = [make_cycle(f"c{i}", 1_000.0 + 5 * i) for i in range(6)]
    targets = [
        [make_target(f"c{i}", t, at=1_000.1 + 5 * i) for t in sorted(target_sets[i])]
        for i in range(6)
    ]
    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "p.db")
        results = [record_cycle(db, cycles[i], targets[i]) for i in order]
        unique = set(order)
        assert results.count(True) == len(unique)
        assert count(db, "cycles") == len(unique)
        assert count(db, "cycle_targets") == sum(len(target_sets[i]) for i in unique)
        state = {r["target_id"]: r["cycle_id"] for r in db.query("SELECT * FROM target_state")}
        assert state == {
            t: f"c{max(i for i in unique if t in target_sets[i])}"
            for t in TARGETS
            if any(t in target_sets[i] for i in unique)
        }
        db.close()


def test_node_start_heartbeat_and_stop_are_recorded(db: sqlite_utils.Database) -> None:
    record_node_start(
        db,
        node_id="node-a",
        host="pc1",
        pid=123,
        mode="embedded",
        period_s=5.0,
        started_at=100.0,
        config_path="pacing.toml",
    )
    record_heartbeat(db, "node-a", 110.0)
    record_heartbeat(db, "node-a", 105.0)  # late: the heartbeat never goes back
    assert db.table("nodes").get("node-a")["heartbeat_at"] == 110.0
    record_node_stop(db, "node-a", 120.0)
    node = db.table("nodes").get("node-a")
    assert (node["stopped_at"], node["heartbeat_at"]) == (120.0, 120.0)


def test_a_restarted_node_is_no_longer_stopped(db: sqlite_utils.Database) -> None:
    start = dict(node_id="n", host="h", pid=1, mode="headless", period_s=5.0, config_path="p")
    record_node_start(db, started_at=1.0, **start)  # type: ignore[arg-type]
    record_node_stop(db, "n", 2.0)
    record_node_start(db, started_at=3.0, **{**start, "pid": 2})  # type: ignore[arg-type]
    node = db.table("nodes").get("n")
    assert (node["pid"], node["stopped_at"], node["heartbeat_at"]) == (2, None, 3.0)
    assert count(db, "nodes") == 1


def test_a_heartbeat_of_an_unknown_node_is_an_error(db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownNodeError, match="node 'ghost': it never recorded its start"):
        record_heartbeat(db, "ghost", 1.0)


def test_scheduler_events_are_stored_once(db: sqlite_utils.Database) -> None:
    assert record_scheduler_event(db, "e1", "node-a", 10.0, "skipped", "overrun") is True
    assert record_scheduler_event(db, "e1", "node-a", 10.0, "skipped", "overrun") is False
    assert count(db, "scheduler_events") == 1
    with pytest.raises(ValueError, match="kind must be one of"):
        record_scheduler_event(db, "e2", "node-a", 10.0, "lost", "")  # type: ignore[arg-type]


def test_a_target_without_statistics_is_still_recorded_with_its_error(
    db: sqlite_utils.Database,
) -> None:
    blind = make_target(**NO_STATISTICS, error="stat source timed out")
    assert record_cycle(db, make_cycle(status="failed", error="stat source timed out"), [blind])
    stored = stored_row(db, blind.record_id)
    assert (stored["in_queue"], stored["error"]) == (None, "stat source timed out")
