"""Blended agents: a ready slot shared by several targets is given to at most one per cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.targets import PacingTarget, TargetAgent
from node.cycle import PacingCycle
from pacing import Pacer
from pacing.pools import CapacityPool, find_capacity_pools, split_shared_ready
from tests.builders import make_snapshot
from tests.fake_centre import FakeCentre


def target(name: str, media: str, *agents: tuple[str, int]) -> PacingTarget:
    return PacingTarget(
        f"{name} - {media}",
        name,
        "7001",
        media,
        3.0,
        ("G",),
        tuple(TargetAgent(agent, slots) for agent, slots in agents),
    )


SALES = target("Sales", "chat", ("ann", 2), ("bob", 2))
SERVICE = target("Service", "chat", ("ann", 2), ("cid", 2))
VOICE = target("Sales", "voice", ("ann", 1), ("bob", 1))
ALONE = target("Alone", "chat", ("dan", 1))


def test_targets_of_one_media_sharing_agents_form_a_pool() -> None:
    pools = find_capacity_pools([SALES, SERVICE, VOICE, ALONE])
    assert set(pools) == {SALES.target_id, SERVICE.target_id}
    assert pools[SALES.target_id].pool == pools[SERVICE.target_id].pool
    assert pools[SALES.target_id].shared_slot_share == 0.5  # ann's 2 of 4 slots


def test_a_chat_target_and_a_voice_target_of_the_same_agents_do_not_share_slots() -> None:
    assert find_capacity_pools([SALES, VOICE]) == {}


def test_pools_chain_through_a_target_that_shares_with_both_others() -> None:
    third = target("Billing", "chat", ("cid", 1), ("eve", 1))
    pools = find_capacity_pools([SALES, SERVICE, third])
    assert len({pool.pool for pool in pools.values()}) == 1
    assert pools[SERVICE.target_id].shared_slot_share == 1.0  # ann with Sales, cid with Billing


def test_shared_ready_slots_are_estimated_on_the_safe_side() -> None:
    pool = CapacityPool("chat: x", 0.5)
    assert [pool.shared_ready_slots(ready) for ready in (0, 1, 2, 3)] == [0, 1, 1, 2]
    assert CapacityPool("chat: x", 1.0).shared_ready_slots(3) == 3


@st.composite
def pooled_targets(draw: st.DrawFn) -> tuple[list[str | None], np.ndarray, np.ndarray, int]:
    count = draw(st.integers(1, 12))
    pools = draw(st.lists(st.sampled_from([None, "p", "q", "r"]), min_size=count, max_size=count))
    ready = draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    shared = [
        draw(st.integers(0, r)) if pool is not None else 0
        for r, pool in zip(ready, pools, strict=True)
    ]
    rotation = draw(st.integers(0, 1000))
    return pools, np.array(ready, dtype=np.int64), np.array(shared, dtype=np.int64), rotation


@given(pooled_targets())
def test_a_pool_never_hands_out_more_shared_ready_slots_than_it_has(
    case: tuple[list[str | None], np.ndarray, np.ndarray, int],
) -> None:
    pools, ready, shared, rotation = case
    usable = split_shared_ready(pools, ready, shared, rotation)
    own = ready - shared
    assert (usable >= own).all() and (usable <= ready).all()
    for pool in {p for p in pools if p is not None}:
        members = [i for i, p in enumerate(pools) if p == pool]
        used = int((usable[members] - own[members]).sum())
        # the pool's shared ready slots are all handed out, each to one target only
        assert used == int(shared[members].max())
    alone = [i for i, p in enumerate(pools) if p is None]
    assert (usable[alone] == ready[alone]).all()


def test_a_single_shared_slot_goes_to_the_targets_in_turn() -> None:
    ready = np.array([1, 1], dtype=np.int64)
    turns = [split_shared_ready(["p", "p"], ready, ready, rotation).tolist() for rotation in (0, 1)]
    assert turns == [[1, 0], [0, 1]]


SNAPSHOT = make_snapshot(target_id="Sales - chat", logged_in_slots=4, ready_slots=2, busy_slots=2)


@pytest.mark.parametrize("algorithm", ["predictive", "progressive", "adaptive"])
def test_two_targets_sharing_their_ready_slots_together_invite_no_more_than_one_alone(
    algorithm: str,
) -> None:
    alone = Pacer(algorithm, interval_s=2.0).decide([SNAPSHOT], now=0.0)[0]
    shared = [
        replace(SNAPSHOT, target_id=name, capacity_pool="chat: pool", shared_ready_slots=2)
        for name in ("Sales - chat", "Service - chat")
    ]
    both = Pacer(algorithm, interval_s=2.0).decide(shared, now=0.0)
    assert sum(d.allowed_invitations for d in both) <= alone.allowed_invitations
    assert alone.allowed_invitations > 0


def test_a_target_whose_partner_holds_the_only_shared_slot_invites_nothing() -> None:
    idle = replace(SNAPSHOT, busy_slots=0, logged_in_slots=1, ready_slots=1)
    shared = [
        replace(idle, target_id=name, capacity_pool="chat: pool", shared_ready_slots=1)
        for name in ("Sales - chat", "Service - chat")
    ]
    decisions = Pacer(interval_s=2.0).decide(shared, now=0.0)
    assert sorted(d.allowed_invitations > 0 for d in decisions) == [False, True]


def test_shared_ready_slots_without_a_pool_are_refused_with_the_target_named() -> None:
    with pytest.raises(ValueError, match="needs a capacity_pool.*Sales - chat"):
        replace(SNAPSHOT, shared_ready_slots=1)
    with pytest.raises(ValueError, match="between 0 and ready_slots"):
        replace(SNAPSHOT, capacity_pool="p", shared_ready_slots=3)


def run_cycle(targets: Sequence[PacingTarget]) -> dict[str, int]:
    centre = FakeCentre()  # every slot of every target ready
    cycle = PacingCycle(
        node_id="n1",
        targets=targets,
        stat_source=centre,
        publisher=centre,
        pacer=Pacer(algorithm="progressive", interval_s=5.0),
        period_s=5.0,
        clock=lambda: 0.0,
    )
    outcome = cycle.run(seq=1, scheduled_at=0.0)
    return {d.target_id: d.allowed_invitations for d in outcome.decisions}


def test_the_cycle_tells_the_pacer_which_ready_slots_two_targets_share() -> None:
    same_people = target("Service", "chat", ("ann", 2), ("bob", 2))
    alone = run_cycle([SALES])[SALES.target_id]
    together = run_cycle([SALES, same_people])
    assert alone == 11  # 4 ready / 0.35
    assert sum(together.values()) <= alone
