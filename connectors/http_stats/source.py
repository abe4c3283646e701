"""The HTTP statistics source: the cycle's `StatSource` over a JSON endpoint with a backup.

Each cycle polls the active server (primary, or the backup after the primary failed). While the
backup serves, the primary is tried again every `primary_recheck` seconds and takes over again
as soon as it answers. A target whose figures are missing, malformed or too old is left out of
the returned mapping (the cycle paces it at 0, reason "stale") and raises `StatisticsStale`
for that target; the condition clears when its figures are good again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from connectors.http_retry import HttpCallError, RetryPolicy, send_with_retries
from connectors.http_stats.counters import CounterTrack, continue_counter
from connectors.http_stats.document import (
    DocumentError,
    ParsedDocument,
    RawTargetFigures,
    parse_document,
)
from domain.latch import SignalLatch
from domain.ports import StatisticsByTarget
from domain.signals import AlarmSink, Condition
from domain.statistics import TargetStatistics
from domain.targets import PacingTarget

log = logging.getLogger(__name__)

_TOTALS = ("accepted_total", "abandoned_total", "reactive_arrivals_total")


class StatisticsUnavailableError(Exception):
    """Neither statistics server gave a usable document this cycle."""


@dataclass(frozen=True, slots=True)
class StatSourceSettings:
    url: str
    backup_url: str | None = None
    stale_after_s: float = 15.0
    primary_recheck_s: float = 30.0
    budget_s: float = 2.5  # for all servers and retries of one cycle
    policy: RetryPolicy = field(default_factory=RetryPolicy)


class HttpStatSource:
    """Reads statistics over HTTP; implements `engine.cycle.StatSource`."""

    def __init__(
        self,
        settings: StatSourceSettings,
        sink: AlarmSink,
        client: httpx.Client,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._client = client
        self._monotonic = monotonic
        self._sleep = sleep
        self._latch = SignalLatch(sink)
        self._on_backup = False
        self._backup_since = 0.0
        self._failover_reason = ""
        self._tracks: dict[tuple[str, str], CounterTrack] = {}
        self.resets_detected = 0

    @property
    def active_url(self) -> str:
        """The server this source reads from now."""
        backup = self._settings.backup_url
        return backup if self._on_backup and backup else self._settings.url

    def close(self) -> None:
        self._client.close()

    def read(self, targets: Sequence[PacingTarget], now: float) -> StatisticsByTarget:
        try:
            parsed = self._fetch(targets)
        except StatisticsUnavailableError as error:
            for target in targets:
                self._stale(target.target_id, str(error), now)
            raise
        self._observe_failover(now)
        too_old = self._age_problem(parsed, now)
        statistics: dict[str, TargetStatistics] = {}
        for target in targets:
            figures = parsed.figures.get(target.target_id)
            problem = too_old or parsed.stale.get(target.target_id)
            if figures is None or problem:
                self._stale(target.target_id, problem or "no figures", now)
                continue
            statistics[target.target_id] = self._continued(figures)
            self._latch.observe(
                Condition.STATISTICS_STALE,
                False,
                now,
                scope=target.target_id,
                reason="statistics fresh again",
            )
        return statistics

    def _observe_failover(self, now: float) -> None:
        """StatisticsFailover while the backup serves (redundancy is lost, pacing goes on)."""
        if self._settings.backup_url is None:
            return
        self._latch.observe(
            Condition.STATISTICS_FAILOVER,
            self._on_backup,
            now,
            reason=(
                f"backup {self._settings.backup_url} serves: {self._failover_reason}"
                if self._on_backup
                else f"primary {self._settings.url} serves"
            ),
        )

    def _stale(self, target_id: str, why: str, now: float) -> None:
        self._latch.observe(
            Condition.STATISTICS_STALE, True, now, scope=target_id, reason=f"{target_id}: {why}"
        )

    def _age_problem(self, parsed: ParsedDocument, now: float) -> str:
        if parsed.generated_at is None:
            return ""
        age_s = now - parsed.generated_at
        if age_s > self._settings.stale_after_s:
            return (
                f"statistics document is {age_s:.0f} s old (stat_source.stale_after is "
                f"{self._settings.stale_after_s:g} s)"
            )
        return ""

    def _servers(self) -> list[tuple[str, str]]:
        primary = ("primary", self._settings.url)
        if self._settings.backup_url is None:
            return [primary]
        backup = ("backup", self._settings.backup_url)
        recheck_due = self._monotonic() - self._backup_since >= self._settings.primary_recheck_s
        if self._on_backup and not recheck_due:
            return [backup, primary]
        return [primary, backup]

    def _fetch(self, targets: Sequence[PacingTarget]) -> ParsedDocument:
        servers = self._servers()
        failures: list[str] = []
        share_s = self._settings.budget_s / len(servers)
        for role, url in servers:
            try:
                parsed = self._fetch_one(url, targets, self._monotonic() + share_s)
            except (HttpCallError, DocumentError) as error:
                failures.append(f"{role} {url}: {error}")
                if role == "primary" and self._settings.backup_url and self._on_backup:
                    self._backup_since = self._monotonic()  # next recheck one period later
                continue
            self._switch(role, failures)
            return parsed
        raise StatisticsUnavailableError("; ".join(failures))

    def _switch(self, role: str, failures: list[str]) -> None:
        on_backup = role == "backup"
        if on_backup and not self._on_backup:
            self._failover_reason = "; ".join(failures)
            log.warning("statistics: backup server takes over (%s)", self._failover_reason)
            self._backup_since = self._monotonic()
        elif not on_backup and self._on_backup:
            log.info("statistics: primary server answers again and takes back over")
        self._on_backup = on_backup

    def _fetch_one(
        self, url: str, targets: Sequence[PacingTarget], deadline: float
    ) -> ParsedDocument:
        def send(timeout_s: float) -> httpx.Response:
            return self._client.get(url, timeout=timeout_s)

        response = send_with_retries(
            send,
            policy=self._settings.policy,
            deadline=deadline,
            clock=self._monotonic,
            sleep=self._sleep,
            what=f"statistics request to {url}",
        )
        if response.status_code != 200:
            raise HttpCallError(f"HTTP {response.status_code}", status=response.status_code)
        return parse_document(response.content, targets)

    def _continued(self, figures: RawTargetFigures) -> TargetStatistics:
        totals: dict[str, int] = {}
        for name in _TOTALS:
            key = (figures.target_id, name)
            track, total, reset = continue_counter(self._tracks.get(key), getattr(figures, name))
            self._tracks[key] = track
            totals[name] = total
            if reset:
                self.resets_detected += 1
                log.warning(
                    "statistics: %s of %s went down (counter reset); continuing from %d",
                    name,
                    figures.target_id,
                    total,
                )
        return TargetStatistics(
            target_id=figures.target_id,
            logged_in_slots=figures.logged_in_slots,
            ready_slots=figures.ready_slots,
            busy_slots=figures.busy_slots,
            in_queue=figures.in_queue,
            accepted_total=totals["accepted_total"],
            abandoned_total=totals["abandoned_total"],
            reactive_arrivals_total=totals["reactive_arrivals_total"],
            avg_handle_time_s=figures.avg_handle_time_s,
        )
