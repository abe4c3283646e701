"""Compliance windows and the abandon budget: abandonment as a regulator measures it (pure).

The platform reports accepted and abandoned proactive interactions as *running totals*. What a
window holds is the sum of the increases between consecutive samples, each attributed to the
minute of the later sample:

* a total that goes down (the stat server restarted its counter) counts its new value as the
  increase, as Prometheus' `increase()` does: never a negative delta, never a lost restart;
* a gap (the node was down) is no special case: the first sample after it carries everything
  the platform counted meanwhile, attributed to that sample's minute;
* the very first sample of a target has no predecessor and adds nothing (its total includes
  interactions of unknown date).

Windows are minute-aligned: a window starting at `since` holds the minutes whose start is at or
after `since` rounded down to the minute. The abandon ratio is abandoned / (accepted +
abandoned), as `AbandonmentAboveGoal` measures it.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

WindowKind = Literal["24h", "day", "30d"]
WINDOW_KINDS: tuple[str, ...] = ("24h", "day", "30d")
DEFAULT_WINDOWS: tuple[str, ...] = ("24h", "day")
WINDOW_LABELS: Mapping[str, str] = {
    "24h": "trailing 24 h",
    "day": "calendar day",
    "30d": "trailing 30 days",
}
_TRAILING_S: Mapping[str, float] = {"24h": 86_400.0, "30d": 30 * 86_400.0}
MINUTE_S = 60.0
WILSON_Z = 1.96


def minute_of(at: float) -> float:
    """The start of the minute holding `at` (epoch seconds)."""
    return math.floor(at / MINUTE_S) * MINUTE_S


def counter_increase(previous: int | None, current: int | None) -> int:
    """The increase of a running total between two samples; a drop is a reset to 0."""
    if previous is None or current is None:
        return 0
    return current - previous if current >= previous else current


def window_since(kind: str, now: float, zone: ZoneInfo) -> float:
    """Where window `kind` starts at `now`: trailing windows go back, `day` starts at midnight."""
    if kind in _TRAILING_S:
        return now - _TRAILING_S[kind]
    if kind == "day":
        local = datetime.fromtimestamp(now, zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.timestamp()  # the offset of midnight itself, even on a DST day
    raise ValueError(f"unknown compliance window {kind!r}; choose one of {', '.join(WINDOW_KINDS)}")


def window_length_s(kind: str) -> float:
    """The longest a window can be (a calendar day may be 25 h on a DST change)."""
    return _TRAILING_S.get(kind, 25 * 3600.0)


def wilson_interval(successes: float, trials: float, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval of `successes / trials` as ratios; (0, 1) without a trial."""
    if trials <= 0:
        return 0.0, 1.0
    share = min(max(successes / trials, 0.0), 1.0)
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = share + z2 / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def abandon_budget(accepted: int, abandoned: int, goal_pct: float) -> int | None:
    """Abandons the window can still take at its current accepted volume; None: no limit.

    (abandoned + x) / (accepted + abandoned + x) <= g  <=>  x <= g·accepted / (1 - g) - abandoned,
    so the budget is floor(g·accepted / (1 - g) - abandoned): negative when already over the goal.
    """
    goal = goal_pct / 100.0
    if goal >= 1.0:
        return None
    return math.floor(goal * accepted / (1.0 - goal) - abandoned + 1e-9)


def guarded_goal_pct(
    accepted: int, abandoned: int, goal_pct: float, recent_resolved: float, min_share: float
) -> float:
    """The goal the next `recent_resolved` interactions must meet to bring the window back.

    (abandoned + g'·H) / (accepted + abandoned + H) = g gives g' = g + (g·R - abandoned) / H
    with R = accepted + abandoned: below g exactly when the window is over its goal. The
    result stays within [min_share·goal, goal]; H is at least 1.
    """
    horizon = max(recent_resolved, 1.0)
    goal = goal_pct / 100.0
    needed = goal + (goal * (accepted + abandoned) - abandoned) / horizon
    return 100.0 * min(goal, max(min_share * goal, needed))


@dataclass(frozen=True, slots=True)
class WindowFigures:
    """One target's abandonment over one compliance window."""

    target_id: str
    window: str
    since: float
    until: float
    accepted: int
    abandoned: int
    goal_pct: float

    @property
    def resolved(self) -> int:
        return self.accepted + self.abandoned

    @property
    def abandon_pct(self) -> float:
        """Abandoned share in percent (NaN without a resolved interaction)."""
        return 100.0 * self.abandoned / self.resolved if self.resolved else math.nan

    @property
    def interval_pct(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the abandoned share, in percent (NaN without data)."""
        if not self.resolved:
            return math.nan, math.nan
        low, high = wilson_interval(self.abandoned, self.resolved)
        return 100.0 * low, 100.0 * high

    @property
    def budget(self) -> int | None:
        return abandon_budget(self.accepted, self.abandoned, self.goal_pct)


@dataclass(slots=True)
class _Series:
    """One target's minutes: cumulative increases since the ledger began, and the last sample.

    Typed arrays (8 bytes a minute and figure, not a Python int object each): a day of a busy
    target is 1,440 minutes, about 35 kB. Minutes without an increase are not stored.
    """

    minutes: array[float] = field(default_factory=lambda: array("d"))
    accepted_cum: array[int] = field(default_factory=lambda: array("q"))
    abandoned_cum: array[int] = field(default_factory=lambda: array("q"))
    base_accepted: int = 0  # cumulative before the first minute kept
    base_abandoned: int = 0
    last_at: float = -math.inf
    last_accepted: int | None = None
    last_abandoned: int | None = None
    pruned_minute: float = -math.inf  # the keep-minute of the last prune (once a minute)

    def add(self, minute: float, accepted: int, abandoned: int) -> None:
        if not accepted and not abandoned:
            return  # the sums do not change: a quiet minute costs nothing
        if self.minutes and minute < self.minutes[-1]:
            minute = self.minutes[-1]  # a late sample joins the newest minute: never reorder
        if self.minutes and self.minutes[-1] == minute:
            self.accepted_cum[-1] += accepted
            self.abandoned_cum[-1] += abandoned
            return
        self.minutes.append(minute)
        self.accepted_cum.append(self.total_accepted + accepted)
        self.abandoned_cum.append(self.total_abandoned + abandoned)

    @property
    def total_accepted(self) -> int:
        return self.accepted_cum[-1] if self.accepted_cum else self.base_accepted

    @property
    def total_abandoned(self) -> int:
        return self.abandoned_cum[-1] if self.abandoned_cum else self.base_abandoned

    def since(self, since: float) -> tuple[int, int]:
        return self.from_minute(minute_of(since))

    def from_minute(self, minute: float) -> tuple[int, int]:
        """Accepted and abandoned increases in the minutes from `minute` (a minute's start) on."""
        index = bisect_left(self.minutes, minute)
        if index == 0:
            before = (self.base_accepted, self.base_abandoned)
        else:
            before = (self.accepted_cum[index - 1], self.abandoned_cum[index - 1])
        return self.total_accepted - before[0], self.total_abandoned - before[1]

    def prune(self, keep_since: float) -> None:
        keep_minute = minute_of(keep_since)
        if keep_minute == self.pruned_minute:
            return  # the same minute as the last prune: nothing more can go
        self.pruned_minute = keep_minute
        index = bisect_left(self.minutes, keep_minute)
        if index > len(self.minutes) // 2 and index > 64:  # amortised: cut in halves
            self.base_accepted = self.accepted_cum[index - 1]
            self.base_abandoned = self.abandoned_cum[index - 1]
            del self.minutes[:index], self.accepted_cum[:index], self.abandoned_cum[:index]


@dataclass(frozen=True, slots=True)
class MinuteCounts:
    """Increases of one target's running totals during one minute (from storage)."""

    target_id: str
    minute_start: float
    accepted: int
    abandoned: int


class CounterLedger:
    """Per-target minute increases of the running totals, with sums over any recent window.

    Fed sample by sample (`observe`) or from stored minutes (`seed`); keeps `retention_s`.
    """

    def __init__(self, retention_s: float) -> None:
        if not retention_s > 0:
            raise ValueError(f"retention_s must be positive, got {retention_s}")
        self.retention_s = retention_s
        self._series: dict[str, _Series] = {}

    def seed(
        self,
        minutes: Iterable[MinuteCounts],
        last_samples: Mapping[str, tuple[float, int | None, int | None]] = {},  # noqa: B006
    ) -> None:
        """Load stored minutes (oldest first) and each target's last stored sample."""
        for row in minutes:
            self._get(row.target_id).add(row.minute_start, row.accepted, row.abandoned)
        for target_id, (at, accepted, abandoned) in last_samples.items():
            series = self._get(target_id)
            series.last_at, series.last_accepted, series.last_abandoned = at, accepted, abandoned

    def observe(
        self, target_id: str, at: float, accepted_total: int | None, abandoned_total: int | None
    ) -> None:
        """Add one sample of the running totals (None: not reported, ignored)."""
        if accepted_total is None or abandoned_total is None:
            return
        series = self._get(target_id)
        if at <= series.last_at:
            return  # a repeated or late sample: its increase is already counted
        accepted = counter_increase(series.last_accepted, accepted_total)
        abandoned = counter_increase(series.last_abandoned, abandoned_total)
        series.last_at, series.last_accepted, series.last_abandoned = (
            at,
            accepted_total,
            abandoned_total,
        )
        series.add(minute_of(at), accepted, abandoned)
        series.prune(at - self.retention_s - MINUTE_S)

    def counts_since(self, target_id: str, since: float) -> tuple[int, int]:
        """Accepted and abandoned increases in the minutes from `since` on; (0, 0) if unknown."""
        series = self._series.get(target_id)
        if series is None:
            return 0, 0
        return series.since(since)

    def target_ids(self) -> list[str]:
        return list(self._series)

    def series_of(self, target_id: str) -> _Series | None:
        """A target's minutes (None: never seen); for the per-cycle passes of this module."""
        return self._series.get(target_id)

    def _get(self, target_id: str) -> _Series:
        series = self._series.get(target_id)
        if series is None:
            series = self._series[target_id] = _Series()
        return series


def budget_goal_pct(
    ledger: CounterLedger,
    target_id: str,
    goal_pct: float,
    now: float,
    window_starts: Sequence[float],
    horizon_s: float,
    min_share: float,
) -> float | None:
    """The budget guard's goal: the lowest any window needs, None when all are within goal.

    `window_starts` are the windows' starts at `now` (`window_since`, once per cycle for every
    target). The horizon's volume is what the ledger saw over the last `horizon_s` (the
    traffic the next `horizon_s` will probably bring).
    """
    recent = -1  # the horizon's volume, read only for a window over its goal (the rare case)
    lowest = goal_pct
    for since in window_starts:
        accepted, abandoned = ledger.counts_since(target_id, since)
        if abandoned * 100.0 > goal_pct * (accepted + abandoned):  # over the goal: guard
            if recent < 0:
                recent = sum(ledger.counts_since(target_id, now - horizon_s))
            lowest = min(lowest, guarded_goal_pct(accepted, abandoned, goal_pct, recent, min_share))
    return lowest if lowest < goal_pct else None


def budget_goals_pct(
    ledger: CounterLedger,
    targets: Sequence[tuple[str, float]],
    now: float,
    window_starts: Sequence[float],
    horizon_s: float,
    min_share: float,
) -> list[float | None]:
    """`budget_goal_pct` of each (target, goal) of `targets`, in one pass (the node's cycle).

    The windows' minutes are worked out once for all targets, and a window without an abandon
    is within its goal without further arithmetic: at 10,000 targets this runs every cycle.
    """
    minutes = [minute_of(since) for since in window_starts]
    horizon_minute = minute_of(now - horizon_s)
    series_of = ledger.series_of
    found: list[float | None] = []
    for target_id, goal_pct in targets:
        series = series_of(target_id)
        if series is None or not series.minutes:
            found.append(None)
            continue
        recent = -1
        lowest = goal_pct
        for minute in minutes:
            accepted, abandoned = series.from_minute(minute)
            if abandoned and abandoned * 100.0 > goal_pct * (accepted + abandoned):
                if recent < 0:
                    recent = sum(series.from_minute(horizon_minute))
                lowest = min(
                    lowest, guarded_goal_pct(accepted, abandoned, goal_pct, recent, min_share)
                )
        found.append(lowest if lowest < goal_pct else None)
    return found


def compliance_figures(
    ledger: CounterLedger,
    goals_pct: Mapping[str, float],
    windows: Sequence[str],
    now: float,
    zone: ZoneInfo,
) -> list[WindowFigures]:
    """Every target's figures over every window, target by target in the goals' order."""
    figures = []
    for target_id, goal_pct in goals_pct.items():
        for kind in windows:
            since = window_since(kind, now, zone)
            accepted, abandoned = ledger.counts_since(target_id, since)
            figures.append(
                WindowFigures(target_id, kind, since, now, accepted, abandoned, goal_pct)
            )
    return figures


def tightest_budget(figures: Iterable[WindowFigures]) -> Mapping[str, WindowFigures]:
    """Per target, the window with the smallest budget (the one that binds)."""
    tightest: dict[str, WindowFigures] = {}
    for figure in figures:
        current = tightest.get(figure.target_id)
        if current is None or _budget_key(figure) < _budget_key(current):
            tightest[figure.target_id] = figure
    return tightest


def _budget_key(figure: WindowFigures) -> float:
    budget = figure.budget
    return math.inf if budget is None else float(budget)


def check_windows(windows: Sequence[str], where: str) -> tuple[str, ...]:
    """The windows if every one is known and none repeats; a ValueError naming the place else."""
    unknown = [w for w in windows if w not in WINDOW_KINDS]
    if unknown or len(set(windows)) != len(windows) or not windows:
        raise ValueError(
            f"{where}: {list(windows)} — expected one or more distinct windows of "
            f"{', '.join(repr(k) for k in WINDOW_KINDS)}"
        )
    return tuple(windows)
