"""The plausible range of every numeric option, declared once: parsing, errors and docs read it.

A number outside its range stops start-up with `where: value — expected …` naming the range,
so nothing in the file can make the node hang (a 1 ns period), blow memory (10**9 agents,
10**6 publisher threads) or die later (an infinite timeout). `TableReader.number`, `integer`
and `duration_s` look the range up by the option's path (indexes dropped:
`virtual_queues[3].pacing.optimizationGoal` → `virtual_queues.pacing.optimizationGoal`); a
numeric option without a declared range is a programming error. The README shows
`ranges_markdown()` and a test keeps the two equal. The `[simulator]` settings keep their
ranges in their own table (`config.simulator.SCENARIO_SETTINGS`).

The size of the file itself is bounded in `limits` (bytes, nesting, counts of queues, groups
and agents).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from domain.checks import GOAL_PCT_MAX, GOAL_PCT_MIN

RangeKind = Literal["number", "whole", "duration"]

MINUTE_S, HOUR_S, DAY_S = 60.0, 3600.0, 86_400.0


@dataclass(frozen=True, slots=True)
class OptionRange:
    """Inclusive bounds of one option, and the words its error message uses."""

    low: float
    high: float
    kind: RangeKind = "number"
    noun: str = ""  # "seconds", "milliseconds", "MB", ... ("" for a plain number)

    def holds(self, value: float) -> bool:
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return self.low <= value <= self.high  # exact for integers of any size

    @property
    def expected(self) -> str:
        """Completes `where: value — expected …`."""
        if self.kind == "duration":
            return (
                f"a duration between {seconds_text(self.low)} and {seconds_text(self.high)}, "
                'such as "30s", "10min", "1h", "500ms" or a number of seconds'
            )
        between = f"between {_number(self.low)} and {_number(self.high)}"
        if self.noun == "percent":
            return f"a percentage {between}"
        kind = "a whole number" if self.kind == "whole" else "a number"
        noun = f" of {self.noun}" if self.noun else ""
        return f"{kind}{noun} {between}"


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


def seconds_text(seconds: float) -> str:
    """`0.5 s`, `30 s`, `15 min`, `1 h`, `30 days`: a bound as an operator reads it."""
    for size, unit in ((DAY_S, " days"), (HOUR_S, " h"), (MINUTE_S, " min")):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count}{' day' if unit == ' days' and count == 1 else unit}"
    return f"{seconds:g} s"


def _s(low: float, high: float) -> OptionRange:
    return OptionRange(low, high, "number", "seconds")


def _duration(low: float, high: float) -> OptionRange:
    return OptionRange(low, high, "duration")


def _whole(low: float, high: float, noun: str = "") -> OptionRange:
    return OptionRange(low, high, "whole", noun)


OPTION_RANGES: dict[str, OptionRange] = {
    "pacing.refreshPeriod": _s(0.1, HOUR_S),
    "pacing.optimizationGoal": OptionRange(GOAL_PCT_MIN, GOAL_PCT_MAX),
    "virtual_queues.pacing.optimizationGoal": OptionRange(GOAL_PCT_MIN, GOAL_PCT_MAX),
    "pacingEndpoint.timeout": _s(0.1, 60),
    "pacingEndpoint.chunkSize": _whole(1, 5_000, "entities"),
    "metrics.reporter.console.logFrequency": _duration(1, DAY_S),
    "metrics.reporter.log.logFrequency": _duration(1, DAY_S),
    "metrics.reporter.messageServer.logFrequency": _duration(1, DAY_S),
    "metrics.GcLatency.threshold": OptionRange(1, 60_000, noun="milliseconds"),
    "metrics.GcFrequency.threshold": OptionRange(1, 10_000, noun="collections per minute"),
    "metrics.HeapMemoryUsage.threshold": OptionRange(1, 100, noun="percent"),
    "Backlog.Processor.ThreadCount": _whole(1, 16, "threads"),
    "Backlog.Processor.MinItemAgeBeforeProcessingMillis": _whole(0, 3_600_000, "milliseconds"),
    "Backlog.DiskSpaceMonitor.CheckIntervalMillis": _whole(1_000, 3_600_000, "milliseconds"),
    "Backlog.DiskSpaceMonitor.WarningUsedMB": _whole(1, 1_000_000, "MB"),
    "Backlog.DiskSpaceMonitor.MaxUsedMB": _whole(1, 1_000_000, "MB"),
    "Backlog.Processor.MaxAttempts": _whole(1, 10_000, "attempts"),
    "Backlog.Processor.MaxItemAgeMillis": _whole(60_000, 90 * 86_400_000, "milliseconds"),
    "Backlog.HiveOff.RetentionDays": _whole(1, 3_650, "days"),
    "Backlog.HiveOff.DetailHours": _whole(1, 87_600, "hours"),
    "Backlog.HiveOff.IntervalMinutes": _whole(0, 1_440, "minutes"),
    "Backlog.HiveOff.ArchiveDays": _whole(0, 3_650, "days"),
    "stat_source.timeout": _s(0.1, 60),
    "stat_source.retries": _whole(0, 5, "retries"),
    "stat_source.stale_after": _duration(0.1, HOUR_S),
    "stat_source.primary_recheck": _duration(0, HOUR_S),
    "publisher.retries": _whole(0, 5, "retries"),
    "publisher.concurrency": _whole(1, 32, "requests"),
    "publisher.lease_ttl": _duration(0.1, HOUR_S),
    "publisher.budget_ratio": OptionRange(0.05, 1),
    "alarms.on_delay": _duration(0, HOUR_S),
    "alarms.off_delay": _duration(0, HOUR_S),
    "alarms.cancel_timeout": _duration(MINUTE_S, 30 * DAY_S),
    "alarms.abandonment_window": _duration(MINUTE_S, DAY_S),
    "alarms.ack_expiry": _duration(0, 7 * DAY_S),
    "alarms.webhook_timeout": _duration(0.1, 120),
    "alarms.webhook_retries": _whole(0, 10, "retries"),
    "alarms.smtp_timeout": _duration(0.1, 120),
    "alarms.smtp_port": _whole(1, 65_535),
    "compliance.guard_horizon": _duration(MINUTE_S, DAY_S),
    "compliance.guard_min_goal_share": OptionRange(0, 1),
    "compliance.fast_burn": OptionRange(1, 1_000),
    "compliance.slow_burn": OptionRange(1, 1_000),
    "compliance.burn_min_resolved": _whole(1, 100_000, "interactions"),
}

_INDEX = re.compile(r"\[\d+\]")


def option_range(path: str) -> OptionRange:
    """The declared range of the option at `path`; KeyError names an undeclared one."""
    key = _INDEX.sub("", path)
    try:
        return OPTION_RANGES[key]
    except KeyError:
        raise KeyError(
            f"no range declared for the numeric option {key!r} (config/ranges.py)"
        ) from None


def ranges_markdown() -> str:
    """The README table: every numeric option and its plausible range."""
    lines = ["| option | plausible range |", "|---|---|"]
    for path, bound in OPTION_RANGES.items():
        section, _, key = path.partition(".")
        if section == "virtual_queues":
            section, _, key = "virtual_queues.pacing", "", key.removeprefix("pacing.")
        shown = key if re.fullmatch(r"[A-Za-z_][\w-]*", key) else f'"{key}"'
        lines.append(f"| `[{section}] {shown}` | {bound.expected} |")
    return "\n".join(lines)
