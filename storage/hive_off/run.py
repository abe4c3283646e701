"""One hive-off run: roll old detail into per-minute aggregates, archive it, purge, vacuum.

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
from storage.hive_off.archive import SUFFIX, remove_orphans, write_archive
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


def cutoff_for(now: float, retention_days: int) -> float:
    """Detail older than this goes (whole minutes: a minute is never split by the cutoff)."""
    return (now - retention_days * DAY_S) // 60 * 60


def run_hive_off(
    settings: HiveOffSettings,
    *,
    clock: Callable[[], float] = time.time,
    stop_after_chunks: int | None = None,
) -> HiveOffReport:
    """Run hive-off now; `stop_after_chunks` stops early (tests of an interrupted run)."""
    started = time.monotonic()
    now = clock()
    cutoff = cutoff_for(now, settings.retention_days)
    run_id = f"{int(now)}-{uuid.uuid4().hex[:8]}"
    db = connect(settings.database_path, synchronous="FULL")
    totals = {"rows_archived": 0, "cycles_purged": 0, "minutes_rolled": 0, "archive_files": 0}
    try:
        with backlog_paused(BacklogFolder(settings.backlog_folder), wait_s=settings.pause_wait_s):
            interrupted = start_run(db, run_id, settings.node_id, now, cutoff)
            remove_orphans(db, settings.archive_folder)
            try:
                chunks = 0
                while stop_after_chunks is None or chunks < stop_after_chunks:
                    if not _one_chunk(db, settings, run_id, cutoff, totals, clock):
                        break
                    chunks += 1
                prune_bookkeeping(
                    db, now - settings.retention_days * DAY_S, cutoff - settings.max_item_age_s
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
) -> bool:
    """Archive, roll up and purge the oldest chunk; False when nothing is left to do."""
    if select_chunk(db, cutoff, settings.chunk_rows) == 0:
        return False
    name = f"cycle_targets-{run_id}-{uuid.uuid4().hex[:8]}{SUFFIX}"
    archive = write_archive(settings.archive_folder, name, chunk_rows(db))
    minutes, purged = roll_up_and_purge(db, {**archive, "created_at": clock()}, run_id)
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
