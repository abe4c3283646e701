"""Helpers of the backlog fault tests: items, processors, and the no-loss invariant."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlite_utils

from config.options import DEFAULT_STARTS_WITH
from domain.signals import CollectingSink
from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    BacklogItem,
    BacklogProcessor,
    ErrorPolicy,
    ItemCorruptError,
    ProcessorService,
    ProcessOwner,
    RetrySettings,
    decode_item,
)
from storage.backlog.folder import PROCESSING
from storage.backlog.items import new_item
from tests.builders import make_cycle, make_target

DEFAULT_POLICY = ErrorPolicy(False, (), DEFAULT_STARTS_WITH)
SETTINGS = RetrySettings(
    min_item_age_s=5.0, max_attempts=5, max_item_age_s=86_400.0, errors=DEFAULT_POLICY
)


def make_item(
    n: int, *, now: float = 1_000_000.0, delay_s: float = 0.0, targets: int = 2
) -> BacklogItem:
    """The item of cycle `cycle-<n>` with `targets` target rows, due `delay_s` after `now`."""
    cycle_id = f"cycle-{n:06d}"
    cycle = make_cycle(cycle_id, started_at=now - 10 + n * 1e-3, targets_count=targets)
    rows = tuple(
        make_target(cycle_id, target_id=f"target {t}", at=cycle.started_at + 0.01)
        for t in range(targets)
    )
    return new_item(cycle, rows, "SQLITE_BUSY: database is locked", now, delay_s)


def make_processor(
    folder: BacklogFolder,
    owner: ProcessOwner,
    write_item: Callable[[BacklogItem], bool],
    *,
    clock: Callable[[], float] = time.time,
    settings: RetrySettings = SETTINGS,
    sink: CollectingSink | None = None,
    counters: BacklogCounters | None = None,
) -> BacklogProcessor:
    return BacklogProcessor(
        folder,
        owner,
        write_item,
        settings,
        clock=clock,
        sink=sink or CollectingSink(),
        counters=counters or BacklogCounters(),
    )


def drain_folder(
    folder: BacklogFolder,
    database: BacklogDatabase,
    threads: int,
    settings: RetrySettings,
    *,
    counters: BacklogCounters,
    poll_s: float,
) -> float:
    """Run `threads` processor threads until no item is pending or claimed; the seconds it took
    (the threads' stop not included)."""
    owner = ProcessOwner(folder)
    service = ProcessorService(
        lambda: make_processor(
            folder, owner, database.write_item, settings=settings, counters=counters
        ),
        folder,
        thread_count=threads,
        enabled=lambda: True,
        idle_s=poll_s,
        failure_pause_s=poll_s,
        on_thread_exit=database.close_current_thread,
    )
    started = time.perf_counter()
    service.start()
    while folder.pending_names() or any(folder.path(PROCESSING, owner.owner_id).iterdir()):
        time.sleep(poll_s)
    elapsed_s = time.perf_counter() - started
    service.stop()
    owner.close()
    return elapsed_s


def items_on_disk(folder: BacklogFolder) -> dict[str, list[Path]]:
    """record id → every file holding it (pending, processing, failed); undecodable files are
    listed under `"<corrupt> name"`."""
    found: dict[str, list[Path]] = {}
    for path in folder.item_paths():
        try:
            record_id = decode_item(path.read_bytes()).record_id
        except ItemCorruptError:
            record_id = f"<corrupt> {path.name}"
        found.setdefault(record_id, []).append(path)
    return found


def stored_cycles(db: sqlite_utils.Database) -> dict[str, int]:
    """cycle id → number of its target rows in the database."""
    rows = db.execute(
        "SELECT c.cycle_id, count(t.record_id) FROM cycles AS c "
        "LEFT JOIN cycle_targets AS t ON t.cycle_id = c.cycle_id GROUP BY c.cycle_id"
    ).fetchall()
    return {row[0]: int(row[1]) for row in rows}


def assert_nothing_lost(
    db: sqlite_utils.Database,
    folder: BacklogFolder,
    acknowledged: Iterable[BacklogItem],
) -> None:
    """Every acknowledged record is in the database xor in exactly one folder, complete, and
    no row is duplicated."""
    stored = stored_cycles(db)
    on_disk = items_on_disk(folder)
    duplicates = db.execute(
        "SELECT record_id FROM cycle_targets GROUP BY record_id HAVING count(*) > 1"
    ).fetchall()
    assert duplicates == [], f"duplicate rows: {duplicates}"
    for item in acknowledged:
        in_db = item.record_id in stored
        files = on_disk.get(item.record_id, [])
        assert in_db or files, f"{item.record_id} is lost: neither in the database nor on disk"
        assert len(files) <= 1, f"{item.record_id} is in {len(files)} files: {files}"
        assert not (in_db and files), f"{item.record_id} is both stored and still in {files}"
        if in_db:
            assert stored[item.record_id] == len(item.targets), f"{item.record_id} incomplete"
