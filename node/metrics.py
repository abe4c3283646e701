"""The Prometheus text endpoint `/metrics`: cycle, pacing, alarm and runtime figures.

A custom collector reads the database on every scrape (read-only connection), so the endpoint
works in a dashboard that only reads as well as beside the embedded node. Names carry units
(`_seconds`, `_bytes`, `_total`, `_ratio`); the registry is injected so tests read values back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, make_asgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from storage.db import StorageError, connect_readonly
from storage.metrics import MetricsFigures, read_metrics_figures

log = logging.getLogger("alarms.metrics")

_TARGET_HELP = {
    "allowed_invitations": ("pacing_allowed_invitations", "invitations allowed next interval"),
    "pending_invitations": ("pacing_pending_invitations", "invitations pending at the platform"),
    "in_queue": ("pacing_queue_interactions", "proactive interactions waiting in the VQ"),
    "logged_in_slots": ("pacing_logged_in_slots", "capacity slots of logged-in agents"),
    "ready_slots": ("pacing_ready_slots", "capacity slots of ready agents"),
    "busy_slots": ("pacing_busy_slots", "capacity slots of busy agents"),
}


class PacingCollector(Collector):
    """Reads `read_metrics_figures` from the database at `database_path()` on each scrape."""

    def __init__(self, database_path: Callable[[], Path]) -> None:
        self._database_path = database_path

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("pacing_database_up", "1 when the database could be read")
        try:
            db = connect_readonly(self._database_path())
        except StorageError as error:
            log.debug("metrics: database not readable: %s", error)
            up.add_metric([], 0)
            yield up
            return
        try:
            figures = read_metrics_figures(db)
        finally:
            db.close()
        up.add_metric([], 1)
        yield up
        yield from _cycle_metrics(figures)
        yield from _target_metrics(figures)
        yield from _alarm_metrics(figures)
        yield from _runtime_metrics(figures)


def _cycle_metrics(f: MetricsFigures) -> Iterator[Metric]:
    cycles = CounterMetricFamily("pacing_cycles", "pacing cycles recorded", labels=["status"])
    for status in ("ok", "partial", "failed", "overrun"):
        cycles.add_metric([status], f.cycles_by_status.get(status, 0))
    yield cycles
    skipped = CounterMetricFamily("pacing_skipped_fires", "scheduler fires skipped by overruns")
    skipped.add_metric([], f.skipped_fires_total)
    yield skipped
    for name, value, text in (
        ("pacing_cycle_duration_seconds", f.last_cycle_duration_s, "last cycle's duration"),
        ("pacing_cycle_lateness_seconds", f.last_cycle_lateness_s, "last cycle's lateness"),
        ("pacing_last_cycle_timestamp_seconds", f.last_cycle_started_at, "last cycle's start"),
    ):
        if value is not None:
            gauge = GaugeMetricFamily(name, text)
            gauge.add_metric([], value)
            yield gauge


def _target_metrics(f: MetricsFigures) -> Iterator[Metric]:
    for column, (name, text) in _TARGET_HELP.items():
        gauge = GaugeMetricFamily(name, text, labels=["target"])
        for row in f.targets:
            if row[column] is not None:
                gauge.add_metric([row["target_id"]], row[column])
        yield gauge
    goal = GaugeMetricFamily("pacing_goal_ratio", "optimizationGoal as a ratio", labels=["target"])
    abandon = GaugeMetricFamily(
        "pacing_abandon_ratio",
        "abandoned / (accepted + abandoned), running totals",
        labels=["target"],
    )
    for row in f.targets:
        goal.add_metric([row["target_id"]], row["goal_pct"] / 100.0)
        handled = (row["accepted_total"] or 0) + (row["abandoned_total"] or 0)
        if handled:
            abandon.add_metric([row["target_id"]], (row["abandoned_total"] or 0) / handled)
    yield goal
    yield abandon


def _alarm_metrics(f: MetricsFigures) -> Iterator[Metric]:
    active = GaugeMetricFamily(
        "pacing_alarms",
        "alarm instances not in the normal state (1 per instance)",
        labels=["condition", "scope", "state", "severity"],
    )
    for condition, scope, state, severity in f.alarms:
        active.add_metric([condition, scope, state, severity], 1)
    yield active
    transitions = CounterMetricFamily(
        "pacing_alarm_transitions", "alarm transitions recorded, by new state", labels=["to_state"]
    )
    for state, count in sorted(f.transitions_by_state.items()):
        transitions.add_metric([state], count)
    yield transitions


def _runtime_metrics(f: MetricsFigures) -> Iterator[Metric]:
    s = f.runtime
    if s is None:
        return
    values = (
        ("pacing_gc_pause_max_seconds", s.gc_pause_max_s, "longest GC pause in the last sample"),
        ("pacing_gc_collections_per_minute", s.gc_collections_per_min, "collections, last 60 s"),
        ("pacing_process_resident_memory_bytes", s.rss_bytes, "resident set size"),
        ("pacing_process_memory_limit_bytes", s.memory_limit_bytes, "memory available"),
        ("pacing_heap_current_bytes", s.heap_current_bytes, "tracemalloc current heap"),
        ("pacing_heap_peak_bytes", s.heap_peak_bytes, "tracemalloc peak heap"),
        ("pacing_runtime_sample_timestamp_seconds", s.at, "when the runtime sample was taken"),
    )
    for name, value, text in values:
        if value is not None:
            gauge = GaugeMetricFamily(name, text, labels=["node"])
            gauge.add_metric([s.node_id], float(value))
            yield gauge
    total = CounterMetricFamily("pacing_gc_collections", "collections since start", labels=["node"])
    total.add_metric([s.node_id], s.gc_collections_total)
    yield total


def build_registry(database_path: Callable[[], Path]) -> CollectorRegistry:
    """A registry holding only the pacing collector (no process/platform defaults)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PacingCollector(database_path))
    return registry


def metrics_routes(database_path: Callable[[], Path]) -> list[BaseRoute]:
    """Starlette routes serving `/metrics` (and `/metrics/`) for `st.App(routes=[...])`.

    A `Mount("/metrics")` alone answers only `/metrics/...`: a scrape of `/metrics` itself
    fell through to Streamlit's HTML page. The exact path gets its own route.
    """
    registry = build_registry(database_path)

    def exposition(request: Request) -> Response:  # sync: Starlette runs it in a thread
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(registry), headers={"Content-Type": content_type})

    return [Route("/metrics", exposition), Mount("/metrics", app=make_asgi_app(registry))]
