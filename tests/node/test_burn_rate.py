"""Burn-rate alarms raised and cleared on a recorded history (real SQLite, the node's keeper).

History of one target (goal 3 %), one cycle a minute: 5 hours at 1 % abandoned, then a burn at
50 % (16.7x the goal, above the fast threshold 14.4x) for 70 minutes, then 10 quiet minutes.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from alarms.model import AlarmState
from config.compliance import ComplianceOptions
from domain.signals import Condition
from node.alarm_evaluator import burn_signals, evaluate_and_store
from node.compliance import ComplianceKeeper
from storage.alarms.store import load_conditions, load_instances
from storage.cycles import record_cycle
from storage.db import PerThreadDatabase
from tests.builders import make_cycle, make_snapshot, make_target

T0 = 1_700_006_400.0
FAST, SLOW = Condition.ABANDON_BUDGET_FAST_BURN, Condition.ABANDON_BUDGET_SLOW_BURN


def record_minutes(
    db: sqlite_utils.Database, start_minute: int, minutes: int, per_minute: tuple[int, int]
) -> tuple[int, int]:
    """Record `minutes` cycles, adding (accepted, abandoned) each; return the last totals."""
    row = db.execute(
        "SELECT accepted_total, abandoned_total FROM cycle_targets ORDER BY at DESC LIMIT 1"
    ).fetchone()
    accepted, abandoned = row if row else (0, 0)
    for minute in range(start_minute, start_minute + minutes):
        accepted += per_minute[0]
        abandoned += per_minute[1]
        at = T0 + 60 * minute + 1
        cycle_id = f"c{minute}"
        record_cycle(
            db,
            make_cycle(cycle_id, started_at=at),
            [make_target(cycle_id, at=at, accepted_total=accepted, abandoned_total=abandoned)],
        )
    return accepted, abandoned


def states(db: sqlite_utils.Database, keeper: ComplianceKeeper, now: float) -> dict[str, str]:
    conditions = {c.name: c for c in load_conditions(db)}
    every = burn_signals(keeper, conditions, now)  # a signal for every target
    # as the node does: the targets that may burn, and those with an instance to clear
    evaluation, _ = evaluate_and_store(
        db, [], now, derive=lambda stored: burn_signals(keeper, conditions, now, stored)
    )
    raised = {(s.condition, s.scope) for s in every if s.active}
    assert raised <= {(i.condition, i.scope) for i in evaluation.instances} | {
        (i.condition, i.scope) for i in load_instances(db).values()
    }
    return {
        i.condition: i.state.value
        for i in load_instances(db).values()
        if i.condition in (FAST, SLOW) and i.state is not AlarmState.NORMAL
    }


def keeper_for(path: Path, now: float, totals: tuple[int, int]) -> ComplianceKeeper:
    """A node's keeper started at `now` (reads the history back), after that cycle's totals."""
    keeper = ComplianceKeeper(
        ComplianceOptions(), ZoneInfo("UTC"), lambda: now, PerThreadDatabase(path)
    )
    keeper.start()
    assert keeper.wait_loaded(60)
    keeper.guard([make_snapshot(accepted_total=totals[0], abandoned_total=totals[1])], now)
    return keeper


def test_a_burn_over_both_windows_raises_both_alarms_and_a_quiet_spell_clears_the_fast_one(
    alarm_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = tmp_path / "pacing.db"
    totals = record_minutes(alarm_db, 0, 300, (99, 1))
    now = T0 + 300 * 60 + 30
    assert states(alarm_db, keeper_for(path, now, totals), now) == {}  # 1 %: nothing burns

    totals = record_minutes(alarm_db, 300, 70, (30, 30))
    now = T0 + 370 * 60 + 30
    # 5 min and 1 h at 50 % (16.7x): fast; 6 h: 290 min at 1 % + 70 at 50 % = 2390 of 35000
    # (6.8 %, 2.3x): not slow
    assert states(alarm_db, keeper_for(path, now, totals), now) == {FAST: AlarmState.UNACK.value}

    totals = record_minutes(alarm_db, 370, 10, (60, 0))
    now = T0 + 380 * 60 + 30
    # the last 5 min at 0 %: the burn stopped, the alarm clears (the hour is still at 37 %)
    assert states(alarm_db, keeper_for(path, now, totals), now) == {
        FAST: AlarmState.CLEARED_UNACK.value
    }


def test_a_long_moderate_burn_raises_only_the_slow_alarm_and_clears_after_it(
    alarm_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = tmp_path / "pacing.db"
    totals = record_minutes(alarm_db, 0, 240, (75, 25))
    now = T0 + 240 * 60 + 30
    # 25 % is 8.3x the goal: above the slow threshold (6x) over 30 min and 6 h, below 14.4x
    assert states(alarm_db, keeper_for(path, now, totals), now) == {SLOW: AlarmState.UNACK.value}

    totals = record_minutes(alarm_db, 240, 40, (100, 0))
    now = T0 + 280 * 60 + 30
    assert states(alarm_db, keeper_for(path, now, totals), now) == {
        SLOW: AlarmState.CLEARED_UNACK.value
    }


def test_too_few_interactions_never_burn(alarm_db: sqlite_utils.Database, tmp_path: Path) -> None:
    totals = record_minutes(alarm_db, 0, 70, (0, 0))
    totals = record_minutes(alarm_db, 70, 1, (1, 1))  # 50 %, but 2 interactions in the hour
    now = T0 + 71 * 60 + 30
    assert states(alarm_db, keeper_for(tmp_path / "pacing.db", now, totals), now) == {}
