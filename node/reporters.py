"""The `[metrics]` reporters: the node's runtime figures on each reporter's `logFrequency`.

* `reporter.console` writes one human line to standard output;
* `reporter.log` writes the same line to the `alarms.metrics` logger (INFO);
* `reporter.messageServer`: there is no Genesys Message Server here. The original sent its
  metrics there for central collection; we publish them as one JSON object per report on the
  `alarms.metrics.messageserver` logger (with `[log] format = "json"` a log shipper collects
  them as the Message Server's consumers did), and `/metrics` serves the same figures on
  demand.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TextIO

from alarms.model import RuntimeSample
from config.options import MetricsOptions
from domain.loops import BackgroundLoop

log = logging.getLogger("alarms.metrics")
message_server_log = logging.getLogger("alarms.metrics.messageserver")


def describe_sample(sample: RuntimeSample) -> str:
    """One human line of runtime figures."""
    rss = "-" if sample.rss_bytes is None else f"{sample.rss_bytes / 2**20:.1f} MiB"
    usage = sample.memory_usage_pct
    heap = (
        ""
        if sample.heap_current_bytes is None
        else f", heap {sample.heap_current_bytes / 2**20:.1f} MiB"
        f" (peak {(sample.heap_peak_bytes or 0) / 2**20:.1f} MiB)"
    )
    cycle = (
        ""
        if sample.cycle_duration_s is None
        else f", cycle {sample.cycle_duration_s * 1000:.1f} ms"
        f" (late {(sample.cycle_lateness_s or 0) * 1000:.1f} ms)"
    )
    return (
        f"node {sample.node_id}: GC pause max {sample.gc_pause_max_s * 1000:.2f} ms, "
        f"{sample.gc_collections_per_min:g} collections/min ({sample.gc_collections_total} total), "
        f"RSS {rss}" + ("" if usage is None else f" ({usage:.1f} % of limit)") + heap + cycle
    )


@dataclass(frozen=True, slots=True)
class Reporter:
    name: str  # "console", "log" or "messageServer"
    every_s: float
    emit: Callable[[RuntimeSample], None]


def _console(out: TextIO) -> Callable[[RuntimeSample], None]:
    def emit(sample: RuntimeSample) -> None:
        out.write(f"[metrics] {describe_sample(sample)}\n")
        out.flush()

    return emit


def build_reporters(metrics: MetricsOptions, stdout: TextIO | None = None) -> list[Reporter]:
    """The enabled reporters of `[metrics]`."""
    out = stdout or sys.stdout
    reporters = []
    if metrics.console_enabled:
        reporters.append(
            Reporter(
                "console",
                metrics.console_log_frequency_s,
                _console(out),
            )
        )
    if metrics.log_enabled:
        reporters.append(
            Reporter("log", metrics.log_log_frequency_s, lambda s: log.info(describe_sample(s)))
        )
    if metrics.message_server_enabled:
        reporters.append(
            Reporter(
                "messageServer",
                metrics.message_server_log_frequency_s,
                lambda s: message_server_log.info(json.dumps(asdict(s), sort_keys=True)),
            )
        )
    return reporters


class MetricsReporting:
    """A node service: one thread emitting the latest sample for each reporter when it is due."""

    name = "metrics reporters"

    def __init__(
        self,
        reporters: list[Reporter],
        latest: Callable[[], RuntimeSample | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reporters = reporters
        self._latest = latest
        self._clock = clock
        self._due: dict[str, float] = {}
        self._loop = BackgroundLoop("metrics-report", self._turn, logger=log)

    def start(self) -> None:
        if self.reporters:
            self._due = {r.name: self._clock() + r.every_s for r in self.reporters}
            self._loop.start()

    def stop(self) -> None:
        self._loop.stop(timeout_s=5.0)

    def report_now(self) -> int:
        """Emit every reporter once (if a sample exists); return how many emitted."""
        sample = self._latest()
        if sample is None:
            return 0
        for reporter in self.reporters:
            self._emit(reporter, sample)
        return len(self.reporters)

    def _emit(self, reporter: Reporter, sample: RuntimeSample) -> None:
        try:
            reporter.emit(sample)
        except Exception:  # noqa: BLE001 - a broken stream must not end the reporting thread
            log.exception("metrics reporter %s failed", reporter.name)

    def _turn(self) -> float:
        now = self._clock()
        for reporter in self.reporters:
            if now >= self._due[reporter.name]:
                self._due[reporter.name] = now + reporter.every_s
                sample = self._latest()
                if sample is not None:
                    self._emit(reporter, sample)
        return max(0.05, min(self._due.values()) - self._clock())
