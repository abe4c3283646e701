"""The master lease's cost per cycle on each engine: claim (renew) + confirm, and a takeover.

Run: .venv/bin/python benchmarks/lease_round_trip.py [rounds]   (prints figures)
Needs PostgreSQL on 127.0.0.1:5432 (trust) as the tests do; it makes and drops its database.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from storage.leases import (  # noqa: E402
    claim_lease,
    confirm_lease,
    prepare_leases,
    release_lease,
)
from storage.sql import Database, DatabaseLocation, build_engine, parse_location  # noqa: E402
from tests.postgres import scratch_database  # noqa: E402


def measure(location: DatabaseLocation, rounds: int) -> dict[str, list[float]]:
    """Milliseconds of each renew+confirm round and of each release+takeover."""
    engine = build_engine(location)
    figures: dict[str, list[float]] = {"renew+confirm": [], "takeover": []}
    with Database.open(engine) as db:
        prepare_leases(db)
        lease = claim_lease(db, "master", "a", 60)
        for _ in range(rounds):
            started = time.perf_counter()
            lease = claim_lease(db, "master", "a", 60)
            assert confirm_lease(db, "master", "a", lease.term, 4.0)
            figures["renew+confirm"].append((time.perf_counter() - started) * 1000)
        for n in range(rounds):
            holder, taker = ("a", "b") if n % 2 == 0 else ("b", "a")
            started = time.perf_counter()
            release_lease(db, "master", holder)
            assert claim_lease(db, "master", taker, 60).held_by(taker)
            figures["takeover"].append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return figures


def report(name: str, figures: dict[str, list[float]]) -> None:
    for what, values in figures.items():
        ordered = sorted(values)
        print(
            f"{name:10} {what:14} median {statistics.median(ordered):6.2f} ms   "
            f"p95 {ordered[int(len(ordered) * 0.95) - 1]:6.2f} ms   max {ordered[-1]:6.2f} ms"
        )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        report("sqlite", measure(parse_location(Path(folder) / "pacing.db"), rounds))
    with scratch_database() as location:
        report("postgresql", measure(location, rounds))


if __name__ == "__main__":
    main()
