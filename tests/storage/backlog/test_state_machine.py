"""A hypothesis state machine mixing every fault: locked and read-only databases, processing,
dead owners (with and without a commit before the crash), corrupted files, time passing and
hive-off. After every step: each acknowledged record is in the database (or archived by
hive-off) or in exactly one backlog file, and no row is duplicated."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path

import sqlite_utils
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.ports import CycleNotStored, CycleOutcome
from domain.signals import CollectingSink
from node.recording import DirectRecorder
from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    BacklogItem,
    BacklogRecorder,
    BacklogWriter,
    DiskGuard,
    ProcessOwner,
    decode_item,
    recover_dead_owners,
)
from storage.backlog.folder import PENDING
from storage.db import PerThreadDatabase
from storage.hive_off import HiveOffSettings, read_archive, run_hive_off
from tests.builders import register_node
from tests.storage.backlog.support import (
    DEFAULT_POLICY,
    SETTINGS,
    items_on_disk,
    make_item,
    make_processor,
)
from tests.support import Clock

DAY_S = 86_400.0
LONG_LIVED = replace(SETTINGS, max_item_age_s=400 * DAY_S, max_attempts=4)


class ReadOnlySwitch:
    read_only = False


class SwitchedDatabase(PerThreadDatabase):
    """Connections that are read-only while the switch says so, and never wait for a lock."""

    def __init__(self, path: Path, switch: ReadOnlySwitch) -> None:
        super().__init__(path, busy_timeout_ms=0)
        self.switch = switch

    def get(self) -> sqlite_utils.Database:
        db = super().get()
        db.execute(f"PRAGMA query_only = {'ON' if self.switch.read_only else 'OFF'}")
        return db


class SwitchedBacklogDatabase(SwitchedDatabase, BacklogDatabase):
    """The backlog's own database (synchronous=FULL, `write_item`), switched the same way."""


class BacklogMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="backlog-machine-"))
        self.clock = Clock(1_800_000_000.0)
        self.switch = ReadOnlySwitch()
        self.db_path = self.tmp / "pacing.db"
        self.folder = BacklogFolder(self.tmp / "backlog")
        self.owner = ProcessOwner(self.folder)
        recorder_db = SwitchedDatabase(self.db_path, self.switch)
        register_node(recorder_db.get())
        writer = BacklogWriter(self.folder, self.owner, DiskGuard(2**40), BacklogCounters())
        self.recorder = BacklogRecorder(
            DirectRecorder(recorder_db),
            writer,
            DEFAULT_POLICY,
            min_item_age_s=5.0,
            clock=self.clock,
            sink=CollectingSink(),
        )
        self.database = SwitchedBacklogDatabase(self.db_path, self.switch)
        self.processor = make_processor(
            self.folder, self.owner, self.database.write_item, clock=self.clock,
            settings=LONG_LIVED,
        )  # fmt: skip
        self.lock: sqlite3.Connection | None = None
        self.acknowledged: dict[str, BacklogItem] = {}
        self.corrupted: set[str] = set()
        self.committed_then_crashed: set[str] = set()
        self.next_n = 0

    def teardown(self) -> None:
        if self.lock is not None:
            self.lock.close()
        self.database.close_current_thread()
        self.owner.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @rule()
    def record_a_cycle(self) -> None:
        item = make_item(self.next_n, now=self.clock.now)
        self.next_n += 1
        with contextlib.suppress(CycleNotStored):  # not in the database, but kept in failed/
            self.recorder.record(CycleOutcome(item.cycle, item.targets, ()))
        self.acknowledged[item.record_id] = item

    @precondition(lambda self: self.lock is None)
    @rule()
    def lock_the_database(self) -> None:
        self.lock = sqlite3.connect(self.db_path, isolation_level=None)
        self.lock.execute("BEGIN EXCLUSIVE")

    @precondition(lambda self: self.lock is not None)
    @rule()
    def unlock_the_database(self) -> None:
        assert self.lock is not None
        self.lock.close()
        self.lock = None

    @rule(read_only=st.booleans())
    def make_the_database_read_only(self, read_only: bool) -> None:
        self.switch.read_only = read_only

    @rule(seconds=st.sampled_from([1.0, 6.0, 60.0]))
    def let_time_pass(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(turns=st.integers(min_value=1, max_value=5))
    def process(self, turns: int) -> None:
        for _ in range(turns):
            self.processor.process_next()

    @rule(commit_first=st.booleans())
    def a_processor_process_dies_holding_an_item(self, commit_first: bool) -> None:
        names = self.folder.pending_names()
        if not names:
            return
        doomed = ProcessOwner(self.folder)
        claimed = self.folder.claim(names[0], doomed.owner_id)
        assert claimed is not None
        if commit_first and not self.switch.read_only and self.lock is None:
            with contextlib.suppress(Exception):  # a damaged item cannot be written
                item = decode_item(claimed.read_bytes())
                self.database.write_item(item)
                # Stored AND still on disk until a processor meets it again (a no-op write).
                self.committed_then_crashed.add(item.record_id)
        if doomed._fd is not None:
            os.close(doomed._fd)  # as at death: the kernel drops the flock
            doomed._fd = None

    @rule()
    def restart_recovers_dead_owners(self) -> None:
        recover_dead_owners(self.folder)

    @rule()
    def corrupt_a_pending_file(self) -> None:
        intact = {
            path: record_id
            for record_id, paths in items_on_disk(self.folder).items()
            for path in paths
            if path.parent.name == PENDING and not record_id.startswith("<corrupt>")
        }
        if intact:
            path = sorted(intact)[-1]
            path.write_bytes(path.read_bytes()[:40])  # truncated
            self.corrupted.add(intact[path])

    @precondition(lambda self: self.lock is None and not self.switch.read_only)
    @rule()
    def hive_off_after_a_month(self) -> None:
        self.clock.advance(31 * DAY_S)
        settings = HiveOffSettings(
            self.db_path, self.folder.root, self.tmp / "archive", 30, 400 * DAY_S, "n", 7
        )
        run_hive_off(settings, clock=self.clock)

    @invariant()
    def nothing_acknowledged_is_lost_or_duplicated(self) -> None:
        db = sqlite_utils.Database(self.db_path)
        try:
            stored = {r[0] for r in db.execute("SELECT cycle_id FROM cycles").fetchall()}
            archives = [r[0] for r in db.execute("SELECT file FROM hive_off_archives")]
            duplicates = db.execute(
                "SELECT record_id FROM cycle_targets GROUP BY record_id HAVING count(*) > 1"
            ).fetchall()
        finally:
            db.close()
        assert duplicates == []
        archived = {
            row["cycle_id"]
            for name in archives
            for row in read_archive(self.tmp / "archive" / name)
        }
        on_disk = items_on_disk(self.folder)
        for record_id in self.acknowledged:
            files = on_disk.get(record_id, [])
            in_db = record_id in stored or record_id in archived
            if record_id in self.corrupted:
                continue  # the test destroyed it; the file itself stays (pending or failed)
            assert in_db or files, f"{record_id} lost"
            assert len(files) <= 1, f"{record_id} is in {files}"
            if in_db and files:
                assert record_id in self.committed_then_crashed, f"{record_id}: {files}"
            elif record_id in self.committed_then_crashed and not files:
                self.committed_then_crashed.discard(record_id)
        corrupt_files = [k for k in on_disk if k.startswith("<corrupt>")]
        assert len(corrupt_files) == len(self.corrupted)  # kept for an operator, never deleted


TestBacklogMachine = BacklogMachine.TestCase
TestBacklogMachine.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
