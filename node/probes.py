"""Runtime probes: GC pauses per collection and generation, full collections per minute, memory.

The JVM figure the original alarms on ("GC Frequency") counts the collections that matter:
the full ones. In CPython a young (generation 0) collection runs every few hundred allocations
and costs microseconds, so counting them alarms on any busy but healthy process; the figure
here counts *full* collections: those of the oldest generation (`oldest_generation()`, not a
hard-coded 2), per minute. Pauses of every generation are still timed (GC Latency).

The GC callback only times and appends: no lock, no logging, no allocation beyond one tuple
(a metrics library removed its GC histogram after a lock taken in the callback deadlocked).
The consumer drains the deque with `popleft`, which is atomic against the callback's `append`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alarms.model import RuntimeSample

# (generation, stop time on the probe's monotonic clock, pause in seconds)
GcPause = tuple[int, float, float]
_MINUTE_S = 60.0


def oldest_generation() -> int:
    """The generation a full collection collects (2 in CPython 3.11: counted, not assumed)."""
    return len(gc.get_count()) - 1


class GcProbe:
    """Times every collection through `gc.callbacks` while started (a node service)."""

    name = "gc probe"

    def __init__(self, capacity: int = 10_000, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self._pauses: deque[GcPause] = deque(maxlen=capacity)
        self._started_at: float | None = None
        self._installed = False

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started_at = self._clock()
        elif self._started_at is not None:
            # A probe installed while a collection ran sees its stop without its start:
            # that collection is not timed (it would count from the clock's origin).
            stop = self._clock()
            self._pauses.append((info.get("generation", -1), stop, stop - self._started_at))
            self._started_at = None

    def start(self) -> None:
        if not self._installed:
            gc.callbacks.append(self._callback)
            self._installed = True

    def stop(self) -> None:
        if self._installed:
            with contextlib.suppress(ValueError):
                gc.callbacks.remove(self._callback)
            self._installed = False

    def drain(self) -> list[GcPause]:
        """Every pause recorded since the last drain, oldest first."""
        pauses: list[GcPause] = []
        while True:
            try:
                pauses.append(self._pauses.popleft())
            except IndexError:
                return pauses

    def now(self) -> float:
        return self._clock()


class HeapTracer:
    """Optional tracemalloc (it slows allocation): current and peak traced Python heap."""

    name = "tracemalloc"

    def __init__(self) -> None:
        self._started_here = False

    def start(self) -> None:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_here = True

    def stop(self) -> None:
        if self._started_here and tracemalloc.is_tracing():
            tracemalloc.stop()
        self._started_here = False

    @staticmethod
    def read() -> tuple[int | None, int | None]:
        if not tracemalloc.is_tracing():
            return None, None
        current, peak = tracemalloc.get_traced_memory()
        return current, peak


def read_rss_bytes() -> int | None:
    """Resident set size now, from /proc/self/statm (None where there is no /proc)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def read_memory_limit_bytes() -> int | None:
    """The memory available to this process: the cgroup limit if any, else physical memory."""
    limits: list[int] = []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            limits.append(int(text))
    with contextlib.suppress(OSError, ValueError):
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    return min(limits) if limits else None


class RuntimeProbe:
    """Turns drained GC pauses and memory readings into one `RuntimeSample` per cycle."""

    def __init__(self, node_id: str, gc_probe: GcProbe, heap: HeapTracer | None = None) -> None:
        self.node_id = node_id
        self.gc_probe = gc_probe
        self.heap = heap
        self._full = oldest_generation()
        self._recent: deque[float] = deque()  # stop times of the last minute's full collections
        self._total = 0
        self._limit_bytes = read_memory_limit_bytes()
        self.latest: RuntimeSample | None = None  # read by reporters on other threads

    def sample(
        self,
        at: float,
        cycle_duration_s: float | None = None,
        cycle_lateness_s: float | None = None,
    ) -> RuntimeSample:
        pauses = self.gc_probe.drain()
        mono = self.gc_probe.now()
        for generation, stop, _ in pauses:
            if generation >= self._full:
                self._recent.append(stop)
        while self._recent and self._recent[0] <= mono - _MINUTE_S:
            self._recent.popleft()
        self._total += len(pauses)
        heap_current, heap_peak = self.heap.read() if self.heap else (None, None)
        sample = RuntimeSample(
            node_id=self.node_id,
            at=at,
            gc_pause_max_s=max((pause for _, _, pause in pauses), default=0.0),
            gc_pause_total_s=sum(pause for _, _, pause in pauses),
            gc_collections=len(pauses),
            gc_collections_per_min=float(len(self._recent)),
            gc_collections_total=self._total,
            rss_bytes=read_rss_bytes(),
            memory_limit_bytes=self._limit_bytes,
            heap_current_bytes=heap_current,
            heap_peak_bytes=heap_peak,
            cycle_duration_s=cycle_duration_s,
            cycle_lateness_s=cycle_lateness_s,
            gc_by_generation=_by_generation(pauses),
        )
        self.latest = sample
        return sample


def _by_generation(pauses: list[GcPause]) -> tuple[tuple[int, int, float], ...]:
    """(generation, collections, longest pause s) per generation seen, lowest first."""
    figures: dict[int, tuple[int, float]] = {}
    for generation, _, pause in pauses:
        count, longest = figures.get(generation, (0, 0.0))
        figures[generation] = (count + 1, max(longest, pause))
    return tuple((g, c, p) for g, (c, p) in sorted(figures.items()))
