"""The latest state of chosen targets: the same rows as the full read, and only those."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from storage.cycles import record_cycle
from storage.target_lookup import read_target_state_of
from storage.targets import read_target_state
from tests.builders import NO_STATISTICS, make_cycle, make_target


def test_chosen_targets_read_exactly_their_rows_of_the_full_state(
    db: sqlite_utils.Database,
) -> None:
    targets = [make_target("c1", f"T{i} - chat", abandoned_total=i) for i in range(6)]
    targets.append(make_target("c1", "Silent - voice", error="no figures", **NO_STATISTICS))
    record_cycle(db, make_cycle("c1", targets_count=len(targets)), targets)
    chosen = ["T4 - chat", "Silent - voice", "T1 - chat", "never paced"]
    full = read_target_state(db)
    expected = full[full["target_id"].isin(chosen)].reset_index(drop=True)
    pd.testing.assert_frame_equal(read_target_state_of(db, chosen), expected)
    assert list(read_target_state_of(db, []).columns) == list(full.columns)
