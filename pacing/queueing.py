"""Queueing formulas for contact centres: Erlang B, Erlang C and Erlang A (Palm M/M/n+M).

Pure functions of rates, in numerically stable form for groups of up to a few thousand agents:
Erlang B by its recursion (never a factorial), Erlang C from Erlang B, Erlang A by the
stationary distribution of the birth-death chain written relative to "all agents busy", with
its tail summed in log space until the terms vanish.

Units: `arrival_rate` and `service_rate` (= 1 / mean handle time) and `abandon_rate`
(= 1 / mean patience) per second, `agents` an integer, times in seconds. Offered load in
Erlangs is `arrival_rate / service_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# The Erlang A tail is summed until a term falls below this share of the sum.
_TAIL_TOLERANCE = 1e-15
_MAX_TAIL_TERMS = 2_000_000


def erlang_b(agents: int, load_erlangs: float) -> float:
    """Blocking probability of M/M/n/n with `load_erlangs` offered (stable recursion)."""
    _check_agents(agents)
    if load_erlangs < 0:
        raise ValueError(f"load must be 0 or more Erlangs, got {load_erlangs}")
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load_erlangs * blocking / (k + load_erlangs * blocking)
    return blocking


@dataclass(frozen=True, slots=True)
class ErlangC:
    """M/M/n without abandonment (stable only when load < agents)."""

    agents: int
    arrival_rate: float
    service_rate: float

    def __post_init__(self) -> None:
        _check_agents(self.agents)
        _check_rates(self.arrival_rate, self.service_rate)
        if self.agents < 1 or self.load >= self.agents:
            raise ValueError(
                f"Erlang C needs load < agents, got {self.load:.3f} Erlangs on {self.agents} "
                "agents (the queue would grow without bound)"
            )

    @property
    def load(self) -> float:
        return self.arrival_rate / self.service_rate

    @property
    def wait_probability(self) -> float:
        """P(an arrival waits) = Erlang C."""
        blocking = erlang_b(self.agents, self.load)
        return self.agents * blocking / (self.agents - self.load * (1.0 - blocking))

    @property
    def mean_wait_s(self) -> float:
        """Average speed of answer (ASA) over all arrivals."""
        return self.wait_probability / (self.agents * self.service_rate - self.arrival_rate)

    def service_level(self, answer_within_s: float) -> float:
        """P(an arrival is answered within `answer_within_s`)."""
        drain = self.agents * self.service_rate - self.arrival_rate
        return 1.0 - self.wait_probability * math.exp(-drain * answer_within_s)

    @property
    def occupancy(self) -> float:
        return self.load / self.agents


@dataclass(frozen=True, slots=True)
class ErlangA:
    """Palm's M/M/n+M: Poisson arrivals, n agents, exponential handle time and patience."""

    agents: int
    arrival_rate: float
    service_rate: float
    abandon_rate: float

    def __post_init__(self) -> None:
        _check_agents(self.agents)
        _check_rates(self.arrival_rate, self.service_rate)
        if not self.abandon_rate > 0 or not math.isfinite(self.abandon_rate):
            raise ValueError(f"abandon_rate must be positive and finite, got {self.abandon_rate}")

    @property
    def load(self) -> float:
        return self.arrival_rate / self.service_rate

    def _tail(self) -> tuple[float, float, float]:
        """(P(all n busy), Σ_{k≥1} t_k, Σ_{k≥1} k t_k) with t_k = π_{n+k} / π_n."""
        drain = self.agents * self.service_rate
        ratio_log = math.log(self.arrival_rate) if self.arrival_rate > 0 else -math.inf
        total = weighted = 0.0
        log_term = 0.0
        k = 0
        chunk = 4096
        while k < _MAX_TAIL_TERMS and self.arrival_rate > 0:
            ks = np.arange(k + 1, k + chunk + 1, dtype=float)
            logs = log_term + np.cumsum(ratio_log - np.log(drain + ks * self.abandon_rate))
            terms = np.exp(logs)
            total += float(terms.sum())
            weighted += float((ks * terms).sum())
            log_term = float(logs[-1])
            k += chunk
            # terms fall for good once drain + kθ exceeds the arrival rate
            falling = drain + k * self.abandon_rate > self.arrival_rate
            if falling and terms[-1] <= _TAIL_TOLERANCE * max(total, 1.0):
                break
        below = 1.0 / erlang_b(self.agents, self.load) if self.load > 0 else 1.0
        all_busy = 1.0 / (below + total)
        return all_busy, total, weighted

    @property
    def wait_probability(self) -> float:
        """P(an arrival finds every agent busy and waits)."""
        all_busy, total, _ = self._tail()
        return all_busy * (1.0 + total)

    @property
    def mean_queue(self) -> float:
        all_busy, _, weighted = self._tail()
        return all_busy * weighted

    @property
    def mean_wait_s(self) -> float:
        """Mean time in queue over all arrivals (abandoners counted until they leave)."""
        return self.mean_queue / self.arrival_rate if self.arrival_rate > 0 else 0.0

    @property
    def abandon_probability(self) -> float:
        """P(an arrival abandons) = θ · E[wait]."""
        return self.abandon_rate * self.mean_wait_s

    @property
    def occupancy(self) -> float:
        """Share of agent time busy: served traffic over agents."""
        served = self.arrival_rate * (1.0 - self.abandon_probability)
        return served / (self.agents * self.service_rate)

    def service_level(self, answer_within_s: float) -> float:
        """P(an arrival is answered by an agent within `answer_within_s`).

        An arrival that finds k waiting ahead of it moves up at rate nμ + jθ while j are ahead
        and abandons at rate θ; the chance of reaching an agent by time t is computed by
        uniformisation on the number ahead.
        """
        all_busy, _, _ = self._tail()
        immediate = 1.0 - self.wait_probability
        if answer_within_s <= 0 or all_busy == 0:
            return immediate
        ahead = self._ahead_distribution(all_busy)
        return immediate + self._served_by(ahead, answer_within_s)

    def _ahead_distribution(self, all_busy: float) -> np.ndarray:
        drain = self.agents * self.service_rate
        probabilities = [all_busy]
        term = all_busy
        k = 0
        while k < _MAX_TAIL_TERMS:
            k += 1
            term *= self.arrival_rate / (drain + k * self.abandon_rate)
            probabilities.append(term)
            falling = drain + k * self.abandon_rate > self.arrival_rate
            if falling and term <= _TAIL_TOLERANCE * all_busy:
                break
        return np.array(probabilities)

    def _served_by(self, ahead: np.ndarray, t_s: float) -> float:
        drain = self.agents * self.service_rate
        theta = self.abandon_rate
        j = np.arange(ahead.size, dtype=float)
        advance = drain + j * theta  # moves one place up (served from j = 0)
        leave = np.full(ahead.size, theta)  # the tagged customer gives up
        uniform = float(advance[-1] + theta)
        stay = 1.0 - (advance + leave) / uniform
        mass = ahead.copy()
        steps = int(uniform * t_s + 12.0 * math.sqrt(uniform * t_s) + 20)
        log_weight = -uniform * t_s  # Poisson(Λt) weight of 0 jumps, in logs
        served_mass = 0.0  # absorbed in "served" after each jump count
        served = 0.0
        for step in range(steps + 1):
            # P(served by t) = Σ_m Poisson(m; Λt) · P(absorbed in served within m jumps)
            served += math.exp(log_weight) * served_mass if served_mass > 0 else 0.0
            if step == steps:
                break
            served_mass += float(mass[0] * advance[0] / uniform)
            moved = mass * advance / uniform
            mass = mass * stay
            mass[:-1] += moved[1:]
            log_weight += math.log(uniform * t_s) - math.log(step + 1)
        return served


def sustainable_arrival_rate(
    agents: int, service_rate: float, abandon_rate: float, abandon_goal: float
) -> float:
    """Largest arrival rate with Erlang A P(abandon) ≤ `abandon_goal` (a ratio, 0–1)."""
    _check_agents(agents)
    if not 0 < abandon_goal < 1:
        raise ValueError(f"abandon_goal must be a ratio between 0 and 1, got {abandon_goal}")
    if agents == 0:
        return 0.0

    def abandons(rate: float) -> float:
        return ErlangA(agents, rate, service_rate, abandon_rate).abandon_probability

    high = agents * service_rate
    while abandons(high) <= abandon_goal:
        high *= 2.0
    low = 0.0
    for _ in range(60):
        middle = (low + high) / 2.0
        if abandons(middle) <= abandon_goal:
            low = middle
        else:
            high = middle
        if high - low <= 1e-9 * high:
            break
    return low


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise ValueError(f"agents must be 0 or more, got {agents}")


def _check_rates(arrival_rate: float, service_rate: float) -> None:
    if not arrival_rate >= 0 or not math.isfinite(arrival_rate):
        raise ValueError(f"arrival_rate must be 0 or more, got {arrival_rate}")
    if not service_rate > 0 or not math.isfinite(service_rate):
        raise ValueError(f"service_rate must be positive, got {service_rate}")


__all__ = ["ErlangA", "ErlangC", "erlang_b", "sustainable_arrival_rate"]
