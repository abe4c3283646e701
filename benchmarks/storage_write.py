"""Bytes per stored target-cycle row and record time per cycle, schema 5 (before) and now.

Run: .venv/bin/python benchmarks/storage_write.py [cycles] [sizes...]
     (default: 20 cycles at 1,000 and 10,000 targets; prints figures, asserts nothing)

Rows are as a node at `fakes/scale.py` sizes records them: target ids `VQ 000123 - chat`, whole
slot counts, fractional rates, handle times and intervals, a reason on every row. Bytes per row
= (size of the target-row table and its indexes, from SQLite's `dbstat`) / rows; the whole file
per row (target state, keys and the other tables included) is printed beside it. "before" writes
with schema 5's record path (`storage.schema.legacy`), "after" with `storage.cycles`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import sqlite_utils  # noqa: E402

from domain.records import CycleRecord, TargetRecord  # noqa: E402
from fakes.scale import scale_vq_number  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.schema.legacy import record_cycle_schema_5  # noqa: E402
from tests.storage.test_compact_migration import schema_5_database  # noqa: E402

PERIOD_S = 5.0
_REASONS = ("agents ready", "queue building", "goal reached", "no ready agent")

# Tables (and their indexes) holding the per-target history of each schema.
HISTORY_TABLES = {
    "before": ("cycle_targets",),
    "after": ("target_rows", "row_batches"),
}


def scale_cycle(seq: int, targets: int) -> tuple[CycleRecord, list[TargetRecord]]:
    """Cycle `seq` of a node pacing `targets` virtual queues (`fakes/scale.py` naming)."""
    at = 1_800_000_000.0 + PERIOD_S * seq + 0.0123 * (seq % 7)
    cycle_id = f"node-1:{at:.3f}:{seq}"
    cycle = CycleRecord(
        cycle_id, "node-1", seq, at - 0.01, at, 0.4, 0.01, PERIOD_S, "ok", targets, 0
    )
    rows = []
    for t in range(targets):
        media = ("chat", "voice")[t % 2]
        slots = 1 + (t * 7) % 50
        ready = (seq + t) % (slots + 1)
        rows.append(
            TargetRecord(
                cycle_id,
                f"VQ {t:06d} - {media}",
                at,
                media,
                3.0,
                slots,
                ready,
                slots - ready,
                (seq * 3 + t) % 9,
                int(scale_vq_number(t)) // 1000 + seq * 2 + t % 5,
                seq // 10 + t % 3,
                (seq + t) % 4,
                0.2 + ((seq + t) % 97) / 131,
                180.0 + ((seq * 13 + t) % 600) / 7,
                (seq + t) % 6,
                PERIOD_S / (1 + (seq + t) % 3),
                ((seq + t) % 400) / 3.7,
                _REASONS[(seq + t) % len(_REASONS)],
                None,
            )
        )
    return cycle, rows


Recorder = Callable[[sqlite_utils.Database, CycleRecord, Sequence[TargetRecord]], object]


def _record_before(db: sqlite_utils.Database, c: CycleRecord, t: Sequence[TargetRecord]) -> bool:
    return record_cycle_schema_5(db, c, t, recorded_at=c.started_at)


def _record_after(db: sqlite_utils.Database, c: CycleRecord, t: Sequence[TargetRecord]) -> bool:
    return record_cycle(db, c, t, recorded_at=c.started_at)


def measure(schema: str, targets: int, cycles: int) -> dict[str, float]:
    """Record `cycles` cycles into a fresh file; bytes per row and record times (ms)."""
    recorder: Recorder = _record_before if schema == "before" else _record_after
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        db = schema_5_database(path) if schema == "before" else connect(path)
        db.execute("PRAGMA synchronous=NORMAL")
        times = []
        for seq in range(cycles):
            cycle, rows = scale_cycle(seq, targets)
            started = time.perf_counter()
            recorder(db, cycle, rows)
            times.append(1000 * (time.perf_counter() - started))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        names = HISTORY_TABLES[schema]
        marks = ", ".join("?" for _ in names)
        history = db.execute(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
            f"(SELECT name FROM sqlite_schema WHERE tbl_name IN ({marks}))",
            names,
        ).fetchone()[0]
        db.close()
        file_bytes = path.stat().st_size
    rows_stored = targets * cycles
    return {
        "bytes_per_row": history / rows_stored,
        "file_bytes_per_row": file_bytes / rows_stored,
        "record_ms_median": statistics.median(times[1:] or times),  # the first creates keys
        "record_ms_max": max(times),
    }


def main() -> None:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    sizes = [int(arg) for arg in sys.argv[2:]] or [1_000, 10_000]
    print(
        f"{'targets':>8} {'schema':>7} {'B/row':>7} {'file B/row':>10} "
        f"{'record ms (median)':>19} {'max':>7}"
    )
    for targets in sizes:
        for schema in ("before", "after"):
            figures = measure(schema, targets, cycles)
            print(
                f"{targets:>8,} {schema:>7} {figures['bytes_per_row']:>7.1f} "
                f"{figures['file_bytes_per_row']:>10.1f} {figures['record_ms_median']:>19.1f} "
                f"{figures['record_ms_max']:>7.1f}"
            )
    print(f"({cycles} cycles per run; B/row = history table + its indexes, from dbstat)")


if __name__ == "__main__":
    main()
