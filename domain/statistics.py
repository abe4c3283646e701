"""Values that cross module boundaries: what a stat source reports, what the platform answers.

Pacing inputs and outputs (`TargetSnapshot`, `PacingDecision`) live in `engine.pacing`; the
configuration model (`PacingTarget` and friends) lives in `engine.config`.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.checks import check_not_negative

# The whole-number figures a stat source reports per target (slots, queue, running totals).
COUNT_FIGURES = (
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "in_queue",
    "accepted_total",
    "abandoned_total",
)


@dataclass(frozen=True, slots=True)
class TargetStatistics:
    """What the statistics side reports for one pacing target at one instant.

    Agent figures are capacity *slots* for the target's media (an agent who can handle three
    chats counts three); queue figures are the VQ's proactive statistics (`PACS_VQ_*`).
    """

    target_id: str
    logged_in_slots: int
    ready_slots: int
    busy_slots: int
    in_queue: int  # PACS_VQ_Current
    accepted_total: int  # PACS_VQ_Accepted, running total
    abandoned_total: int  # PACS_VQ_Abandoned, running total
    reactive_arrivals_total: int = 0
    avg_handle_time_s: float | None = None

    def __post_init__(self) -> None:
        try:  # the common case in one C call, no closure; anything else: the named checks
            if (
                min(
                    self.logged_in_slots,
                    self.ready_slots,
                    self.busy_slots,
                    self.in_queue,
                    self.accepted_total,
                    self.abandoned_total,
                    self.reactive_arrivals_total,
                )
                >= 0
            ):
                return
        except TypeError:
            pass
        self.check_named()

    def check_named(self) -> None:
        """Every check, each failure naming its figure (what `__post_init__` falls back to)."""
        check_not_negative(self, _CHECKED, lambda: f"(target {self.target_id!r})")


_CHECKED = (*COUNT_FIGURES, "reactive_arrivals_total")


@dataclass(frozen=True, slots=True)
class PublishResult:
    """The engagement platform's answer for one target after a publish."""

    target_id: str
    pending_invitations: int
    acceptance_rate: float | None = None
    accept_delay_s: float | None = None  # timeToPositiveDispositionAvgSeconds
    decline_delay_s: float | None = None  # timeToNegativeDispositionAvgSeconds
