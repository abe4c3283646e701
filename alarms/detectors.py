"""Conditions the alarm subsystem detects itself, from values (pure: no clock, no I/O).

Each detector turns one observation (a cycle outcome, a runtime sample, the nodes' heartbeats,
a target's abandonment counts) into detect (`active=True`) or cancel signals, exactly like the
signals other parts emit into the sink, so everything after that is one code path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from alarms.model import AlarmCondition, Category, RuntimeSample
from domain.compliance import wilson_interval
from domain.signals import GLOBAL_SCOPE, AlarmSignal, Condition

if TYPE_CHECKING:
    from domain.ports import CycleOutcome
    from domain.records import NodeStatus

# Target errors the cycle writes when the statistics themselves are missing or unusable.
_STATISTICS_ERRORS = ("collect", "no statistics", "bad statistics", "stale")

# (at, accepted_total, abandoned_total) of one target in one cycle
CountPoint = tuple[float, int, int]


def wilson_lower_bound(successes: int, trials: int, z: float = 1.96) -> float:
    """Lower end of the Wilson score interval for `successes / trials` (0 when no trial)."""
    if trials <= 0:
        return 0.0
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}), got {successes}")
    return wilson_interval(successes, trials, z)[0]


def window_counts(points: Sequence[CountPoint], now: float, window_s: float) -> tuple[int, int]:
    """Accepted and abandoned interactions during `(now - window_s, now]` from running totals.

    A running total that goes down (a stat server restart) starts a new segment: only the
    counts after the last reset are used, never a negative difference.
    """
    inside = [p for p in points if now - window_s < p[0] <= now]
    if len(inside) < 2:
        return 0, 0
    start = 0
    for index in range(1, len(inside)):
        if inside[index][1] < inside[index - 1][1] or inside[index][2] < inside[index - 1][2]:
            start = index
    first, last = inside[start], inside[-1]
    return last[1] - first[1], last[2] - first[2]


def _severity(condition: AlarmCondition, value: float, threshold: float) -> str | None:
    factor = condition.parameter("escalate_factor")
    if factor is not None and threshold > 0 and value >= factor * threshold:
        return condition.category.raised().value
    return None


def abandonment_signal(
    condition: AlarmCondition,
    target_id: str,
    goal_pct: float,
    accepted: int,
    abandoned: int,
    now: float,
) -> AlarmSignal | None:
    """Detect when the lower Wilson bound of abandonment is above the goal; None without data."""
    trials = accepted + abandoned
    if trials <= 0:
        return None
    z = condition.parameter("z", 1.96) or 1.96
    lower_pct = 100.0 * wilson_lower_bound(abandoned, trials, z)
    active = lower_pct > goal_pct
    reason = (
        f"{abandoned} of {trials} abandoned ({100.0 * abandoned / trials:.1f} %, lower bound "
        f"{lower_pct:.2f} %) against a goal of {goal_pct:g} %"
    )
    return AlarmSignal(
        condition=condition.name,
        active=active,
        at=now,
        scope=target_id,
        value=lower_pct,
        reason=reason,
        severity=_severity(condition, lower_pct, goal_pct) if active else None,
    )


def abandonment_signals(
    condition: AlarmCondition,
    target_ids: Sequence[str],
    goals_pct: Sequence[float],
    accepted: np.ndarray,
    abandoned: np.ndarray,
    now: float,
) -> list[AlarmSignal]:
    """`abandonment_signal` for many targets at once: the Wilson bounds computed by column."""
    trials = (accepted + abandoned).astype(np.float64)
    counted = np.nonzero(trials > 0)[0]
    if not counted.size:
        return []
    z = condition.parameter("z", 1.96) or 1.96
    n = trials[counted]
    p = abandoned[counted] / n
    denominator = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower_pct = 100.0 * np.maximum(0.0, (centre - spread) / denominator)
    signals = []
    for index, lower in zip(counted.tolist(), lower_pct.tolist(), strict=True):
        goal_pct = goals_pct[index]
        gone, total = int(abandoned[index]), int(trials[index])
        active = lower > goal_pct
        signals.append(
            AlarmSignal(
                condition=condition.name,
                active=active,
                at=now,
                scope=target_ids[index],
                value=lower,
                reason=(
                    f"{gone} of {total} abandoned ({100.0 * gone / total:.1f} %, lower bound "
                    f"{lower:.2f} %) against a goal of {goal_pct:g} %"
                ),
                severity=_severity(condition, lower, goal_pct) if active else None,
            )
        )
    return signals


def burn_rate_signal(
    condition: AlarmCondition,
    target_id: str,
    goal_pct: float,
    short: tuple[int, int],
    long: tuple[int, int],
    now: float,
) -> AlarmSignal | None:
    """Detect when the abandon budget burns faster than the threshold over both windows.

    `short` and `long` are (accepted, abandoned) over the condition's two windows; the burn
    rate is the abandoned share over the goal (1 = spending the budget exactly as it allows).
    Multi-window, as in the SRE workbook: the long window proves it is no blip, the short one
    that it is still going on (so the alarm clears soon after the burn stops). None for a goal
    of 0, where every abandon is over budget and `AbandonmentAboveGoal` says it.
    """
    goal = goal_pct / 100.0
    if goal <= 0:
        return None
    threshold = condition.parameter("burn_rate", 14.4) or 14.4
    min_resolved = condition.parameter("min_resolved", 20.0) or 0.0
    rates = [_burn_rate(accepted, abandoned, goal) for accepted, abandoned in (short, long)]
    enough = sum(long) >= min_resolved
    active = enough and min(rates) > threshold
    short_s = condition.parameter("short_window_s", 300.0) or 300.0
    long_s = condition.parameter("long_window_s", 3600.0) or 3600.0
    reason = (
        f"abandon budget burning {rates[1]:.1f}x over {long_s / 60:g} min and {rates[0]:.1f}x "
        f"over {short_s / 60:g} min (threshold {threshold:g}x of a {goal_pct:g} % goal)"
    )
    if not enough:
        reason = f"{sum(long)} interactions over {long_s / 60:g} min, fewer than {min_resolved:g}"
    return AlarmSignal(
        condition=condition.name,
        active=active,
        at=now,
        scope=target_id,
        value=min(rates),
        reason=reason,
    )


def _burn_rate(accepted: int, abandoned: int, goal: float) -> float:
    resolved = accepted + abandoned
    return abandoned / resolved / goal if resolved else 0.0


def cycle_signals(outcome: CycleOutcome) -> list[AlarmSignal]:
    """CycleOverrun for the cycle, StatisticsStale for each of its targets."""
    cycle = outcome.cycle
    at = cycle.started_at
    overran = cycle.status == "overrun" or cycle.duration_s > cycle.period_s
    signals = [
        AlarmSignal(
            condition=Condition.CYCLE_OVERRUN,
            active=overran,
            at=at,
            value=cycle.duration_s,
            reason=f"cycle took {cycle.duration_s:.3f} s of a {cycle.period_s:g} s period"
            + (f", {cycle.skipped_before} fire(s) skipped" if cycle.skipped_before else ""),
        )
    ]
    for record in outcome.targets:
        # A publish failure is also written into every target's error: not a statistics fault.
        stale = (
            record.reason == "stale"
            or record.logged_in_slots is None
            or (record.error or "").startswith(_STATISTICS_ERRORS)
        )
        signals.append(
            AlarmSignal(
                condition=Condition.STATISTICS_STALE,
                active=stale,
                at=at,
                scope=record.target_id,
                reason=(record.error or "paced as stale") if stale else "fresh statistics",
            )
        )
    return signals


def sample_signals(
    sample: RuntimeSample, conditions: Mapping[str, AlarmCondition]
) -> list[AlarmSignal]:
    """GC Latency, GC Frequency and Heap Memory Usage against the conditions' thresholds."""
    signals: list[AlarmSignal] = []
    checks = (
        (
            Condition.GC_LATENCY,
            "threshold_ms",
            sample.gc_pause_max_s * 1000.0,
            "longest GC pause",
            "ms",
        ),
        (
            Condition.GC_FREQUENCY,
            "threshold_per_min",
            sample.gc_collections_per_min,
            "collections in the last minute",
            "",
        ),
        (
            Condition.HEAP_MEMORY_USAGE,
            "threshold_pct",
            sample.memory_usage_pct,
            "resident memory",
            "%",
        ),
    )
    for name, key, value, what, unit in checks:
        condition = conditions.get(name)
        threshold = condition.parameter(key) if condition else None
        if condition is None or threshold is None or value is None:
            continue
        active = value > threshold
        signals.append(
            AlarmSignal(
                condition=name,
                active=active,
                at=sample.at,
                value=value,
                reason=f"{what} {value:.3g}{unit} (threshold {threshold:g}{unit})",
                severity=_severity(condition, value, threshold) if active else None,
            )
        )
    return signals


def no_master_signal(
    nodes: Sequence[NodeStatus],
    now: float,
    *,
    lease_lapsed_s: float | None = None,
    lease_grace_s: float = 0.0,
    last_holder: str = "",
) -> AlarmSignal:
    """Detect when nobody is pacing, else cancel.

    Nobody paces when no node has a fresh heartbeat or, with a master lease (the HTTP
    publisher), when the lease has lapsed for longer than `lease_grace_s` (nodes are alive but
    none took it over: their cycles are stuck). A lapse shorter than the grace is a handover.
    """
    alive = [node.node_id for node in nodes if node.alive]
    lapsed = lease_lapsed_s is not None and lease_lapsed_s > lease_grace_s
    if alive and lapsed:
        reason = (
            f"the master lease (last holder {last_holder}) lapsed {lease_lapsed_s:.0f} s ago "
            f"and no node took it over; alive: {', '.join(sorted(alive))}"
        )
    elif alive:
        reason = f"alive: {', '.join(sorted(alive))}"
    elif nodes:
        youngest = min(node.last_heartbeat_age_s for node in nodes)
        reason = f"no fresh heartbeat among {len(nodes)} node(s); youngest is {youngest:.0f} s old"
    else:
        reason = "no node has ever started on this database"
    return AlarmSignal(
        condition=Condition.NO_MASTER_NODE,
        active=not alive or lapsed,
        at=now,
        scope=GLOBAL_SCOPE,
        value=float(len(alive)),
        reason=reason,
    )


def parse_severity(text: str | None) -> Category | None:
    """A signal's severity text as a category (unknown text: the condition's own category)."""
    if text is None:
        return None
    try:
        return Category(text)
    except ValueError:
        return None
