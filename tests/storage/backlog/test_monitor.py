"""The disk monitor: thresholds raise and clear the alarms; above Max new items are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.signals import CollectingSink
from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    BacklogFullError,
    BacklogWriter,
    DiskGuard,
    DiskLevels,
    DiskMonitor,
    ProcessOwner,
    evaluate_disk_levels,
)
from storage.backlog.monitor import MB
from storage.backlog.reads import read_backlog_samples, read_backlog_status
from tests.storage.backlog.support import make_item
from tests.support import Clock


def test_levels_raise_above_their_threshold_and_clear_only_below_ninety_percent() -> None:
    levels = DiskLevels()
    path = []
    for used_mb in (9, 11, 21, 19, 18.5, 17.9, 10, 8.9):
        levels = evaluate_disk_levels(int(used_mb * MB), levels, warning_mb=10, max_mb=20)
        path.append(levels.name)
    assert path == [
        "normal", "warning", "major", "major", "major", "warning", "warning", "normal",
    ]  # fmt: skip


@given(st.lists(st.integers(min_value=0, max_value=40 * MB), max_size=30))
def test_a_level_is_never_active_below_ninety_percent_nor_inactive_above_its_threshold(
    sizes: list[int],
) -> None:
    levels = DiskLevels()
    for used in sizes:
        levels = evaluate_disk_levels(used, levels, warning_mb=10, max_mb=20)
        assert levels.major == (used > 20 * MB) or 18 * MB < used <= 20 * MB
        assert levels.warning == (used > 10 * MB) or 9 * MB < used <= 10 * MB


class TickingClock(Clock):
    """Each reading is one minute after the previous one (one check per interval)."""

    def __call__(self) -> float:
        self.advance(60.0)
        return self.now


def small_monitor(
    tmp_path: Path, sink: CollectingSink, guard: DiskGuard, counters: BacklogCounters
) -> tuple[DiskMonitor, BacklogFolder]:
    folder = BacklogFolder(tmp_path / "backlog")
    monitor = DiskMonitor(
        folder,
        node_id="node-a",
        warning_mb=1,
        max_mb=2,
        interval_s=60.0,
        guard=guard,
        counters=counters,
        sink=sink,
        clock=TickingClock(),
        database=BacklogDatabase(tmp_path / "pacing.db"),
    )
    return monitor, folder


def test_a_growing_then_shrinking_folder_raises_and_clears_both_alarms(tmp_path: Path) -> None:
    sink = CollectingSink()
    monitor, folder = small_monitor(tmp_path, sink, DiskGuard(10 * MB), BacklogCounters())
    ballast = folder.path("failed", "ballast.bin")
    for size_mb in (0.5, 1.5, 2.5, 1.5, 0.2):
        ballast.write_bytes(b"x" * int(size_mb * MB))
        monitor.check()
    signals = [(s.condition, s.active) for s in sink.drain()]
    assert signals == [
        ("BacklogDiskWarning", True),
        ("BacklogDiskMajor", True),
        ("BacklogDiskMajor", False),
        ("BacklogDiskWarning", False),
    ]
    samples = read_backlog_samples(BacklogDatabase(tmp_path / "pacing.db").get(), 0, 2e6)
    assert list(samples["level"]) == ["normal", "warning", "major", "warning", "normal"]


def test_above_max_new_items_are_refused_and_counted_and_nothing_stored_is_evicted(
    tmp_path: Path,
) -> None:
    counters = BacklogCounters()
    guard = DiskGuard(2 * MB)
    monitor, folder = small_monitor(tmp_path, CollectingSink(), guard, counters)
    writer = BacklogWriter(folder, ProcessOwner(folder), guard, counters)
    writer.write(make_item(1))
    folder.path("failed", "ballast.bin").write_bytes(b"x" * (2 * MB))
    monitor.check()
    with pytest.raises(BacklogFullError, match="MaxUsedMB"):
        writer.write(make_item(2))
    assert counters.totals().refused == 1
    assert folder.usage().pending_items == 1  # the stored item is still there
    monitor.check()
    status = read_backlog_status(BacklogDatabase(tmp_path / "pacing.db").get())
    assert status.refused_total == 1 and status.level == "major"
