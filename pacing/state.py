"""The pacer's per-target memory, held column-wise so a cycle updates every target at once.

One row per target ever seen; `rows_for` maps target ids to rows (adding new ones). Every
column is a float64 array; NaN means "not known yet". `save`/`load` turn the table into plain
JSON-friendly dicts (NaN as None) for a warm restart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

COLUMNS: tuple[str, ...] = (
    "last_now",  # `now` of the last observation
    "last_accepted",  # running totals at the last observation
    "last_abandoned",
    "last_reactive",
    "served_weight",  # progressive: counts decayed per cycle
    "abandoned_weight",
    "threshold",  # predictive: c, the abandonment/accept ratio the model may spend
    "acceptance",  # acceptance-rate estimate
    "patience_abandons",  # decayed abandons and waiting seconds: θ = abandons / waiting
    "patience_wait_s",
    "reactive_rate",  # reactive arrivals per second (smoothed)
    "recent_accepted",  # brake window (resolved in the last minute or so)
    "recent_abandoned",
    "long_accepted",  # compliance window (hours)
    "long_abandoned",
    "last_allowed",  # last decision
    "last_trials",  # predictive: pending + answer of the last search, the warm start of the next
    "allowed_total",  # invitations allowed so far (bounds the answers the platform has seen)
    "answers_seen",  # answers the platform has likely had: pending-seconds / answer delay
    "last_busy",  # busy slots at the last cycle
    "handles_done",  # handles finished since the pacer started (capped): what the AHT rests on
    "handle_time",  # AHT estimate: the statistics' figure blended with the prior
    "last_pending",  # last known pending count
    "accepts_in_flight",  # expected accepts still to come from the invitations allowed
    "level",  # adaptive: dial level
    "occupancy_bias",  # busy_factor: integral of the occupancy error, in slots
)


class StateTable:
    """Columns of per-target state; rows are added as targets appear."""

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        self._columns: dict[str, FloatArray] = {name: np.empty(0) for name in COLUMNS}

    def __len__(self) -> int:
        return len(self._rows)

    def column(self, name: str) -> FloatArray:
        return self._columns[name]

    def rows_for(self, target_ids: Sequence[str]) -> IntArray:
        """Row of each target, adding rows (all NaN) for targets not seen before."""
        rows = self._rows
        new = [target_id for target_id in dict.fromkeys(target_ids) if target_id not in rows]
        if new:
            start = len(rows)
            for offset, target_id in enumerate(new):
                rows[target_id] = start + offset
            grown = start + len(new)
            for name, values in self._columns.items():
                extended = np.full(grown, np.nan)
                extended[:start] = values
                self._columns[name] = extended
        return np.fromiter((rows[t] for t in target_ids), dtype=np.int64, count=len(target_ids))

    def save(self) -> dict[str, dict[str, float | None]]:
        """Plain dicts per target, NaN as None: JSON round-trips exactly."""
        # Whole columns to Python floats at once (not 10,000 x 20 NumPy scalar reads).
        columns: dict[str, list[float | None]] = {
            name: [None if math.isnan(value) else value for value in values.tolist()]
            for name, values in self._columns.items()
        }
        return {
            target_id: {name: column[row] for name, column in columns.items()}
            for target_id, row in self._rows.items()
        }

    def load(self, saved: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the table with `saved`; an unknown field is an error, a missing one unknown."""
        for target_id, fields in saved.items():
            unknown = set(fields) - set(COLUMNS)
            if unknown:
                raise ValueError(
                    f"saved pacer state for {target_id!r} has unknown fields "
                    f"{', '.join(sorted(unknown))}; expected some of {', '.join(COLUMNS)}"
                )
        self._rows = {target_id: row for row, target_id in enumerate(saved)}
        size = len(self._rows)
        self._columns = {name: np.full(size, np.nan) for name in COLUMNS}
        for target_id, fields in saved.items():
            row = self._rows[target_id]
            for name, value in fields.items():
                self._columns[name][row] = np.nan if value is None else float(value)
