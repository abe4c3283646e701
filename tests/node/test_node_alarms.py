"""Alarms inside a real node: provisioning at start, signals from the sink, samples, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from config import Config
from domain.signals import AlarmSignal
from node.alarm_parts import build_alarm_parts
from node.build import build_node
from storage.alarms.store import load_conditions, read_active_alarms, read_runtime_samples
from storage.db import connect
from tests.support import ROOT, ran_headless, shipped_config


def config_for(folder: Path, **alarms: Any) -> Config:
    return shipped_config(folder, alarms={"off_delay": "0s", **alarms})


def test_a_node_provisions_the_conditions_and_samples_the_runtime_every_cycle(
    tmp_path: Path,
) -> None:
    config = config_for(tmp_path)
    ran_headless(config, 3)
    db = connect(config.node.database_path)
    names = {c.name for c in load_conditions(db)}
    assert {"GC Latency", "PacingRequestsFailed", "NoMasterNode", "BacklogDiskMajor"} <= names
    samples = read_runtime_samples(db, since=0.0)
    assert len(samples) == 3 and samples["cycle_duration_s"].notna().all()
    assert read_active_alarms(db).empty  # a healthy simulator run raises nothing
    db.close()


def test_a_signal_emitted_into_the_sink_is_raised_on_the_next_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.signals import CollectingSink
    from node import build as node_module

    sinks: list[CollectingSink] = []  # the sink the node hands to every part

    def capture(config: Config, database: Any, sink: CollectingSink, clock: Any, *rest: Any) -> Any:
        sinks.append(sink)
        return build_alarm_parts(config, database, sink, clock, *rest)

    monkeypatch.setattr(node_module, "build_alarm_parts", capture)
    config = config_for(tmp_path)
    node = build_node(config, mode="headless")
    try:
        node.run_once()
        sinks[0].signal(AlarmSignal("PacingRequestsFailed", True, 1.0, reason="HTTP 503"))
        node.run_once()
    finally:
        node.stop()
    db = connect(config.node.database_path)
    active = read_active_alarms(db)
    assert active["instance_id"].tolist() == ["PacingRequestsFailed/global"]
    assert active["reason"].tolist() == ["HTTP 503"]
    db.close()


def test_build_alarm_parts_gives_one_observer_and_the_configured_services(tmp_path: Path) -> None:
    from domain.signals import CollectingSink
    from storage.db import PerThreadDatabase

    config = config_for(
        tmp_path,
        webhook_url="http://127.0.0.1:1/hook",
        smtp_host="127.0.0.1",
        smtp_to=["ops@example.com"],
        tracemalloc=True,
    )
    parts = build_alarm_parts(
        config, PerThreadDatabase(tmp_path / "p.db"), CollectingSink(), lambda: 0.0
    )
    assert len(parts.observers) == 1
    names = [service.name for service in parts.services]
    assert names[:4] == ["alarm evaluation", "gc probe", "tracemalloc", "alarm notifications"]
    assert "metrics reporters" in names  # reporter.messageServer is on by default


def test_pacing_provision_is_idempotent_and_overwrite_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = tmp_path / "pacing.toml"
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    config_file.write_text(text.replace('database = "data/pacing.db"', 'database = "p.db"'))
    assert main(["provision", "--config", str(config_file)]) == 0
    assert "created: GC Latency" in capsys.readouterr().out
    assert main(["provision", "--config", str(config_file)]) == 0
    assert "kept (use --overwrite to replace): GC Latency" in capsys.readouterr().out
    assert main(["provision", "--config", str(config_file), "--overwrite"]) == 0
    assert "replaced: GC Latency" in capsys.readouterr().out
