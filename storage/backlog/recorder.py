"""The recorder the node writes through: the database first, the backlog when that fails.

* a handled (backloggable) failure: the cycle's records become one backlog item;
* an unhandled one: the item goes straight to `failed/`, `DatabaseWriteFailed` is signalled
  (the original product lost the data here) and `record` raises `CycleNotStored`, so the node
  counts the cycle as not recorded (`pacing node --cycles N` exits 1);
* above `MaxUsedMB` new items are refused and counted, and `record` raises: that cycle is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.ports import CycleNotStored
from domain.signals import AlarmSignal, AlarmSink, Condition
from storage.backlog.classify import ErrorPolicy, error_name, is_backloggable
from storage.backlog.counters import BacklogCounters, DiskGuard
from storage.backlog.folder import BacklogFolder, BacklogFullError
from storage.backlog.items import BacklogItem, encode_item, new_item
from storage.backlog.owner import ProcessOwner

if TYPE_CHECKING:
    from domain.ports import CycleOutcome, CycleRecorder

log = logging.getLogger(__name__)


class BacklogWriter:
    """Writes new items into `pending/` (or `failed/`), refusing them above MaxUsedMB."""

    def __init__(
        self,
        folder: BacklogFolder,
        owner: ProcessOwner,
        guard: DiskGuard,
        counters: BacklogCounters,
    ) -> None:
        self.folder = folder
        self._owner = owner
        self._guard = guard
        self._counters = counters

    def write(self, item: BacklogItem, *, failed_reason: str | None = None) -> None:
        """Store the item durably; raises `BacklogFullError` / `BacklogWriteError`."""
        if self._guard.refuses():
            self._counters.add("refused")
            raise BacklogFullError(
                f"the backlog folder {self.folder.root} is above "
                f"Backlog.DiskSpaceMonitor.MaxUsedMB ({self._guard.max_bytes // 2**20} MB): "
                f"cycle {item.record_id} was refused and is lost. Bring the database back so "
                "the backlog drains, or raise MaxUsedMB."
            )
        if failed_reason is None:
            self.folder.write(item, self._owner.owner_id)
            self._counters.add("backlogged")
        else:
            self.folder.write_failed(item, self._owner.owner_id, failed_reason)
            self._counters.add("failed")
        self._guard.added(len(encode_item(item)))


class BacklogRecorder:
    """Wraps the direct recorder; `record` returns once the cycle is stored somewhere durable."""

    def __init__(
        self,
        direct: CycleRecorder,
        writer: BacklogWriter,
        policy: ErrorPolicy,
        *,
        min_item_age_s: float,
        clock: Callable[[], float],
        sink: AlarmSink,
    ) -> None:
        self._direct = direct
        self._writer = writer
        self._policy = policy
        self._min_item_age_s = min_item_age_s
        self._clock = clock
        self._sink = sink

    def record(self, outcome: CycleOutcome) -> None:
        try:
            self._direct.record(outcome)
            return
        except Exception as exc:  # noqa: BLE001 - classified: backlog, failed, never dropped
            error = exc
        name = error_name(error)
        now = self._clock()
        item = new_item(
            outcome.cycle, outcome.targets, f"{name}: {error}", now, self._min_item_age_s
        )
        if is_backloggable(name, self._policy):
            self._writer.write(item)
            log.warning("cycle %s backlogged after %s", item.record_id, name)
            return
        reason = f"unhandled database error {name}: {error}"
        self._writer.write(item, failed_reason=reason)
        log.error("cycle %s moved to the backlog's failed/: %s", item.record_id, reason)
        self._sink.signal(
            AlarmSignal(
                Condition.DATABASE_WRITE_FAILED,
                True,
                now,
                reason=f"cycle {item.record_id} could not be written ({name}); "
                "kept in the backlog's failed folder",
            )
        )
        raise CycleNotStored(
            f"cycle {item.record_id} is not in the database: {reason}; kept in "
            f"{self._writer.folder.root}/failed"
        )
