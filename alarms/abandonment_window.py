"""The running totals behind AbandonmentAboveGoal's window, held by column (pure, no clock).

One row per cycle (its time, then every target's accepted and abandoned totals in two int64
arrays, -1 where the target had no figures), so 10,000 targets over a 15-minute window at a
5 s period take 29 MB instead of 1.8 million tuples in per-target deques (about 270 MB), and
the counts of every target come out of a few array operations per cycle.

The counts are those of `alarms.detectors.window_counts` for each target's points inside the
window: a running total that goes down starts a new segment, and only the counts after the
last such reset are used. Rows closer together than `window_s / MAX_ROWS` (cycles back to
back) are merged into the last row, so memory stays bounded whatever the period (the window
then starts up to `window_s / MAX_ROWS` later than asked); a target whose totals went down in
a merged row forgets its older points (its segment starts there).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

import numpy as np

from alarms.detectors import CountPoint

MAX_ROWS = 240

IntArray = np.ndarray


class AbandonmentWindow:
    """Targets' running totals over the last `window_s` seconds, one row per cycle."""

    def __init__(self) -> None:
        self._columns: dict[str, int] = {}
        self._goals: list[float] = []
        self._times: deque[float] = deque()
        self._accepted: deque[IntArray] = deque()
        self._abandoned: deque[IntArray] = deque()

    @property
    def target_ids(self) -> list[str]:
        return list(self._columns)

    def goal_pct(self, target_id: str) -> float:
        return self._goals[self._columns[target_id]]

    def __len__(self) -> int:
        """Rows held (cycles, after merging)."""
        return len(self._times)

    def add(
        self,
        at: float,
        points: Iterable[tuple[str, int, int, float]],
        window_s: float,
    ) -> None:
        """One cycle's (target id, accepted total, abandoned total, goal %) at `at`."""
        accepted = np.full(len(self._columns), -1, dtype=np.int64)
        abandoned = accepted.copy()
        grown: list[tuple[int, int, int]] = []
        for target_id, accepted_total, abandoned_total, goal_pct in points:
            column = self._columns.get(target_id)
            if column is None:
                column = self._columns[target_id] = len(self._goals)
                self._goals.append(goal_pct)
                grown.append((column, accepted_total, abandoned_total))
                continue
            self._goals[column] = goal_pct
            accepted[column] = accepted_total
            abandoned[column] = abandoned_total
        if grown:
            accepted, abandoned = self._widen(accepted, abandoned, grown)
        # The last row absorbs a cycle too close to the row before it: every row but the
        # last then starts at least window_s / MAX_ROWS after its predecessor.
        merge = len(self._times) >= 2 and at - self._times[-2] < window_s / MAX_ROWS
        if merge:
            self._merge(at, accepted, abandoned)
        else:
            self._times.append(at)
            self._accepted.append(accepted)
            self._abandoned.append(abandoned)

    def _widen(
        self, accepted: IntArray, abandoned: IntArray, grown: list[tuple[int, int, int]]
    ) -> tuple[IntArray, IntArray]:
        """Room for new targets in every row (older rows: no figures for them)."""
        width = len(self._goals)
        for rows in (self._accepted, self._abandoned):
            for index, row in enumerate(rows):
                rows[index] = np.concatenate([row, np.full(width - row.size, -1, np.int64)])
        accepted = np.concatenate([accepted, np.full(width - accepted.size, -1, np.int64)])
        abandoned = np.concatenate([abandoned, np.full(width - abandoned.size, -1, np.int64)])
        for column, accepted_total, abandoned_total in grown:
            accepted[column] = accepted_total
            abandoned[column] = abandoned_total
        return accepted, abandoned

    def _merge(self, at: float, accepted: IntArray, abandoned: IntArray) -> None:
        last_accepted, last_abandoned = self._accepted[-1], self._abandoned[-1]
        here = accepted >= 0
        dropped = (
            here
            & (last_accepted >= 0)
            & ((accepted < last_accepted) | (abandoned < last_abandoned))
        )
        if dropped.any():  # a reset inside the merged span: older points no longer count
            for rows in (self._accepted, self._abandoned):
                for row in rows:
                    row[dropped] = -1
        self._times[-1] = at
        last_accepted[here] = accepted[here]
        last_abandoned[here] = abandoned[here]

    def counts(self, now: float, window_s: float) -> tuple[IntArray, IntArray]:
        """Accepted and abandoned during `(now - window_s, now]`, per target (column order)."""
        while self._times and self._times[0] <= now - window_s:
            self._times.popleft()
            self._accepted.popleft()
            self._abandoned.popleft()
        width = len(self._columns)
        inside = [i for i, at in enumerate(self._times) if at <= now]
        if len(inside) < 2:
            return np.zeros(width, np.int64), np.zeros(width, np.int64)
        accepted = np.stack([self._accepted[i] for i in inside])
        abandoned = np.stack([self._abandoned[i] for i in inside])
        valid = (accepted >= 0) & (abandoned >= 0)
        order = np.arange(len(inside))[:, None]
        seen = np.maximum.accumulate(np.where(valid, order, -1), axis=0)
        previous = np.vstack([np.full((1, width), -1), seen[:-1]])  # last valid row before
        columns = np.arange(width)[None, :]
        safe = np.maximum(previous, 0)
        went_down = (
            valid
            & (previous >= 0)
            & ((accepted < accepted[safe, columns]) | (abandoned < abandoned[safe, columns]))
        )
        first_valid = np.where(valid.any(axis=0), valid.argmax(axis=0), 0)
        last_reset = np.where(went_down, order, -1).max(axis=0)
        start = np.maximum(first_valid, last_reset)
        last = seen[-1]
        has_two = last > start
        last = np.maximum(last, 0)
        flat = np.arange(width)
        accepted_counts = np.where(has_two, accepted[last, flat] - accepted[start, flat], 0)
        abandoned_counts = np.where(has_two, abandoned[last, flat] - abandoned[start, flat], 0)
        return accepted_counts, abandoned_counts

    def load(self, points: Sequence[tuple[str, CountPoint, float]], window_s: float) -> None:
        """Refill from recorded (target id, (at, accepted, abandoned), goal %), oldest first."""
        by_time: dict[float, list[tuple[str, int, int, float]]] = {}
        for target_id, (at, accepted, abandoned), goal in points:
            by_time.setdefault(at, []).append((target_id, accepted, abandoned, goal))
        for at in sorted(by_time):
            self.add(at, by_time[at], window_s)
