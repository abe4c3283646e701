"""Build a node from the configuration, and the dashboard process's one embedded node."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from config import Config, require_paced_targets
from domain.phases import collector_paused
from domain.ports import (
    Publisher,
    StatSource,
)
from domain.records import NodeMode
from domain.signals import CollectingSink
from node.alarm_parts import build_alarm_parts
from node.compliance import ComplianceKeeper
from node.controls import CycleControls
from node.cycle import PacingCycle
from node.node import Node
from node.pacer_keeper import PacerStateKeeper
from node.recording import build_recording
from node.reload import ConfigReloader
from node.wiring import build_ports, port_parts
from pacing import Pacer
from storage.db import PerThreadDatabase

log = logging.getLogger(__name__)


def build_node(
    config: Config,
    *,
    mode: NodeMode,
    clock: Callable[[], float] = time.time,
    stat_source: StatSource | None = None,
    publisher: Publisher | None = None,
) -> Node:
    """Wire a node from the configuration; tests may pass their own ports."""
    with collector_paused():  # long-lived objects only: see `collector_paused`
        return _build_node(config, mode, clock, stat_source, publisher)


def _build_node(
    config: Config,
    mode: NodeMode,
    clock: Callable[[], float],
    stat_source: StatSource | None,
    publisher: Publisher | None,
) -> Node:
    sink = CollectingSink()
    database = PerThreadDatabase(config.node.database_path)
    if stat_source is None or publisher is None:
        built_source, built_publisher = build_ports(config, sink, clock)
        stat_source = stat_source or built_source
        publisher = publisher or built_publisher
    recorder, storage_parts = build_recording(config, database, sink, clock)
    compliance = ComplianceKeeper(config.compliance, config.node.zone, clock, database)
    alarm_parts = build_alarm_parts(config, database, sink, clock, compliance)
    pacer = Pacer(
        algorithm=config.pacing.algorithm,
        optimization_target=config.pacing.optimization_target,
        interval_s=config.pacing.refresh_period_s,
    )
    keeper = PacerStateKeeper(pacer, database, config.node.node_id, clock)  # warm restart
    cycle = PacingCycle(
        node_id=config.node.node_id,
        targets=config.targets,
        stat_source=stat_source,
        publisher=publisher,
        pacer=pacer,
        period_s=config.pacing.refresh_period_s,
        clock=clock,
        goal_guard=compliance.guard,
        controls=CycleControls(database, config.node.node_id),
    )
    reloader = ConfigReloader(
        config=config,
        cycle=cycle,
        sink=sink,
        database=database,
        node_id=config.node.node_id,
        clock=clock,
        build_ports=lambda new: build_ports(new, sink, clock),
    )
    return Node(
        node_id=config.node.node_id,
        database_path=config.node.database_path,
        cycle=cycle,
        mode=mode,
        config_path=str(config.source_path),
        clock=clock,
        database=database,
        recorder=recorder,
        observers=[*storage_parts.observers, *alarm_parts.observers, keeper],
        services=[
            compliance,
            *storage_parts.services,
            *alarm_parts.services,
            *port_parts(publisher).services,
            keeper,
        ],
        reloader=reloader,
    )


_embedded_lock = threading.Lock()


_embedded: Node | None = None


def start_embedded_node(config: Config) -> Node:
    """Start the dashboard process's node exactly once, however often this is called.

    A configuration that paces nothing is refused (`ConfigError`): the dashboard would show a
    healthy node doing nothing.
    """
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            require_paced_targets(config)
            node = build_node(config, mode="embedded")
            node.start()
            _embedded = node
        return _embedded


def embedded_node() -> Node | None:
    """The node running inside this process, if any."""
    return _embedded


def stop_embedded_node() -> None:
    global _embedded
    with _embedded_lock:
        node, _embedded = _embedded, None
    if node is not None:
        node.stop()
