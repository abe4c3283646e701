"""Compliance windows read back from a real SQLite file, against figures computed by hand.

The history (goal 3 %, running totals as the platform reports them; t0 = midnight UTC):

    sample  at           accepted  abandoned  increase          note
    s1      t0 - 70000      500        5      (first: none)     before the 24 h window
    s2      t0 - 60000      600        8      +100  +3
    s3      t0 -  3600     1000       10      +400  +2          yesterday, 23:00
    s4      t0 +   600     1100       12      +100  +2          node A stops after this
    s5      t0 +  4200     1300       20      +200  +8          node B, after a 1 h gap
    s6      t0 +  4800       50        4       +50  +4          counter reset (a drop)
    s7      t0 + 10800      150        6      +100  +2
    s8      t0 + 12000     None     None      (ignored)         stat source failed
    s9      t0 + 21000      250        7      +100  +1

At now = t0 + 6 h the calendar day holds s4..s9: 550 accepted, 17 abandoned (2.998 %), budget
floor(0.03 x 550 / 0.97 - 17) = floor(17.0103 - 17) = 0. The trailing 24 h (from t0 - 64800)
hold s2..s9: 1050 accepted, 22 abandoned (2.052 %), budget floor(32.4742 - 22) = 10.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from domain.compliance import WindowFigures, tightest_budget
from storage.backlog import BacklogFolder
from storage.compliance import read_compliance, read_minute_counts
from storage.cycles import record_cycle
from storage.hive_off import HiveOffSettings, run_hive_off
from tests.builders import make_cycle, make_target

T0 = 1_700_006_400.0  # 2023-11-15 00:00 UTC
NOW = T0 + 6 * 3600
UTC = ZoneInfo("UTC")
TARGET = "Proactive Chat - chat"
HISTORY = (
    ("node-a", T0 - 70_000, 500, 5),
    ("node-a", T0 - 60_000, 600, 8),
    ("node-a", T0 - 3_600, 1000, 10),
    ("node-a", T0 + 600, 1100, 12),
    ("node-b", T0 + 4_200, 1300, 20),
    ("node-b", T0 + 4_800, 50, 4),
    ("node-b", T0 + 10_800, 150, 6),
    ("node-b", T0 + 12_000, None, None),
    ("node-b", T0 + 21_000, 250, 7),
)


def record_history(db: sqlite_utils.Database) -> None:
    for seq, (node_id, at, accepted, abandoned) in enumerate(HISTORY, start=1):
        cycle_id = f"{node_id}:{at:.0f}:{seq}"
        row = make_target(cycle_id, at=at, accepted_total=accepted, abandoned_total=abandoned)
        cycle = make_cycle(cycle_id, started_at=at, node_id=node_id, seq=seq, targets_count=1)
        assert record_cycle(db, cycle, [row], recorded_at=at)


def figures_by_window(db: sqlite_utils.Database, *windows: str) -> dict[str, WindowFigures]:
    every = {f.window: f for f in read_compliance(db, windows, NOW, UTC)}
    # A page's few targets are read by their keys (another query): the figures are the same.
    few = {f.window: f for f in read_compliance(db, windows, NOW, UTC, target_ids=[TARGET])}
    assert few == every
    return every


def test_a_few_targets_read_only_their_own_rows(recorded: sqlite_utils.Database) -> None:
    other = make_target("other:1", "Other - chat", at=T0 + 60, accepted_total=9, abandoned_total=9)
    cycle = make_cycle("other:1", started_at=T0 + 60, node_id="node-c", seq=1, targets_count=1)
    assert record_cycle(recorded, cycle, [other], recorded_at=T0 + 60)
    minutes, last = read_minute_counts(recorded, T0 - 86_400, NOW, [TARGET])
    assert {m.target_id for m in minutes} == set(last) == {TARGET}
    assert read_minute_counts(recorded, T0 - 86_400, NOW, []) == ([], {})


@pytest.fixture
def recorded(db: sqlite_utils.Database) -> sqlite_utils.Database:
    record_history(db)
    return db


def test_the_calendar_day_spans_a_restart_and_a_counter_reset(
    recorded: sqlite_utils.Database,
) -> None:
    day = figures_by_window(recorded, "day")["day"]
    assert (day.since, day.until) == (T0, NOW)
    assert (day.accepted, day.abandoned) == (550, 17)
    assert day.abandon_pct == pytest.approx(100 * 17 / 567)
    assert day.budget == 0


def test_the_trailing_24_hours_continue_from_the_sample_before_them(
    recorded: sqlite_utils.Database,
) -> None:
    trailing = figures_by_window(recorded, "24h")["24h"]
    assert (trailing.accepted, trailing.abandoned) == (1050, 22)
    assert trailing.budget == 10
    low, high = trailing.interval_pct
    # Wilson, z = 1.96, 22 of 1072, worked out by hand to three decimals
    assert (round(low, 3), round(high, 3)) == (1.359, 3.088)


def test_thirty_days_start_at_the_first_sample_which_adds_nothing(
    recorded: sqlite_utils.Database,
) -> None:
    month = figures_by_window(recorded, "30d")["30d"]
    assert (month.accepted, month.abandoned) == (1050, 22)


def test_the_binding_window_is_the_one_with_the_smallest_budget(
    recorded: sqlite_utils.Database,
) -> None:
    figures = read_compliance(recorded, ("24h", "day"), NOW, UTC)
    assert tightest_budget(figures)[TARGET].window == "day"


def test_the_day_follows_the_configured_time_zone(recorded: sqlite_utils.Database) -> None:
    # 06:00 UTC is 07:00 in Paris: that day began at 23:00 UTC, so s3 belongs to it
    paris = {
        f.window: f for f in read_compliance(recorded, ("day",), NOW, ZoneInfo("Europe/Paris"))
    }
    assert paris["day"].since == T0 - 3600
    assert (paris["day"].accepted, paris["day"].abandoned) == (950, 19)


def test_minutes_are_never_negative_and_the_last_sample_continues_the_count(
    recorded: sqlite_utils.Database,
) -> None:
    minutes, last = read_minute_counts(recorded, T0, NOW)
    assert all(m.accepted >= 0 and m.abandoned >= 0 for m in minutes)
    assert [(m.minute_start - T0, m.accepted, m.abandoned) for m in minutes] == [
        (600, 100, 2),
        (4200, 200, 8),
        (4800, 50, 4),
        (10800, 100, 2),
        (21000, 100, 1),
    ]
    assert last == {TARGET: (T0 + 21_000, 250, 7)}


def test_hived_off_minutes_count_the_same_as_detail(
    recorded: sqlite_utils.Database, tmp_path: Path, db_path: Path
) -> None:
    before = figures_by_window(recorded, "24h", "day", "30d")
    settings = HiveOffSettings(
        db_path,
        tmp_path / "backlog",
        tmp_path / "archive",
        retention_days=30,  # the rollups outlive the 30-day window
        max_item_age_s=86_400.0,
        node_id="node-a",
        chunk_rows=2,
        detail_hours=24,
    )
    BacklogFolder(settings.backlog_folder)
    # detail older than t0 + 1 h goes: s1..s4 survive only as per-minute rollups
    run_hive_off(settings, clock=lambda: T0 + 86_400 + 3_600)
    remaining = recorded.execute("SELECT count(*) FROM cycle_targets").fetchone()[0]
    assert remaining == 5
    assert figures_by_window(recorded, "24h", "day", "30d") == before
