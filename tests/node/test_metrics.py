"""/metrics: Prometheus text with unit-suffixed names, read back from an injected registry."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlite_utils
from starlette.applications import Starlette

from alarms.model import RuntimeSample
from domain.signals import AlarmSignal
from node.alarm_evaluator import evaluate_and_store
from node.metrics import build_registry, metrics_routes
from storage.cycles import record_cycle
from tests.builders import cycle_outcome


def test_the_registry_serves_cycle_alarm_and_runtime_figures(
    db: sqlite_utils.Database, db_path: Path
) -> None:
    outcome = cycle_outcome("overrun", 7.0, at=50.0, accepted_total=90, abandoned_total=10)
    record_cycle(db, outcome.cycle, outcome.targets)
    sample = RuntimeSample("n", 50.0, 0.012, 0.02, 3, 12.0, 40, 50_000_000, 1_000_000_000)
    evaluate_and_store(db, [AlarmSignal("CycleOverrun", True, 50.0)], 50.0, sample)
    registry = build_registry(lambda: db_path)
    value = registry.get_sample_value
    assert value("pacing_database_up") == 1
    assert value("pacing_cycles_total", {"status": "overrun"}) == 1
    assert value("pacing_cycle_duration_seconds") == 7.0
    assert value("pacing_abandon_ratio", {"target": "Chat - chat"}) == 0.1
    assert value("pacing_goal_ratio", {"target": "Chat - chat"}) == 0.03
    labels = {
        "condition": "CycleOverrun",
        "scope": "global",
        "state": "active_unacknowledged",
        "severity": "Minor",
    }
    assert value("pacing_alarms", labels) == 1
    assert value("pacing_gc_pause_max_seconds", {"node": "n"}) == 0.012
    assert value("pacing_process_resident_memory_bytes", {"node": "n"}) == 50_000_000
    assert value("pacing_gc_collections_total", {"node": "n"}) == 40


def test_the_endpoint_answers_over_http_and_says_when_there_is_no_database(
    tmp_path: Path,
) -> None:
    app = Starlette(routes=metrics_routes(lambda: tmp_path / "missing.db"))
    transport = httpx.ASGITransport(app=app)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/metrics/")

    import asyncio

    response = asyncio.run(fetch())
    assert response.status_code == 200
    assert "pacing_database_up 0.0" in response.text
