"""How long each start-up phase took: `pacing check-config --timings`, `pacing node --timings`.

Start-up is import, read/parse (the file into a TOML document), validate (every section into
settings), derive (the pacing targets), then whatever the caller builds (the node, its
storage and services). `StartupTimings` collects (phase, seconds) in order; a caller that
does not ask for timings passes none and nothing is measured.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["StartupTimings", "collector_paused", "seconds_since_process_start"]


class StartupTimings:
    """Phases of one start-up and their wall-clock seconds, in the order they ran."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._lap_started = clock()
        self.phases: list[tuple[str, float]] = []

    def add(self, name: str, seconds: float) -> None:
        self.phases.append((name, seconds))

    def start_lap(self) -> None:
        """The next `lap` counts from now."""
        self._lap_started = self._clock()

    def lap(self, name: str) -> None:
        """Record phase `name` as the time since the last `lap` or `start_lap`."""
        now = self._clock()
        self.add(name, now - self._lap_started)
        self._lap_started = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the `with` block as phase `name` (recorded even when the block raises)."""
        started = self._clock()
        try:
            yield
        finally:
            self.add(name, self._clock() - started)

    @property
    def total_s(self) -> float:
        return sum(seconds for _, seconds in self.phases)

    def report(self) -> str:
        """One line per phase and the total, for a terminal."""
        width = max([len("total"), *(len(name) for name, _ in self.phases)])
        lines = ["start-up phases (wall-clock seconds):"]
        lines += [f"  {name:<{width}}  {seconds:8.3f}" for name, seconds in self.phases]
        lines.append(f"  {'total':<{width}}  {self.total_s:8.3f}")
        return "\n".join(lines)


def seconds_since_process_start() -> float | None:
    """Wall-clock seconds since this process started (Linux `/proc`, 10 ms steps), or None.

    Covers the interpreter's own start and every import before the caller ran.
    """
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        uptime_s = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        ticks_per_s = os.sysconf("SC_CLK_TCK")
        # Fields after the command name, which may hold spaces and parentheses itself;
        # `starttime` is field 22 of the whole line, the 20th after the name.
        started_ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, uptime_s - started_ticks / ticks_per_s)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, then back on if it was on.

    Start-up builds millions of objects that all stay alive (a 10,000-target file: the TOML
    document, 200,000 agents, the simulator's agents and events) and no cyclic garbage
    (what dies is freed by reference counting). Every 700 allocations a collection starts,
    and the older generations walk everything built so far again: about a third of loading
    and half of building a node at 10,000 targets went there.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
