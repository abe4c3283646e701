"""The HTTP statistics source: the cycle's `StatSource` over a JSON endpoint with a backup.

Each cycle polls the active server (primary, or the backup after the primary failed). While the
backup serves, the primary is tried again every `primary_recheck` seconds and takes over again
as soon as it answers. A server "answers" only with a usable document: one that arrives whole
within its share of the budget, under the size limit, parses, is neither too old nor dated in
the future, and gives at least one target usable figures; anything else fails over like a
transport error. A target whose figures are missing, malformed, implausible (`domain.bounds`)
or rise implausibly (`counters`) is left out of the returned mapping (the cycle paces it at 0,
reason "stale") and raises `StatisticsStale` for that target; the condition clears when its
figures are good again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from connectors.http_exchange import Exchanger, Reply
from connectors.http_retry import HttpCallError, RetryPolicy, http_failure, send_with_retries
from connectors.http_stats.counters import (
    CounterStep,
    CounterTrack,
    continue_counter,
    plain_rise,
)
from connectors.http_stats.document import (
    DocumentError,
    ParsedDocument,
    RawTargetFigures,
    check_generated_at,
    parse_document,
)
from domain.latch import SignalLatch
from domain.ports import StatisticsByTarget
from domain.signals import AlarmSink, Condition
from domain.statistics import TargetStatistics
from domain.targets import PacingTarget

log = logging.getLogger(__name__)

_TOTALS = ("accepted_total", "abandoned_total", "reactive_arrivals_total")
# The largest statistics body read: a floor, plus room per configured target (a document
# with 100,000 targets is about 20 MB).
BODY_BASE_BYTES = 8 * 2**20
BODY_BYTES_PER_TARGET = 1024


def body_limit_bytes(targets: int) -> int:
    """The largest statistics body (decoded) read for `targets` configured targets."""
    return BODY_BASE_BYTES + BODY_BYTES_PER_TARGET * targets


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
        exchanger: Exchanger,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._exchanger = exchanger
        self._monotonic = monotonic
        self._sleep = sleep
        self._latch = SignalLatch(sink)
        self._on_backup = False
        self._backup_since = 0.0
        self._failover_reason = ""
        # per target: the tracks of its running totals, in `_TOTALS` order
        self._tracks: dict[str, list[CounterTrack | None]] = {}
        self.resets_detected = 0

    @property
    def active_url(self) -> str:
        """The server this source reads from now."""
        backup = self._settings.backup_url
        return backup if self._on_backup and backup else self._settings.url

    def close(self) -> None:
        """Abort a request in flight and close the connections (the node is stopping)."""
        self._exchanger.close()

    def read(self, targets: Sequence[PacingTarget], now: float) -> StatisticsByTarget:
        try:
            parsed = self._fetch(targets, now)
        except StatisticsUnavailableError as error:
            for target in targets:
                self._stale(target.target_id, str(error), now)
            raise
        self._observe_failover(now)
        statistics: dict[str, TargetStatistics] = {}
        for target in targets:
            figures = parsed.figures.get(target.target_id)
            if figures is None:
                self._stale(target.target_id, parsed.stale.get(target.target_id, "no figures"), now)
                continue
            continued = self._continued(figures, now)
            if isinstance(continued, str):
                self._stale(target.target_id, continued, now)
                continue
            statistics[target.target_id] = continued
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

    def _servers(self) -> list[tuple[str, str]]:
        primary = ("primary", self._settings.url)
        if self._settings.backup_url is None:
            return [primary]
        backup = ("backup", self._settings.backup_url)
        recheck_due = self._monotonic() - self._backup_since >= self._settings.primary_recheck_s
        if self._on_backup and not recheck_due:
            return [backup, primary]
        return [primary, backup]

    def _fetch(self, targets: Sequence[PacingTarget], now: float) -> ParsedDocument:
        servers = self._servers()
        failures: list[str] = []
        share_s = self._settings.budget_s / len(servers)
        for role, url in servers:
            try:
                parsed = self._fetch_one(url, targets, self._monotonic() + share_s, now)
            except HttpCallError as error:
                failures.append(f"{role}: {error}")
            except DocumentError as error:
                failures.append(f"{role}: statistics document from {url}: {error}")
            else:
                self._switch(role, failures)
                return parsed
            if role == "primary" and self._settings.backup_url and self._on_backup:
                self._backup_since = self._monotonic()  # next recheck one period later
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
        self, url: str, targets: Sequence[PacingTarget], deadline: float, now: float
    ) -> ParsedDocument:
        limit_bytes = body_limit_bytes(len(targets))

        def send(limit_s: float) -> Reply:
            return self._exchanger.exchange(
                "GET",
                url,
                limit_s=limit_s,
                max_body_bytes=limit_bytes,
            )

        what = "statistics request"
        reply = send_with_retries(
            send,
            policy=self._settings.policy,
            deadline=deadline,
            clock=self._monotonic,
            sleep=self._sleep,
            what=f"{what} to {url}",
        )
        if reply.status_code != 200:
            raise HttpCallError(http_failure(what, url, reply), status=reply.status_code)
        parsed = parse_document(reply.content, targets)
        check_generated_at(parsed.generated_at, now, self._settings.stale_after_s)
        if targets and not parsed.figures:
            first = next(iter(parsed.stale.values()), "no figures")
            raise DocumentError(
                f"no configured target has usable figures ({len(parsed.stale)} of "
                f"{len(targets)} unusable; first: {first})"
            )
        return parsed

    def _continued(self, figures: RawTargetFigures, now: float) -> TargetStatistics | str:
        """Continued totals, or why they are not usable this cycle (state moves only then)."""
        target_id = figures.target_id
        raws = (
            figures.accepted_total,
            figures.abandoned_total,
            figures.reactive_arrivals_total,
        )
        tracks = self._tracks.get(target_id)
        if tracks is None:
            tracks = self._tracks[target_id] = [None, None, None]
        else:  # the common case: three plain rises, no step objects
            accepted, abandoned, reactive = tracks
            if accepted is not None and abandoned is not None and reactive is not None:
                plain = (
                    plain_rise(accepted, raws[0], now),
                    plain_rise(abandoned, raws[1], now),
                    plain_rise(reactive, raws[2], now),
                )
                if plain[0] is not None and plain[1] is not None and plain[2] is not None:
                    tracks[:] = plain
                    totals = [
                        plain[0].offset + raws[0],
                        plain[1].offset + raws[1],
                        plain[2].offset + raws[2],
                    ]
                    return self._statistics(figures, totals)
        steps = [continue_counter(track, raw, now) for track, raw in zip(tracks, raws, strict=True)]
        bad = [f"{name} {step.bad}" for name, step in zip(_TOTALS, steps, strict=True) if step.bad]
        if bad:  # remember the suspects, so the next document can confirm them; move nothing
            for index, step in enumerate(steps):
                if step.bad:
                    tracks[index] = step.track
            return "; ".join(bad)
        for index, (name, step) in enumerate(zip(_TOTALS, steps, strict=True)):
            tracks[index] = step.track
            self._log_counter_event(target_id, name, step)
        return self._statistics(figures, [step.total for step in steps])

    @staticmethod
    def _statistics(figures: RawTargetFigures, totals: list[int]) -> TargetStatistics:
        accepted_total, abandoned_total, reactive_arrivals_total = totals
        return TargetStatistics(
            target_id=figures.target_id,
            logged_in_slots=figures.logged_in_slots,
            ready_slots=figures.ready_slots,
            busy_slots=figures.busy_slots,
            in_queue=figures.in_queue,
            accepted_total=accepted_total,
            abandoned_total=abandoned_total,
            reactive_arrivals_total=reactive_arrivals_total,
            avg_handle_time_s=figures.avg_handle_time_s,
        )

    def _log_counter_event(self, target_id: str, name: str, step: CounterStep) -> None:
        if step.event in ("reset", "rebased", "restarted"):
            self.resets_detected += 1
            log.warning(
                "statistics: %s of %s %s; continuing from %d",
                name,
                target_id,
                {
                    "reset": "went down and stayed down (counter reset)",
                    "rebased": "moved to a new level and stayed there",
                    "restarted": "reached the exact float range",
                }[step.event],
                step.total,
            )
        elif step.event == "held":
            log.info(
                "statistics: %s of %s went down; held at %d until the next document confirms",
                name,
                target_id,
                step.total,
            )
