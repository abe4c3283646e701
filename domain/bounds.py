"""Plausible bounds of every figure that comes in from outside the node, declared once.

A statistics server or an engagement platform may send anything. A figure outside its bound is
a bad figure for its target (the target is stale, alarmed and the reason names the figure, its
value and the bound), never a number the pacer computes with. The HTTP statistics parser, the
counter continuation, the bulk-answer validation and the pacer's own caps all read the names
below; docs/http.md shows `bounds_markdown()` and a test keeps the two equal.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

# Capacity slots of one agent group and media, and of one target (the sum of its groups).
SLOTS_MAX = 100_000
# Proactive interactions waiting in one virtual queue now.
IN_QUEUE_MAX = 100_000
# A running total as the server reports it (accepted, abandoned, reactive arrivals): 100 a
# second into one virtual queue for three years is 10**10.
RUNNING_TOTAL_MAX = 10**10
# How fast a running total of one target may rise, per second since the last good document.
RISE_PER_S_MAX = 1_000
# A continued total (raw + offsets after counter resets) stays an exact float (2**53).
CONTINUED_TOTAL_MAX = 2**53 - 1
# Average handle time, and the platform's disposition delays.
HANDLE_TIME_S_MAX = 86_400.0
DISPOSITION_S_MAX = 86_400.0
# How far ahead of the node's clock a document's generated_at may be (clock skew).
FUTURE_SKEW_S_MAX = 60.0
# Invitations the platform says are pending for one target.
PENDING_INVITATIONS_MAX = 1_000_000
# The pacer never allows more than this many invitations to one target in one cycle.
INVITATIONS_PER_CYCLE_MAX = 10_000
# A reason quotes a reported value in at most this many characters.
SHOWN_CHARS_MAX = 60


@dataclass(frozen=True, slots=True)
class FigureBound:
    """One figure's plausible range, as the docs table shows it."""

    figure: str  # as the wire names it
    source: str  # "statistics" or "bulk answer"
    low: float
    high: float
    whole: bool  # a whole number (a count), else any finite number
    help: str

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def expected(self) -> str:
        """Completes `where: value — expected …`."""
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} between {_figure(self.low)} and {_figure(self.high)}"


def _figure(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value):,}"


SLOTS = FigureBound(
    "logged_in, ready, busy",
    "statistics",
    0,
    SLOTS_MAX,
    True,
    "per agent group and media, and summed over a target's groups",
)
IN_QUEUE = FigureBound("current", "statistics", 0, IN_QUEUE_MAX, True, "per virtual queue")
RUNNING_TOTAL = FigureBound(
    "accepted, abandoned, reactive_arrivals",
    "statistics",
    0,
    RUNNING_TOTAL_MAX,
    True,
    f"running totals; each may also rise by at most {RISE_PER_S_MAX:,} per second since the "
    "last good document (a faster rise is a bad figure, confirmed as a new level only by the "
    "next document), and a drop is taken as a counter reset only when the next document "
    "confirms it",
)
HANDLE_TIME_S = FigureBound(
    "handle_time_avg_s", "statistics", 0, HANDLE_TIME_S_MAX, False, "seconds"
)
PENDING = FigureBound(
    "pendingInvitationCount",
    "bulk answer",
    0,
    PENDING_INVITATIONS_MAX,
    True,
    "per target",
)
ACCEPTANCE_RATE = FigureBound("acceptanceRate", "bulk answer", 0, 1, False, "a share")
DISPOSITION_S = FigureBound(
    "timeToPositiveDispositionAvgSeconds, timeToNegativeDispositionAvgSeconds",
    "bulk answer",
    0,
    DISPOSITION_S_MAX,
    False,
    "seconds",
)

FIGURE_BOUNDS: tuple[FigureBound, ...] = (
    SLOTS,
    IN_QUEUE,
    RUNNING_TOTAL,
    HANDLE_TIME_S,
    PENDING,
    ACCEPTANCE_RATE,
    DISPOSITION_S,
)


def bounds_markdown() -> str:
    """The docs table of every bound, generated from the declarations above."""
    lines = ["| figure | from | plausible range | note |", "|---|---|---|---|"]
    for bound in FIGURE_BOUNDS:
        figures = ", ".join(f"`{name.strip()}`" for name in bound.figure.split(","))
        lines.append(
            f"| {figures} | {bound.source} | {_figure(bound.low)} – {_figure(bound.high)} "
            f"| {bound.help} |"
        )
    return "\n".join(lines)


def shown(value: object) -> str:
    """A reported value as a reason quotes it: never longer than `SHOWN_CHARS_MAX`.

    A hostile server may send a 4,000-digit number, a megabyte string or a deep array; the
    reason (stored with every target row) names what it was, not all of it.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        text = f"{float(value):.3e}" if value.bit_length() < 1000 else "a huge integer"
    else:
        text = _SHORT.repr(value)
    return text if len(text) <= SHOWN_CHARS_MAX else text[: SHOWN_CHARS_MAX - 1] + "…"


def _short_repr() -> reprlib.Repr:
    """reprlib stops early on long strings, long lists and deep nesting: bounded cost."""
    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict = 3, 6, 4
    short.maxstring = short.maxother = SHOWN_CHARS_MAX
    return short


_SHORT = _short_repr()
