"""NoMasterNode is raised by a dashboard that runs no node, once every node has gone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from config import Config, load_config
from connectors.notifiers import NotificationDispatcher, WebhookNotifier
from node.no_master_watch import NoMasterWatch, build_no_master_watch
from storage.alarms.store import read_active_alarms
from storage.db import connect
from tests.builders import register_node
from tests.connectors.receivers import WebhookReceiver, serving
from tests.support import ROOT, eventually

START = 1_767_225_600.0


def write_config(folder: Path, *extra_alarms: str) -> Path:
    """The shipped pacing.toml with no embedded node, its own database, off-delay 0."""
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    text = text.replace("embedded = true", "embedded = false", 1)
    text = text.replace('database = "data/pacing.db"', f'database = "{folder / "pacing.db"}"', 1)
    alarms = "\n".join(['off_delay = "0s"', *extra_alarms])
    text = text.replace("[alarms]\n", f"[alarms]\n{alarms}\n", 1)
    path = folder / "pacing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def no_master_state(config: Config) -> str | None:
    db = connect(config.node.database_path)
    try:
        active = read_active_alarms(db)
    finally:
        db.close()
    states = active.loc[active["condition"] == "NoMasterNode", "state"].tolist()
    return states[0] if states else None


def heartbeat(config: Config, at: float) -> None:
    db = connect(config.node.database_path)
    try:
        register_node(db, "pacing-1", started_at=at, period_s=config.pacing.refresh_period_s)
    finally:
        db.close()


def test_the_watch_raises_no_master_when_heartbeats_are_old_and_clears_it_when_one_is_fresh(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path))
    clock = [START]
    watch = NoMasterWatch(
        config.node.database_path,
        period_s=5.0,
        stale_after_s=15.0,
        clock=lambda: clock[0],
        config=config,
    )
    heartbeat(config, START - 60.0)  # the last node died a minute ago
    watch.check_once()
    assert no_master_state(config) == "active_unacknowledged"
    clock[0] += 5.0
    heartbeat(config, clock[0])  # a node is back
    watch.check_once()
    assert no_master_state(config) == "cleared_unacknowledged"


def test_the_watch_notifies_its_raise_through_the_configured_channels(tmp_path: Path) -> None:
    with serving(WebhookReceiver()) as receiver:
        config = load_config(write_config(tmp_path, f'webhook_url = "{receiver.url}"'))
        assert config.alarms.webhook is not None
        watch = NoMasterWatch(
            config.node.database_path,
            period_s=0.05,
            stale_after_s=15.0,
            dispatcher=NotificationDispatcher([WebhookNotifier(config.alarms.webhook)]),
            config=config,
        )
        watch.start()
        try:
            assert eventually(lambda: bool(receiver.bodies))
        finally:
            watch.stop()
    body = receiver.bodies[0]
    assert body["condition"] == "NoMasterNode" and body["kind"] == "raised"


def test_a_dashboard_without_an_embedded_node_evaluates_no_master_from_its_lifespan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path)
    monkeypatch.setenv("PACING_CONFIG", str(path))
    config = load_config(path)
    import streamlit as st

    import app

    monkeypatch.setattr(st.config, "get_option", _loopback(st.config.get_option))

    async def serve_a_little() -> None:
        async with app.lifespan(None):
            await asyncio.to_thread(
                eventually, lambda: no_master_state(config) == "active_unacknowledged"
            )

    asyncio.run(serve_a_little())
    assert no_master_state(config) == "active_unacknowledged"


def _loopback(get_option: Callable[[str], object]) -> Callable[[str], object]:
    """Streamlit's options as `make run` sets them: listening on loopback only."""
    return lambda key: "127.0.0.1" if key == "server.address" else get_option(key)


def test_build_no_master_watch_follows_the_refresh_period(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    watch = build_no_master_watch(config)
    assert watch._period_s == config.pacing.refresh_period_s  # noqa: SLF001
