"""Fill a database with hours of cycle history for N targets, quickly, as a node records it.

Run: .venv/bin/python benchmarks/history_fill.py DB [--targets 10000] [--hours 24]
         [--detail-hours 6] [--period 60] [--old-period 300]

Writes through storage's public record API (`storage.cycles.record_cycle`, the node's own
write path), so it follows schema changes. A node at a 5 s period writes 17,280 cycles a day:
at 10,000 targets that is 172 million rows, which no benchmark can write in minutes. The fill
keeps the shape the retention policy gives a live database instead: the newest
`--detail-hours` at one cycle per `--period` seconds, the older hours at one cycle per
`--old-period` seconds (as coarse as the per-minute rollups hive-off leaves; hive-off itself is
not run, so these stay detail rows).

Targets are named as `fakes.scale` names them (`VQ 000042 - voice`). Their figures are
deterministic and move from cycle to cycle. Some targets are above their goal, some stop being
recorded halfway (stale), some carry a statistics error in their latest rows, and a few get an
active `AbandonmentAboveGoal` alarm, so every state of the Overview has members.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from domain.records import CycleRecord, TargetRecord  # noqa: E402
from domain.signals import AlarmSignal, Condition  # noqa: E402
from storage.cycles import read_cycle_summary, record_cycle  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.nodes import read_node_status, record_heartbeat, record_node_start  # noqa: E402

NODE_ID = "history-fill"
_MEDIA = ("chat", "voice")


@dataclass(frozen=True, slots=True)
class TargetProfile:
    """What stays fixed for one generated target."""

    target_id: str
    media: str
    goal_pct: float
    slots: int
    accepts_per_s: float
    abandon_share: float  # abandoned ÷ (accepted + abandoned)
    stale: bool  # stops being recorded halfway through the fill
    failing: bool  # its newest rows carry a statistics error
    alarmed: bool  # gets an active AbandonmentAboveGoal alarm


def fill_target_id(index: int) -> str:
    """The id of the `index`-th generated target (the name fakes.scale gives its VQ)."""
    return f"VQ {index:06d} - {_MEDIA[index % 2]}"


def target_profiles(n: int, seed: int = 1) -> list[TargetProfile]:
    """`n` deterministic target profiles: about 15 % above goal, 1 % stale, 0.5 % failing."""
    profiles = []
    for index in range(n):
        rng = random.Random(seed * 7_919 + index)
        goal = rng.choice((3.0, 3.0, 3.0, 2.0, 5.0))
        # Most targets sit well under their goal; one in seven is above it.
        share = goal / 100 * (rng.uniform(1.05, 2.0) if rng.random() < 0.15 else rng.uniform(0, 1))
        profiles.append(
            TargetProfile(
                target_id=fill_target_id(index),
                media=_MEDIA[index % 2],
                goal_pct=goal,
                slots=rng.randint(1, 50),
                accepts_per_s=rng.uniform(0.002, 0.2),
                abandon_share=share,
                stale=index % 97 == 13,
                failing=index % 211 == 7,
                alarmed=index % 50 == 3 and share * 100 > goal,
            )
        )
    return profiles


def cycle_times(
    end: float, hours: float, detail_hours: float, period_s: float, old_s: float
) -> list[tuple[float, float]]:
    """(scheduled_at, period) of every cycle, oldest first, the newest at `end`."""
    detail_start = end - detail_hours * 3600
    at = end - hours * 3600
    times: list[tuple[float, float]] = []
    while at < detail_start:
        times.append((at, old_s))
        at += old_s
    at = max(at, detail_start)
    while at <= end:
        times.append((at, period_s))
        at += period_s
    return times


def build_cycle(
    seq: int,
    at: float,
    period_s: float,
    profiles: list[TargetProfile],
    *,
    origin: float,
    halfway: bool,
    last: bool,
) -> tuple[CycleRecord, list[TargetRecord]]:
    """Cycle `seq` at `at` with a row for every target still recorded at that time."""
    cycle_id = f"fill:{seq}"
    rows = []
    elapsed_s = at - origin  # running totals grow with time, whatever the period
    for index, p in enumerate(profiles):
        if p.stale and halfway:
            continue
        phase = (seq + index) % 12
        ready = min(p.slots, phase % 5)
        busy = p.slots - ready
        accepted = int(p.accepts_per_s * (elapsed_s + index))
        abandoned = int(accepted * p.abandon_share / max(1e-9, 1 - p.abandon_share))
        if p.failing and last:
            rows.append(
                TargetRecord(
                    cycle_id,
                    p.target_id,
                    at,
                    p.media,
                    p.goal_pct,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    error="statistics: no figures for this queue in the document",
                )  # fmt: skip
            )
            continue
        rows.append(
            TargetRecord(
                cycle_id,
                p.target_id,
                at,
                p.media,
                p.goal_pct,
                p.slots,
                ready,
                busy,
                phase % 4,
                accepted,
                abandoned,
                pending_invitations=phase % 3,
                acceptance_rate=0.35,
                avg_handle_time_s=180.0 if p.media == "chat" else 240.0,
                allowed_invitations=0 if p.abandon_share * 100 > p.goal_pct else ready + phase % 3,
                interval_s=period_s,
                estimated_wait_s=15.0,
                reason="progressive",
            )  # fmt: skip
        )
    cycle = CycleRecord(
        cycle_id, NODE_ID, seq, at, at + 0.01, 0.4, 0.01, period_s,
        "partial" if last and any(p.failing for p in profiles) else "ok",
        len(rows), sum(row.error is not None for row in rows),
    )  # fmt: skip
    return cycle, rows


def fill_history(
    database: Path,
    targets: int,
    *,
    hours: float = 24.0,
    detail_hours: float = 6.0,
    period_s: float = 60.0,
    old_period_s: float = 300.0,
    end: float | None = None,
    seed: int = 1,
) -> Iterator[int]:
    """Write the history into a new database; yields the cycles written so far (progress)."""
    end = time.time() if end is None else end
    profiles = target_profiles(targets, seed)
    times = cycle_times(end, hours, min(detail_hours, hours), period_s, old_period_s)
    db = connect(database)
    try:
        record_node_start(
            db,
            node_id=NODE_ID,
            host="bench",
            pid=1,
            mode="headless",
            period_s=period_s,
            started_at=times[0][0],
            config_path="history_fill",
        )
        yield from _write(
            db, times, profiles, origin=times[0][0], first_seq=0, stale_from=len(times) // 2
        )
        _raise_alarms(db, profiles, end)
    finally:
        db.close()


def top_up(
    database: Path, targets: int, *, period_s: float = 60.0, now: float | None = None, seed: int = 1
) -> int:
    """Cycles from the newest stored one up to `now`, so a filled database looks live again."""
    now = time.time() if now is None else now
    profiles = target_profiles(targets, seed)
    db = connect(database)
    try:
        summary = read_cycle_summary(db, now=now, window_s=60.0)
        origin = read_node_status(db, now=now, stale_after_s=1.0)[0].started_at
        if summary.last_cycle_age_s is None:
            raise SystemExit(f"{database} holds no cycle to continue from")
        last_at = now - summary.last_cycle_age_s
        count = int(summary.last_cycle_age_s // period_s)
        times = [(last_at + (i + 1) * period_s, period_s) for i in range(count)]
        for _ in _write(db, times, profiles, origin, first_seq=summary.total_cycles, stale_from=0):
            pass
        _raise_alarms(db, profiles, now)
    finally:
        db.close()
    return count


def _write(
    db: sqlite_utils.Database,
    times: list[tuple[float, float]],
    profiles: list[TargetProfile],
    origin: float,
    *,
    first_seq: int,
    stale_from: int,
) -> Iterator[int]:
    for index, (at, period) in enumerate(times):
        seq = first_seq + index
        last = index >= len(times) - 3
        cycle, rows = build_cycle(
            seq, at, period, profiles, origin=origin, halfway=index >= stale_from, last=last
        )
        record_cycle(db, cycle, rows, recorded_at=at + 0.4)
        record_heartbeat(db, NODE_ID, at + 0.4)
        if index % 50 == 0 or index == len(times) - 1:
            yield index + 1


def _raise_alarms(db: sqlite_utils.Database, profiles: list[TargetProfile], end: float) -> None:
    from alarms.catalogue import default_conditions
    from node.alarm_evaluator import evaluate_and_store
    from storage.alarms.store import provision_conditions

    provision_conditions(db, default_conditions(), end - 3600)
    signals = [
        AlarmSignal(Condition.ABANDONMENT_ABOVE_GOAL, True, end - 600, scope=p.target_id)
        for p in profiles
        if p.alarmed
    ]
    if signals:
        evaluate_and_store(db, signals, now=end - 600)
        evaluate_and_store(db, [], now=end)  # past every on-delay


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--detail-hours", type=float, default=6.0)
    parser.add_argument("--period", type=float, default=60.0, help="seconds between recent cycles")
    parser.add_argument("--old-period", type=float, default=300.0, help="… between older ones")
    args = parser.parse_args()
    if args.database.exists():
        raise SystemExit(f"{args.database} exists: the fill writes a new database")
    started = time.perf_counter()
    cycles = 0
    for cycles in fill_history(
        args.database,
        args.targets,
        hours=args.hours,
        detail_hours=args.detail_hours,
        period_s=args.period,
        old_period_s=args.old_period,
    ):
        print(f"\r{cycles:,} cycles", end="", file=sys.stderr, flush=True)
    size_mb = args.database.stat().st_size / 1e6
    print(
        f"\nwrote {cycles:,} cycles × {args.targets:,} targets in "
        f"{time.perf_counter() - started:.1f} s ({size_mb:,.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
