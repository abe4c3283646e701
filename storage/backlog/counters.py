"""Running totals shared by the recorder, the processor threads and the disk monitor."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BacklogTotals:
    """Items since this process started: written to the backlog, drained, failed, refused."""

    backlogged: int = 0
    drained: int = 0
    failed: int = 0
    refused: int = 0


class BacklogCounters:
    """Thread-safe counters; `totals()` is a consistent snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = {"backlogged": 0, "drained": 0, "failed": 0, "refused": 0}

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def totals(self) -> BacklogTotals:
        with self._lock:
            return BacklogTotals(**self._counts)


class DiskGuard:
    """The writer's idea of the folder size between two monitor checks, and the Max limit."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._used_bytes = 0

    def measured(self, used_bytes: int) -> None:
        with self._lock:
            self._used_bytes = used_bytes

    def added(self, file_bytes: int) -> None:
        # Allocated size: a 700-byte file takes a 4 KiB block.
        with self._lock:
            self._used_bytes += -(-file_bytes // 4096) * 4096

    def refuses(self) -> bool:
        with self._lock:
            return self._used_bytes >= self.max_bytes
