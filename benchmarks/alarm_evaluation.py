"""Cost of alarm evaluation per cycle, and of the GC probe, on a real SQLite file.

Run: .venv/bin/python benchmarks/alarm_evaluation.py
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alarms.catalogue import default_conditions  # noqa: E402
from domain.signals import AlarmSignal, CollectingSink, Condition  # noqa: E402
from node.alarm_evaluator import AlarmEvaluator  # noqa: E402
from node.probes import GcProbe, RuntimeProbe  # noqa: E402
from storage.db import PerThreadDatabase  # noqa: E402
from tests.builders import cycle_outcome  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = PerThreadDatabase(Path(folder) / "bench.db")
        sink = CollectingSink()
        gc_probe = GcProbe()
        evaluator = AlarmEvaluator(
            node_id="bench",
            database=database,
            sink=sink,
            clock=time.time,
            probe=RuntimeProbe("bench", gc_probe),
            wanted_conditions=default_conditions(),
            stale_after_s=15.0,
        )
        evaluator.start()
        gc_probe.start()
        cycles = 500
        started = time.perf_counter()
        for k in range(cycles):
            sink.signal(AlarmSignal(Condition.PACING_REQUESTS_FAILED, k % 7 == 0, time.time()))
            evaluator.after_cycle(cycle_outcome(at=time.time()), recorded=True)
        per_cycle_ms = (time.perf_counter() - started) / cycles * 1000
        gc_probe.stop()
        database.close_current_thread()
    print(f"alarm evaluation: {per_cycle_ms:.2f} ms per cycle over {cycles} cycles")

    probe = GcProbe()
    runs = 2000
    started = time.perf_counter()
    for _ in range(runs):
        gc.collect(0)
    bare = time.perf_counter() - started
    probe.start()
    started = time.perf_counter()
    for _ in range(runs):
        gc.collect(0)
    probed = time.perf_counter() - started
    probe.stop()
    overhead_us = (probed - bare) / runs * 1e6
    print(f"gc probe: {overhead_us:.2f} µs added per generation-0 collection")


if __name__ == "__main__":
    main()
