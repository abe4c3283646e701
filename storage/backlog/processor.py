"""Backlog processor threads: claim an item, write it to the database, then delete it.

The order is the point: written first and deleted after, a kill between the two leaves the
item to be written again (an idempotent no-op); deleted first, a kill loses it (measured in
benchmarks/backlog_drain.py).
"""

from __future__ import annotations

import enum
import functools
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path

from domain.loops import BackgroundLoop
from domain.signals import AlarmSignal, AlarmSink, Condition
from storage.backlog.classify import error_name
from storage.backlog.counters import BacklogCounters
from storage.backlog.folder import BacklogFolder
from storage.backlog.items import BacklogItem, ItemCorruptError, decode_item, due_from_name
from storage.backlog.owner import PauseGate, ProcessOwner, recover_dead_owners
from storage.backlog.policy import RetrySettings, after_failure, too_old

log = logging.getLogger(__name__)

WriteItem = Callable[[BacklogItem], bool]


class Outcome(enum.Enum):
    WRITTEN = "written"  # stored (or found stored already) and deleted
    RETRY = "retry"  # a handled failure: back in pending with a later due time
    FAILED = "failed"  # moved to failed/
    NOTHING_DUE = "nothing due"


class BacklogProcessor:
    """One thread's processor: keeps its own listing of pending items between claims."""

    def __init__(
        self,
        folder: BacklogFolder,
        owner: ProcessOwner,
        write_item: WriteItem,
        settings: RetrySettings,
        *,
        clock: Callable[[], float],
        sink: AlarmSink,
        counters: BacklogCounters,
    ) -> None:
        self._folder = folder
        self._owner = owner
        self._write_item = write_item
        self._settings = settings
        self._clock = clock
        self._sink = sink
        self._counters = counters
        self._candidates: deque[str] = deque()

    def process_next(self) -> Outcome:
        """Claim the first due item and process it; NOTHING_DUE when none is due."""
        for refreshed in (False, True):
            if refreshed or not self._candidates:
                self._candidates = deque(self._folder.pending_names())
            now = self._clock()
            while self._candidates:
                due = due_from_name(self._candidates[0])
                if due is not None and due > now:
                    self._candidates.clear()  # sorted: nothing after it is due either
                    break
                claimed = self._folder.claim(self._candidates.popleft(), self._owner.owner_id)
                if claimed is not None:
                    return self.process_claimed(claimed)
        return Outcome.NOTHING_DUE

    def process_claimed(self, claimed: Path) -> Outcome:
        """Decode, write, then delete (or re-backlog, or fail) one claimed item."""
        try:
            item = decode_item(claimed.read_bytes())
        except (ItemCorruptError, OSError) as exc:
            return self._fail(claimed, f"cannot decode the backlog file: {exc}", None)
        now = self._clock()
        reason = too_old(item, now, self._settings)
        if reason is not None:
            return self._fail(claimed, reason, item)
        try:
            self._write_item(item)
        except Exception as exc:  # noqa: BLE001 - classified below, never lost
            name = error_name(exc)
            reason = after_failure(item, name, self._settings)
            if reason is not None:
                return self._fail(claimed, f"{reason}: {exc}", item)
            retry = item.retried(f"{name}: {exc}", now, self._settings.min_item_age_s)
            self._folder.release(claimed, retry, self._owner.owner_id)
            return Outcome.RETRY
        self._folder.complete(claimed)
        self._counters.add("drained")
        return Outcome.WRITTEN

    def _fail(self, claimed: Path, reason: str, item: BacklogItem | None) -> Outcome:
        self._folder.fail(claimed, reason)
        self._counters.add("failed")
        what = f"cycle {item.record_id}" if item else f"file {claimed.name}"
        log.error("backlog: %s moved to failed/: %s", what, reason)
        self._sink.signal(
            AlarmSignal(
                Condition.DATABASE_WRITE_FAILED,
                True,
                self._clock(),
                reason=f"{what} moved to failed/",
            )
        )
        return Outcome.FAILED


class ProcessorService:
    """`Backlog.Processor.ThreadCount` threads draining the backlog (a NodeService)."""

    name = "backlog processor"

    def __init__(
        self,
        make_processor: Callable[[], BacklogProcessor],
        folder: BacklogFolder,
        *,
        thread_count: int,
        enabled: Callable[[], bool],
        idle_s: float = 2.0,
        failure_pause_s: float = 5.0,
        on_thread_exit: Callable[[], None] = lambda: None,
    ) -> None:
        self._make_processor = make_processor
        self._folder = folder
        self._thread_count = thread_count
        self._enabled = enabled
        self._idle_s = idle_s
        self._failure_pause_s = failure_pause_s
        self._on_thread_exit = on_thread_exit
        self._loops: list[BackgroundLoop] = []

    def start(self) -> None:
        recover_dead_owners(self._folder)
        for number in range(self._thread_count):
            processor, gate = self._make_processor(), PauseGate(self._folder)

            def close(gate: PauseGate = gate) -> None:
                gate.close()
                self._on_thread_exit()

            loop = BackgroundLoop(
                f"backlog-processor-{number + 1}",
                functools.partial(self._step, processor, gate),
                failure_pause_s=self._failure_pause_s,
                on_exit=close,
                logger=log,
            )
            loop.start()
            self._loops.append(loop)

    def stop(self) -> None:
        for loop in self._loops:
            loop.stop()
        self._loops.clear()

    def _step(self, processor: BacklogProcessor, gate: PauseGate) -> float:
        """One turn of a thread's loop; returns how long to wait before the next."""
        if not self._enabled() or not gate.enter():
            return self._idle_s
        try:
            outcome = processor.process_next()
        except Exception:  # noqa: BLE001 - one bad turn must not end the thread
            log.exception("backlog processor turn failed")
            return self._failure_pause_s
        finally:
            gate.leave()
        if outcome is Outcome.NOTHING_DUE:
            return self._idle_s
        return self._failure_pause_s if outcome is Outcome.RETRY else 0.0
