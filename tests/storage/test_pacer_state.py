"""The pacer's saved state: one row per node, JSON that round-trips, replaced on each save."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import connect
from storage.pacer_state import load_pacer_state, save_pacer_state

STATE = {"Proactive Chat - chat": {"threshold": 0.045, "acceptance": 0.25, "last_now": None}}


def test_a_saved_state_comes_back_as_it_was_saved(tmp_path: Path) -> None:
    db = connect(tmp_path / "pacing.db")
    save_pacer_state(db, "n1", "predictive", STATE, saved_at=100.0)
    saved = load_pacer_state(db, "n1")
    assert saved is not None
    assert (saved.saved_at, saved.algorithm, saved.state) == (100.0, "predictive", STATE)


def test_a_node_that_never_saved_has_no_state_and_nodes_do_not_see_each_other(
    tmp_path: Path,
) -> None:
    db = connect(tmp_path / "pacing.db")
    assert load_pacer_state(db, "n1") is None
    save_pacer_state(db, "n2", "predictive", STATE, saved_at=1.0)
    assert load_pacer_state(db, "n1") is None


def test_each_save_replaces_the_last_one(tmp_path: Path) -> None:
    db = connect(tmp_path / "pacing.db")
    save_pacer_state(db, "n1", "predictive", STATE, saved_at=1.0)
    save_pacer_state(db, "n1", "adaptive", {}, saved_at=2.0)
    saved = load_pacer_state(db, "n1")
    assert saved is not None and (saved.saved_at, saved.algorithm, saved.state) == (
        2.0,
        "adaptive",
        {},
    )
    assert db.execute("SELECT count(*) FROM pacer_state").fetchone()[0] == 1


def test_a_nan_in_the_state_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = connect(tmp_path / "pacing.db")
    with pytest.raises(ValueError, match="JSON compliant"):
        save_pacer_state(db, "n1", "predictive", {"t": {"threshold": float("nan")}}, saved_at=1.0)
    assert load_pacer_state(db, "n1") is None
