"""Live configuration and controls on a real `pacing node` process: SIGHUP, `pacing control`."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, eventually, pacing_cli, write_test_config

CHAT = "Proactive Chat - chat"
CHAT_GOAL_LINE = "optimizationGoal = 3                 # pacing \\ optimizationGoal: max"


def query(database: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    try:
        with sqlite3.connect(database) as db:
            return db.execute(sql, params).fetchall()
    except sqlite3.Error:  # not created or not migrated yet
        return []


def goals_since(database: Path, since: float) -> set[float]:
    rows = query(
        database,
        "SELECT DISTINCT goal_pct FROM cycle_targets WHERE target_id = ? AND at > ?",
        (CHAT, since),
    )
    return {goal for (goal,) in rows}


def newest_at(database: Path) -> float:
    rows = query(database, "SELECT max(at) FROM cycle_targets")
    return float(rows[0][0]) if rows and rows[0][0] is not None else 0.0


@pytest.fixture
def running_node(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, Path]]:
    config, database = write_test_config(tmp_path, refresh_period_s=0.5)
    node = subprocess.Popen(
        [sys.executable, "-m", "cli", "node", "--config", str(config)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert eventually(lambda: goals_since(database, 0.0) == {3.0}, within_s=60)
        yield node, config, database
    finally:
        if node.poll() is None:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=60)
            except subprocess.TimeoutExpired:
                node.kill()
        if node.stderr:
            node.stderr.close()


def test_sighup_with_a_changed_goal_changes_the_next_decisions_goal_without_a_restart(
    running_node: tuple[subprocess.Popen[str], Path, Path],
) -> None:
    node, config, database = running_node
    text = config.read_text(encoding="utf-8")
    assert CHAT_GOAL_LINE in text
    config.write_text(text.replace(CHAT_GOAL_LINE, "optimizationGoal = 2.5 # max"), "utf-8")
    before = newest_at(database)
    node.send_signal(signal.SIGHUP)
    assert eventually(lambda: 2.5 in goals_since(database, before), within_s=60)
    assert node.poll() is None
    [(starts,)] = query(database, "SELECT count(*) FROM nodes")
    assert starts == 1
    [(stopped_at,)] = query(database, "SELECT stopped_at FROM nodes")
    assert stopped_at is None  # the same process, never restarted
    changed = newest_at(database)
    assert eventually(lambda: goals_since(database, changed) == {2.5}, within_s=60)


def test_sighup_with_a_broken_file_changes_nothing_and_raises_the_alarm(
    running_node: tuple[subprocess.Popen[str], Path, Path],
) -> None:
    node, config, database = running_node
    text = config.read_text(encoding="utf-8")
    broken = text.replace(CHAT_GOAL_LINE, "optimizationGoal = 140 # max")
    config.write_text(broken.replace("refreshPeriod = 0.5", "refreshPeriod = -1"), "utf-8")
    node.send_signal(signal.SIGHUP)

    def alarm() -> list[tuple[Any, ...]]:
        return query(
            database,
            "SELECT state, reason, raised_at FROM alarm_instances "
            "WHERE condition = 'ConfigurationReloadFailed'",
        )

    assert eventually(lambda: bool(alarm()) and alarm()[0][0] == "active_unacknowledged", 60)
    [(_, reason, raised_at)] = alarm()
    assert "2 problems" in reason
    assert "optimizationGoal: 140" in reason and "pacing.refreshPeriod: -1" in reason
    assert eventually(lambda: newest_at(database) > raised_at, within_s=60)
    assert goals_since(database, raised_at) == {3.0}
    assert node.poll() is None
    [(action,)] = query(database, "SELECT action FROM audit_log")
    assert action == "config.reload.refused"


def test_pacing_control_pauses_lists_and_the_audit_exports(tmp_path: Path) -> None:
    config, _ = write_test_config(tmp_path)
    paused = pacing_cli(
        "control", "pause", CHAT, "--reason", "=cmd|incident", "--for", "30min",
        "--user", "bob", "--config", str(config),
    )  # fmt: skip
    assert paused.returncode == 0, paused.stderr
    assert f"{CHAT}: pause for 30 min, set by bob (from the next cycle)" in paused.stdout
    listed = pacing_cli("control", "list", "--config", str(config))
    assert f"{CHAT}\tpause until " in listed.stdout
    assert "by bob" in listed.stdout
    bad = pacing_cli(
        "control", "cap", CHAT, "lots", "--reason", "x", "--user", "bob", "--config", str(config)
    )
    assert bad.returncode == 1
    assert "cap must be a whole number of invitations per cycle between 0 and 10,000" in (
        bad.stderr
    )
    out = tmp_path / "audit.csv"
    exported = pacing_cli("audit", "export", "--out", str(out), "--config", str(config))
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["who"], r["action"], r["subject"]) for r in rows] == [("bob", "control.pause", CHAT)]
    assert rows[0]["reason"] == "'=cmd|incident"  # neutralised like every export
    assert '"control.pause"' in out.read_text(encoding="utf-8")  # every cell quoted


def test_pacing_alarms_export_writes_the_alarm_history(tmp_path: Path) -> None:
    from alarms.catalogue import default_conditions
    from domain.signals import AlarmSignal
    from node.alarm_evaluator import evaluate_and_store
    from storage.alarms.store import provision_conditions
    from storage.db import connect

    config, database = write_test_config(tmp_path)
    db = connect(database)
    provision_conditions(db, default_conditions(), now=0.0)
    evaluate_and_store(db, [AlarmSignal("CycleOverrun", True, 5.0, reason="slow")], 5.0)
    db.close()
    out = tmp_path / "alarms.csv"
    result = pacing_cli("alarms", "export", "--out", str(out), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "exported 1 alarm transitions" in result.stderr
    with out.open(encoding="utf-8", newline="") as file:
        [row] = list(csv.DictReader(file))
    assert (row["condition"], row["rule"], row["reason"]) == (
        "CycleOverrun",
        "alarm occurs",
        "slow",
    )
