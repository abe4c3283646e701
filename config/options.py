"""Cluster options: one frozen dataclass and one reader per TOML section.

TOML keys keep the original product's option names (`optimizationGoal`,
`"reporter.console.enabled"`, `"Processor.ThreadCount"`); fields carry units in their names.
Import these names from `engine.config`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.reader import TableReader
from domain.decisions import ALGORITHMS, OPTIMIZATION_TARGETS

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LogFormat = Literal["text", "json"]
SourceKind = Literal["simulator", "http"]

LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")
SOURCE_KINDS: tuple[SourceKind, ...] = ("simulator", "http")

DEFAULT_GOAL_PCT = 3.0
DEFAULT_STARTS_WITH = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_CANTOPEN",
    "TIMEOUT",
    # PostgreSQL SQLSTATE classes: connection exception, operator intervention (statement
    # timeout, server shutdown), insufficient resources, transaction rollback (deadlock).
    "08",
    "57",
    "53",
    "40",
)


@dataclass(frozen=True, slots=True)
class PacingOptions:
    refresh_period_s: float = 5.0
    default_goal_pct: float = DEFAULT_GOAL_PCT
    algorithm: str = "predictive"  # one of engine.pacing.ALGORITHMS
    optimization_target: str = "abandonment_rate"  # one of engine.pacing.OPTIMIZATION_TARGETS


@dataclass(frozen=True, slots=True)
class PacingEndpointOptions:
    target_endpoint: str = "v2/journey/actiontargets/bulk"
    timeout_s: float = 3.0
    chunk_size: int = 500
    gzip: bool = False


@dataclass(frozen=True, slots=True)
class MetricsOptions:
    console_enabled: bool = False
    console_log_frequency_s: float = 1800.0
    log_enabled: bool = False
    log_log_frequency_s: float = 1800.0
    message_server_enabled: bool = True
    message_server_log_frequency_s: float = 1800.0
    gc_latency_threshold_ms: float = 1000.0
    gc_frequency_threshold_per_min: float = 24.0
    heap_usage_threshold_pct: float = 90.0


@dataclass(frozen=True, slots=True)
class LogOptions:
    level: LogLevel = "INFO"
    file: Path | None = None
    format: LogFormat = "text"


@dataclass(frozen=True, slots=True)
class BacklogOptions:
    processor_enabled: bool = True
    processor_thread_count: int = 2
    processor_min_item_age_ms: int = 5000
    disk_check_interval_ms: int = 60000
    disk_warning_used_mb: int = 500
    disk_max_used_mb: int = 1000
    treat_all_failures_as_backloggable: bool = False
    backloggable_exact_match: tuple[str, ...] = ()
    backloggable_starts_with: tuple[str, ...] = DEFAULT_STARTS_WITH
    folder: Path = Path("data/backlog")
    # Not in the original (it retried forever): a poison record goes to `failed` instead.
    processor_max_attempts: int = 100
    processor_max_item_age_ms: int = 7 * 24 * 3600 * 1000
    hive_off_enabled: bool = True
    hive_off_retention_days: int = 30
    hive_off_start_time: str = "02:30"  # HH:MM in [node] timezone
    # Not in the original: full detail for this many hours, per-minute rollups beyond it.
    hive_off_detail_hours: int = 6
    hive_off_interval_minutes: int = 10  # 0: only at StartTime
    hive_off_archive_days: int = 0  # 0: archive files are kept
    archive_folder: Path = Path("data/archive")


@dataclass(frozen=True, slots=True)
class NodeOptions:
    node_id: str = field(default_factory=socket.gethostname)
    embedded: bool = True
    database_path: Path = Path("data/pacing.db")
    timezone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class StatSourceOptions:
    kind: SourceKind = "simulator"
    url: str | None = None
    backup_url: str | None = None
    timeout_s: float = 3.0
    # http only (see docs/http.md): retries per request, CA bundle, how old a statistics
    # document may be (None: 3 refresh periods), how often to try the primary again.
    retries: int = 1
    ca_bundle: Path | None = None
    stale_after_s: float | None = None
    primary_recheck_s: float = 30.0


@dataclass(frozen=True, slots=True)
class PublisherOptions:
    """Where allowed invitations go; "http" uses `pacingEndpoint` and `hybrid_integration`."""

    kind: SourceKind = "simulator"
    # http only (see docs/http.md): CA bundle, retries per request, chunks in flight at once,
    # master lease lifetime (None: 3 refresh periods), share of the period a publish may take.
    ca_bundle: Path | None = None
    retries: int = 2
    concurrency: int = 4
    lease_ttl_s: float | None = None
    budget_ratio: float = 0.8


# --- readers: each takes the section (or None when absent) and never raises ------------------


def read_pacing(table: TableReader | None) -> PacingOptions:
    if table is None:
        return PacingOptions()
    options = PacingOptions(
        refresh_period_s=table.number("refreshPeriod", 5.0),
        default_goal_pct=read_goal_pct(table, DEFAULT_GOAL_PCT),
        algorithm=table.choice("algorithm", "predictive", ALGORITHMS),
        optimization_target=table.choice(
            "optimizationTarget", "abandonment_rate", OPTIMIZATION_TARGETS
        ),
    )
    table.finish()
    return options


def read_goal_pct(table: TableReader, default: float) -> float:
    return table.number("optimizationGoal", default)


def read_pacing_endpoint(table: TableReader | None) -> PacingEndpointOptions:
    if table is None:
        return PacingEndpointOptions()
    options = PacingEndpointOptions(
        target_endpoint=table.string("targetEndpoint", "v2/journey/actiontargets/bulk")
        or "v2/journey/actiontargets/bulk",
        timeout_s=table.number("timeout", 3.0),
        chunk_size=table.integer("chunkSize", 500),
        gzip=table.boolean("gzip", False),
    )
    table.finish()
    return options


def read_metrics(table: TableReader | None) -> MetricsOptions:
    if table is None:
        return MetricsOptions()
    options = MetricsOptions(
        console_enabled=table.boolean("reporter.console.enabled", False),
        console_log_frequency_s=table.duration_s("reporter.console.logFrequency", 1800.0),
        log_enabled=table.boolean("reporter.log.enabled", False),
        log_log_frequency_s=table.duration_s("reporter.log.logFrequency", 1800.0),
        message_server_enabled=table.boolean("reporter.messageServer.enabled", True),
        message_server_log_frequency_s=table.duration_s(
            "reporter.messageServer.logFrequency", 1800.0
        ),
        gc_latency_threshold_ms=table.number("GcLatency.threshold", 1000.0),
        gc_frequency_threshold_per_min=table.number("GcFrequency.threshold", 24.0),
        heap_usage_threshold_pct=table.number("HeapMemoryUsage.threshold", 90.0),
    )
    table.finish()
    return options


def read_log(table: TableReader | None, base_dir: Path | None) -> LogOptions:
    if table is None:
        return LogOptions()
    options = LogOptions(
        level=table.choice("level", "INFO", LOG_LEVELS),
        file=table.path_value("file", None, base_dir),
        format=table.choice("format", "text", LOG_FORMATS),
    )
    table.finish()
    return options


def read_backlog(table: TableReader | None, base_dir: Path | None) -> BacklogOptions:
    folder = Path("data/backlog")
    archive = Path("data/archive")
    if table is None:
        return BacklogOptions(
            folder=base_dir / folder if base_dir else folder,
            archive_folder=base_dir / archive if base_dir else archive,
        )
    warning_mb = table.integer("DiskSpaceMonitor.WarningUsedMB", 500)
    max_mb = table.integer("DiskSpaceMonitor.MaxUsedMB", 1000)
    if max_mb <= warning_mb:
        table.report(
            "DiskSpaceMonitor.MaxUsedMB",
            max_mb,
            f"more than DiskSpaceMonitor.WarningUsedMB ({warning_mb})",
        )
    options = BacklogOptions(
        processor_enabled=table.boolean("Processor.Enabled", True),
        processor_thread_count=table.integer("Processor.ThreadCount", 2),
        processor_min_item_age_ms=table.integer("Processor.MinItemAgeBeforeProcessingMillis", 5000),
        disk_check_interval_ms=table.integer("DiskSpaceMonitor.CheckIntervalMillis", 60000),
        disk_warning_used_mb=warning_mb,
        disk_max_used_mb=max_mb,
        treat_all_failures_as_backloggable=table.boolean("TreatAllFailuresAsBackloggable", False),
        backloggable_exact_match=table.string_list("BackLoggableErrorsList.ExactMatch", ()),
        backloggable_starts_with=table.string_list(
            "BackLoggableErrorsList.StartsWith", DEFAULT_STARTS_WITH, comma_separated=True
        ),
        folder=table.path_value("folder", "data/backlog", base_dir) or folder,
        processor_max_attempts=table.integer("Processor.MaxAttempts", 100),
        processor_max_item_age_ms=table.integer("Processor.MaxItemAgeMillis", 7 * 24 * 3600 * 1000),
        hive_off_enabled=table.boolean("HiveOff.Enabled", True),
        hive_off_retention_days=table.integer("HiveOff.RetentionDays", 30),
        hive_off_start_time=_read_clock_time(table, "HiveOff.StartTime", "02:30"),
        hive_off_detail_hours=table.integer("HiveOff.DetailHours", 6),
        hive_off_interval_minutes=table.integer("HiveOff.IntervalMinutes", 10),
        hive_off_archive_days=table.integer("HiveOff.ArchiveDays", 0),
        archive_folder=table.path_value("HiveOff.ArchiveFolder", "data/archive", base_dir)
        or archive,
    )
    table.finish()
    return options


def _read_clock_time(table: TableReader, key: str, default: str) -> str:
    text = table.string(key, default) or default
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        table.report(key, text, 'a time of day "HH:MM" such as "02:30"')
        return default
    return text


def read_node(table: TableReader | None, base_dir: Path | None) -> NodeOptions:
    database = Path("data/pacing.db")
    if table is None:
        return NodeOptions(database_path=base_dir / database if base_dir else database)
    timezone = table.string("timezone", "UTC") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        table.report("timezone", timezone, 'an IANA time zone name such as "Europe/Paris"')
        timezone = "UTC"
    options = NodeOptions(
        node_id=table.string("node_id") or socket.gethostname(),
        embedded=table.boolean("embedded", True),
        database_path=table.path_value("database", "data/pacing.db", base_dir) or database,
        timezone=timezone,
    )
    table.finish()
    return options


def read_stat_source(table: TableReader | None, base_dir: Path | None = None) -> StatSourceOptions:
    if table is None:
        return StatSourceOptions()
    kind = table.choice("kind", "simulator", SOURCE_KINDS)
    stale_after = table.value("stale_after")
    options = StatSourceOptions(
        kind=kind,
        url=table.url("url", required=kind == "http"),
        backup_url=table.url("backup_url"),
        timeout_s=table.number("timeout", 3.0),
        retries=table.integer("retries", 1),
        ca_bundle=table.path_value("ca_bundle", None, base_dir),
        stale_after_s=None if stale_after is None else table.duration_s("stale_after", 15.0),
        primary_recheck_s=table.duration_s("primary_recheck", 30.0),
    )
    table.finish()
    return options


def read_publisher(table: TableReader | None, base_dir: Path | None = None) -> PublisherOptions:
    if table is None:
        return PublisherOptions()
    lease_ttl = table.value("lease_ttl")
    options = PublisherOptions(
        kind=table.choice("kind", "simulator", SOURCE_KINDS),
        ca_bundle=table.path_value("ca_bundle", None, base_dir),
        retries=table.integer("retries", 2),
        concurrency=table.integer("concurrency", 4),
        lease_ttl_s=None if lease_ttl is None else table.duration_s("lease_ttl", 15.0),
        budget_ratio=table.number("budget_ratio", 0.8),
    )
    table.finish()
    return options
