"""The alarm interface every part of the node raises and clears alarm conditions through.

A part that detects a condition (the engagement client, the statistics source, the backlog
disk monitor, the runtime probes) emits an `AlarmSignal` into an `AlarmSink`: `active=True` is
the condition's detect event, `active=False` its cancel event. The alarm subsystem consumes the
signals and owns everything after that (on/off delays, states, acknowledgement, history).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

GLOBAL_SCOPE = "global"


class Condition(StrEnum):
    """The name of every alarm condition the node raises: one spelling, checked at import.

    The five the original provisions keep its names; the catalogue (`alarms.catalogue`)
    gives each its event ids, category and description.
    """

    GC_LATENCY = "GC Latency"
    GC_FREQUENCY = "GC Frequency"
    HEAP_MEMORY_USAGE = "Heap Memory Usage"
    PACING_REQUESTS_FAILED = "PacingRequestsFailed"
    PACING_RESPONSE_TARGET_ERROR = "PacingResponseTargetError"
    PACING_RESPONSE_VALIDATION_ERROR = "PacingResponseValidationError"
    ABANDONMENT_ABOVE_GOAL = "AbandonmentAboveGoal"
    ABANDON_BUDGET_FAST_BURN = "AbandonBudgetFastBurn"
    ABANDON_BUDGET_SLOW_BURN = "AbandonBudgetSlowBurn"
    CYCLE_OVERRUN = "CycleOverrun"
    STATISTICS_STALE = "StatisticsStale"
    STATISTICS_FAILOVER = "StatisticsFailover"
    NO_MASTER_NODE = "NoMasterNode"
    MASTER_TAKEOVER = "MasterTakeover"
    BACKLOG_DISK_WARNING = "BacklogDiskWarning"
    BACKLOG_DISK_MAJOR = "BacklogDiskMajor"
    DATABASE_WRITE_FAILED = "DatabaseWriteFailed"
    CONFIGURATION_RELOAD_FAILED = "ConfigurationReloadFailed"


@dataclass(frozen=True, slots=True)
class AlarmSignal:
    """One detect (`active=True`) or cancel (`active=False`) event of a named condition."""

    condition: str  # a `Condition` (a str), e.g. Condition.PACING_REQUESTS_FAILED
    active: bool
    at: float  # epoch seconds
    scope: str = GLOBAL_SCOPE  # "global" or a pacing target id
    value: float | None = None  # the measured value that crossed the threshold, if any
    reason: str = ""  # a human sentence: what happened (never a secret)
    severity: str | None = None  # "Warning"…"Critical" to escalate; None: the condition's category


class AlarmSink(Protocol):
    """Where detectors send their signals; must be safe to call from any thread."""

    def signal(self, signal: AlarmSignal) -> None: ...


class CollectingSink:
    """A thread-safe buffer of signals, drained by whoever evaluates them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signals: list[AlarmSignal] = []

    def signal(self, signal: AlarmSignal) -> None:
        with self._lock:
            self._signals.append(signal)

    def drain(self) -> list[AlarmSignal]:
        """Every signal received since the last drain, oldest first."""
        with self._lock:
            signals, self._signals = self._signals, []
        return signals
