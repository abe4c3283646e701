"""The pacing node: one APScheduler job running the cycle every refresh period.

The node is the imperative shell around `node.cycle.PacingCycle`: it owns the scheduler,
the clock and the database connections (one per thread: the cycle runs on its own
single-thread executor, scheduler events arrive on the scheduler's thread). Overruns are
never silent: APScheduler's skipped and missed fires are stored as scheduler events and
counted on the next cycle, and a cycle longer than its period is stored as `overrun`.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.ports import (
    CycleNotStored,
    CycleObserver,
    CycleOutcome,
    CycleRecorder,
    LoadingService,
    NodeService,
)
from domain.records import NodeMode, SchedulerEventKind
from node.cycle import PacingCycle
from node.gc_tuning import settle_after_start_up
from node.recording import DirectRecorder
from node.reload import ConfigReloader
from storage.db import PerThreadDatabase
from storage.nodes import record_node_start, record_node_stop, record_scheduler_event

log = logging.getLogger(__name__)


JOB_ID = "pacing-cycle"
# On stop, a running cycle may finish on its own this long before its requests are aborted.
STOP_GRACE_S = 2.0


_EVENT_KINDS: dict[int, SchedulerEventKind] = {
    EVENT_JOB_MAX_INSTANCES: "skipped",
    EVENT_JOB_MISSED: "missed",
    EVENT_JOB_ERROR: "error",
}


@dataclass(frozen=True, slots=True)
class NodeCounters:
    """What the node has done since it started (for /healthz and tests)."""

    cycles_run: int
    cycles_recorded: int
    record_failures: int
    skipped_fires: int
    last_cycle_at: float | None


class Node:
    """Runs pacing cycles on a schedule and records each one."""

    def __init__(
        self,
        *,
        node_id: str,
        database_path: Path,
        cycle: PacingCycle,
        mode: NodeMode,
        config_path: str = "",
        clock: Callable[[], float] = time.time,
        database: PerThreadDatabase | None = None,
        recorder: CycleRecorder | None = None,
        observers: Sequence[CycleObserver] = (),
        services: Sequence[NodeService] = (),
        reloader: ConfigReloader | None = None,
    ) -> None:
        self.node_id = node_id
        self.mode = mode
        self.period_s = cycle.period_s
        self.database_path = database_path
        self._cycle = cycle
        self._config_path = config_path
        self._clock = clock
        self._db = database or PerThreadDatabase(database_path)
        self._recorder = recorder or DirectRecorder(self._db)
        self._observers = tuple(observers)
        self._services = tuple(services)
        self._services_started: list[NodeService] = []
        self.reloader = reloader
        self._scheduler: BackgroundScheduler | None = None
        self._anchor: float | None = None
        self._seq = 0
        self._skipped_since_last = 0
        self._counts_lock = threading.Lock()
        self._cycle_running = threading.Lock()  # held while a cycle runs (stop waits on it)
        self._cycles_run = 0
        self._cycles_recorded = 0
        self._record_failures = 0
        self._skipped_total = 0
        self._last_cycle_at: float | None = None
        self._last_phases_s: dict[str, float] = {}

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def counters(self) -> NodeCounters:
        with self._counts_lock:
            return NodeCounters(
                self._cycles_run,
                self._cycles_recorded,
                self._record_failures,
                self._skipped_total,
                self._last_cycle_at,
            )

    def last_phases_s(self) -> dict[str, float]:
        """Seconds each step of the last finished cycle took (collect ... record, alarms)."""
        with self._counts_lock:
            return dict(self._last_phases_s)

    def start(self) -> None:
        """Record the node, then schedule the cycle every period starting now."""
        if self._scheduler is not None:
            raise RuntimeError(f"node {self.node_id!r} is already started")
        now = self._register()
        scheduler = BackgroundScheduler(
            executors={"cycle": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": max(1, math.ceil(self.period_s)),
            },
            timezone="UTC",
        )
        scheduler.add_listener(
            self._on_scheduler_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR
        )
        scheduler.add_job(
            self._run_cycle,
            IntervalTrigger(seconds=self.period_s, timezone="UTC"),
            id=JOB_ID,
            executor="cycle",
            next_run_time=_utc_datetime(now),
        )
        self._start_services()
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "node %s started (%s, period %.3g s, %d targets, database %s)",
            self.node_id,
            self.mode,
            self.period_s,
            len(self._cycle.targets),
            self.database_path,
        )

    def stop(self) -> None:
        """Stop scheduling, end a running cycle promptly, record the stop.

        A running cycle gets `STOP_GRACE_S` to finish; then its requests in flight are aborted
        (the ports are closed), so it ends at once and is recorded with why. A server that
        trickles can therefore never hold a stopping node.
        """
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)  # no new cycle; the running one goes on
        finished = self._cycle_running.acquire(timeout=STOP_GRACE_S)
        if not finished:
            log.warning("node %s: aborting the running cycle's requests to stop", self.node_id)
        self._cycle.close()
        if not finished:
            self._cycle_running.acquire()
        self._cycle_running.release()
        self._stop_services()
        if self._anchor is None:
            return
        self._anchor = None
        try:
            record_node_stop(self._db.get(), self.node_id, self._clock())
        finally:
            self._db.close_current_thread()
        log.info("node %s stopped", self.node_id)

    def request_reload(self, who: str, source: str) -> bool:
        """Reload the configuration before the next cycle; False when this node cannot."""
        if self.reloader is None:
            return False
        self.reloader.request(who, source)
        return True

    def prepare(self) -> None:
        """Record the node's start and start its services, once, without scheduling cycles.

        `run_once` does this itself; calling it first times start-up apart from the cycle.
        """
        if self._anchor is None:
            self._register()
            self._start_services()

    def wait_ready(self, timeout_s: float | None = None) -> bool:
        """Whether every service loading in the background has finished (waiting up to
        `timeout_s` for each): the node cycles meanwhile, this is for tests and tools."""
        return all(
            service.wait_loaded(timeout_s)
            for service in self._services
            if isinstance(service, LoadingService)
        )

    def run_once(self) -> CycleOutcome:
        """Run and record one cycle in the calling thread (CLI experiments, benchmarks)."""
        self.prepare()
        return self._run_cycle()

    def _start_services(self) -> None:
        for service in self._services:
            if service in self._services_started:
                continue
            service.start()
            self._services_started.append(service)
            log.info("node %s: %s started", self.node_id, service.name)
        settle_after_start_up()  # everything long-lived exists now: stop scanning it

    def _stop_services(self) -> None:
        while self._services_started:
            service = self._services_started.pop()
            try:
                service.stop()
            except Exception:  # noqa: BLE001 - stopping the others matters more
                log.exception("node %s: %s did not stop cleanly", self.node_id, service.name)

    def _register(self) -> float:
        """Record this node's start (its heartbeat row); the start anchors the schedule."""
        now = self._clock()
        record_node_start(
            self._db.get(),
            node_id=self.node_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            mode=self.mode,
            period_s=self.period_s,
            started_at=now,
            config_path=self._config_path,
        )
        self._anchor = now
        return now

    def _scheduled_at(self, started_at: float) -> float:
        anchor = self._anchor if self._anchor is not None else started_at
        periods = max(0, math.floor((started_at - anchor) / self.period_s + 1e-9))
        return anchor + periods * self.period_s

    def _run_cycle(self) -> CycleOutcome:
        with self._cycle_running:
            return self._run_and_record()

    def _run_and_record(self) -> CycleOutcome:
        with self._counts_lock:
            self._seq += 1
            seq = self._seq
            skipped, self._skipped_since_last = self._skipped_since_last, 0
        if self.reloader is not None:
            try:
                self.reloader.reload_if_requested()
            except Exception:  # noqa: BLE001 - a reload must never stop the cycle
                log.exception("configuration reload failed")
        started = self._clock()
        outcome = self._cycle.run(
            seq=seq, scheduled_at=self._scheduled_at(started), skipped_before=skipped
        )
        phases = dict(self._cycle.last_phases_s)
        lap = time.perf_counter()
        recorded = False
        try:
            self._recorder.record(outcome)
            recorded = True
        except CycleNotStored as error:  # already logged and alarmed where it happened
            log.error("%s", error)
        except Exception:  # noqa: BLE001 - a failed write must not stop the node
            log.exception("could not record cycle %s", outcome.cycle.cycle_id)
        lap = _lap(phases, "record", lap)
        for observer in self._observers:
            try:
                observer.after_cycle(outcome, recorded)
            except Exception:  # noqa: BLE001 - one observer must not stop the cycle
                log.exception("cycle observer %r failed", observer)
            lap = _lap(phases, getattr(observer, "phase", "observers"), lap)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "cycle %s phases: %s",
                outcome.cycle.cycle_id,
                ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in phases.items()),
            )
        with self._counts_lock:
            self._last_phases_s = phases
            self._cycles_run += 1
            self._cycles_recorded += int(recorded)
            self._record_failures += int(not recorded)
            self._last_cycle_at = outcome.cycle.started_at
        if outcome.cycle.status != "ok":
            log.warning(
                "cycle %s %s: %s",
                outcome.cycle.cycle_id,
                outcome.cycle.status,
                outcome.cycle.error or f"{outcome.cycle.errors_count} target errors",
            )
        return outcome

    def _on_scheduler_event(self, event: JobEvent) -> None:
        kind: SchedulerEventKind = _EVENT_KINDS.get(event.code, "error")
        if kind == "skipped":
            with self._counts_lock:
                self._skipped_since_last += 1
                self._skipped_total += 1
            log.warning("cycle overrun: a fire was skipped while the previous cycle ran")
        # Skips arrive as JobSubmissionEvent (scheduled_run_times), the rest as
        # JobExecutionEvent (scheduled_run_time, exception).
        times = getattr(event, "scheduled_run_times", None) or [
            getattr(event, "scheduled_run_time", None)
        ]
        scheduled = ", ".join(str(t) for t in times if t is not None)
        error = getattr(event, "exception", None)
        detail = f"{error!r} " if error is not None else ""
        try:
            record_scheduler_event(
                self._db.get(),
                event_id=uuid.uuid4().hex,
                node_id=self.node_id,
                at=self._clock(),
                kind=kind,
                detail=f"{detail}scheduled {scheduled}",
            )
        except Exception:  # noqa: BLE001
            log.exception("could not record scheduler event %s", kind)


def _lap(phases: dict[str, float], name: str, since: float) -> float:
    """Add the time since `since` to phase `name`; return now (the next lap's start)."""
    now = time.perf_counter()
    phases[name] = phases.get(name, 0.0) + now - since
    return now


def _utc_datetime(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=UTC)
