"""The node's compliance windows: a ledger of counter increases, the budget guard, burn rates.

`ComplianceKeeper` is a node service (it reads the stored increases back at start, so a restart
keeps the windows) and the cycle's goal guard. The read runs on a thread of its own: at 10,000
targets the stored minutes of 30 days take far longer to read than a node may stay blind after a
start, so the node cycles at once; until the read is in, the guard leaves decisions alone and the
samples of those cycles are kept and added after the stored minutes (`wait_loaded`). Each
cycle it adds the new running totals to its ledger, then hands every snapshot the goal that
keeps the target's tightest window within its goal (`budget_goal_pct`). The alarm evaluator
reads its burn-rate counts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from config.compliance import ComplianceOptions
from domain.compliance import CounterLedger, budget_goals_pct, minute_of, window_since
from domain.decisions import TargetSnapshot
from storage.compliance import read_minute_counts
from storage.db import PerThreadDatabase

log = logging.getLogger(__name__)


class ComplianceKeeper:
    """Keeps per-target minute increases for the compliance windows and the burn-rate alarms."""

    name = "compliance windows"

    def __init__(
        self,
        options: ComplianceOptions,
        zone: ZoneInfo,
        clock: Callable[[], float],
        database: PerThreadDatabase | None = None,
    ) -> None:
        self.options = options
        self._zone = zone
        self._clock = clock
        self._database = database
        self._ledger = CounterLedger(options.retention_s)
        self._goals: dict[str, float] = {}
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        # samples seen while the stored minutes are read: replayed onto them once read
        self._while_loading: list[tuple[str, float, int | None, int | None]] = []

    def start(self) -> None:
        """Start reading the stored increases back (every node's records of the same targets)."""
        if self._database is None:
            self._loaded.set()
            return
        threading.Thread(target=self._load, name="compliance-read", daemon=True).start()

    def _load(self) -> None:
        assert self._database is not None
        now = self._clock()
        ledger = CounterLedger(self.options.retention_s)
        try:
            minutes, last = read_minute_counts(
                self._database.get(), now - self.options.retention_s, now
            )
            ledger.seed(minutes, last)
        except Exception as error:  # the windows then start from now: said, not hidden
            log.error("compliance windows: stored minutes not read back (%s); from now on", error)
            minutes = []
            ledger = self._ledger
        finally:
            self._database.close_current_thread()
        with self._lock:
            if ledger is not self._ledger:
                for sample in self._while_loading:
                    ledger.observe(*sample)  # those already stored add nothing (same time)
                self._ledger = ledger
            self._while_loading = []
            self._loaded.set()
        log.info("compliance windows: %d stored minutes read back", len(minutes))

    def wait_loaded(self, timeout_s: float | None = None) -> bool:
        """Whether the stored minutes have been read back (waiting up to `timeout_s`)."""
        return self._loaded.wait(timeout_s)

    def stop(self) -> None:
        return None

    def guard(self, snapshots: Sequence[TargetSnapshot], now: float) -> list[TargetSnapshot]:
        """Record this cycle's totals; with the guard on, give each snapshot its budget goal."""
        with self._lock:
            loading = not self._loaded.is_set()
            for snapshot in snapshots:
                self._ledger.observe(
                    snapshot.target_id, now, snapshot.accepted_total, snapshot.abandoned_total
                )
                self._goals[snapshot.target_id] = snapshot.goal_pct
            if loading:
                self._while_loading.extend(
                    (s.target_id, now, s.accepted_total, s.abandoned_total) for s in snapshots
                )
            if not self.options.guard or loading:
                return list(snapshots)
            starts = [window_since(kind, now, self._zone) for kind in self.options.windows]
            options = self.options
            goals = budget_goals_pct(
                self._ledger,
                [(snapshot.target_id, snapshot.goal_pct) for snapshot in snapshots],
                now,
                starts,
                options.guard_horizon_s,
                options.guard_min_goal_share,
            )
            # most targets are within their goal: they go on unchanged (no copy)
            return [
                snapshot if goal is None else replace(snapshot, budget_goal_pct=goal)
                for snapshot, goal in zip(snapshots, goals, strict=True)
            ]

    def counts(self, target_id: str, since: float) -> tuple[int, int]:
        """(accepted, abandoned) from the minute of `since` on."""
        with self._lock:
            return self._ledger.counts_since(target_id, since)

    def burning(self, short_since: float, threshold: float) -> list[str]:
        """Targets whose abandoned share from `short_since` is over `threshold` x their goal.

        A burn alarm needs that (and more): the others cannot burn. One pass under the lock.
        """
        found = []
        minute = minute_of(short_since)
        with self._lock:
            series_of = self._ledger.series_of
            for target_id, goal_pct in self._goals.items():
                series = series_of(target_id)
                if goal_pct <= 0 or series is None or not series.minutes:
                    continue
                if series.minutes[-1] < minute:
                    continue  # no increase in the window
                accepted, abandoned = series.from_minute(minute)
                if abandoned and abandoned * 100.0 > threshold * goal_pct * (accepted + abandoned):
                    found.append(target_id)
        return found

    def burn_counts(
        self, target_ids: Sequence[str], short_since: float, long_since: float
    ) -> list[tuple[str, float, tuple[int, int], tuple[int, int]]]:
        """(target, goal, short counts, long counts) of each known target of `target_ids`."""
        with self._lock:
            counts_since = self._ledger.counts_since
            return [
                (
                    target_id,
                    self._goals[target_id],
                    counts_since(target_id, short_since),
                    counts_since(target_id, long_since),
                )
                for target_id in target_ids
                if target_id in self._goals
            ]

    def goals(self) -> dict[str, float]:
        """Each target's goal as last seen."""
        with self._lock:
            return dict(self._goals)
