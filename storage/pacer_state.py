"""The pacer's saved state, one row per node, so a restarted node warm-starts.

`Pacer.state()` is a JSON-friendly dict (per target: estimates, threshold c, controller
state); it is stored as JSON text with the time it was taken. Nothing secret is in it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.transactions import write_transaction

__all__ = ["PACER_STATE_SCHEMA", "SavedPacerState", "load_pacer_state", "save_pacer_state"]

# Applied by the migration "pacer state for warm restarts" in storage/migrations.py.
PACER_STATE_SCHEMA = """
CREATE TABLE pacer_state (
    node_id    TEXT PRIMARY KEY,
    saved_at   REAL NOT NULL,
    algorithm  TEXT NOT NULL,
    state_json TEXT NOT NULL
) STRICT;
"""

_SAVE = """
INSERT INTO pacer_state (node_id, saved_at, algorithm, state_json)
VALUES (:node_id, :saved_at, :algorithm, :state_json)
ON CONFLICT (node_id) DO UPDATE SET
    saved_at = excluded.saved_at,
    algorithm = excluded.algorithm,
    state_json = excluded.state_json
"""


@dataclass(frozen=True, slots=True)
class SavedPacerState:
    """What a node saved last: when, with which algorithm, and the state itself."""

    node_id: str
    saved_at: float
    algorithm: str
    state: Mapping[str, Any]


def save_pacer_state(
    db: sqlite_utils.Database,
    node_id: str,
    algorithm: str,
    state: Mapping[str, Any],
    saved_at: float,
) -> None:
    """Replace the node's saved pacer state (NaN is refused: the state uses None for unknown)."""
    state_json = json.dumps(state, allow_nan=False, separators=(",", ":"))
    with write_transaction(db):
        db.execute(
            _SAVE,
            {
                "node_id": node_id,
                "saved_at": saved_at,
                "algorithm": algorithm,
                "state_json": state_json,
            },
        )


def load_pacer_state(db: sqlite_utils.Database, node_id: str) -> SavedPacerState | None:
    """The node's last saved pacer state, or None when it never saved one."""
    row = db.execute(
        "SELECT saved_at, algorithm, state_json FROM pacer_state WHERE node_id = :node_id",
        {"node_id": node_id},
    ).fetchone()
    if row is None:
        return None
    state = json.loads(row[2])
    if not isinstance(state, dict):
        raise ValueError(
            f"saved pacer state of node {node_id!r} is not a JSON object (table pacer_state)"
        )
    return SavedPacerState(node_id, float(row[0]), str(row[1]), state)


def read_saved_target_states(db: sqlite_utils.Database) -> dict[str, Mapping[str, Any]]:
    """Every target's saved pacer state across nodes; the most recently saved node wins."""
    merged: dict[str, Mapping[str, Any]] = {}
    rows = db.execute("SELECT state_json FROM pacer_state ORDER BY saved_at").fetchall()
    for (state_json,) in rows:
        state = json.loads(state_json)
        if isinstance(state, dict):
            merged.update({str(k): v for k, v in state.items() if isinstance(v, dict)})
    return merged
