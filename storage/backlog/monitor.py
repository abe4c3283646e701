"""The backlog disk monitor: measures the folder every `CheckIntervalMillis`, raises and clears
`BacklogDiskWarning` / `BacklogDiskMajor`, stores a sample for the dashboard, and tells the
writer the size so it refuses new items above `MaxUsedMB`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from domain.loops import BackgroundLoop
from domain.signals import AlarmSignal, AlarmSink, Condition
from storage.backlog.control import BacklogDatabase, BacklogSample, record_backlog_sample
from storage.backlog.counters import BacklogCounters, DiskGuard
from storage.backlog.folder import BacklogFolder, FolderUsage

log = logging.getLogger(__name__)
CLEAR_RATIO = 0.9  # a raised level clears below 90 % of its threshold
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DiskLevels:
    """Which of the two conditions is active."""

    warning: bool = False
    major: bool = False

    @property
    def name(self) -> str:
        return "major" if self.major else "warning" if self.warning else "normal"


def evaluate_disk_levels(
    used_bytes: int, previous: DiskLevels, warning_mb: int, max_mb: int
) -> DiskLevels:
    """Raise above a threshold; clear only below CLEAR_RATIO of it (pure)."""
    return DiskLevels(
        warning=_above(used_bytes, warning_mb * MB, previous.warning),
        major=_above(used_bytes, max_mb * MB, previous.major),
    )


def _above(used_bytes: int, threshold: int, active: bool) -> bool:
    return used_bytes > (threshold * CLEAR_RATIO if active else threshold)


def level_signals(
    previous: DiskLevels,
    current: DiskLevels,
    used_bytes: int,
    now: float,
    limits_mb: tuple[int, int],
) -> list[AlarmSignal]:
    """The detect/cancel signals for the conditions whose state changed (pure)."""
    signals = []
    used_mb = used_bytes / MB
    for condition, before, after, limit_mb, setting in (
        (
            Condition.BACKLOG_DISK_WARNING,
            previous.warning,
            current.warning,
            limits_mb[0],
            "WarningUsedMB",
        ),
        (Condition.BACKLOG_DISK_MAJOR, previous.major, current.major, limits_mb[1], "MaxUsedMB"),
    ):
        if before == after:
            continue
        verb = "above" if after else "back below"
        extra = (
            "; new backlog items are refused"
            if after and condition == Condition.BACKLOG_DISK_MAJOR
            else ""
        )
        signals.append(
            AlarmSignal(
                condition,
                after,
                now,
                value=used_mb,
                reason=f"backlog folder uses {used_mb:.1f} MB, {verb} "
                f"Backlog.DiskSpaceMonitor.{setting} ({limit_mb} MB){extra}",
            )
        )
    return signals


class DiskMonitor:
    """One check (`check`) and the thread that runs it every interval (a NodeService)."""

    name = "backlog disk monitor"

    def __init__(
        self,
        folder: BacklogFolder,
        *,
        node_id: str,
        warning_mb: int,
        max_mb: int,
        interval_s: float,
        guard: DiskGuard,
        counters: BacklogCounters,
        sink: AlarmSink,
        clock: Callable[[], float],
        database: BacklogDatabase | None,
    ) -> None:
        self._folder = folder
        self._node_id = node_id
        self._limits_mb = (warning_mb, max_mb)
        self._interval_s = interval_s
        self._guard = guard
        self._counters = counters
        self._sink = sink
        self._clock = clock
        self._database = database
        self.levels = DiskLevels()
        self._loop = BackgroundLoop(
            "backlog-disk-monitor",
            self._turn,
            failure_pause_s=interval_s,
            on_exit=None if database is None else database.close_current_thread,
            logger=log,
        )

    def check(self) -> FolderUsage:
        """Measure, update the writer's guard, signal level changes, store a sample."""
        usage = self._folder.usage()
        now = self._clock()
        self._guard.measured(usage.used_bytes)
        levels = evaluate_disk_levels(usage.used_bytes, self.levels, *self._limits_mb)
        for signal in level_signals(self.levels, levels, usage.used_bytes, now, self._limits_mb):
            self._sink.signal(signal)
        self.levels = levels
        if self._database is not None:
            self._store(usage, now)
        return usage

    def _store(self, usage: FolderUsage, now: float) -> None:
        totals = self._counters.totals()
        sample = BacklogSample(
            self._node_id,
            now,
            usage.used_bytes,
            usage.pending_items,
            usage.processing_items,
            usage.failed_items,
            totals.backlogged,
            totals.drained,
            totals.failed,
            totals.refused,
            self.levels.name,
        )
        assert self._database is not None
        try:
            record_backlog_sample(self._database.get(), sample)
        except Exception as exc:  # noqa: BLE001 - the database may be why items pile up
            self._database.close_current_thread()
            log.warning("backlog disk monitor could not store its sample: %s", exc)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _turn(self) -> float:
        self.check()
        return self._interval_s
