"""The faster predictive search decides exactly what the search before it decided.

The reference is the search as it was before issue 14's speed-up, kept here verbatim: gallop
from last cycle's answer, then bisect, with the model evaluated on every probed row (also the
zero-invitation ones) in the old 2^18-cell blocks. A reference pacer uses it in lockstep with
a normal pacer on seeded random centres of many sizes, over several warm cycles in which the
pending counts follow what was allowed: decisions and the whole saved state must be equal.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

import pacing.model
import pacing.pacer
from domain.decisions import PacingDecision, TargetSnapshot
from pacing import Pacer
from pacing.model import expected_abandons
from pacing.state import BoolArray, FloatArray, IntArray

CYCLE_S = 2.0


def _reference_largest_invitations(  # the pre-issue-14 search, verbatim
    pending: FloatArray,
    pending_accepts: FloatArray,
    accept: FloatArray,
    free: FloatArray,
    ratio_s: FloatArray,
    threshold: FloatArray,
    start: IntArray,
    cap: IntArray,
) -> IntArray:
    base_share = np.divide(pending_accepts, pending, out=accept.copy(), where=pending > 0)
    base = expected_abandons(pending, base_share, free, ratio_s)

    def fits(rows: IntArray, invitations: IntArray) -> BoolArray:
        trials = pending[rows] + invitations
        mean = pending_accepts[rows] + accept[rows] * invitations
        share = np.divide(mean, trials, out=accept[rows].copy(), where=trials > 0)
        added = expected_abandons(trials, share, free[rows], ratio_s[rows]) - base[rows]
        accepts = accept[rows] * invitations
        fitted: BoolArray = (invitations == 0) | (added <= threshold[rows] * accepts)
        return fitted

    count = pending.size
    rows = np.arange(count)
    first = np.clip(start, 0, cap)
    first_fits = fits(rows, first)
    low = np.where(first_fits, first, -1)
    high = np.where(first_fits, cap + 1, first)
    step = np.ones(count, dtype=np.int64)
    probe = np.where(first_fits, first + 1, first - 1)
    open_rows = np.nonzero((probe >= 0) & (probe <= cap) & (high - low > 1))[0]
    while open_rows.size:
        tried = probe[open_rows]
        fitted = fits(open_rows, tried)
        low[open_rows] = np.where(fitted, tried, low[open_rows])
        high[open_rows] = np.where(fitted, high[open_rows], tried)
        step[open_rows] *= 2
        going_up = first_fits[open_rows]
        still = fitted == going_up
        probe[open_rows] = np.where(
            going_up,
            np.minimum(tried + step[open_rows], cap[open_rows]),
            np.maximum(tried - step[open_rows], 0),
        )
        done = ~still | (probe[open_rows] == tried)
        open_rows = open_rows[~done]
    low = np.where(low < 0, 0, low)
    open_rows = np.nonzero(high - low > 1)[0]
    while open_rows.size:
        middle = (low[open_rows] + high[open_rows]) // 2
        fitted = fits(open_rows, middle)
        low[open_rows] = np.where(fitted, middle, low[open_rows])
        high[open_rows] = np.where(fitted, high[open_rows], middle)
        open_rows = open_rows[high[open_rows] - low[open_rows] > 1]
    result: IntArray = np.maximum(low, 0)
    return result


class _ReferencePacer(Pacer):
    """The old warm start: last cycle's answer."""

    def _search_start(self, rows: IntArray, pending: FloatArray) -> IntArray:
        last = self._get(rows, "last_allowed")
        start: IntArray = np.where(np.isnan(last), 0, last).astype(np.int64)
        return start


@contextmanager
def _old_search() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pacing.pacer, "largest_invitations", _reference_largest_invitations)
        patch.setattr(pacing.model, "_BLOCK_CELLS", 1 << 18)
        yield


class _Centre:
    """Random targets whose pending counts follow what was allowed (as on a platform)."""

    def __init__(self, count: int, rng: random.Random) -> None:
        self.rng = rng
        self.slots = [
            rng.choice((1, 1, 2, 3, 5, 10, 30)) if rng.random() < 0.5 else rng.randint(1, 200)
            for _ in range(count)
        ]
        self.busy = [rng.randint(0, slots) for slots in self.slots]
        self.pending = [rng.randint(0, slots) for slots in self.slots]
        self.acceptance = [rng.choice((None, rng.uniform(0.02, 0.95))) for _ in self.slots]
        self.goal = [rng.choice((1.0, 3.0, 5.0, 10.0)) for _ in self.slots]
        self.handle = [rng.choice((None, rng.uniform(20.0, 900.0))) for _ in self.slots]
        self.accepted = [0] * count
        self.abandoned = [0] * count

    def snapshots(self, allowed: list[int]) -> list[TargetSnapshot]:
        rng = self.rng
        built = []
        for index, slots in enumerate(self.slots):
            self.busy[index] = min(slots, max(0, self.busy[index] + rng.randint(-2, 2)))
            sent = self.pending[index] + allowed[index]
            answered = rng.randint(0, sent)
            self.pending[index] = sent - answered
            self.accepted[index] += rng.randint(0, answered)
            self.abandoned[index] += rng.random() < 0.1
            built.append(
                TargetSnapshot(
                    target_id=f"t{index}",
                    media=rng.choice(("chat", "voice")),
                    goal_pct=self.goal[index],
                    logged_in_slots=slots,
                    ready_slots=slots - self.busy[index],
                    busy_slots=self.busy[index],
                    in_queue=rng.choice((0, 0, 0, 1, 3)),
                    accepted_total=self.accepted[index],
                    abandoned_total=self.abandoned[index],
                    pending_invitations=None if rng.random() < 0.05 else self.pending[index],
                    acceptance_rate=self.acceptance[index],
                    accept_delay_s=rng.choice((None, 3.0, 8.0, 20.0)),
                    avg_handle_time_s=self.handle[index],
                )
            )
        return built


def _allowed(decisions: list[PacingDecision]) -> list[int]:
    return [decision.allowed_invitations for decision in decisions]


@pytest.mark.parametrize("count, seed", [(1, 1), (3, 2), (20, 3), (150, 4), (600, 5), (1500, 6)])
def test_the_search_decides_what_the_old_search_decided(count: int, seed: int) -> None:
    centre = _Centre(count, random.Random(seed))
    new, old = Pacer(interval_s=CYCLE_S), _ReferencePacer(interval_s=CYCLE_S)
    allowed = [0] * count
    moved = 0
    for cycle in range(1, 11):
        batch = centre.snapshots(allowed)
        decisions = new.decide(batch, now=cycle * CYCLE_S)
        with _old_search():
            expected = old.decide(batch, now=cycle * CYCLE_S)
        assert decisions == expected, f"cycle {cycle}"
        assert new.state() == old.state()
        moved += sum(a != b for a, b in zip(_allowed(decisions), allowed, strict=True))
        allowed = _allowed(decisions)
    assert moved > 0  # the answers changed between cycles: the warm starts were exercised
