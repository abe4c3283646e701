"""The latest state of chosen targets only: a page about 10 targets reads 10 rows, not 10,000."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlite_utils

from domain.records import TARGET_VALUE_COLUMNS
from storage.frames import add_utc_time, fetch, target_filter, typed_frame, with_abandon_ratio

# The columns of storage.targets.read_target_state, in its order.
STATE_COLUMNS = ("target_id", "cycle_id", "at", *TARGET_VALUE_COLUMNS, "updated_at")


def read_target_state_of(db: sqlite_utils.Database, target_ids: Sequence[str]) -> pd.DataFrame:
    """The latest state of these targets (one row each, by target_id), with `abandon_ratio`."""
    where, params = target_filter("target_id", target_ids)
    rows = fetch(
        db,
        f"SELECT {', '.join(STATE_COLUMNS)} FROM target_state WHERE true{where} ORDER BY target_id",
        params,
    )
    return add_utc_time(with_abandon_ratio(typed_frame(rows, STATE_COLUMNS)))
