"""Processor threads: claim, write first, delete after; retries, poison, damage, disk faults."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from domain.signals import CollectingSink
from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    BacklogItem,
    BacklogWriteError,
    Outcome,
    ProcessOwner,
    RetrySettings,
    decode_item,
)
from storage.backlog.folder import PENDING, TMP
from tests.storage.backlog.support import (
    DEFAULT_POLICY,
    assert_nothing_lost,
    items_on_disk,
    make_item,
    make_processor,
)
from tests.support import Clock


@pytest.fixture
def folder(tmp_path: Path) -> BacklogFolder:
    return BacklogFolder(tmp_path / "backlog")


@pytest.fixture
def owner(folder: BacklogFolder) -> ProcessOwner:
    return ProcessOwner(folder)


@pytest.fixture
def database(tmp_path: Path) -> BacklogDatabase:
    return BacklogDatabase(tmp_path / "pacing.db", busy_timeout_ms=20)


def test_an_item_is_written_to_the_database_then_its_file_deleted(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    item = make_item(1)
    folder.write(item, owner.owner_id)
    seen_on_disk_during_write: list[int] = []

    def write(item: BacklogItem) -> bool:
        seen_on_disk_during_write.append(len(items_on_disk(folder)))
        return database.write_item(item)

    outcome = make_processor(folder, owner, write, clock=Clock()).process_next()
    assert outcome is Outcome.WRITTEN
    assert seen_on_disk_during_write == [1]  # the file still existed while the row was written
    assert items_on_disk(folder) == {}
    assert_nothing_lost(database.get(), folder, [item])


def test_an_item_is_not_processed_before_its_minimum_age(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    clock = Clock(1_000_000.0)
    item = make_item(1, now=clock.now, delay_s=5.0)
    folder.write(item, owner.owner_id)
    processor = make_processor(folder, owner, database.write_item, clock=clock)
    clock.advance(4.99)
    assert processor.process_next() is Outcome.NOTHING_DUE
    clock.advance(0.02)
    assert processor.process_next() is Outcome.WRITTEN


def test_a_handled_failure_puts_the_item_back_with_one_more_attempt_and_a_later_due_time(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    clock = Clock()
    folder.write(make_item(1, now=clock.now), owner.owner_id)
    holder = sqlite3.connect(database.path, isolation_level=None)
    database.get()  # create the schema before locking
    holder.execute("BEGIN EXCLUSIVE")
    try:
        outcome = make_processor(folder, owner, database.write_item, clock=clock).process_next()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert outcome is Outcome.RETRY
    (paths,) = items_on_disk(folder).values()
    retried = decode_item(paths[0].read_bytes())
    assert paths[0].parent.name == PENDING
    assert retried.attempts == 2 and retried.due_at == clock.now + 5.0
    assert retried.last_error.startswith("SQLITE_BUSY")


def test_a_poison_record_goes_to_failed_after_the_maximum_attempts(
    folder: BacklogFolder, owner: ProcessOwner
) -> None:
    clock = Clock()
    sink = CollectingSink()
    folder.write(make_item(1, now=clock.now), owner.owner_id)

    def always_busy(item: BacklogItem) -> bool:
        raise TimeoutError("the database did not answer")

    settings = RetrySettings(0.0, 3, 86_400.0, DEFAULT_POLICY)
    processor = make_processor(
        folder, owner, always_busy, clock=clock, settings=settings, sink=sink
    )
    outcomes = [processor.process_next() for _ in range(4)]
    assert outcomes == [Outcome.RETRY, Outcome.FAILED, Outcome.NOTHING_DUE, Outcome.NOTHING_DUE]
    (paths,) = items_on_disk(folder).values()
    assert paths[0].parent.name == "failed"
    assert "MaxAttempts" in paths[0].with_name(paths[0].name + ".reason").read_text()
    assert [s.condition for s in sink.drain()] == ["DatabaseWriteFailed"]


def test_an_item_older_than_the_maximum_age_is_not_written_but_failed(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    clock = Clock()
    folder.write(make_item(1, now=clock.now), owner.owner_id)
    clock.advance(86_401.0)
    outcome = make_processor(folder, owner, database.write_item, clock=clock).process_next()
    assert outcome is Outcome.FAILED
    assert database.get().execute("SELECT count(*) FROM cycles").fetchone()[0] == 0


@pytest.mark.parametrize(
    "content", [b"", b'{"format": 1, "cycle": {', b"garbage \x00\x01"], ids=["empty", "cut", "junk"]
)
def test_corrupted_truncated_and_empty_files_go_to_failed(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase, content: bytes
) -> None:
    good = make_item(1)
    folder.write(good, owner.owner_id)
    folder.path(PENDING, "000000000000000-0001-bad.json").write_bytes(content)
    processor = make_processor(folder, owner, database.write_item, clock=Clock())
    assert [processor.process_next() for _ in range(3)] == [
        Outcome.FAILED,
        Outcome.WRITTEN,
        Outcome.NOTHING_DUE,
    ]
    assert [p.parent.name for p in folder.item_paths()] == ["failed"]
    assert_nothing_lost(database.get(), folder, [good])


def test_a_crash_between_commit_and_delete_writes_the_item_again_without_duplicates(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    item = make_item(1)
    claimed = folder.claim(folder.write(item, owner.owner_id).name, owner.owner_id)
    assert claimed is not None
    database.write_item(item)  # committed ... and the process "dies" before the delete
    os.rename(claimed, folder.path(PENDING, claimed.name))  # what recovery does
    outcome = make_processor(folder, owner, database.write_item, clock=Clock()).process_next()
    assert outcome is Outcome.WRITTEN
    assert_nothing_lost(database.get(), folder, [item])


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO], ids=["disk full", "EIO"])
def test_a_backlog_disk_fault_reports_the_loss_and_leaves_no_partial_file(
    tmp_path: Path, code: int
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    folder = BacklogFolder(tmp_path / "backlog", fsync=broken_fsync)
    owner = ProcessOwner(folder)
    with pytest.raises(BacklogWriteError, match="the record is lost"):
        folder.write(make_item(1), owner.owner_id)
    assert list(folder.path(PENDING).iterdir()) == []
    assert list(folder.path(TMP).iterdir()) == []


def test_a_short_write_is_completed_not_truncated(tmp_path: Path) -> None:
    def two_bytes_at_a_time(fd: int, data: bytes) -> int:
        return os.write(fd, data[:2])

    folder = BacklogFolder(tmp_path / "backlog", write=two_bytes_at_a_time)
    item = make_item(1)
    path = folder.write(item, ProcessOwner(folder).owner_id)
    assert decode_item(path.read_bytes()) == item


def test_counters_follow_what_the_processor_did(
    folder: BacklogFolder, owner: ProcessOwner, database: BacklogDatabase
) -> None:
    counters = BacklogCounters()
    for n in range(3):
        folder.write(make_item(n), owner.owner_id)
    processor = make_processor(folder, owner, database.write_item, counters=counters, clock=Clock())
    while processor.process_next() is not Outcome.NOTHING_DUE:
        pass
    assert counters.totals().drained == 3
