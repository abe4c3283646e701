"""The node's recorder and storage services as `build_recording` wires them from the config."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.main import main
from domain.signals import CollectingSink
from node.recording import HIVE_OFF_ROWS_PER_RUN, build_recording, hive_off_settings
from storage.backlog import BacklogDatabase, BacklogFolder
from storage.backlog.control import read_processor_enabled
from storage.db import PerThreadDatabase
from storage.hive_off import HiveOffReport, HiveOffSettings, NightlyHiveOff, next_run_at
from tests.builders import register_node
from tests.storage.backlog.faults import outcome
from tests.support import eventually, shipped_config, write_test_config


def test_a_cycle_that_meets_a_locked_database_is_backlogged_then_drained(tmp_path: Path) -> None:
    config = shipped_config(tmp_path, Backlog={"Processor.MinItemAgeBeforeProcessingMillis": 0})
    database = PerThreadDatabase(config.node.database_path, busy_timeout_ms=50)
    register_node(database.get())
    recorder, parts = build_recording(config, database, CollectingSink(), time.time)
    assert [s.name for s in parts.services] == [
        "backlog processor", "backlog disk monitor", "nightly hive-off",
    ]  # fmt: skip
    lock = sqlite3.connect(config.node.database_path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    recorder.record(outcome(1))
    lock.close()
    folder = BacklogFolder(config.backlog.folder)
    assert folder.usage().pending_items == 1
    for service in parts.services:
        service.start()
    try:
        assert eventually(lambda: folder.usage().pending_items == 0)
    finally:
        for service in reversed(parts.services):
            service.stop()
    stored = sqlite3.connect(config.node.database_path).execute("SELECT count(*) FROM cycles")
    assert stored.fetchone()[0] == 1


def test_processing_is_switched_off_and_on_at_run_time_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path, database = write_test_config(tmp_path)
    assert main(["backlog", "disable", "--config", str(config_path)]) == 0
    assert "Backlog.Processor.Enabled: false (set at run time)" in capsys.readouterr().out
    switch = BacklogDatabase(database)
    assert switch.processor_enabled(True) is False
    assert main(["backlog", "reset", "--config", str(config_path)]) == 0
    assert read_processor_enabled(switch.get()) is None
    assert switch.processor_enabled(True) is True


def test_the_processor_switch_falls_back_to_the_config_when_the_database_is_unreachable(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-folder.db").mkdir()
    assert BacklogDatabase(tmp_path / "a-folder.db").processor_enabled(True) is True


def test_pacing_hive_off_runs_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path, _ = write_test_config(tmp_path)
    assert main(["hive-off", "--config", str(config_path)]) == 0
    assert "rows archived" in capsys.readouterr().out


def test_the_nightly_run_is_the_next_start_time_in_the_node_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 3, 28, 23, 0, tzinfo=paris).timestamp()
    due = datetime.fromtimestamp(next_run_at(now, "02:30", paris), tz=paris)
    # The night of the spring change: 02:30 does not exist; zoneinfo folds it to 03:30.
    assert (due.day, due.hour) in {(29, 2), (29, 3)}
    later = next_run_at(due.timestamp(), "02:30", paris)
    assert datetime.fromtimestamp(later, tz=paris).day == 30


def test_hive_off_runs_every_interval_besides_the_night_each_run_bounded(tmp_path: Path) -> None:
    config = shipped_config(tmp_path)
    settings = hive_off_settings(config)
    assert (settings.detail_hours, settings.retention_days) == (6, 30)  # the defaults
    assert settings.max_rows_per_run == HIVE_OFF_ROWS_PER_RUN
    runs: list[HiveOffSettings] = []

    def run(given: HiveOffSettings) -> HiveOffReport:
        runs.append(given)
        return HiveOffReport("r", 0.0, 0, 0, 0, 0, 0, 0, 0.0)

    now = [datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("UTC")).timestamp()]
    service = NightlyHiveOff(
        settings,
        start_time="02:30",
        zone=ZoneInfo("UTC"),
        clock=lambda: now[0],
        run=run,
        every_s=600.0,
    )
    assert service._turn() == 600.0  # noqa: SLF001 - one turn of the loop, without its thread
    now[0] += 600.0
    assert (service._turn(), len(runs)) == (0.0, 1)  # noqa: SLF001
    assert service._turn() == 600.0 and runs == [settings]  # noqa: SLF001
