"""How fast `record_cycle` stores cycles of 3 and 100 targets on a real WAL file.

Run: .venv/bin/python benchmarks/storage_write.py [cycles]   (prints figures, asserts nothing)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.records import bench_cycle  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402


def bench(targets_count: int, cycles: int) -> None:
    batch = [bench_cycle(i, 1_700_000_000.0 + 5 * i, targets_count, 5.0) for i in range(cycles)]
    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "bench.db")
        started = time.perf_counter()
        for cycle, targets in batch:
            record_cycle(db, cycle, targets, recorded_at=0.0)
        elapsed_s = time.perf_counter() - started
        db.close()
    rows = cycles * (targets_count + 1)  # cycle rows + target rows (target_state not counted)
    print(
        f"{targets_count:>3} targets: {cycles} cycles in {elapsed_s:.2f} s = "
        f"{cycles / elapsed_s:,.0f} cycles/s, {rows / elapsed_s:,.0f} rows/s, "
        f"{1000 * elapsed_s / cycles:.2f} ms/cycle"
    )


def main() -> None:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    for targets_count in (3, 100):
        bench(targets_count, cycles)


if __name__ == "__main__":
    main()
