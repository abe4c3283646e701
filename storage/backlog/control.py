"""SQL of the backlog: run-time settings, disk samples, and the processors' writes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from storage.backlog.items import BacklogItem
from storage.cycles import record_cycle
from storage.db import PerThreadDatabase
from storage.transactions import write_transaction

PROCESSOR_ENABLED = "Processor.Enabled"


def read_processor_enabled(db: sqlite_utils.Database) -> bool | None:
    """The run-time `Backlog.Processor.Enabled` set by `pacing backlog`; None: as configured."""
    row = db.execute(
        "SELECT value FROM backlog_settings WHERE name = :name", {"name": PROCESSOR_ENABLED}
    ).fetchone()
    return None if row is None else row[0] == "true"


def write_processor_enabled(db: sqlite_utils.Database, enabled: bool | None, at: float) -> None:
    """Turn backlog processing on/off at run time for every node; None: back to the config."""
    with write_transaction(db):
        if enabled is None:
            db.execute(
                "DELETE FROM backlog_settings WHERE name = :name", {"name": PROCESSOR_ENABLED}
            )
            return
        db.execute(
            "INSERT INTO backlog_settings (name, value, updated_at) VALUES (:name, :value, :at) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            {"name": PROCESSOR_ENABLED, "value": "true" if enabled else "false", "at": at},
        )


@dataclass(frozen=True, slots=True)
class BacklogSample:
    """One disk-monitor check as stored for the dashboard's Backlog page."""

    node_id: str
    at: float
    used_bytes: int
    pending_items: int
    processing_items: int
    failed_items: int
    backlogged_total: int
    drained_total: int
    failed_total: int
    refused_total: int
    level: str  # "normal", "warning" or "major"


def record_backlog_sample(db: sqlite_utils.Database, sample: BacklogSample) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO backlog_samples (node_id, at, used_bytes, pending_items, "
            "processing_items, failed_items, backlogged_total, drained_total, failed_total, "
            "refused_total, level) VALUES (:node_id, :at, :used_bytes, :pending_items, "
            ":processing_items, :failed_items, :backlogged_total, :drained_total, :failed_total, "
            ":refused_total, :level) ON CONFLICT(node_id, at) DO NOTHING",
            asdict(sample),
        )


class BacklogDatabase(PerThreadDatabase):
    """Per-thread connections for backlog threads, with `synchronous=FULL`: the item file is
    deleted after the commit, so the commit must survive a power loss."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        super().__init__(path, busy_timeout_ms=busy_timeout_ms, synchronous="FULL")

    def write_item(self, item: BacklogItem) -> bool:
        """Store the item's records (idempotent); False when they were stored already."""
        try:
            return record_cycle(self.get(), item.cycle, item.targets)
        except Exception:
            self.close_current_thread()  # a broken connection is not reused
            raise

    def processor_enabled(self, default: bool) -> bool:
        """The run-time switch; `default` (the config) when unset or unreadable."""
        try:
            value = read_processor_enabled(self.get())
        except Exception:  # noqa: BLE001 - the database being down is why the backlog exists
            self.close_current_thread()
            return default
        return default if value is None else value
