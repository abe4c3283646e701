"""Fake servers on free loopback ports and real nodes wired to them over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config import Config, parse_config
from domain.signals import AlarmSignal, CollectingSink
from fakes import FakeCredentials, FakeRemote
from node.build import build_node
from node.node import Node
from node.wiring import build_ports
from tests.support import shipped_raw

CLIENT_ID = "pacing-test-client"
SECRET = "s3cr3t-VALUE-that-must-never-leak-9f1c"
SECRET_ENV = "PACING_TEST_CLIENT_SECRET"


def fake_remote(*, platform: bool = True) -> FakeRemote:
    raw = shipped_raw()
    config = parse_config(raw, source="fake")
    return FakeRemote(
        config.targets,
        config.agent_groups,
        config.simulator,
        credentials=FakeCredentials(CLIENT_ID, SECRET) if platform else None,
        serve_platform=platform,
    ).start()


@pytest.fixture
def remote() -> Iterator[FakeRemote]:
    server = fake_remote()
    yield server
    server.stop()


@pytest.fixture
def backup() -> Iterator[FakeRemote]:
    server = fake_remote(platform=False)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def client_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


def http_config(
    folder: Path,
    remote: FakeRemote,
    *,
    backup: FakeRemote | None = None,
    period_s: float = 4.0,
    node_id: str = "node-a",
    endpoint: dict[str, Any] | None = None,
    publisher: dict[str, Any] | None = None,
    stat_source: dict[str, Any] | None = None,
    alarms: dict[str, Any] | None = None,
) -> Config:
    """The shipped example with both ports on HTTP towards the fakes.

    Timeouts and the publish deadline leave room for a loopback answer on a machine at load 15:
    a fault test proves its fault, never that this machine answered in half a second.
    """
    raw = shipped_raw()
    raw["node"].update(database=str(folder / "pacing.db"), node_id=node_id)
    raw["pacing"]["refreshPeriod"] = period_s
    raw["pacingEndpoint"].update({"timeout": 2.0, **(endpoint or {})})
    raw["hybrid_integration"] = {
        "base_auth_url": f"{remote.url}/oauth/token",
        "base_service_url": f"{remote.url}/api/",
        "client_id": CLIENT_ID,
        "client_secret_env": SECRET_ENV,
    }
    raw["stat_source"] = {
        "kind": "http",
        "url": f"{remote.url}/stats",
        "timeout": 1.0,
        **({"backup_url": f"{backup.url}/stats"} if backup else {}),
        **(stat_source or {}),
    }
    raw["publisher"] = {"kind": "http", **(publisher or {})}
    if alarms:
        raw["alarms"] = {**raw.get("alarms", {}), **alarms}
    return parse_config(raw, source="test", base_dir=folder)


@dataclass
class HttpNode:
    """A real node whose ports are the HTTP ones, and the sink they signal into."""

    node: Node
    sink: CollectingSink
    config: Config

    def cycle(self) -> Any:
        return self.node.run_once()

    def signals(self) -> list[AlarmSignal]:
        return self.sink.drain()

    def settle(self) -> Any:
        """A first healthy cycle: its signals are the start-up cancels only; drained here."""
        outcome = self.node.run_once()
        start_up = self.sink.drain()
        assert start_up and not [s for s in start_up if s.active], start_up
        return outcome


def http_node(config: Config) -> HttpNode:
    sink = CollectingSink()
    source, publisher = build_ports(config, sink, time.time)
    node = build_node(config, mode="headless", stat_source=source, publisher=publisher)
    return HttpNode(node, sink, config)


def conditions(signals: list[AlarmSignal], active: bool) -> set[tuple[str, str]]:
    return {(s.condition, s.scope) for s in signals if s.active is active}
