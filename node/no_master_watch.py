"""NoMasterNode for a dashboard that runs no node (`[node] embedded = false`).

Every node evaluates NoMasterNode after its own cycles, but when every node is gone nobody is
left to raise it. `NoMasterWatch` is a small background thread the dashboard's lifespan starts
when it embeds no node: every refresh period it reads the heartbeats and raises or clears
NoMasterNode through the same evaluation as a node (one `BEGIN IMMEDIATE`, so several
dashboards and nodes evaluating at once record one transition), then notifies the configured
channels of its raises and clears. Absent conditions are provisioned once, as a node does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from alarms.catalogue import default_conditions
from alarms.model import AlarmTransition
from connectors.notifiers import NotificationDispatcher, notification_for
from domain.freshness import node_stale_after_s
from domain.loops import BackgroundLoop
from node.alarm_evaluator import check_no_master
from node.alarm_parts import build_notifiers
from storage.alarms.store import load_conditions, provision_conditions
from storage.db import connect

if TYPE_CHECKING:
    from config import Config

log = logging.getLogger("alarms.no_master_watch")

WATCHER_ID = "dashboard"  # who the notifications say evaluated the alarm


class NoMasterWatch:
    """Evaluates NoMasterNode every `period_s` on its own thread and connection."""

    name = "NoMasterNode watch"

    def __init__(
        self,
        database_path: Path,
        *,
        period_s: float,
        stale_after_s: float,
        clock: Callable[[], float] = time.time,
        dispatcher: NotificationDispatcher | None = None,
        config: Config | None = None,
    ) -> None:
        if period_s <= 0:
            raise ValueError(f"period_s must be positive, got {period_s}")
        self._path = database_path
        self._period_s = period_s
        self._stale_after_s = stale_after_s
        self._clock = clock
        self._dispatcher = dispatcher
        self._config = config
        self._provisioned = False
        self._master_lease = config is not None and config.publisher.kind == "http"
        self._loop = BackgroundLoop(
            "no-master-watch", self._turn, failure_pause_s=period_s, logger=log
        )

    def check_once(self) -> tuple[AlarmTransition, ...]:
        """One evaluation now (the thread's body; tests call it directly)."""
        db = connect(self._path)
        try:
            if self._config is not None and not self._provisioned:
                # a fresh database gets the conditions, as at a node's start
                wanted = default_conditions(
                    self._config.metrics, self._config.alarms, self._config.compliance
                )
                provision_conditions(db, wanted, self._clock())
                self._provisioned = True
            transitions = check_no_master(
                db, self._clock(), self._stale_after_s, master_lease=self._master_lease
            )
            if self._dispatcher is not None and transitions:
                conditions = {c.name: c for c in load_conditions(db)}
                for transition in transitions:
                    condition = conditions.get(transition.condition)
                    note = condition and notification_for(transition, condition, WATCHER_ID)
                    if note:
                        self._dispatcher.submit(note)
            return transitions
        finally:
            db.close()

    def start(self) -> None:
        if self._loop.running:
            return
        if self._dispatcher is not None:
            self._dispatcher.start()
        self._loop.start()
        log.info("evaluating NoMasterNode every %g s (no embedded node)", self._period_s)

    def stop(self) -> None:
        self._loop.stop(timeout_s=10)
        if self._dispatcher is not None:
            self._dispatcher.stop()

    def _turn(self) -> float:
        self.check_once()  # a database hiccup is logged by the loop; the watch goes on
        return self._period_s


def build_no_master_watch(config: Config) -> NoMasterWatch:
    """The watch for this configuration: its database, period, staleness and channels."""
    period_s = config.pacing.refresh_period_s
    notifiers = build_notifiers(config)
    return NoMasterWatch(
        config.node.database_path,
        period_s=period_s,
        stale_after_s=node_stale_after_s(period_s),
        dispatcher=NotificationDispatcher(notifiers) if notifiers else None,
        config=config,
    )
