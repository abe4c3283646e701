"""How a node stores its cycles: into SQLite, through the backlog when that fails.

`build_recording` returns the recorder (database first; on a handled failure the cycle goes
to the backlog folder, on an unhandled one to its `failed/` folder with an alarm) and the
storage services: backlog processor threads, the backlog disk monitor, the nightly hive-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.signals import AlarmSink
from storage.backlog import (
    BacklogCounters,
    BacklogDatabase,
    BacklogFolder,
    BacklogProcessor,
    BacklogRecorder,
    BacklogWriter,
    DiskGuard,
    DiskMonitor,
    ErrorPolicy,
    ProcessorService,
    ProcessOwner,
    RetrySettings,
)
from storage.cycles import record_cycle
from storage.db import PerThreadDatabase
from storage.hive_off import HiveOffSettings, NightlyHiveOff
from storage.nodes import record_heartbeat

if TYPE_CHECKING:
    from config import BacklogOptions, Config
    from domain.ports import CycleOutcome, CycleRecorder, NodeService
    from node.parts import NodeParts

log = logging.getLogger(__name__)


class DirectRecorder:
    """Writes the cycle and the node's heartbeat in the calling thread's connection."""

    def __init__(self, database: PerThreadDatabase) -> None:
        self._database = database

    def record(self, outcome: CycleOutcome) -> None:
        """Raises only when the cycle is not stored; a failed heartbeat is logged (the next
        cycle moves it), so a stored cycle never lands in the backlog."""
        try:
            db = self._database.get()
            record_cycle(db, outcome.cycle, outcome.targets)
        except Exception:
            # A broken connection is not reused: the next cycle opens a fresh one.
            self._database.close_current_thread()
            raise
        try:
            record_heartbeat(db, outcome.cycle.node_id, outcome.cycle.started_at)
        except Exception as exc:  # noqa: BLE001 - the cycle is stored; the heartbeat can wait
            self._database.close_current_thread()
            log.warning("could not move the heartbeat of node %s: %s", outcome.cycle.node_id, exc)


def error_policy(options: BacklogOptions) -> ErrorPolicy:
    return ErrorPolicy(
        options.treat_all_failures_as_backloggable,
        options.backloggable_exact_match,
        options.backloggable_starts_with,
    )


def retry_settings(options: BacklogOptions) -> RetrySettings:
    return RetrySettings(
        min_item_age_s=options.processor_min_item_age_ms / 1000,
        max_attempts=options.processor_max_attempts,
        max_item_age_s=options.processor_max_item_age_ms / 1000,
        errors=error_policy(options),
    )


def build_recording(
    config: Config, database: PerThreadDatabase, sink: AlarmSink, clock: Callable[[], float]
) -> tuple[CycleRecorder, NodeParts]:
    """The recorder the node writes each cycle through, and storage's background parts."""
    from node.parts import NodeParts

    options = config.backlog
    folder = BacklogFolder(options.folder)
    owner = ProcessOwner(folder)
    counters = BacklogCounters()
    guard = DiskGuard(options.disk_max_used_mb * 2**20)
    writer = BacklogWriter(folder, owner, guard, counters)
    recorder = BacklogRecorder(
        DirectRecorder(database),
        writer,
        error_policy(options),
        min_item_age_s=options.processor_min_item_age_ms / 1000,
        clock=clock,
        sink=sink,
    )
    backlog_db = BacklogDatabase(config.node.database_path)
    settings = retry_settings(options)

    def make_processor() -> BacklogProcessor:
        return BacklogProcessor(
            folder,
            owner,
            backlog_db.write_item,
            settings,
            clock=clock,
            sink=sink,
            counters=counters,
        )

    services: list[NodeService] = [
        ProcessorService(
            make_processor,
            folder,
            thread_count=options.processor_thread_count,
            enabled=lambda: backlog_db.processor_enabled(options.processor_enabled),
            on_thread_exit=backlog_db.close_current_thread,
        ),
        DiskMonitor(
            folder,
            node_id=config.node.node_id,
            warning_mb=options.disk_warning_used_mb,
            max_mb=options.disk_max_used_mb,
            interval_s=options.disk_check_interval_ms / 1000,
            guard=guard,
            counters=counters,
            sink=sink,
            clock=clock,
            database=BacklogDatabase(config.node.database_path),
        ),
    ]
    if options.hive_off_enabled:
        services.append(
            NightlyHiveOff(
                hive_off_settings(config),
                start_time=options.hive_off_start_time,
                zone=config.node.zone,
                every_s=options.hive_off_interval_minutes * 60.0 or None,
                clock=clock,
            )
        )
    return recorder, NodeParts(services=tuple(services))


def hive_off_settings(config: Config) -> HiveOffSettings:
    options = config.backlog
    return HiveOffSettings(
        database_path=config.node.database_path,
        backlog_folder=options.folder,
        archive_folder=options.archive_folder,
        retention_days=options.hive_off_retention_days,
        max_item_age_s=options.processor_max_item_age_ms / 1000,
        node_id=config.node.node_id,
        detail_hours=options.hive_off_detail_hours,
        max_rows_per_run=HIVE_OFF_ROWS_PER_RUN,
        chunk_rows=HIVE_OFF_CHUNK_ROWS,
        archive_days=options.hive_off_archive_days or None,
    )


# A run handles at most this much detail, so one run stays bounded (about a minute of work at
# 10,000 targets); it is more than a 10,000-target node makes in 10 minutes at a 5 s period
# (1.2 million rows), so frequent runs keep up, and a first run on a big backlog catches up
# over several runs.
HIVE_OFF_ROWS_PER_RUN = 2_000_000
# Rows per chunk transaction (whole cycles): one cycle at 10,000 targets, so a cycle's record
# waits for at most one such transaction.
HIVE_OFF_CHUNK_ROWS = 10_000
