"""Blended agents: a ready slot shared by several targets is given to at most one per cycle.

Two targets of one media whose agent groups overlap count the same people's ready slots:
paced independently, each would fill them. `find_capacity_pools` (run once on the configured
targets) names the pools and, per target, the share of its slots that belong to agents another
target of the pool also counts; the cycle turns that share into `shared_ready_slots` on each
snapshot. `split_shared_ready` (inside `Pacer.decide`) then splits every pool's shared ready
slots among its targets, so together they never use more than the pool has.

Statistics arrive per target, not per agent, so a target's shared ready slots are estimated
as its ready slots times its shared slot share, rounded up (more counted as shared means fewer
used: the safe side). A pool's shared ready slots are taken as the largest any of its targets
reports: every target sees at most all of them, so the pool never hands out a slot twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from domain.decisions import TargetSnapshot
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget
from pacing.state import IntArray


@dataclass(frozen=True, slots=True)
class CapacityPool:
    """Where one target's slots are shared: the pool's key and the share of its slots shared."""

    pool: str
    shared_slot_share: float  # 0-1: slots of agents that another target of the pool counts

    def shared_ready_slots(self, ready_slots: int) -> int:
        """Ready slots counted as shared (rounded up, never above the ready slots)."""
        return min(ready_slots, math.ceil(ready_slots * self.shared_slot_share - 1e-9))


def find_capacity_pools(targets: Sequence[PacingTarget]) -> dict[str, CapacityPool]:
    """Targets of one media linked by shared agent names, by target id (others are left out)."""
    parent = {target.target_id: target.target_id for target in targets}

    def root(target_id: str) -> str:
        while parent[target_id] != target_id:
            parent[target_id] = parent[parent[target_id]]
            target_id = parent[target_id]
        return target_id

    first_with_agent: dict[tuple[str, str], str] = {}
    holders: dict[tuple[str, str], int] = {}
    for target in targets:
        for agent in target.agents:
            key = (target.media, agent.name)
            holders[key] = holders.get(key, 0) + 1
            other = first_with_agent.setdefault(key, target.target_id)
            parent[root(target.target_id)] = root(other)
    members: dict[str, list[PacingTarget]] = {}
    for target in targets:
        members.setdefault(root(target.target_id), []).append(target)
    pools: dict[str, CapacityPool] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        pool_key = f"{group[0].media}: " + " + ".join(sorted(t.target_id for t in group))
        for target in group:
            total = target.total_slots
            shared = sum(a.slots for a in target.agents if holders[(target.media, a.name)] > 1)
            pools[target.target_id] = CapacityPool(pool_key, shared / total if total else 0.0)
    return pools


def split_shared_ready(
    pools: Sequence[str | None], ready: IntArray, shared: IntArray, rotation: int
) -> IntArray:
    """Each target's usable ready slots once every pool's shared ready slots are split.

    A pool's shared ready slots (the most any of its targets reports) are shared out evenly,
    no target getting more than it reports; what cannot be split evenly goes one slot each to
    the targets after `rotation` (e.g. the cycle number), so over cycles every target gets its
    turn. A target outside any pool keeps its ready slots.
    """
    usable = ready.astype(np.int64).copy()
    members: dict[str, list[int]] = {}
    for index, pool in enumerate(pools):
        if pool is not None:
            members.setdefault(pool, []).append(index)
    for indexes in members.values():
        caps = [int(shared[i]) for i in indexes]
        given = _water_fill(max(caps), caps, rotation)
        for index, cap, count in zip(indexes, caps, given, strict=True):
            usable[index] = ready[index] - cap + count
    return usable


def _water_fill(total: int, caps: Sequence[int], rotation: int) -> list[int]:
    """Split `total` as evenly as the caps allow; leftovers by turns starting at `rotation`."""
    given = [0] * len(caps)
    left = min(total, sum(caps))
    while left > 0:
        open_ = [i for i, cap in enumerate(caps) if given[i] < cap]
        share = left // len(open_)
        if share == 0:
            order = sorted(open_, key=lambda i: (i - rotation) % len(caps))
            for i in order[:left]:
                given[i] += 1
            break
        for i in open_:
            step = min(share, caps[i] - given[i])
            given[i] += step
            left -= step
    return given


def snapshot_from(
    target: PacingTarget,
    statistics: TargetStatistics,
    *,
    pending_invitations: int | None,
    answer: PublishResult | None,
    pool: CapacityPool | None,
) -> TargetSnapshot:
    """The pacer's input for one target: its statistics, the platform's last answer, its pool."""
    return TargetSnapshot(
        target_id=target.target_id,
        media=target.media,
        goal_pct=target.goal_pct,
        logged_in_slots=statistics.logged_in_slots,
        ready_slots=statistics.ready_slots,
        busy_slots=statistics.busy_slots,
        in_queue=statistics.in_queue,
        accepted_total=statistics.accepted_total,
        abandoned_total=statistics.abandoned_total,
        pending_invitations=pending_invitations,
        acceptance_rate=answer.acceptance_rate if answer else None,
        accept_delay_s=answer.accept_delay_s if answer else None,
        avg_handle_time_s=statistics.avg_handle_time_s,
        reactive_arrivals_total=statistics.reactive_arrivals_total,
        capacity_pool=pool.pool if pool else None,
        shared_ready_slots=pool.shared_ready_slots(statistics.ready_slots) if pool else 0,
    )
