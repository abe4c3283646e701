"""One hive-off run: roll old detail into per-minute aggregates, archive it, purge, vacuum.

Detail older than `detail_hours` (full cycle rows) is rolled up per target and minute, archived
and purged; rollups and samples older than `retention_days` are deleted, archive files older
than `archive_days` too (when set). A run
does at most `max_rows_per_run` detail rows, each chunk in its own short transaction, so a
frequent run (every `HiveOff.IntervalMinutes`) never holds the write lock for long: a cycle
waits for one chunk at most.

Resumable by construction: each chunk is archived to a file first, then rolled up, registered
and purged in ONE transaction that deletes exactly the archived rows. A run killed at any point
leaves either a live chunk (its unregistered file is removed by the next run) or a finished
one; the next run simply continues with what is still older than the cutoff. The backlog is
paused (owner.backlog_paused) for the whole run.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from storage.backlog.folder import BacklogFolder
from storage.backlog.owner import backlog_paused
from storage.db import connect
from storage.hive_off.archive import (
    SUFFIX,
    remove_expired_archives,
    remove_orphans,
    write_archive,
)
from storage.hive_off.sql import (
    chunk_rows,
    prune_bookkeeping,
    reclaim_space,
    roll_up_and_purge,
    select_chunk,
    start_run,
    update_run,
)

log = logging.getLogger(__name__)
DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class HiveOffSettings:
    database_path: Path
    backlog_folder: Path
    archive_folder: Path
    retention_days: int
    max_item_age_s: float  # archived cycle ids are kept this long after the cutoff
    node_id: str
    chunk_rows: int = 20_000
    pause_wait_s: float = 60.0
    detail_hours: float | None = None  # None: detail is kept as long as the rollups
    max_rows_per_run: int | None = None  # None: until no detail is older than the cutoff
    archive_days: int | None = None  # None: archive files are kept until deleted by hand

    @property
    def detail_s(self) -> float:
        """How long full detail is kept (at most as long as anything else)."""
        retention_s = self.retention_days * DAY_S
        if self.detail_hours is None:
            return retention_s
        return min(self.detail_hours * 3600.0, retention_s)


@dataclass(frozen=True, slots=True)
class HiveOffReport:
    run_id: str
    cutoff: float
    rows_archived: int
    cycles_purged: int
    minutes_rolled: int
    archive_files: int
    pages_freed: int
    interrupted_before: int  # earlier runs found dead and resumed
    duration_s: float
    archives_removed: int = 0  # archive files older than the retention, deleted
    complete: bool = True  # False: the run stopped at max_rows_per_run, older detail is left
    longest_chunk_s: float = 0.0  # the longest write transaction of a chunk


def cutoff_for(now: float, retention_days: int) -> float:
    """Detail older than this goes (whole minutes: a minute is never split by the cutoff)."""
    return detail_cutoff(now, retention_days * DAY_S)


def detail_cutoff(now: float, detail_s: float) -> float:
    """Detail older than `now - detail_s`, in whole minutes, goes."""
    return (now - detail_s) // 60 * 60


def run_hive_off(
    settings: HiveOffSettings,
    *,
    clock: Callable[[], float] = time.time,
    stop_after_chunks: int | None = None,
) -> HiveOffReport:
    """Run hive-off now; `stop_after_chunks` stops early (tests of an interrupted run)."""
    started = time.monotonic()
    now = clock()
    cutoff = detail_cutoff(now, settings.detail_s)
    retention_start = now - settings.retention_days * DAY_S
    run_id = f"{int(now)}-{uuid.uuid4().hex[:8]}"
    db = connect(settings.database_path, synchronous="FULL")
    totals = {"rows_archived": 0, "cycles_purged": 0, "minutes_rolled": 0, "archive_files": 0}
    chunk_times = [0.0]
    complete = True
    try:
        with backlog_paused(BacklogFolder(settings.backlog_folder), wait_s=settings.pause_wait_s):
            interrupted = start_run(db, run_id, settings.node_id, now, cutoff)
            remove_orphans(db, settings.archive_folder)
            try:
                chunks = 0
                while stop_after_chunks is None or chunks < stop_after_chunks:
                    limit = settings.max_rows_per_run
                    if limit is not None and totals["rows_archived"] >= limit:
                        complete = select_chunk(db, cutoff, 1) == 0
                        break
                    if not _one_chunk(db, settings, run_id, cutoff, totals, clock, chunk_times):
                        break
                    chunks += 1
                prune_bookkeeping(db, retention_start, cutoff - settings.max_item_age_s)
                removed = 0
                if settings.archive_days is not None:
                    removed = remove_expired_archives(
                        db, settings.archive_folder, now - settings.archive_days * DAY_S
                    )
                pages = reclaim_space(db)
            except BaseException as exc:
                update_run(db, run_id, clock(), status="failed", error=str(exc)[:500])
                raise
            update_run(db, run_id, clock(), status="done", finished_at=clock(), pages_freed=pages)
    finally:
        db.close()
    report = HiveOffReport(
        run_id=run_id,
        cutoff=cutoff,
        **totals,
        pages_freed=pages,
        interrupted_before=interrupted,
        duration_s=time.monotonic() - started,
        archives_removed=removed,
        complete=complete,
        longest_chunk_s=max(chunk_times),
    )
    log.info("hive-off %s: %s", run_id, report)
    return report


def _one_chunk(
    db: sqlite_utils.Database,
    settings: HiveOffSettings,
    run_id: str,
    cutoff: float,
    totals: dict[str, int],
    clock: Callable[[], float],
    chunk_times: list[float],
) -> bool:
    """Archive, roll up and purge the oldest chunk; False when nothing is left to do."""
    if select_chunk(db, cutoff, settings.chunk_rows) == 0:
        return False
    name = f"cycle_targets-{run_id}-{uuid.uuid4().hex[:8]}{SUFFIX}"
    archive = write_archive(settings.archive_folder, name, chunk_rows(db))
    began = time.monotonic()
    minutes, purged = roll_up_and_purge(db, {**archive, "created_at": clock()}, run_id)
    chunk_times.append(time.monotonic() - began)
    step = {
        "rows_archived": int(archive["rows"]),
        "cycles_purged": purged,
        "minutes_rolled": minutes,
        "archive_files": 1,
    }
    for key, value in step.items():
        totals[key] += value
    update_run(db, run_id, clock(), **step)
    return True
