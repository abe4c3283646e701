"""Which ports a node gets: the simulator is built only when it plays one of them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import node.wiring
from connectors.simulated import SimulatedContactCentre
from domain.signals import CollectingSink
from fakes import FakeRemote
from node.wiring import build_ports
from tests.connectors.conftest import http_config


def _no_simulator(*_args: Any, **_kwargs: Any) -> None:
    raise AssertionError("the simulator was built although no port uses it")


def test_a_node_on_http_statistics_and_publisher_builds_no_simulator(
    tmp_path: Path, remote: FakeRemote, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = http_config(tmp_path, remote)
    monkeypatch.setattr(node.wiring, "ContactCentreSimulator", _no_simulator)
    source, publisher = build_ports(config, CollectingSink(), time.time)
    assert not isinstance(source, SimulatedContactCentre)
    assert not isinstance(publisher, SimulatedContactCentre)
    source.close()  # type: ignore[attr-defined]


def test_a_node_on_http_statistics_alone_publishes_to_the_simulator(
    tmp_path: Path, remote: FakeRemote
) -> None:
    config = http_config(tmp_path, remote, publisher={"kind": "simulator"})
    source, publisher = build_ports(config, CollectingSink(), time.time)
    assert not isinstance(source, SimulatedContactCentre)
    assert isinstance(publisher, SimulatedContactCentre)
    source.close()  # type: ignore[attr-defined]
