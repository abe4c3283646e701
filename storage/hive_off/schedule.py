"""The nightly hive-off: a NodeService thread that runs it at `HiveOff.StartTime` each day."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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
    """Runs hive-off every day at the configured time; a failed run is logged, not fatal."""

    name = "nightly hive-off"

    def __init__(
        self,
        settings: HiveOffSettings,
        *,
        start_time: str,
        zone: ZoneInfo,
        clock: Callable[[], float],
        run: Callable[[HiveOffSettings], HiveOffReport] = run_hive_off,
    ) -> None:
        self._settings = settings
        self._start_time = start_time
        self._zone = zone
        self._clock = clock
        self._run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="nightly-hive-off", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            due = next_run_at(self._clock(), self._start_time, self._zone)
            # Wake at least hourly: a wall clock that jumps is noticed within the hour.
            if self._stop.wait(min(3600.0, max(0.0, due - self._clock()))):
                return
            if self._clock() < due:
                continue
            try:
                self._run(self._settings)
            except Exception:  # noqa: BLE001 - try again tomorrow; the run row says why
                log.exception("nightly hive-off failed")
