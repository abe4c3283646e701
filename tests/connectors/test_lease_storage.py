"""The master lease row: taken when free or expired, renewed by its holder, never shared."""

from __future__ import annotations

from pathlib import Path

from storage.db import connect
from storage.leases import claim_lease, release_lease


def test_the_first_claimant_holds_the_lease_and_others_wait_for_it_to_expire(
    tmp_path: Path,
) -> None:
    db = connect(tmp_path / "p.db")
    assert claim_lease(db, "master", "a", now=0, ttl_s=10).held_by("a")
    assert claim_lease(db, "master", "b", now=5, ttl_s=10).holder == "a"
    renewed = claim_lease(db, "master", "a", now=8, ttl_s=10)
    assert renewed.expires_at == 18 and renewed.acquired_at == 0
    assert claim_lease(db, "master", "b", now=17, ttl_s=10).holder == "a"
    taken = claim_lease(db, "master", "b", now=18, ttl_s=10)
    assert taken.held_by("b") and taken.acquired_at == 18


def test_a_released_lease_is_free_at_once(tmp_path: Path) -> None:
    db = connect(tmp_path / "p.db")
    claim_lease(db, "master", "a", now=0, ttl_s=10)
    release_lease(db, "master", "a", now=1)
    assert claim_lease(db, "master", "b", now=1, ttl_s=10).held_by("b")
