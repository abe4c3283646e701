"""Which stat source and publisher a node uses, from `[stat_source]` and `[publisher]`.

`"simulator"` (the default) builds one simulated contact centre playing both; `"http"` builds
the HTTP statistics source (`engine.http_stats`) and/or the engagement platform client
(`engine.gpe`), the latter behind the master lease; `port_parts` adds the services the ports
need (releasing the lease on a clean stop). Options are described in docs/http.md.
"""

from __future__ import annotations

from collections.abc import Callable

from config import Config, ConfigError
from connectors.gpe import EngagementPublisher, PublisherSettings
from connectors.http_retry import RetryPolicy, build_exchanger, forward_proxy
from connectors.http_stats import HttpStatSource, StatSourceSettings
from connectors.simulated import SimulatedContactCentre
from domain.freshness import stale_after_s
from domain.ports import NodeService, Publisher, StatSource
from domain.signals import AlarmSink
from node.lease import LeasedPublisher, MasterLeaseKeeper
from node.parts import NodeParts
from simulator import ContactCentreSimulator
from storage.leases import prepare_leases
from storage.sql import ThreadDatabases, build_engine, parse_location

# Statistics may take this share of the refresh period (all servers and retries together).
STATS_BUDGET_RATIO = 0.5


class NotWiredError(ConfigError):
    """The configuration names a source or publisher this version cannot build."""


def build_ports(
    config: Config, sink: AlarmSink, clock: Callable[[], float]
) -> tuple[StatSource, Publisher]:
    """The cycle's two ports; the built-in simulator plays both unless configured otherwise.

    The simulator is built only when it plays one of them: at 100,000 targets its agents
    and events take seconds to build, for nothing when both ports are HTTP.
    """
    source: StatSource | None = None
    publisher: Publisher | None = None
    if config.stat_source.kind == "http":
        source = build_http_stat_source(config, sink)
    if config.publisher.kind == "http":
        publisher = build_http_publisher(config, sink)
    if source is None or publisher is None:
        simulated = SimulatedContactCentre(
            ContactCentreSimulator(config.targets, config.simulator),
            epoch=clock(),
            speed=config.simulator.speed,
        )
        source = source or simulated
        publisher = publisher or simulated
    return source, publisher


def port_parts(publisher: Publisher) -> NodeParts:
    """Services the ports need: renewing the master lease, and releasing it on a clean stop."""
    services: list[NodeService] = []
    if isinstance(publisher, LeasedPublisher):
        services.append(MasterLeaseKeeper(publisher))
    return NodeParts(services=tuple(services))


def build_http_stat_source(config: Config, sink: AlarmSink) -> HttpStatSource:
    options = config.stat_source
    if options.url is None:
        raise NotWiredError(
            ['stat_source.url: missing — expected the statistics endpoint when kind is "http"'],
            str(config.source_path),
        )
    period_s = config.pacing.refresh_period_s
    settings = StatSourceSettings(
        url=options.url,
        backup_url=options.backup_url,
        stale_after_s=options.stale_after_s or stale_after_s(period_s),
        primary_recheck_s=options.primary_recheck_s,
        budget_s=period_s * STATS_BUDGET_RATIO,
        policy=RetryPolicy(retries=options.retries, timeout_s=options.timeout_s),
    )
    return HttpStatSource(
        settings, sink, build_exchanger(ca_bundle=options.ca_bundle, name="stats-http")
    )


def build_http_publisher(config: Config, sink: AlarmSink) -> LeasedPublisher:
    integration = config.hybrid_integration
    if integration is None:
        raise NotWiredError(
            ['hybrid_integration: missing — expected the section when publisher.kind is "http"'],
            str(config.source_path),
        )
    options, endpoint = config.publisher, config.pacing_endpoint
    period_s = config.pacing.refresh_period_s
    settings = PublisherSettings(
        target_endpoint=endpoint.target_endpoint,
        chunk_size=endpoint.chunk_size,
        concurrency=options.concurrency,
        gzip=endpoint.gzip,
        budget_s=period_s * options.budget_ratio,
        policy=RetryPolicy(retries=options.retries, timeout_s=endpoint.timeout_s),
    )
    exchanger = build_exchanger(
        ca_bundle=options.ca_bundle,
        proxy=forward_proxy(config.forward_proxy),
        max_connections=max(10, options.concurrency),
        name="gpe-http",
    )
    media = {target.target_id: target.media for target in config.targets}
    inner = EngagementPublisher(integration, settings, media, sink, exchanger)
    engine = build_engine(parse_location(config.node.database_path, where="node.database"))
    return LeasedPublisher(
        inner,
        ThreadDatabases(engine, on_open=prepare_leases),
        config.node.node_id,
        options.lease_ttl_s or stale_after_s(period_s),
        publish_deadline_s=settings.budget_s,
        sink=sink,
    )
