"""A real GC pause above a low threshold raises GC Latency; a quiet sample clears it."""

from __future__ import annotations

import gc
from pathlib import Path

from alarms.catalogue import default_conditions
from config.alarms import AlarmOptions
from config.options import MetricsOptions
from domain.signals import CollectingSink
from node.alarm_evaluator import AlarmEvaluator
from node.probes import GcProbe, RuntimeProbe
from storage.alarms.store import read_alarm_history, read_runtime_samples
from storage.db import PerThreadDatabase
from tests.builders import cycle_outcome

THRESHOLD_MS = 1.0


def test_a_forced_gc_pause_raises_gc_latency_then_a_quiet_cycle_clears_it(
    tmp_path: Path,
) -> None:
    database = PerThreadDatabase(tmp_path / "pacing.db")
    clock = iter(float(t) for t in range(100, 200, 5))
    gc_probe = GcProbe()
    evaluator = AlarmEvaluator(
        node_id="n",
        database=database,
        sink=CollectingSink(),
        clock=lambda: next(clock),
        probe=RuntimeProbe("n", gc_probe),
        wanted_conditions=default_conditions(
            MetricsOptions(gc_latency_threshold_ms=THRESHOLD_MS), AlarmOptions(off_delay_s=0.0)
        ),
        stale_after_s=15.0,
    )
    evaluator.start()
    gc_probe.start()
    was_enabled = gc.isenabled()
    gc.disable()  # only our own collections happen during the test
    try:
        live = [[index] for index in range(400_000)]  # a large graph every full collection walks
        gc.collect()
        evaluator.after_cycle(cycle_outcome(), recorded=True)
        del live
        gc.collect()
        evaluator.after_cycle(cycle_outcome(), recorded=True)
        evaluator.after_cycle(cycle_outcome(), recorded=True)  # no collection at all since
    finally:
        gc_probe.stop()
        if was_enabled:
            gc.enable()
    db = database.get()
    history = read_alarm_history(db, conditions=["GC Latency"]).sort_values("transition_id")
    assert history["rule"].tolist() == [
        "alarm occurs",
        "returns to normal before acknowledgement",
    ]
    assert history["value"].iloc[0] > THRESHOLD_MS
    samples = read_runtime_samples(db, since=0.0)
    assert len(samples) == 3 and samples["gc_pause_max_s"].iloc[0] * 1000 > THRESHOLD_MS
    assert samples["gc_pause_max_s"].iloc[2] == 0.0
    assert samples["rss_bytes"].iloc[0] > 0
    database.close_current_thread()


def test_a_collection_whose_start_the_probe_missed_is_not_timed_from_the_clocks_origin() -> None:
    # A probe installed while a collection runs sees that collection's stop without its start.
    probe = GcProbe(clock=lambda: 5_000.0)
    probe.start()
    try:
        callback = gc.callbacks[-1]
        callback("stop", {"generation": 2})
        assert probe.drain() == []
        callback("start", {"generation": 2})
        callback("stop", {"generation": 2})
        assert probe.drain() == [(2, 5_000.0, 0.0)]
    finally:
        probe.stop()
