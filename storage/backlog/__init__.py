"""The file backlog for failed database writes, its processors and its disk monitor.

See docs/backlog.md. Public surface: `BacklogFolder`, `BacklogItem`, `BacklogProcessor`,
`ProcessorService`, `DiskMonitor`, `BacklogRecorder`, `BacklogWriter`, `recover_dead_owners`.
"""

from storage.backlog.classify import ErrorPolicy, error_name, is_backloggable
from storage.backlog.control import BacklogDatabase
from storage.backlog.counters import BacklogCounters, BacklogTotals, DiskGuard
from storage.backlog.folder import BacklogFolder, BacklogFullError, BacklogWriteError, FolderUsage
from storage.backlog.items import BacklogItem, ItemCorruptError, decode_item, encode_item
from storage.backlog.monitor import DiskLevels, DiskMonitor, evaluate_disk_levels
from storage.backlog.owner import ProcessOwner, backlog_paused, recover_dead_owners
from storage.backlog.policy import RetrySettings
from storage.backlog.processor import BacklogProcessor, Outcome, ProcessorService
from storage.backlog.recorder import BacklogRecorder, BacklogWriter

__all__ = [
    "BacklogCounters",
    "BacklogDatabase",
    "BacklogFolder",
    "BacklogFullError",
    "BacklogItem",
    "BacklogProcessor",
    "BacklogRecorder",
    "BacklogTotals",
    "BacklogWriteError",
    "BacklogWriter",
    "DiskGuard",
    "DiskLevels",
    "DiskMonitor",
    "ErrorPolicy",
    "FolderUsage",
    "ItemCorruptError",
    "Outcome",
    "ProcessOwner",
    "ProcessorService",
    "RetrySettings",
    "backlog_paused",
    "decode_item",
    "encode_item",
    "error_name",
    "evaluate_disk_levels",
    "is_backloggable",
    "recover_dead_owners",
]
