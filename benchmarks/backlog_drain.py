"""Backlog drain rate, and records lost under kill -9: write-first vs delete-first.

Run: .venv/bin/python benchmarks/backlog_drain.py [items] [kill-runs]   (prints figures)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from storage.backlog import (  # noqa: E402
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    ErrorPolicy,
    ProcessOwner,
    RetrySettings,
    decode_item,
)
from tests.storage.backlog.support import drain_folder, make_item  # noqa: E402

TARGETS = 3
SETTINGS = RetrySettings(0.0, 100, 1e12, ErrorPolicy(False, (), ("SQLITE_BUSY",)))


def fill(folder: BacklogFolder, count: int) -> list[str]:
    """`count` items of TARGETS target rows each, due now; their record ids."""
    owner = ProcessOwner(folder)
    items = [make_item(i, now=0.0, targets=TARGETS) for i in range(count)]
    for item in items:
        folder.write(item, owner.owner_id)
    owner.close()
    return [item.record_id for item in items]


def drain(folder: BacklogFolder, db_path: Path, threads: int) -> float:
    database = BacklogDatabase(db_path, busy_timeout_ms=30_000)
    database.get()
    return drain_folder(
        folder, database, threads, SETTINGS, counters=BacklogCounters(), poll_s=0.005
    )


def delete_first_loop(folder: BacklogFolder, db_path: Path) -> None:
    """The order the issue warns against: read, delete the file, then write the row."""
    owner = ProcessOwner(folder)
    database = BacklogDatabase(db_path)
    while True:
        for name in folder.pending_names():
            claimed = folder.claim(name, owner.owner_id)
            if claimed is None:
                continue
            item = decode_item(claimed.read_bytes())
            folder.complete(claimed)
            database.write_item(item)


def lost_after_kill(order: str, items: int, seed: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = BacklogFolder(Path(tmp) / "backlog")
        ids = fill(folder, items)
        db_path = Path(tmp) / "pacing.db"
        BacklogDatabase(db_path).get()
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", order, str(folder.root), str(db_path)]
        )
        time.sleep(random.Random(seed).uniform(0.6, 1.2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        db = BacklogDatabase(db_path).get()
        stored = {r[0] for r in db.execute("SELECT cycle_id FROM cycles").fetchall()}
        on_disk = {decode_item(p.read_bytes()).record_id for p in folder.item_paths()}
        return sum(1 for i in ids if i not in stored and i not in on_disk)


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    for threads in (1, 2, 4):
        with tempfile.TemporaryDirectory() as tmp:
            folder = BacklogFolder(Path(tmp) / "backlog")
            fill(folder, items)
            elapsed = drain(folder, Path(tmp) / "pacing.db", threads)
        print(
            f"drain {items} items x {TARGETS} targets, {threads} thread(s): "
            f"{items / elapsed:,.0f} items/s, {items * (TARGETS + 1) / elapsed:,.0f} rows/s"
        )
    for order in ("write-first", "delete-first"):
        losses = [lost_after_kill(order, 3000, seed) for seed in range(runs)]
        print(
            f"kill -9 while draining, {order}: records lost in "
            f"{sum(1 for n in losses if n)} of {runs} runs (total {sum(losses)})"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, db_path = BacklogFolder(Path(sys.argv[3])), Path(sys.argv[4])
        if sys.argv[2] == "delete-first":
            delete_first_loop(folder, db_path)
        else:
            drain(folder, db_path, 1)
    else:
        main()
