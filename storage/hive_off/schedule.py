"""The hive-off schedule: a NodeService thread that runs it at `HiveOff.StartTime` each day, and
every `HiveOff.IntervalMinutes` besides (each run is bounded, see `HiveOffSettings`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.loops import BackgroundLoop
from storage.hive_off.run import HiveOffReport, HiveOffSettings, run_hive_off

log = logging.getLogger(__name__)


def next_run_at(now: float, start_time: str, zone: ZoneInfo) -> float:
    """The next `HH:MM` in `zone` strictly after `now` (pure)."""
    hours, minutes = (int(part) for part in start_time.split(":"))
    local = datetime.fromtimestamp(now, tz=zone)
    candidate = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if candidate.timestamp() <= now:
        candidate = (local + timedelta(days=1)).replace(
            hour=hours, minute=minutes, second=0, microsecond=0
        )
    return candidate.timestamp()


class NightlyHiveOff:
    """Runs hive-off every day at the configured time, and every `every_s` seconds when given;
    a failed run is logged, not fatal."""

    name = "nightly hive-off"

    def __init__(
        self,
        settings: HiveOffSettings,
        *,
        start_time: str,
        zone: ZoneInfo,
        clock: Callable[[], float],
        run: Callable[[HiveOffSettings], HiveOffReport] = run_hive_off,
        every_s: float | None = None,
    ) -> None:
        if every_s is not None and not every_s > 0:
            raise ValueError(f"every_s must be positive or None, got {every_s}")
        self._every_s = every_s
        self._settings = settings
        self._start_time = start_time
        self._zone = zone
        self._clock = clock
        self._run = run
        self._due: float | None = None
        self._loop = BackgroundLoop("nightly-hive-off", self._turn, failure_pause_s=60.0)

    def start(self) -> None:
        self._due = None
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _turn(self) -> float:
        now = self._clock()
        if self._due is None:
            self._due = next_run_at(now, self._start_time, self._zone)
            if self._every_s is not None:
                self._due = min(self._due, now + self._every_s)
        if now < self._due:
            # Wake at least hourly: a wall clock that jumps is noticed within the hour.
            return min(3600.0, self._due - now)
        self._due = None  # the next turn plans tomorrow's run, whatever this one does
        try:
            self._run(self._settings)
        except Exception:  # noqa: BLE001 - try again tomorrow; the run row says why
            log.exception("nightly hive-off failed")
        return 0.0
