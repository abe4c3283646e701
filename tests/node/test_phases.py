"""The node measures every step of each cycle (the benchmark's and the operators' figures)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from node.build import build_node
from tests.support import shipped_config

STEPS = ("collect", "snapshot", "decide", "publish", "assemble", "record", "alarms")


def test_each_cycle_reports_how_long_each_step_took(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    node = build_node(shipped_config(tmp_path), mode="headless")
    assert node.last_phases_s() == {}  # no cycle yet
    try:
        with caplog.at_level(logging.DEBUG, logger="node.node"):
            node.run_once()
    finally:
        node.stop()
    phases = node.last_phases_s()
    assert set(STEPS) <= set(phases)
    assert all(seconds >= 0.0 for seconds in phases.values())
    logged = [r.getMessage() for r in caplog.records if "phases:" in r.getMessage()]
    assert len(logged) == 1 and all(f"{step} " in logged[0] for step in STEPS)
