"""Disk a node needs per day and per month at 100 / 1,000 / 10,000 targets, measured.

Run: .venv/bin/python benchmarks/retention_disk.py [minutes] [sizes...]
     (default: 6 minutes of cycles at a 5 s period, sizes 100 1000 10000; asserts nothing)

For each size it records `minutes` minutes of cycles (`benchmarks/storage_write.py` rows, as a
`fakes/scale.py` node records them) into a fresh database and measures:

* detail bytes per row: growth of the database file (WAL checkpointed) over the rows written,
  so the batch, key and latest-state tables are included;
* rollup bytes per target-minute and archive bytes per row: a hive-off run (default settings,
  clock moved past `HiveOff.DetailHours`) rolls the detail up; `dbstat` gives the rollup table
  and its indexes, the archive folder's size the gzip CSV files;
* the hive-off run itself: rows per second and its longest chunk transaction (how long a cycle
  may wait for it).

It then extrapolates to the defaults (`HiveOff.DetailHours = 6`, `RetentionDays = 30`, a 5 s
period): detail rows = targets x 4,320 (6 h), rollup rows = targets x 1,440 per day.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.storage_write import PERIOD_S, scale_cycle  # noqa: E402
from node.recording import HIVE_OFF_CHUNK_ROWS  # noqa: E402
from storage.backlog import BacklogFolder  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.hive_off import HiveOffSettings, run_hive_off  # noqa: E402

DETAIL_HOURS = 6
RETENTION_DAYS = 30
MB = 1_000_000


def _checkpointed_size(path: Path) -> int:
    db = connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.stat().st_size


def measure(targets: int, minutes: int) -> dict[str, float]:
    cycles = int(minutes * 60 / PERIOD_S)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "pacing.db"
        db = connect(path)
        record_cycle(db, *scale_cycle(0, targets))  # keys and latest state exist from here
        db.close()
        empty = _checkpointed_size(path)
        db = connect(path)
        for seq in range(1, cycles + 1):
            cycle, rows = scale_cycle(seq, targets)
            record_cycle(db, cycle, rows, recorded_at=cycle.started_at)
        last_at = cycle.started_at
        db.close()
        detail_bytes = _checkpointed_size(path) - empty

        settings = HiveOffSettings(
            path,
            root / "backlog",
            root / "archive",
            retention_days=RETENTION_DAYS,
            max_item_age_s=7 * 86_400.0,
            node_id="node-1",
            detail_hours=DETAIL_HOURS,
            chunk_rows=HIVE_OFF_CHUNK_ROWS,  # the node's
        )
        BacklogFolder(settings.backlog_folder)
        first_vacuum = run_hive_off(settings, clock=lambda: 0.0)  # the one-time VACUUM first
        assert first_vacuum.rows_archived == 0
        report = run_hive_off(settings, clock=lambda: last_at + DETAIL_HOURS * 3600 + 120)
        db = connect(path)
        rollup_bytes = db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema "
            "WHERE tbl_name = 'minute_rollups')"
        ).fetchone()[0]
        rollup_rows = db.execute("SELECT count(*) FROM target_minute_rollups").fetchone()[0]
        db.close()
        archive_bytes = sum(p.stat().st_size for p in settings.archive_folder.iterdir())
    rows = cycles * targets + targets
    return {
        "detail_b": detail_bytes / (cycles * targets),
        "rollup_b": rollup_bytes / rollup_rows,
        "archive_b": archive_bytes / rows,
        "hive_rows_per_s": report.rows_archived / report.duration_s,
        "longest_chunk_s": report.longest_chunk_s,
        "rows": rows,
    }


def main() -> None:
    minutes = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    sizes = [int(arg) for arg in sys.argv[2:]] or [100, 1_000, 10_000]
    per_day = 86_400 / PERIOD_S
    print(
        "| targets | detail B/row | rollup B/target-minute | archive B/row | database, 1 day | "
        "database, 30 days (steady) | archives per day | hive-off rows/s | longest chunk |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for targets in sizes:
        m = measure(targets, minutes)
        detail = targets * DETAIL_HOURS * 3600 / PERIOD_S * m["detail_b"]
        rollup_day = targets * 1_440 * m["rollup_b"]
        day = detail + rollup_day * (24 - DETAIL_HOURS) / 24
        month = detail + rollup_day * (RETENTION_DAYS - DETAIL_HOURS / 24)
        archives = targets * per_day * m["archive_b"]
        print(
            f"| {targets:,} | {m['detail_b']:.0f} | {m['rollup_b']:.0f} | {m['archive_b']:.0f} | "
            f"{_size(day)} | {_size(month)} | {_size(archives)} | "
            f"{m['hive_rows_per_s']:,.0f} | {1000 * m['longest_chunk_s']:.0f} ms |"
        )
    print(
        f"({minutes} minutes of {PERIOD_S:g} s cycles per size; hive-off chunks of "
        f"{HIVE_OFF_CHUNK_ROWS:,} rows)"
    )


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:.1f} GB" if n_bytes >= 1e9 else f"{n_bytes / MB:.0f} MB"


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(measured in {time.perf_counter() - started:.0f} s)")
