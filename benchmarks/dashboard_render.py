"""Render time of every dashboard page with 10 targets and 24 h of 2 s cycles (~43,200 cycles).

Run: .venv/bin/python benchmarks/dashboard_render.py [--hours 24] [--targets 10] [--keep DIR]

Writes the rows with `storage.writes.record_cycle` into a temporary database (as a node would),
one runtime sample per cycle, a disk-monitor sample per minute and 300 alarm raises and clears
(through the alarm engine's `evaluate_and_store`),
then runs each page script with Streamlit's AppTest (the whole script: queries, pandas, figure
building, element serialisation; not the browser's drawing) cold (caches cleared) and warm.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from alarms.catalogue import default_conditions  # noqa: E402
from alarms.model import RuntimeSample  # noqa: E402
from benchmarks.records import bench_cycle  # noqa: E402
from domain.signals import AlarmSignal, Condition  # noqa: E402
from node.alarm_evaluator import evaluate_and_store  # noqa: E402
from storage.alarms.store import provision_conditions, record_runtime_sample  # noqa: E402
from storage.backlog.control import BacklogSample, record_backlog_sample  # noqa: E402
from storage.cycles import record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.transactions import write_transaction  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PERIOD_S = 2.0
CASES = [
    ("overview", {}),
    ("targets", {"range": "1h"}),
    ("targets", {"range": "6h"}),
    ("targets", {"range": "24h"}),
    ("targets", {"range": "7d"}),
    ("alarms", {"range": "24h"}),
    ("health", {"range": "1h"}),
    ("health", {"range": "24h"}),
    ("health", {"range": "7d"}),
    ("backlog", {"range": "24h"}),
    ("history", {"range": "1h"}),
    ("history", {"range": "24h"}),
    ("users", {}),
]


def generate(database: Path, hours: float, targets: int, end: float) -> int:
    cycles = int(hours * 3600 / PERIOD_S)
    db = connect(database)
    try:
        for i in range(cycles):
            at = end - (cycles - i) * PERIOD_S
            cycle, rows = bench_cycle(i, at, targets, PERIOD_S)
            record_cycle(db, cycle, rows, recorded_at=at)
    finally:
        db.close()
    return cycles


def generate_runtime(database: Path, hours: float, end: float, alarm_pairs: int = 300) -> None:
    """One runtime sample per cycle, disk-monitor samples every 60 s, and alarm raises/clears."""
    cycles = int(hours * 3600 / PERIOD_S)
    db = connect(database)
    try:
        with write_transaction(db):
            for i in range(cycles):
                at = end - (cycles - i) * PERIOD_S
                gens = ((0, 3, 0.0004), (1, 1, 0.002)) + (((2, 1, 0.04),) if i % 50 == 0 else ())
                record_runtime_sample(
                    db,
                    RuntimeSample(
                        "bench",
                        at,
                        max(g[2] for g in gens),
                        sum(g[2] for g in gens),
                        sum(g[1] for g in gens),
                        120.0 + i % 30,
                        5 * i,
                        150_000_000 + i * 100,
                        8_000_000_000,
                        None,
                        None,
                        0.05,
                        0.01,
                        gens,
                    ),
                )
        for minute in range(int(hours * 60)):  # each sample is its own transaction
            at = end - hours * 3600 + minute * 60
            waiting = max(0, 200 - abs(minute - 600)) if 400 < minute < 800 else 0
            record_backlog_sample(
                db,
                BacklogSample(
                    "bench", at, waiting * 4096, waiting, 0, 0, minute, minute, 0, 0, "normal"
                ),
            )
        provision_conditions(db, default_conditions(), end - hours * 3600)
        step = hours * 3600 / alarm_pairs
        for n in range(alarm_pairs):
            at = end - hours * 3600 + n * step
            scope = f"Queue {n % 10:02d} - chat"
            raised = [
                AlarmSignal(Condition.STATISTICS_STALE, True, at, scope=scope, reason="bench")
            ]
            evaluate_and_store(db, raised, now=at)
            cleared = [AlarmSignal(Condition.STATISTICS_STALE, False, at + step / 2, scope=scope)]
            evaluate_and_store(db, cleared, now=at + step / 2 + 60)
    finally:
        db.close()


def write_config(folder: Path, database: Path) -> Path:
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database\s*=\s*".*"', f'database = "{database.as_posix()}"', text)
    text = re.sub(r"(?m)^embedded = true", "embedded = false", text)
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config


def render_s(page: str, query: dict[str, str]) -> tuple[float, int]:
    """Seconds to run the page, and how many charts and tables it drew (0 = an empty state)."""
    test = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=60)
    for key, value in query.items():
        test.query_params[key] = value
    started = time.perf_counter()
    test.run()
    elapsed = time.perf_counter() - started
    if test.exception:
        raise SystemExit(f"{page} {query} raised: {test.exception[0].value}")
    return elapsed, len(test.get("plotly_chart")) + len(test.dataframe)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the database here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "pacing.db"
    if not database.exists():
        started = time.perf_counter()
        end = time.time()
        cycles = generate(database, args.hours, args.targets, end=end)
        generate_runtime(database, args.hours, end=end)
        print(
            f"wrote {cycles:,} cycles × {args.targets} targets in "
            f"{time.perf_counter() - started:.1f} s ({database.stat().st_size / 1e6:.0f} MB)"
        )
    connect(database).close()  # migrate a kept database to this code's schema
    os.environ["PACING_CONFIG"] = str(write_config(folder, database))
    # "drawn" counts the charts and tables a page drew (0 = an empty state)
    print(f"{'page':10} {'query':14} {'cold s':>7} {'warm s':>7} {'drawn':>6}")
    for page, query in CASES:
        st.cache_data.clear()
        cold, drawn = render_s(page, query)
        warm, _ = render_s(page, query)
        label = "&".join(f"{k}={v}" for k, v in query.items()) or "-"
        print(f"{page:10} {label:14} {cold:7.3f} {warm:7.3f} {drawn:6d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
