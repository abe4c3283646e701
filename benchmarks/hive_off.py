"""Hive-off time for one million detail rows (10 targets x 100,000 cycles, all past retention).

Run: .venv/bin/python benchmarks/hive_off.py [rows] [chunk_rows]   (prints figures)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from domain.records import CycleRecord, TargetRecord  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.hive_off import HiveOffSettings, run_hive_off  # noqa: E402

TARGETS = 10
START = 1_700_000_000.0


def fill(db_path: Path, rows: int) -> None:
    db = connect(db_path)
    cycles = rows // TARGETS
    for i in range(cycles):
        cycle_id = f"c{i}"
        at = START + 5 * i
        cycle = CycleRecord(cycle_id, "bench", i, at, at, 0.1, 0.0, 5.0, "ok", TARGETS, 0)
        targets = [
            TargetRecord(
                cycle_id,
                f"T{t} - chat",
                at + 0.01,
                "chat",
                3.0,
                10,
                i % 5,
                10 - i % 5,
                i % 3,
                100 + i,
                i // 50,
                i % 4,
                None,
                None,
                i % 7,
                None,
                None,
                "progressive",
            )
            for t in range(TARGETS)
        ]
        record_cycle(db, cycle, targets, recorded_at=at)
    db.close()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "pacing.db"
        started = time.perf_counter()
        fill(db_path, rows)
        size_before = db_path.stat().st_size
        print(
            f"filled {rows:,} detail rows in {time.perf_counter() - started:.1f} s "
            f"({size_before / 2**20:.0f} MB)"
        )
        settings = HiveOffSettings(
            db_path,
            Path(tmp) / "backlog",
            Path(tmp) / "archive",
            30,
            7 * 86_400.0,
            "bench",
            chunk_rows=chunk,
        )
        report = run_hive_off(settings, clock=lambda: START + 5 * rows / TARGETS + 40 * 86_400)
        archive_mb = sum(p.stat().st_size for p in (Path(tmp) / "archive").iterdir()) / 2**20
        print(
            f"hive-off: {report.rows_archived:,} rows archived in {report.archive_files} files "
            f"({archive_mb:.0f} MB gzip CSV), {report.minutes_rolled:,} minute rollups, "
            f"{report.cycles_purged:,} cycles purged, {report.duration_s:.1f} s "
            f"({report.rows_archived / report.duration_s:,.0f} rows/s); database "
            f"{size_before / 2**20:.0f} MB -> {db_path.stat().st_size / 2**20:.0f} MB"
        )


if __name__ == "__main__":
    main()
