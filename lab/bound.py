"""The best any pacer could do on a small group: an exact dynamic-programming answer.

The centre is the lab's reference centre reduced to what makes it solvable: `slots` single
slots, exponential handle time and patience, every invitation answered after an exponential
delay whose mean is the same for a yes and a no (so an unanswered invitation's chance of a yes
does not depend on its age, and the pending count says all a pacer can know about it), and a
pacer that sees the exact state (busy slots, waiting interactions, pending invitations) at
every cycle. State (busy, waiting, pending); each cycle the pacer adds I invitations.

For a price λ of one abandonment in slot-seconds of occupancy, policy iteration finds the
policy with the highest long-run occupancy − λ·abandonment, and the stationary distribution
gives its occupancy and abandonment ratio. Raising λ walks the frontier; time-sharing two
neighbouring policies reaches any point between them, so `best_at_goal` interpolates.

It answers "how far is the pacer from the best possible?" for the lab's small groups. The
lab's own centre is harder: declines are slower than accepts there, and the platform's pending
count arrives one cycle late.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm

FloatArray = np.ndarray


@dataclass(frozen=True)
class Centre:
    """The reduced centre; defaults are the issue's reference settings."""

    slots: int = 3
    handle_s: float = 300.0
    patience_s: float = 60.0
    acceptance: float = 0.25
    answer_delay_s: float = 8.0  # mean delay of a yes and of a no alike
    cycle_s: float = 2.0
    max_waiting: int = 8  # an accept that finds this many waiting counts as abandoned
    max_pending: int = 0  # 0: 8 per slot + 10

    def __post_init__(self) -> None:
        problems = []
        if self.slots < 1:
            problems.append(f"slots: {self.slots} — expected 1 or more")
        for name in ("handle_s", "patience_s", "answer_delay_s", "cycle_s"):
            value = getattr(self, name)
            if not value > 0:
                problems.append(f"{name}: {value} — expected a positive number of seconds")
        if not 0 < self.acceptance <= 1:
            problems.append(f"acceptance: {self.acceptance} — expected a share in (0, 1]")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def pending_cap(self) -> int:
        return self.max_pending or 8 * self.slots + 10


@dataclass(frozen=True)
class Outcome:
    """One policy's long-run figures."""

    price: float
    occupancy: float  # busy slot-seconds / slot-seconds
    abandonment: float  # abandoned / (abandoned + served)
    invitations_per_hour: float
    pending_target: tuple[int, ...]  # pending the policy keeps per free slot count, nobody waiting


class _Chain:
    """States, the generator's cycle transition and each state's rewards over a cycle."""

    def __init__(self, centre: Centre) -> None:
        n, cap = centre.slots, centre.pending_cap
        self.states = [
            (busy, waiting, pending)
            for busy in range(n + 1)
            for waiting in range(centre.max_waiting + 1)
            for pending in range(cap + 1)
            if waiting == 0 or busy == n
        ]
        self.index = index = {state: i for i, state in enumerate(self.states)}
        size = len(self.states)
        generator = np.zeros((size + 3, size + 3))  # 3 reward columns: busy, abandons, served
        answer_rate = 1.0 / centre.answer_delay_s
        for i, (busy, waiting, pending) in enumerate(self.states):

            def move(target: tuple[int, int, int], rate: float, i: int = i) -> None:
                generator[i, index[target]] += rate
                generator[i, i] -= rate

            if pending:
                accepts = pending * answer_rate * centre.acceptance
                move((busy, waiting, pending - 1), pending * answer_rate - accepts)  # a no
                if busy < n:
                    move((busy + 1, waiting, pending - 1), accepts)
                    generator[i, size + 2] += accepts
                elif waiting < centre.max_waiting:
                    move((busy, waiting + 1, pending - 1), accepts)
                else:
                    move((busy, waiting, pending - 1), accepts)
                    generator[i, size + 1] += accepts
            if busy:
                finishing = busy / centre.handle_s
                if waiting:
                    move((busy, waiting - 1, pending), finishing)
                    generator[i, size + 2] += finishing
                else:
                    move((busy - 1, waiting, pending), finishing)
            if waiting:
                leaving = waiting / centre.patience_s
                move((busy, waiting - 1, pending), leaving)
                generator[i, size + 1] += leaving
            generator[i, size] = busy / n
        step = expm(generator * centre.cycle_s)
        self.transition = step[:size, :size]
        self.occupancy, self.abandons, self.served = (step[:size, size + k] for k in range(3))
        # the state reached by sending I more invitations, per state and I (-1: over the cap)
        self.after = np.full((size, cap + 1), -1)
        for i, (busy, waiting, count) in enumerate(self.states):
            for sent in range(cap + 1 - count):
                self.after[i, sent] = index[(busy, waiting, count + sent)]
        self.centre = centre

    def solve(self, price: float) -> Outcome:
        """Policy iteration for occupancy − price·abandons; then the policy's figures."""
        reward = self.occupancy - price * self.abandons
        size = len(self.states)
        policy = np.zeros(size, dtype=np.int64)
        rows = np.arange(size)
        for _ in range(200):
            post = self.after[rows, policy]
            bias = self._bias(post, reward)
            worth = reward + self.transition @ bias
            values = np.where(self.after >= 0, worth[np.maximum(self.after, 0)], -np.inf)
            best = values.argmax(axis=1)
            keep = values[rows, policy] >= values[rows, best] - 1e-12
            improved = np.where(keep, policy, best)
            if np.array_equal(improved, policy):
                break
            policy = improved
        post = self.after[rows, policy]
        weights = self._stationary(post)
        cycle_s = self.centre.cycle_s
        abandons, served = weights @ self.abandons[post], weights @ self.served[post]
        slots = self.centre.slots
        kept = tuple(int(policy[self.index[(slots - free, 0, 0)]]) for free in range(slots + 1))
        return Outcome(
            price=price,
            occupancy=float(weights @ self.occupancy[post] / cycle_s),
            abandonment=float(abandons / (abandons + served)) if abandons + served else 0.0,
            invitations_per_hour=float(weights @ policy * 3600.0 / cycle_s),
            pending_target=kept,
        )

    def _bias(self, post: np.ndarray, reward: FloatArray) -> FloatArray:
        """h with h + g = r(post) + P[post] h and h[0] = 0 (g is dropped)."""
        size = len(self.states)
        matrix = np.eye(size) - self.transition[post]
        matrix[:, 0] = 1.0  # the column of h[0] (fixed at 0) carries the gain g instead
        solution = np.linalg.solve(matrix, reward[post])
        bias: FloatArray = solution.copy()
        bias[0] = 0.0
        return bias

    def _stationary(self, post: np.ndarray) -> FloatArray:
        size = len(self.states)
        matrix = (np.eye(size) - self.transition[post]).T
        matrix[0, :] = 1.0
        target = np.zeros(size)
        target[0] = 1.0
        weights: FloatArray = np.clip(np.linalg.solve(matrix, target), 0.0, None)
        normalised: FloatArray = weights / weights.sum()
        return normalised


def frontier(centre: Centre, prices: list[float]) -> list[Outcome]:
    """The best policy at each price of an abandonment, cheapest price first."""
    chain = _Chain(centre)
    return [chain.solve(price) for price in sorted(prices)]


def around_goal(centre: Centre, goal: float, steps: int = 12) -> list[Outcome]:
    """Policies found while bisecting (on a log scale) for the price where the abandonment
    crosses `goal`: the two that bracket it are among them, with a few on either side."""
    chain = _Chain(centre)
    low, high = math.log(1.0), math.log(1e5)
    outcomes = [chain.solve(math.exp(low)), chain.solve(math.exp(high))]
    for _ in range(steps):
        middle = (low + high) / 2.0
        outcome = chain.solve(math.exp(middle))
        outcomes.append(outcome)
        if outcome.abandonment > goal:
            low = middle
        else:
            high = middle
    return sorted(outcomes, key=lambda outcome: outcome.price)


def best_at_goal(outcomes: list[Outcome], goal: float) -> float | None:
    """The highest occupancy whose abandonment is ≤ goal, time-sharing two neighbouring
    policies of the frontier; None when no policy on it is that safe."""
    points = sorted({(o.abandonment, o.occupancy) for o in outcomes})
    safe = [p for p in points if p[0] <= goal]
    if not safe:
        return None
    best = max(occupancy for _, occupancy in safe)
    for (low_ab, low_occ), (high_ab, high_occ) in zip(points, points[1:], strict=False):
        if low_ab <= goal < high_ab and not math.isclose(high_ab, low_ab):
            share = (goal - low_ab) / (high_ab - low_ab)
            best = max(best, low_occ + share * (high_occ - low_occ))
    return best
