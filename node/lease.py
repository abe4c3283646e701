"""Only the node holding the master lease publishes; the others collect, decide and record.

`LeasedPublisher` wraps a publisher: each cycle it renews (or tries to take) the fenced lease
in the shared database (`storage.leases`, judged by the database's clock), then, just before
publishing, confirms that its term is still current and that the lease outlives the publish
deadline: a publish that could still be running when another node takes over never starts.
A node that does not hold the lease, or cannot confirm it, raises `PublishSkipped`, which the
cycle records as a note on the cycle rather than a failure. A single node holds it trivially.
`MasterLeaseKeeper` (a node service) renews the lease between cycles, every third of its
ttl, while this node is master, so the ttl may be as short as one refresh period (a failover
within two periods) without a late cycle losing the lease; it releases the lease when the
node stops cleanly. A node that takes the lease from another (its term grew) signals
`MasterTakeover`, an event on the Alarms page and a line in the node's log.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol, runtime_checkable

from domain.loops import BackgroundLoop
from domain.ports import (
    AnswersByTarget,
    Decisions,
    Publisher,
    PublishSkipped,
    StatisticsByTarget,
    close_port,
)
from domain.signals import AlarmSignal, AlarmSink, Condition
from storage.leases import (
    MASTER_LEASE,
    LeaseState,
    claim_lease,
    confirm_lease,
    read_lease,
    release_lease,
)
from storage.sql import ThreadDatabases

log = logging.getLogger(__name__)

# The keeper renews between cycles only while a cycle claimed the lease less than this many
# ttls ago.
KEEP_ALIVE_TTLS = 2


@runtime_checkable
class IdentifiedPublisher(Protocol):
    """A publisher that can tell the platform which node and lease term send its requests."""

    def identify(self, node_id: str, term: int, publish_by: float) -> None: ...


class LeasedPublisher:
    """A `Publisher` that publishes only while this node holds, and can confirm, the lease."""

    def __init__(
        self,
        inner: Publisher,
        databases: ThreadDatabases,
        node_id: str,
        ttl_s: float,
        publish_deadline_s: float,
        sink: AlarmSink | None = None,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError(f"lease ttl must be positive, got {ttl_s}")
        if publish_deadline_s < 0:
            raise ValueError(f"publish deadline must not be negative, got {publish_deadline_s}")
        self._inner = inner
        self._databases = databases
        self._node_id = node_id
        self._ttl_s = ttl_s
        self._deadline_s = publish_deadline_s
        self._sink = sink
        self._was_master: bool | None = None
        self._held_term: int | None = None  # the term of this node's last publish as master
        self._takeover_raised = False  # MasterTakeover signalled, its cancel not yet sent
        self._last_holder: str | None = None  # the holder this node last saw, if another
        self._cycle_claimed_at = 0.0  # monotonic time of the last claim by a cycle

    @property
    def node_id(self) -> str:
        return self._node_id

    @property
    def ttl_s(self) -> float:
        return self._ttl_s

    @property
    def is_master(self) -> bool:
        """Whether this node held the lease at its last claim (the keeper renews only then)."""
        return bool(self._was_master)

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        lease = self._claim()
        self._log_role(lease)
        if not lease.held_by(self._node_id):
            self._last_holder = lease.holder
            raise PublishSkipped(
                f"not published: standby node, {lease.holder} holds the master lease "
                f"until {lease.expires_at:.0f}"
            )
        confirming_at = time.monotonic()
        self._confirm(lease)
        self._note_term(lease, now)
        if isinstance(self._inner, IdentifiedPublisher):
            # the lease was confirmed to outlive the deadline from before the confirmation
            publish_by = confirming_at + self._deadline_s
            self._inner.identify(self._node_id, lease.term, publish_by)
        return self._inner.publish(decisions, statistics, now)

    def close(self) -> None:
        """Close the publisher inside (abort its requests in flight) and the lease's pool."""
        try:
            close_port(self._inner)
        finally:
            self._databases.dispose()

    def release(self) -> None:
        """Give the lease up (on a clean stop) so a standby takes over without waiting."""
        try:
            release_lease(self._databases.get(), MASTER_LEASE, self._node_id)
        finally:
            self._databases.close_current_thread()
        if self._was_master:
            log.info("node %s released the master lease", self._node_id)
        self._was_master = None

    def close_thread_connection(self) -> None:
        """Close the calling thread's connection to the lease's database (a thread ending)."""
        self._databases.close_current_thread()

    def renew(self) -> LeaseState | None:
        """Renew the lease if this node is master and still cycling (the keeper's turn).

        None if standby, or if no cycle has claimed the lease for two ttls: a node whose
        cycles stopped (a wedged scheduler) must let the lease go, not hold it from a thread.
        """
        cycling = time.monotonic() - self._cycle_claimed_at < KEEP_ALIVE_TTLS * self._ttl_s
        if not self._was_master or not cycling:
            return None
        try:
            return claim_lease(self._databases.get(), MASTER_LEASE, self._node_id, self._ttl_s)
        except Exception:
            self._databases.close_current_thread()
            raise

    def _note_term(self, lease: LeaseState, now: float) -> None:
        """Signal `MasterTakeover` when this node publishes in a term it took from another,
        and cancel it at its next publish in the same term (the alarm is an event)."""
        if self._sink is None:
            return
        if lease.term == self._held_term:
            if self._takeover_raised:
                self._sink.signal(AlarmSignal(Condition.MASTER_TAKEOVER, False, now))
                self._takeover_raised = False
            return
        self._held_term = lease.term
        if lease.term <= 1:  # the first master of this database took nothing over
            return
        before = self._last_holder or "another node"
        reason = f"{self._node_id} took over the master lease (term {lease.term}) from {before}"
        log.warning("%s", reason)
        self._sink.signal(
            AlarmSignal(
                Condition.MASTER_TAKEOVER, True, now, value=float(lease.term), reason=reason
            )
        )
        self._takeover_raised = True

    def _claim(self) -> LeaseState:
        try:
            lease = claim_lease(self._databases.get(), MASTER_LEASE, self._node_id, self._ttl_s)
        except Exception as error:
            self._databases.close_current_thread()
            raise PublishSkipped(f"could not renew the master lease ({error})") from error
        self._cycle_claimed_at = time.monotonic()
        return lease

    def _confirm(self, lease: LeaseState) -> None:
        """Raise `PublishSkipped` unless the lease is still ours in this term and outlives
        the publish deadline, by the database's clock."""
        db = self._databases.get()
        try:
            if confirm_lease(db, MASTER_LEASE, self._node_id, lease.term, self._deadline_s):
                return
            now = read_lease(db, MASTER_LEASE)
        except Exception as error:
            self._databases.close_current_thread()
            raise PublishSkipped(f"could not confirm the master lease ({error})") from error
        raise PublishSkipped(self._unconfirmed_note(lease, now))

    def _unconfirmed_note(self, claimed: LeaseState, now: LeaseState | None) -> str:
        if now is None or now.holder != self._node_id or now.term != claimed.term:
            holder = "nobody" if now is None else f"{now.holder} (term {now.term})"
            return (
                f"not published: the master lease changed hands before the publish "
                f"(this node held term {claimed.term}, now {holder})"
            )
        return (
            f"not published: the master lease (term {now.term}) runs {now.remaining_s:.2f} s "
            f"more, less than the publish deadline of {self._deadline_s:g} s; make "
            "publisher.lease_ttl longer than budget_ratio × pacing.refreshPeriod"
        )

    def _log_role(self, lease: LeaseState) -> None:
        master = lease.held_by(self._node_id)
        if master == self._was_master:
            return
        log.info(
            "node %s is %s",
            self._node_id,
            f"the master (term {lease.term}): it publishes"
            if master
            else f"standby: {lease.holder} publishes (term {lease.term})",
        )
        self._was_master = master


class MasterLeaseKeeper:
    """Node service: renews the lease between cycles while master; releases it on a clean stop.

    Renewing every third of the ttl keeps the lease alive through two missed renewals, so a
    cycle that starts late never lets the lease lapse under a live master, and the ttl can be
    short (one refresh period) for a quick failover. A frozen master renews nothing: when it
    wakes, its renewal fails against the new holder and its next cycle finds itself standby.
    """

    name = "master lease"

    def __init__(self, publisher: LeasedPublisher) -> None:
        self._publisher = publisher
        every_s = publisher.ttl_s / 3
        self._loop = BackgroundLoop(
            "master-lease",
            lambda: self._renew(every_s),
            failure_pause_s=every_s,
            on_exit=publisher.close_thread_connection,
            logger=log,
        )

    def start(self) -> None:
        self._loop.start()  # the lease itself is claimed by the first publish

    def stop(self) -> None:
        self._loop.stop(timeout_s=10)
        self._publisher.release()

    def _renew(self, every_s: float) -> float:
        try:
            lease = self._publisher.renew()
        except Exception as error:  # noqa: BLE001 - the next cycle's claim reports it in full
            log.warning(
                "node %s: could not renew the master lease (%s)", self._publisher.node_id, error
            )
            return every_s
        if lease is not None and not lease.held_by(self._publisher.node_id):
            log.info(
                "node %s: renewing failed, %s holds the master lease (term %d)",
                self._publisher.node_id,
                lease.holder,
                lease.term,
            )
        return every_s
