"""kill -9 at random moments: while writing items, while draining into a real SQLite file.

CI repeats each scenario a few times (KILL_REPEATS); docs/backlog.md gives the larger counts
run by hand (`PACING_KILL_REPEATS=200 pytest tests/storage/backlog/test_kill.py`).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from storage.backlog import (
    BacklogDatabase,
    BacklogFolder,
    BacklogItem,
    ProcessOwner,
    recover_dead_owners,
)
from storage.backlog.folder import PENDING, PROCESSING, TMP
from tests.storage.backlog.processes import acknowledged, kill_9, start_child
from tests.storage.backlog.support import assert_nothing_lost, items_on_disk, make_item

KILL_REPEATS = int(os.environ.get("PACING_KILL_REPEATS", "4"))


def wait_for_line(child: object, text: str) -> None:
    line = child.stdout.readline()  # type: ignore[attr-defined]
    assert line.strip() == text, line


def pending_items(tmp_path: Path, count: int) -> tuple[BacklogFolder, list[BacklogItem], Path]:
    """A backlog folder of `count` pending items, and the migrated database to drain them into."""
    folder = BacklogFolder(tmp_path / "backlog")
    owner = ProcessOwner(folder)
    items = [make_item(n, now=0.0) for n in range(count)]
    for item in items:
        folder.write(item, owner.owner_id)
    db_path = tmp_path / "pacing.db"
    BacklogDatabase(db_path).get()  # migrate before any child starts
    return folder, items, db_path


@pytest.mark.parametrize("run", range(KILL_REPEATS))
def test_kill_9_while_writing_loses_no_acknowledged_item_and_leaves_no_partial_one(
    tmp_path: Path, run: int
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    writer = start_child("write", str(folder.root), "0", "1000000")
    wait_for_line(writer, "ack 0")
    time.sleep(random.Random(run).uniform(0.0, 0.4))
    acked = [0, *acknowledged(kill_9(writer))]
    on_disk = items_on_disk(folder)
    assert not any(key.startswith("<corrupt>") for key in on_disk), "a partial file is visible"
    for n in acked:
        assert len(on_disk[make_item(n, now=0.0).record_id]) == 1
    assert recover_dead_owners(folder) == 0  # the writer claimed nothing
    assert list(folder.path(TMP).iterdir()) == []  # its temp file, if any, is gone
    assert list(folder.path(PROCESSING).iterdir()) == []


@pytest.mark.parametrize("run", range(KILL_REPEATS))
def test_kill_9_while_draining_then_restart_drains_everything_exactly_once(
    tmp_path: Path, run: int
) -> None:
    folder, items, db_path = pending_items(tmp_path, 300)
    first = start_child("drain", str(folder.root), str(db_path), "2")
    time.sleep(random.Random(run).uniform(0.2, 0.8))
    kill_9(first)
    second = start_child("drain", str(folder.root), str(db_path), "2")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    database = BacklogDatabase(db_path)
    assert_nothing_lost(database.get(), folder, items)
    assert items_on_disk(folder) == {}


def test_threads_of_several_processes_racing_write_each_item_exactly_once(
    tmp_path: Path,
) -> None:
    folder, items, db_path = pending_items(tmp_path, 400)
    children = [start_child("drain", str(folder.root), str(db_path), "3") for _ in range(3)]
    drained = 0
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        drained += int(out.split()[-1])
    assert drained == len(items)  # every file was claimed by exactly one thread
    assert_nothing_lost(BacklogDatabase(db_path).get(), folder, items)
    assert items_on_disk(folder) == {}


def test_items_of_a_dead_owner_are_recovered_and_those_of_a_live_one_left_alone(
    tmp_path: Path,
) -> None:
    folder = BacklogFolder(tmp_path / "backlog")
    owner = ProcessOwner(folder)
    for n in range(10):
        folder.write(make_item(n, now=0.0), owner.owner_id)
    dead = start_child("hold", str(folder.root))
    wait_for_line(dead, "ready")
    kill_9(dead)
    for n in range(10, 20):
        folder.write(make_item(n, now=0.0), owner.owner_id)
    live = start_child("hold", str(folder.root))
    try:
        wait_for_line(live, "ready")
        assert recover_dead_owners(folder) == 10
        assert len(folder.pending_names()) == 10
        assert folder.usage().processing_items == 10  # the live owner keeps its claims
    finally:
        kill_9(live)
    assert recover_dead_owners(folder) == 10
    assert len(os.listdir(folder.path(PENDING))) == 20
