"""Live configuration: reload `pacing.toml` on SIGHUP or on a dashboard's request.

A reload is asked for from any thread (`request`: the SIGHUP handler) or from the database
(`node_requests`: the dashboard's button, for an embedded or a headless node alike), and runs
on the cycle's own thread just before the next cycle, so a cycle never sees half a change.
A file that fails validation changes nothing: the running configuration stays, the
`ConfigurationReloadFailed` alarm is raised naming every problem, and the audit has the row.
A good file swaps the targets (goals, queues, groups) without a restart; the pacer keeps its
state for every target that stays. Options that are read once at start are reported as
needing a restart (log, audit) and keep their running value.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from config import Config, ConfigError, load_config
from config.changes import config_changes
from domain.controls import SYSTEM_ACTOR, AuditEntry
from domain.ports import Publisher, StatSource
from domain.signals import AlarmSignal, AlarmSink, Condition
from node.cycle import PacingCycle
from storage.audit import record_audit
from storage.controls import latest_node_request
from storage.db import PerThreadDatabase

log = logging.getLogger(__name__)

RELOAD_REQUEST = "reload"
_REASON_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a reload did: applied or refused, what changed, what waits for a restart."""

    applied: bool
    changes: tuple[str, ...] = ()
    needs_restart: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


class ConfigReloader:
    """Reloads the node's configuration between cycles when asked."""

    def __init__(
        self,
        *,
        config: Config,
        cycle: PacingCycle,
        sink: AlarmSink,
        database: PerThreadDatabase,
        node_id: str,
        clock: Callable[[], float],
        build_ports: Callable[[Config], tuple[StatSource, Publisher]],
    ) -> None:
        self.config = config
        self._cycle = cycle
        self._sink = sink
        self._database = database
        self._node_id = node_id
        self._clock = clock
        self._build_ports = build_ports
        self._lock = threading.Lock()
        self._pending: tuple[str, str] | None = None  # (who, source)
        self._seen_request: int | None = None  # requests up to this id are handled

    def request(self, who: str = SYSTEM_ACTOR, source: str = "SIGHUP") -> None:
        """Ask for a reload before the next cycle (safe from a signal handler or any thread)."""
        with self._lock:
            self._pending = (who, source)

    def reload_if_requested(self) -> ReloadOutcome | None:
        """Run a requested reload now (on the cycle's thread); None when none was asked."""
        self._pick_up_database_request()
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return None
        return self.reload(*pending)

    def _pick_up_database_request(self) -> None:
        try:
            latest = latest_node_request(self._database.get(), RELOAD_REQUEST)
        except Exception as error:  # noqa: BLE001 - a failed read waits for the next cycle
            log.warning("could not read node requests: %s", error)
            return
        latest_id = latest.request_id if latest is not None else 0
        if self._seen_request is None:  # requests older than this node are not for it
            self._seen_request = latest_id
            return
        if latest is not None and latest_id > self._seen_request:
            self._seen_request = latest_id
            self.request(latest.requested_by, "dashboard")

    def reload(self, who: str, source: str) -> ReloadOutcome:
        """Read the file again and apply what may change live."""
        path = self.config.source_path
        now = self._clock()
        if path is None:
            return self._refused(who, source, ["the node was not started from a file"], now)
        try:
            new = load_config(path)
        except ConfigError as error:
            return self._refused(who, source, error.problems or [str(error)], now)
        except Exception as error:  # noqa: BLE001 - whatever the file holds, the node goes on
            return self._refused(who, source, [f"{path}: {error}"], now)
        if not new.targets:
            return self._refused(who, source, ["the new file paces nothing"], now)
        changes = config_changes(self.config, new)
        ports = None
        if changes.ports_affected:
            try:
                ports = self._build_ports(new)
            except Exception as error:  # noqa: BLE001
                return self._refused(who, source, [f"cannot build the new sources: {error}"], now)
        self._cycle.replace_targets(new.targets, ports)
        self.config = new
        self._sink.signal(
            AlarmSignal(Condition.CONFIGURATION_RELOAD_FAILED, False, now, reason="reloaded")
        )
        outcome = ReloadOutcome(True, changes.targets, changes.needs_restart)
        summary = "; ".join(changes.targets) or "no target changed"
        restart = ", ".join(changes.needs_restart)
        log.info("configuration %s reloaded (%s): %s", path, source, summary)
        if restart:
            log.warning("changed options that need a restart (still running the old): %s", restart)
        self._audit(
            who,
            source,
            now,
            "config.reload",
            summary + (f"; needs a restart: {restart}" if restart else ""),
        )
        return outcome

    def _refused(self, who: str, source: str, problems: list[str], now: float) -> ReloadOutcome:
        path = self.config.source_path
        text = f"configuration {path} not reloaded ({len(problems)} problems): " + "; ".join(
            problems
        )
        log.error("%s", text)
        self._sink.signal(
            AlarmSignal(
                Condition.CONFIGURATION_RELOAD_FAILED,
                True,
                now,
                value=float(len(problems)),
                reason=text[:_REASON_MAX_CHARS],
            )
        )
        self._audit(who, source, now, "config.reload.refused", "; ".join(problems))
        return ReloadOutcome(False, problems=tuple(problems))

    def _audit(self, who: str, source: str, now: float, action: str, text: str) -> None:
        try:
            record_audit(
                self._database.get(),
                AuditEntry(
                    at=now,
                    who=who,
                    action=action,
                    subject=str(self.config.source_path),
                    new_value=text[:_REASON_MAX_CHARS],
                    reason=f"requested by {source}",
                    source=f"node {self._node_id}",
                ),
            )
        except Exception as error:  # noqa: BLE001 - the reload stands; the log has it
            log.warning("could not audit the reload: %s", error)


__all__ = ["RELOAD_REQUEST", "ConfigReloader", "ReloadOutcome"]
