"""Child processes of the kill -9 and race tests: `python -m tests.storage.backlog.child MODE`.

write FOLDER FIRST COUNT         write items, print "ack N" after each write returned
drain FOLDER DB THREADS          run processor threads until pending/ is empty, then exit
hold FOLDER                      claim every pending item, print "ready", sleep until killed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    ProcessOwner,
    RetrySettings,
)
from tests.storage.backlog.support import DEFAULT_POLICY, drain_folder, make_item

# Items are made at epoch 0: no maximum age here.
SETTINGS = RetrySettings(0.0, 5, 1e12, DEFAULT_POLICY)


def write(folder: BacklogFolder, first: int, count: int) -> None:
    owner = ProcessOwner(folder)
    for n in range(first, first + count):
        folder.write(make_item(n, now=0.0), owner.owner_id)
        sys.stdout.write(f"ack {n}\n")
        sys.stdout.flush()


def drain(folder: BacklogFolder, db_path: Path, threads: int) -> None:
    database = BacklogDatabase(db_path, busy_timeout_ms=10_000)
    counters = BacklogCounters()
    drain_folder(folder, database, threads, SETTINGS, counters=counters, poll_s=0.01)
    sys.stdout.write(f"drained {counters.totals().drained}\n")


def hold(folder: BacklogFolder) -> None:
    owner = ProcessOwner(folder)
    for name in folder.pending_names():
        folder.claim(name, owner.owner_id)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    time.sleep(3600)


if __name__ == "__main__":
    mode, root, *rest = sys.argv[1:]
    backlog = BacklogFolder(Path(root))
    if mode == "write":
        write(backlog, int(rest[0]), int(rest[1]))
    elif mode == "drain":
        drain(backlog, Path(rest[0]), int(rest[1]))
    elif mode == "hold":
        hold(backlog)


def hive_off(db_path: Path, backlog: Path, archive: Path, chunk: int, now: float) -> None:
    from storage.hive_off import HiveOffSettings, run_hive_off

    settings = HiveOffSettings(db_path, backlog, archive, 30, 86_400.0, "node-a", chunk_rows=chunk)
    run_hive_off(settings, clock=lambda: now)
    sys.stdout.write("done\n")


if __name__ == "__main__" and sys.argv[1] == "hive-off":
    hive_off(
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        Path(sys.argv[4]),
        int(sys.argv[5]),
        float(sys.argv[6]),
    )
