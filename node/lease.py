"""Only the node holding the master lease publishes; the others collect, decide and record.

`LeasedPublisher` wraps a publisher: each cycle it renews (or tries to take) the lease in the
shared database before publishing. A node that does not hold it raises `PublishSkipped`, which
the cycle records as a note on the cycle rather than a failure. A single node holds it trivially.
`MasterLeaseRelease` (a node service) releases the lease when the node stops cleanly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from domain.ports import (
    AnswersByTarget,
    Decisions,
    Publisher,
    PublishSkipped,
    StatisticsByTarget,
    close_port,
)
from storage.db import PerThreadDatabase
from storage.leases import claim_lease, release_lease

log = logging.getLogger(__name__)

MASTER_LEASE = "master"


class LeasedPublisher:
    """A `Publisher` that publishes only while this node holds the master lease."""

    def __init__(
        self, inner: Publisher, database: PerThreadDatabase, node_id: str, ttl_s: float
    ) -> None:
        if ttl_s <= 0:
            raise ValueError(f"lease ttl must be positive, got {ttl_s}")
        self._inner = inner
        self._database = database
        self._node_id = node_id
        self._ttl_s = ttl_s
        self._was_master: bool | None = None

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        try:
            lease = claim_lease(self._database.get(), MASTER_LEASE, self._node_id, now, self._ttl_s)
        except Exception as error:
            self._database.close_current_thread()
            raise PublishSkipped(f"could not renew the master lease ({error})") from error
        master = lease.held_by(self._node_id)
        if master != self._was_master:
            log.info(
                "node %s is %s",
                self._node_id,
                "the master: it publishes" if master else f"standby: {lease.holder} publishes",
            )
            self._was_master = master
        if not master:
            raise PublishSkipped(
                f"not published: standby node, {lease.holder} holds the master lease "
                f"until {lease.expires_at:.0f}"
            )
        return self._inner.publish(decisions, statistics, now)

    def close(self) -> None:
        """Close the publisher inside (abort its requests in flight)."""
        close_port(self._inner)

    def release(self, now: float) -> None:
        """Give the lease up (on a clean stop) so a standby takes over without waiting."""
        try:
            release_lease(self._database.get(), MASTER_LEASE, self._node_id, now)
        finally:
            self._database.close_current_thread()
        if self._was_master:
            log.info("node %s released the master lease", self._node_id)
        self._was_master = None


class MasterLeaseRelease:
    """Node service: on a clean stop, give the master lease up at once (not after its ttl)."""

    name = "master lease"

    def __init__(self, publisher: LeasedPublisher, clock: Callable[[], float]) -> None:
        self._publisher = publisher
        self._clock = clock

    def start(self) -> None:
        return None  # the lease is claimed by the first publish, not at start

    def stop(self) -> None:
        self._publisher.release(self._clock())
