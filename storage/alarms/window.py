"""Read back the counts behind AbandonmentAboveGoal's window: a restarted node starts with them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

__all__ = ["TargetCountPoint", "read_target_counts"]

_COUNTS = """
SELECT t.target_id, t.at, t.accepted_total, t.abandoned_total, t.goal_pct
FROM cycle_targets AS t JOIN cycles AS c ON c.cycle_id = t.cycle_id
WHERE t.at > :since AND t.at <= :until AND c.node_id = :node_id
  AND t.accepted_total IS NOT NULL AND t.abandoned_total IS NOT NULL
ORDER BY t.at, t.record_id
"""


@dataclass(frozen=True, slots=True)
class TargetCountPoint:
    """One target's running totals as one cycle recorded them."""

    target_id: str
    at: float
    accepted_total: int
    abandoned_total: int
    goal_pct: float


def read_target_counts(
    db: sqlite_utils.Database, node_id: str, since: float, until: float
) -> list[TargetCountPoint]:
    """The running totals `node_id` recorded in `(since, until]`, oldest first.

    Only this node's cycles: another node on the same database may read another statistics
    server, and interleaving two series of running totals would look like counter resets.
    """
    rows = db.execute(_COUNTS, {"since": since, "until": until, "node_id": node_id}).fetchall()
    return [
        TargetCountPoint(str(r[0]), float(r[1]), int(r[2]), int(r[3]), float(r[4])) for r in rows
    ]
