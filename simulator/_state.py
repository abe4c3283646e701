"""The simulator's mutable state: agents, their per-target seats, and per-target counters.

Private to the simulator package; nothing here leaves it (the public values are
`TargetStatistics`, `PublishResult` and `SimulatorTotals`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from domain.targets import PacingTarget


class AgentState:
    """One person: a single log-in state shared by every target the agent serves."""

    __slots__ = ("name", "logged_in", "retired", "seats")

    def __init__(self, name: str) -> None:
        self.name = name
        self.logged_in = False
        self.retired = False  # logged off by a shock: stays off for the rest of the run
        self.seats: list[Seat] = []


class Seat:
    """One agent's slot pool on one target's media."""

    __slots__ = ("agent", "target", "slots", "busy")

    def __init__(self, agent: AgentState, target: TargetState, slots: int) -> None:
        self.agent = agent
        self.target = target
        self.slots = slots
        self.busy = 0


class DispositionWindow:
    """The platform's own estimates over the last `size` dispositions (running sums)."""

    __slots__ = ("_items", "_size", "_accepted", "_accept_delay_sum", "_decline_delay_sum")

    def __init__(self, size: int) -> None:
        self._items: deque[tuple[bool, float]] = deque()
        self._size = size
        self._accepted = 0
        self._accept_delay_sum = 0.0
        self._decline_delay_sum = 0.0

    def record(self, accepted: bool, delay_s: float) -> None:
        if len(self._items) == self._size:
            old_accepted, old_delay_s = self._items.popleft()
            self._count(old_accepted, -old_delay_s, -1)
        self._items.append((accepted, delay_s))
        self._count(accepted, delay_s, 1)

    def _count(self, accepted: bool, delay_s: float, step: int) -> None:
        if accepted:
            self._accepted += step
            self._accept_delay_sum += delay_s
        else:
            self._decline_delay_sum += delay_s

    @property
    def acceptance_rate(self) -> float | None:
        return self._accepted / len(self._items) if self._items else None

    @property
    def accept_delay_s(self) -> float | None:
        return max(0.0, self._accept_delay_sum / self._accepted) if self._accepted else None

    @property
    def decline_delay_s(self) -> float | None:
        declined = len(self._items) - self._accepted
        return max(0.0, self._decline_delay_sum / declined) if declined else None


@dataclass(frozen=True, slots=True)
class SimulatorTotals:
    """Ground truth for one target since the start, for tests and experiments.

    Invariants: `invitations_sent = accepted + declined + expired + pending invitations`;
    `accepted_invitations = proactive_served + proactive_abandoned + proactive_waiting`;
    `reactive_arrived = reactive_served + reactive_abandoned + reactive_waiting`.
    """

    target_id: str
    invitations_sent: int
    accepted_invitations: int  # = proactive interactions arrived in the VQ
    declined_invitations: int
    expired_invitations: int
    pending_invitations: int
    proactive_served: int
    proactive_abandoned: int
    proactive_waiting: int
    reactive_arrived: int
    reactive_served: int
    reactive_abandoned: int
    reactive_waiting: int
    handles_completed: int


class TargetState:
    """Everything the simulator tracks for one pacing target (VQ, slots, platform side)."""

    __slots__ = (
        "target",
        "seats",
        "handle_time_mean_s",
        "handle_time_mu",
        "reactive_rate_per_s",
        "reactive_running",
        "logged_in_slots",
        "busy_slots",
        "proactive_queue",
        "proactive_waiting",
        "reactive_queue",
        "reactive_waiting",
        "generation",
        "invitations_left",
        "allowance_end_s",
        "pending_invitations",
        "invitations_sent",
        "accepted_invitations",
        "declined_invitations",
        "expired_invitations",
        "proactive_served",
        "proactive_abandoned",
        "reactive_arrived",
        "reactive_served",
        "reactive_abandoned",
        "handles_completed",
        "handle_time_sum_s",
        "dispositions",
    )

    def __init__(
        self,
        target: PacingTarget,
        handle_time_mean_s: float,
        handle_time_sigma: float,
        reactive_per_min: float,
        disposition_window: int,
    ) -> None:
        self.target = target
        self.seats: list[Seat] = []
        self.handle_time_mean_s = handle_time_mean_s
        # lognormal with this mu and sigma has mean handle_time_mean_s
        self.handle_time_mu = math.log(handle_time_mean_s) - handle_time_sigma**2 / 2
        self.reactive_rate_per_s = reactive_per_min / 60.0
        self.reactive_running = False  # an arrival event is scheduled
        # logged_in_slots = free slots of logged-in agents + every busy slot
        self.logged_in_slots = 0
        self.busy_slots = 0
        # queues hold interaction ids in arrival order; the sets say who still waits, so an
        # abandonment is O(1) and the queue skips the departed lazily
        self.proactive_queue: deque[int] = deque()
        self.proactive_waiting: set[int] = set()
        self.reactive_queue: deque[int] = deque()
        self.reactive_waiting: set[int] = set()
        self.generation = 0  # bumped by every publish: older send events are void
        self.invitations_left = 0
        self.allowance_end_s = 0.0
        self.pending_invitations = 0
        self.invitations_sent = 0
        self.accepted_invitations = 0
        self.declined_invitations = 0
        self.expired_invitations = 0
        self.proactive_served = 0
        self.proactive_abandoned = 0
        self.reactive_arrived = 0
        self.reactive_served = 0
        self.reactive_abandoned = 0
        self.handles_completed = 0
        self.handle_time_sum_s = 0.0
        self.dispositions = DispositionWindow(disposition_window)

    def free_seat(self) -> Seat | None:
        """The logged-in agent with the most free slots (first listed wins ties)."""
        best: Seat | None = None
        best_free = 0
        for seat in self.seats:
            free = seat.slots - seat.busy
            if free > best_free and seat.agent.logged_in:
                best, best_free = seat, free
        return best

    @staticmethod
    def abandon(queue: deque[int], waiting: set[int], interaction_id: int) -> bool:
        """Take `interaction_id` out of the queue if it still waits; True if it did."""
        if interaction_id not in waiting:
            return False  # served before its patience ran out
        waiting.discard(interaction_id)
        if len(queue) > 2 * len(waiting) + 64:
            # without agents nobody pops the departed; drop them so memory stays bounded
            kept = [queued for queued in queue if queued in waiting]
            queue.clear()
            queue.extend(kept)
        return True

    @staticmethod
    def pop_waiting(queue: deque[int], waiting: set[int]) -> int | None:
        """The longest-waiting interaction still in the queue (FIFO), removed from it."""
        while queue:
            interaction_id = queue.popleft()
            if interaction_id in waiting:
                waiting.discard(interaction_id)
                return interaction_id
        return None

    def totals(self) -> SimulatorTotals:
        """This target's ground truth now."""
        return SimulatorTotals(
            target_id=self.target.target_id,
            invitations_sent=self.invitations_sent,
            accepted_invitations=self.accepted_invitations,
            declined_invitations=self.declined_invitations,
            expired_invitations=self.expired_invitations,
            pending_invitations=self.pending_invitations,
            proactive_served=self.proactive_served,
            proactive_abandoned=self.proactive_abandoned,
            proactive_waiting=len(self.proactive_waiting),
            reactive_arrived=self.reactive_arrived,
            reactive_served=self.reactive_served,
            reactive_abandoned=self.reactive_abandoned,
            reactive_waiting=len(self.reactive_waiting),
            handles_completed=self.handles_completed,
        )
