"""Hive-off: rollups, archives `export` still reads, purge, pause of the backlog, resumption."""

from __future__ import annotations

import io
import random
import time
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from alarms.model import RuntimeSample
from storage.alarms.store import record_runtime_sample
from storage.backlog import BacklogFolder
from storage.backlog.owner import HiveOffRunningError, PauseGate, backlog_paused
from storage.backlog.reads import read_hive_off_runs, read_target_minute_rollups
from storage.cycles import record_cycle
from storage.db import connect
from storage.export import EXPORT_COLUMNS
from storage.hive_off import HiveOffSettings, export_with_archive, run_hive_off
from tests.builders import make_cycle, make_target
from tests.storage.backlog.processes import kill_9, start_child

NOW = 1_800_000_000.0
OLD = NOW - 40 * 86_400.0  # older than the 30 days retention
TARGETS = ("Proactive Chat - chat", "Proactive Voice - voice")


def fill(db: sqlite_utils.Database, start: float, cycles: int, period_s: float = 5.0) -> None:
    """`cycles` cycles every period from `start`, each with one row per target."""
    for n in range(cycles):
        at = start + n * period_s
        cycle_id = f"c-{at:.0f}"
        rows = [
            make_target(
                cycle_id,
                target_id=target,
                at=at + 0.1,
                allowed_invitations=n % 7,
                pending_invitations=n % 3,
                accepted_total=100 + n,
                abandoned_total=n // 10,
                reason="=HYPERLINK(evil)" if n == 3 else "ok",
            )
            for target in TARGETS
        ]
        record_cycle(db, make_cycle(cycle_id, started_at=at, targets_count=2), rows)


def export_all(db: sqlite_utils.Database, archive: Path) -> str:
    out = io.StringIO()
    export_with_archive(db, out, archive, None, None, None, list(EXPORT_COLUMNS))
    return out.getvalue()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[sqlite_utils.Database, HiveOffSettings]:
    db = connect(tmp_path / "pacing.db")
    fill(db, OLD, 360)  # 30 minutes of old detail
    fill(db, NOW - 3600, 12)  # one minute of recent detail
    settings = HiveOffSettings(
        tmp_path / "pacing.db",
        tmp_path / "backlog",
        tmp_path / "archive",
        retention_days=60,  # rollups are kept 60 days,
        max_item_age_s=86_400.0,
        node_id="node-a",
        chunk_rows=100,
        detail_hours=30 * 24,  # detail 30
    )
    BacklogFolder(settings.backlog_folder)
    return db, settings


def detail_count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM cycle_targets").fetchone()[0])


def test_old_detail_is_archived_rolled_up_and_purged_and_export_reads_it_all_back(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    before = export_all(db, settings.archive_folder)
    report = run_hive_off(settings, clock=lambda: NOW)
    assert report.rows_archived == 720 and detail_count(db) == 24
    assert report.cycles_purged == 360
    assert export_all(db, settings.archive_folder) == before
    assert "'=HYPERLINK(evil)" in before  # the export's formula guard applies to archives too
    assert read_hive_off_runs(db)["status"].tolist() == ["done"]


def test_runtime_samples_older_than_the_retention_are_purged(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    for at in (OLD, NOW - 60):
        record_runtime_sample(db, RuntimeSample("node-a", at, 0.001, 0.002, 1, 1.0, 1, 1, None))
    run_hive_off(replace(settings, retention_days=30), clock=lambda: NOW)
    kept = db.execute("SELECT at FROM runtime_samples").fetchall()
    assert kept == [(NOW - 60,)]


def test_minute_rollups_hold_counts_sums_means_and_deltas(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    run_hive_off(settings, clock=lambda: NOW)
    frame = read_target_minute_rollups(db, [TARGETS[0]], OLD - 60, OLD + 3600)
    assert len(frame) == 30 and frame["samples"].tolist() == [12] * 30
    second = frame.iloc[1]  # cycles n = 12..23 of the first target
    assert second["allowed_sum"] == sum(n % 7 for n in range(12, 24))
    assert second["pending_mean"] == pytest.approx(sum(n % 3 for n in range(12, 24)) / 12)
    # accepted_total grows by 1 a cycle: 12 per minute, chunk boundaries included
    assert frame["accepted_delta"].tolist() == [11] + [12] * 29
    assert int(frame["abandoned_delta"].sum()) == 359 // 10


def test_a_late_backlog_retry_of_an_archived_cycle_is_not_inserted_again(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    # Archived ids are kept while a backlog item of that cycle may still be retried
    # (Processor.MaxItemAgeMillis after the cutoff); here items may live 60 days.
    run_hive_off(replace(settings, max_item_age_s=60 * 86_400.0), clock=lambda: NOW)
    cycle_id = f"c-{OLD:.0f}"
    rows = [make_target(cycle_id, target_id=t, at=OLD + 0.1) for t in TARGETS]
    assert record_cycle(db, make_cycle(cycle_id, started_at=OLD, targets_count=2), rows) is False
    assert detail_count(db) == 24


def test_the_backlog_is_paused_while_hive_off_holds_the_pause(tmp_path: Path) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    gate = PauseGate(folder)
    with backlog_paused(folder):
        assert gate.enter() is False
    assert gate.enter() is True
    gate.leave()


def test_hive_off_waits_for_an_item_in_flight_and_gives_up_without_deleting_anything(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    gate = PauseGate(BacklogFolder(settings.backlog_folder))
    assert gate.enter()  # a processor thread is writing an item
    with pytest.raises(HiveOffRunningError, match="could not pause the backlog"):
        run_hive_off(replace(settings, pause_wait_s=0.2), clock=lambda: NOW)
    assert detail_count(db) == 744
    gate.leave()
    assert run_hive_off(settings, clock=lambda: NOW).rows_archived == 720


@pytest.mark.parametrize("run", range(2))
def test_a_hive_off_killed_at_a_random_moment_resumes_and_loses_nothing(
    setup: tuple[sqlite_utils.Database, HiveOffSettings], run: int
) -> None:
    db, settings = setup
    before = export_all(db, settings.archive_folder)
    child = start_child(
        "hive-off",
        str(settings.database_path),
        str(settings.backlog_folder),
        str(settings.archive_folder),
        "20",
        str(NOW),
    )
    time.sleep(random.Random(run).uniform(0.3, 1.0))
    kill_9(child)
    assert export_all(db, settings.archive_folder) == before  # nothing lost mid-way
    report = run_hive_off(settings, clock=lambda: NOW)
    assert detail_count(db) == 24
    assert export_all(db, settings.archive_folder) == before
    statuses = read_hive_off_runs(db)["status"].tolist()
    assert statuses[0] == "done" and set(statuses[1:]) <= {"interrupted", "done"}
    assert report.interrupted_before == statuses.count("interrupted")


def test_detail_beyond_the_detail_window_becomes_minute_rollups_kept_for_the_retention(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    fill(db, NOW - 8 * 3600, 12)  # one minute, 8 hours ago
    report = run_hive_off(replace(settings, retention_days=30, detail_hours=6), clock=lambda: NOW)
    assert report.complete and report.rows_archived == 360 * 2 + 12 * 2
    assert detail_count(db) == 12 * 2  # the last hour's detail stays
    rollups = read_target_minute_rollups(db, None, OLD - 60, NOW)
    # The 8-hour-old minute is rolled up; the 40-day-old ones are beyond the retention.
    assert sorted(set(rollups["minute_start"])) == [(NOW - 8 * 3600) // 60 * 60]
    assert rollups["samples"].tolist() == [12, 12]


def test_a_run_stops_at_its_row_budget_and_the_next_run_continues(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    bounded = replace(settings, max_rows_per_run=300)
    first = run_hive_off(bounded, clock=lambda: NOW)
    assert (first.complete, first.rows_archived, detail_count(db)) == (False, 300, 744 - 300)
    totals = [first.rows_archived]
    while not (report := run_hive_off(bounded, clock=lambda: NOW)).complete:
        totals.append(report.rows_archived)
    totals.append(report.rows_archived)
    assert sum(totals) == 720 and detail_count(db) == 24
    assert all(run <= 300 for run in totals)


def test_archive_files_older_than_their_retention_are_deleted(
    setup: tuple[sqlite_utils.Database, HiveOffSettings],
) -> None:
    db, settings = setup
    kept = run_hive_off(settings, clock=lambda: NOW)
    assert kept.archives_removed == 0 and kept.archive_files > 0
    files = sorted(settings.archive_folder.iterdir())
    assert len(files) == kept.archive_files
    report = run_hive_off(replace(settings, archive_days=30), clock=lambda: NOW)
    assert report.archives_removed == kept.archive_files
    assert list(settings.archive_folder.iterdir()) == []
    assert export_all(db, settings.archive_folder).count("\n") == 1 + 24
