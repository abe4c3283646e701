"""What the alarm subsystem adds to a node: evaluation after each cycle, probes, notifiers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alarms.catalogue import default_conditions
from connectors.notifiers import (
    LogNotifier,
    NotificationDispatcher,
    Notifier,
    SmtpNotifier,
    WebhookNotifier,
)
from domain.freshness import node_stale_after_s
from domain.signals import CollectingSink
from node.alarm_evaluator import AlarmEvaluator
from node.probes import GcProbe, HeapTracer, RuntimeProbe
from node.reporters import MetricsReporting, build_reporters
from storage.db import PerThreadDatabase

if TYPE_CHECKING:
    from config import Config
    from domain.ports import NodeService
    from node.compliance import ComplianceKeeper
    from node.parts import NodeParts


def build_notifiers(config: Config) -> list[Notifier]:
    """The channels `[alarms]` configures (the log line unless log_notifications = false)."""
    options = config.alarms
    notifiers: list[Notifier] = []
    if options.log_notifications:
        notifiers.append(LogNotifier())
    if options.webhook is not None:
        notifiers.append(WebhookNotifier(options.webhook))
    if options.smtp is not None:
        notifiers.append(SmtpNotifier(options.smtp))
    return notifiers


def build_alarm_parts(
    config: Config,
    database: PerThreadDatabase,
    sink: CollectingSink,
    clock: Callable[[], float],
    compliance: ComplianceKeeper | None = None,
) -> NodeParts:
    """Observers that evaluate alarm conditions after each cycle, and alarm services."""
    from node.parts import NodeParts

    gc_probe = GcProbe()
    heap = HeapTracer() if config.alarms.tracemalloc else None
    probe = RuntimeProbe(config.node.node_id, gc_probe, heap)
    notifiers = build_notifiers(config)
    dispatcher = NotificationDispatcher(notifiers) if notifiers else None
    evaluator = AlarmEvaluator(
        node_id=config.node.node_id,
        database=database,
        sink=sink,
        clock=clock,
        probe=probe,
        wanted_conditions=default_conditions(config.metrics, config.alarms, config.compliance),
        stale_after_s=node_stale_after_s(config.pacing.refresh_period_s),
        dispatcher=dispatcher,
        compliance=compliance,
        ack_expiry_s=config.alarms.ack_expiry_s,
        master_lease=config.publisher.kind == "http",
    )
    services: list[NodeService] = [evaluator, gc_probe]
    if heap is not None:
        services.append(heap)
    if dispatcher is not None:
        services.append(dispatcher)
    reporters = build_reporters(config.metrics)
    if reporters:
        services.append(MetricsReporting(reporters, lambda: probe.latest))
    return NodeParts(observers=(evaluator,), services=tuple(services))
