"""Hive-off: per-minute rollups, compressed archives, purge and space reclaim (docs/backlog.md)."""

from storage.hive_off.archive import export_with_archive, read_archive
from storage.hive_off.run import HiveOffReport, HiveOffSettings, cutoff_for, run_hive_off
from storage.hive_off.schedule import NightlyHiveOff, next_run_at

__all__ = [
    "HiveOffReport",
    "HiveOffSettings",
    "NightlyHiveOff",
    "cutoff_for",
    "export_with_archive",
    "next_run_at",
    "read_archive",
    "run_hive_off",
]
