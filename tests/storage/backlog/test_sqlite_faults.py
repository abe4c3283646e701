"""Each SQLite fault really produced, and classified as `Backlog.*` configures it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from domain.ports import CycleNotStored
from domain.signals import CollectingSink
from node.recording import DirectRecorder
from storage.backlog import (
    BacklogCounters,
    BacklogFolder,
    BacklogRecorder,
    BacklogWriter,
    DiskGuard,
    ErrorPolicy,
    ProcessOwner,
    is_backloggable,
)
from storage.db import PerThreadDatabase
from tests.builders import register_node
from tests.storage.backlog.faults import outcome
from tests.storage.backlog.support import DEFAULT_POLICY, items_on_disk
from tests.support import ROOT, Clock


def recorder_for(
    database: PerThreadDatabase, folder: BacklogFolder, policy: ErrorPolicy = DEFAULT_POLICY
) -> tuple[BacklogRecorder, CollectingSink]:
    sink = CollectingSink()
    writer = BacklogWriter(folder, ProcessOwner(folder), DiskGuard(2**40), BacklogCounters())
    recorder = BacklogRecorder(
        DirectRecorder(database), writer, policy, min_item_age_s=1.0, clock=Clock(), sink=sink
    )
    return recorder, sink


def where_it_went(folder: BacklogFolder) -> str:
    (paths,) = items_on_disk(folder).values()
    return paths[0].parent.name


@pytest.fixture
def database(tmp_path: Path) -> PerThreadDatabase:
    database = PerThreadDatabase(tmp_path / "pacing.db", busy_timeout_ms=50)
    register_node(database.get())
    return database


def test_a_write_blocked_by_an_exclusive_lock_goes_to_the_backlog(
    database: PerThreadDatabase, tmp_path: Path
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    recorder, sink = recorder_for(database, folder)
    holder = sqlite3.connect(database.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        recorder.record(outcome(1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert where_it_went(folder) == "pending"
    assert sink.drain() == []


def test_a_full_database_goes_to_the_backlog(database: PerThreadDatabase, tmp_path: Path) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    recorder, _ = recorder_for(database, folder)
    db = database.get()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(200):  # until the last free page is used
        recorder.record(outcome(n))
        if items_on_disk(folder):
            break
    assert where_it_went(folder) == "pending"
    assert "SQLITE_FULL" in next(iter(items_on_disk(folder).values()))[0].read_text()


def test_a_read_only_database_is_unhandled_by_default_so_failed_and_alarmed(
    database: PerThreadDatabase, tmp_path: Path
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    recorder, sink = recorder_for(database, folder)
    database.get().execute("PRAGMA query_only = ON")
    with pytest.raises(CycleNotStored, match="is not in the database: unhandled database error"):
        recorder.record(outcome(1))
    assert where_it_went(folder) == "failed"
    (signal,) = sink.drain()
    assert signal.condition == "DatabaseWriteFailed" and signal.active
    assert "SQLITE_READONLY" in signal.reason


def test_a_read_only_database_is_backlogged_when_listed_as_exact_match(
    database: PerThreadDatabase, tmp_path: Path
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    policy = ErrorPolicy(False, ("SQLITE_READONLY",), ())
    recorder, sink = recorder_for(database, folder, policy)
    database.get().execute("PRAGMA query_only = ON")
    recorder.record(outcome(1))
    assert where_it_went(folder) == "pending"


def test_an_unopenable_database_path_goes_to_the_backlog(tmp_path: Path) -> None:
    not_a_file = tmp_path / "a-folder.db"
    not_a_file.mkdir()
    folder = BacklogFolder(tmp_path / "backlog")
    recorder, _ = recorder_for(PerThreadDatabase(not_a_file), folder)
    recorder.record(outcome(1))
    assert where_it_went(folder) == "pending"
    assert "SQLITE_CANTOPEN" in next(iter(items_on_disk(folder).values()))[0].read_text()


def test_a_constraint_error_is_never_backlogged_even_when_all_failures_are(
    database: PerThreadDatabase, tmp_path: Path
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    recorder, sink = recorder_for(database, folder, ErrorPolicy(True, (), ()))
    database.get().execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON target_rows "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(CycleNotStored):
        recorder.record(outcome(1))
    assert where_it_went(folder) == "failed"
    assert "SQLITE_CONSTRAINT" in sink.drain()[0].reason


def test_a_file_size_limit_produces_an_io_error_that_is_backloggable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.storage.backlog.faults", str(tmp_path / "pacing.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.startswith("SQLITE_IOERR"), result.stdout + result.stderr
    assert is_backloggable(result.stdout, DEFAULT_POLICY)


@pytest.mark.parametrize(
    "name,policy,expected",
    [
        ("SQLITE_BUSY_SNAPSHOT", DEFAULT_POLICY, True),
        ("TIMEOUT", DEFAULT_POLICY, True),
        ("SQLITE_READONLY", DEFAULT_POLICY, False),
        ("SQLITE_READONLY", ErrorPolicy(True, (), ()), True),
        ("SQLITE_CORRUPT", ErrorPolicy(True, (), ()), False),
        ("SQLITE_ERROR", ErrorPolicy(False, (), ("SQLITE_",)), False),
        ("SQLITE_IOERR_WRITE", ErrorPolicy(False, ("SQLITE_IOERR_WRITE",), ()), True),
        ("SQLITE_IOERR_READ", ErrorPolicy(False, ("SQLITE_IOERR_WRITE",), ()), False),
    ],
)
def test_error_names_are_matched_by_exact_name_or_prefix(
    name: str, policy: ErrorPolicy, expected: bool
) -> None:
    assert is_backloggable(name, policy) is expected
