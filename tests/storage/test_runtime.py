"""Runtime samples bucketed in SQL for the Health page."""

from __future__ import annotations

from pathlib import Path

from alarms.model import RuntimeSample
from storage.alarms.store import record_runtime_sample
from storage.db import connect
from storage.runtime import read_gc_generations, read_runtime_series
from storage.transactions import write_transaction


def sample(at: float, pause_s: float, rss: int, generations: tuple) -> RuntimeSample:  # type: ignore[type-arg]
    return RuntimeSample(
        node_id="n",
        at=at,
        gc_pause_max_s=pause_s,
        gc_pause_total_s=pause_s,
        gc_collections=sum(g[1] for g in generations),
        gc_collections_per_min=at / 10,
        gc_collections_total=int(at),
        rss_bytes=rss,
        memory_limit_bytes=1000,
        cycle_duration_s=at / 100,
        cycle_lateness_s=0.01,
        gc_by_generation=generations,
    )


def test_samples_are_bucketed_with_the_worst_value_of_each_bucket(tmp_path: Path) -> None:
    db = connect(tmp_path / "pacing.db")
    with write_transaction(db):
        for at, pause, rss, gens in [
            (0.0, 0.001, 100, ((0, 3, 0.001),)),
            (30.0, 0.050, 300, ((0, 1, 0.0005), (2, 1, 0.050))),
            (60.0, 0.002, 200, ((0, 2, 0.002),)),
        ]:
            record_runtime_sample(db, sample(at, pause, rss, gens))
    series = read_runtime_series(db, 0.0, 120.0, 60.0)
    assert series["at"].tolist() == [0.0, 60.0]
    assert series["samples"].tolist() == [2, 1]
    assert series["gc_pause_max_s"].tolist() == [0.05, 0.002]
    assert series["rss_bytes"].tolist() == [300, 200]
    assert series["cycle_duration_max_s"].tolist() == [0.3, 0.6]
    generations = read_gc_generations(db, 0.0, 120.0, 60.0)
    assert generations[["at", "generation", "collections", "pause_max_s"]].values.tolist() == [
        [0.0, 0, 4, 0.001],
        [0.0, 2, 1, 0.05],
        [60.0, 0, 2, 0.002],
    ]
    assert len(read_runtime_series(db, 0.0, 120.0, None)) == 3, "unbucketed: one row per sample"
    assert read_runtime_series(db, 0.0, 30.0, None)["at"].tolist() == [0.0], "until is excluded"
    db.close()
