"""Only the node holding the master lease publishes; the others collect, decide and record.

`LeasedPublisher` wraps a publisher: each cycle it renews (or tries to take) the fenced lease
in the shared database (`storage.leases`, judged by the database's clock), then, just before
publishing, confirms that its term is still current and that the lease outlives the publish
deadline: a publish that could still be running when another node takes over never starts.
A node that does not hold the lease, or cannot confirm it, raises `PublishSkipped`, which the
cycle records as a note on the cycle rather than a failure. A single node holds it trivially.
`MasterLeaseRelease` (a node service) releases the lease when the node stops cleanly.
"""

from __future__ import annotations

import logging

from domain.ports import (
    AnswersByTarget,
    Decisions,
    Publisher,
    PublishSkipped,
    StatisticsByTarget,
    close_port,
)
from storage.leases import LeaseState, claim_lease, confirm_lease, read_lease, release_lease
from storage.sql import ThreadDatabases

log = logging.getLogger(__name__)

MASTER_LEASE = "master"


class LeasedPublisher:
    """A `Publisher` that publishes only while this node holds, and can confirm, the lease."""

    def __init__(
        self,
        inner: Publisher,
        databases: ThreadDatabases,
        node_id: str,
        ttl_s: float,
        publish_deadline_s: float,
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
        self._was_master: bool | None = None

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        lease = self._claim()
        self._log_role(lease)
        if not lease.held_by(self._node_id):
            raise PublishSkipped(
                f"not published: standby node, {lease.holder} holds the master lease "
                f"until {lease.expires_at:.0f}"
            )
        self._confirm(lease)
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

    def _claim(self) -> LeaseState:
        try:
            return claim_lease(self._databases.get(), MASTER_LEASE, self._node_id, self._ttl_s)
        except Exception as error:
            self._databases.close_current_thread()
            raise PublishSkipped(f"could not renew the master lease ({error})") from error

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


class MasterLeaseRelease:
    """Node service: on a clean stop, give the master lease up at once (not after its ttl)."""

    name = "master lease"

    def __init__(self, publisher: LeasedPublisher) -> None:
        self._publisher = publisher

    def start(self) -> None:
        return None  # the lease is claimed by the first publish, not at start

    def stop(self) -> None:
        self._publisher.release()
