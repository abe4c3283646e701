"""The History page's row count stops at its cap: a day at 10,000 targets is not counted."""

from __future__ import annotations

import pytest
import sqlite_utils

from storage.cycles import record_cycle
from storage.errors import InvalidQueryError
from storage.history import count_history_rows
from storage.history_bounds import count_history_rows_upto
from tests.builders import make_cycle, make_target


def store(db: sqlite_utils.Database, cycles: int, targets: int) -> None:
    for i in range(cycles):
        at = 1_000.0 + i
        rows = [make_target(f"c{i}", f"T{t} - chat", at=at) for t in range(targets)]
        record_cycle(db, make_cycle(f"c{i}", started_at=at, targets_count=targets), rows)


def test_under_the_cap_the_count_is_exact_and_matches_the_full_count(
    db: sqlite_utils.Database,
) -> None:
    store(db, cycles=5, targets=4)
    for targets in (None, ["T1 - chat"], ["T1 - chat", "T3 - chat", "unknown"]):
        exact = count_history_rows(db, 1_001.0, 1_003.0, targets)
        assert count_history_rows_upto(db, 1_001.0, 1_003.0, targets, cap=100) == exact
    assert count_history_rows_upto(db, 0.0, 2_000.0, None, cap=20) == 20


def test_over_the_cap_the_count_stops_one_past_it(db: sqlite_utils.Database) -> None:
    store(db, cycles=5, targets=4)
    assert count_history_rows_upto(db, 0.0, 2_000.0, None, cap=7) == 8


def test_a_cap_below_one_or_a_reversed_range_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(InvalidQueryError, match="count cap: 0 — expected 1 or more"):
        count_history_rows_upto(db, 0.0, 1.0, None, cap=0)
    with pytest.raises(InvalidQueryError, match="swap the two times"):
        count_history_rows_upto(db, 2.0, 1.0, None)
