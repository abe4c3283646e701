"""How long each start-up phase took: `pacing check-config --timings`, `pacing node --timings`.

Start-up is import, read/parse (the file into a TOML document), validate (every section into
settings), derive (the pacing targets), then whatever the caller builds (the node, its
storage and services). `StartupTimings` collects each phase's wall-clock and CPU seconds in
order (on a busy machine the CPU seconds say more about the work); a caller that does not ask
for timings passes none.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Phase", "StartupTimings", "collector_paused", "seconds_since_process_start"]


@dataclass(frozen=True, slots=True)
class Phase:
    """One start-up phase: its name, wall-clock seconds and this process's CPU seconds."""

    name: str
    wall_s: float
    cpu_s: float


class StartupTimings:
    """Phases of one start-up, in the order they ran."""

    def __init__(
        self,
        clock: Callable[[], float] = time.perf_counter,
        cpu_clock: Callable[[], float] = time.process_time,
    ) -> None:
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._lap_started = (clock(), cpu_clock())
        self.phases: list[Phase] = []

    def add(self, name: str, wall_s: float, cpu_s: float) -> None:
        self.phases.append(Phase(name, wall_s, cpu_s))

    def start_lap(self) -> None:
        """The next `lap` counts from now."""
        self._lap_started = (self._clock(), self._cpu_clock())

    def lap(self, name: str) -> None:
        """Record phase `name` as the time since the last `lap` or `start_lap`."""
        now = (self._clock(), self._cpu_clock())
        self.add(name, now[0] - self._lap_started[0], now[1] - self._lap_started[1])
        self._lap_started = now

    def add_imports(self) -> None:
        """Phase "import": the process's life so far (interpreter start and imports)."""
        wall_s = seconds_since_process_start()
        if wall_s is not None:
            self.add("import", wall_s, self._cpu_clock())

    @property
    def total_wall_s(self) -> float:
        return sum(phase.wall_s for phase in self.phases)

    @property
    def total_cpu_s(self) -> float:
        return sum(phase.cpu_s for phase in self.phases)

    def report(self) -> str:
        """One line per phase and the total, for a terminal."""
        width = max([len("total"), *(len(phase.name) for phase in self.phases)])
        lines = [
            "start-up timings (this process):",
            f"  {'phase':<{width}}  {'wall s':>8}  {'cpu s':>8}",
        ]
        lines += [
            f"  {phase.name:<{width}}  {phase.wall_s:8.3f}  {phase.cpu_s:8.3f}"
            for phase in self.phases
        ]
        lines.append(f"  {'total':<{width}}  {self.total_wall_s:8.3f}  {self.total_cpu_s:8.3f}")
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
