"""How many cycles per second the node sustains with the shipped example configuration.

Runs full cycles (simulator collect → decide → simulator publish → SQLite record) back to
back on a fresh database and prints the figures; asserts nothing.

    .venv/bin/python benchmarks/node_throughput.py [CYCLES]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import parse_config  # noqa: E402
from node.build import build_node  # noqa: E402


def main(cycles: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = tomllib.loads((ROOT / "pacing.toml").read_text(encoding="utf-8"))
        raw["node"]["database"] = str(Path(folder) / "bench.db")
        config = parse_config(raw, source="pacing.toml", base_dir=Path(folder))
        clock_s = [time.time()]

        def clock() -> float:  # each cycle is one refresh period later in simulated time
            return clock_s[0]

        node = build_node(config, mode="headless", clock=clock)
        started = time.perf_counter()
        for _ in range(cycles):
            node.run_once()
            clock_s[0] += config.pacing.refresh_period_s
        elapsed = time.perf_counter() - started
        with sqlite3.connect(config.node.database_path) as db:
            cycle_rows = db.execute("SELECT count(*) FROM cycles").fetchone()[0]
            target_rows = db.execute("SELECT count(*) FROM cycle_targets").fetchone()[0]
    print(f"targets: {len(config.targets)}")
    print(f"cycles: {cycles} in {elapsed:.2f} s = {cycles / elapsed:,.0f} cycles/s")
    print(f"mean cycle incl. recording: {elapsed / cycles * 1000:.2f} ms")
    print(
        f"rows per cycle: {(cycle_rows + target_rows) / cycles:.1f} "
        f"(1 cycle row + {target_rows / cycles:.0f} target rows; plus "
        f"{len(config.targets)} target_state upserts and 1 heartbeat update)"
    )
    print(
        f"headroom at refreshPeriod={config.pacing.refresh_period_s:g} s: "
        f"{config.pacing.refresh_period_s / (elapsed / cycles):,.0f}x"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
