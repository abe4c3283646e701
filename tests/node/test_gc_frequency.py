"""GC Frequency counts full collections a minute: young ones, however many, do not alarm."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alarms.catalogue import default_conditions
from config.alarms import AlarmOptions
from config.options import MetricsOptions
from domain.signals import CollectingSink
from node.alarm_evaluator import AlarmEvaluator
from node.build import build_node
from node.probes import GcProbe, RuntimeProbe, oldest_generation
from storage.alarms.store import read_alarm_history, read_runtime_samples
from storage.db import PerThreadDatabase
from tests.builders import cycle_outcome
from tests.support import shipped_config

THRESHOLD_PER_MIN = 24.0


@contextmanager
def only_our_collections() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()  # automatic collections would add to the counts at random
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluator_on(database: PerThreadDatabase, gc_probe: GcProbe) -> AlarmEvaluator:
    clock = iter(float(t) for t in range(100, 200, 5))
    evaluator = AlarmEvaluator(
        node_id="n",
        database=database,
        sink=CollectingSink(),
        clock=lambda: next(clock),
        probe=RuntimeProbe("n", gc_probe),
        wanted_conditions=default_conditions(
            MetricsOptions(gc_frequency_threshold_per_min=THRESHOLD_PER_MIN),
            AlarmOptions(off_delay_s=0.0),
        ),
        stale_after_s=15.0,
    )
    evaluator.start()
    return evaluator


def test_young_collections_do_not_count_and_forced_full_ones_raise_gc_frequency(
    tmp_path: Path,
) -> None:
    database = PerThreadDatabase(tmp_path / "pacing.db")
    gc_probe = GcProbe()
    evaluator = evaluator_on(database, gc_probe)
    gc_probe.start()
    try:
        with only_our_collections():
            for generation in range(oldest_generation()):
                for _ in range(2 * int(THRESHOLD_PER_MIN)):
                    gc.collect(generation)
            evaluator.after_cycle(cycle_outcome(), recorded=True)
            for _ in range(int(THRESHOLD_PER_MIN) + 6):
                gc.collect()
            evaluator.after_cycle(cycle_outcome(), recorded=True)
    finally:
        gc_probe.stop()
    db = database.get()
    samples = read_runtime_samples(db, since=0.0)
    young, full = samples["gc_collections_per_min"].tolist()
    assert young == 0.0
    assert full == THRESHOLD_PER_MIN + 6
    assert samples["gc_collections"].iloc[0] == 2 * THRESHOLD_PER_MIN * oldest_generation()
    history = read_alarm_history(db, conditions=["GC Frequency"])
    assert history["rule"].tolist() == ["alarm occurs"]
    assert history["value"].iloc[0] == THRESHOLD_PER_MIN + 6
    database.close_current_thread()


def test_a_healthy_node_with_many_young_collections_raises_no_gc_alarm(tmp_path: Path) -> None:
    config = shipped_config(tmp_path, metrics={"GcFrequency.threshold": THRESHOLD_PER_MIN})
    node = build_node(config, mode="headless")
    try:
        with only_our_collections():
            for _ in range(20):
                node.run_once()
                for _ in range(int(THRESHOLD_PER_MIN)):  # a busy cycle's young collections
                    gc.collect(0)
    finally:
        node.stop()
    assert gc.get_freeze_count() > 0  # start-up froze the long-lived objects
    db = PerThreadDatabase(config.node.database_path)
    samples = read_runtime_samples(db.get(), since=0.0)
    assert samples["gc_collections"].sum() >= 19 * THRESHOLD_PER_MIN  # the probe saw them
    history = read_alarm_history(db.get(), conditions=["GC Frequency", "GC Latency"])
    assert history.empty, history[["condition", "reason"]].to_string()
    db.close_current_thread()
