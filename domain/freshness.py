"""When a figure, a heartbeat or a lease counts as stale: one rule for the whole project.

A thing refreshed every refresh period is stale once it is older than `STALE_AFTER_PERIODS`
periods: the pacer's statistics, the HTTP source's document (unless `stat_source.stale_after`
says otherwise), the master lease (unless `publisher.lease_ttl` does), and a node's heartbeat,
which /healthz, the Overview and NoMasterNode judge alike with a floor of `NODE_STALE_FLOOR_S`
so a very short period does not flap.
"""

from __future__ import annotations

STALE_AFTER_PERIODS = 3
NODE_STALE_FLOOR_S = 10.0


def stale_after_s(refresh_period_s: float) -> float:
    """How old a figure refreshed every `refresh_period_s` may be before it is stale."""
    return STALE_AFTER_PERIODS * refresh_period_s


def node_stale_after_s(refresh_period_s: float) -> float:
    """How old a node's heartbeat may be before the node counts as gone."""
    return max(stale_after_s(refresh_period_s), NODE_STALE_FLOOR_S)
