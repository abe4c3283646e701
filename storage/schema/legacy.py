"""Schema 5's way of storing a cycle, kept verbatim to build databases of the previous schema.

The migration test and `benchmarks/storage_write.py` write rows exactly as Pacing Watch did
before the compact history (migration 6): into the `cycle_targets` table of a database migrated
up to version 5. Nothing in the node uses this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter

import sqlite_utils

from domain.records import CycleRecord, TargetRecord
from storage.schema.migrations import MIGRATIONS, Migration, apply_migrations
from storage.transactions import write_transaction

__all__ = ["SCHEMA_5", "migrate_to_schema_5", "record_cycle_schema_5"]

SCHEMA_5: tuple[Migration, ...] = tuple(m for m in MIGRATIONS if m.number <= 5)

_CYCLE_COLUMNS = tuple(f.name for f in fields(CycleRecord))
_TARGET_COLUMNS = tuple(f.name for f in fields(TargetRecord))
_STATE_COLUMNS = (*_TARGET_COLUMNS, "updated_at")
_cycle_values = attrgetter(*_CYCLE_COLUMNS)
_target_values = attrgetter(*_TARGET_COLUMNS)


def _insert_sql(table: str, columns: Sequence[str], conflict_key: str) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT({conflict_key}) DO NOTHING"


_INSERT_CYCLE = _insert_sql("cycles", _CYCLE_COLUMNS, "cycle_id")
_INSERT_TARGET = _insert_sql("cycle_targets", ("record_id", *_TARGET_COLUMNS), "record_id")
_UPSERT_STATE = (
    f"INSERT INTO target_state ({', '.join(_STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _STATE_COLUMNS)}) "
    "ON CONFLICT(target_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS if c != "target_id")
    + " WHERE excluded.at > target_state.at"
)


def migrate_to_schema_5(db: sqlite_utils.Database) -> None:
    """Apply migrations 1-5 only: the schema Pacing Watch had before the compact history."""
    apply_migrations(db, SCHEMA_5)


def record_cycle_schema_5(
    db: sqlite_utils.Database,
    cycle: CycleRecord,
    targets: Sequence[TargetRecord],
    *,
    recorded_at: float,
) -> bool:
    """Store one cycle as schema 5 did (main before migration 6, `storage.cycles.record_cycle`)."""
    conn = db.conn
    with write_transaction(db):
        if conn.execute(_INSERT_CYCLE, _cycle_values(cycle)).rowcount == 0:
            return False
        conn.executemany(_INSERT_TARGET, [(t.record_id, *_target_values(t)) for t in targets])
        conn.executemany(_UPSERT_STATE, [(*_target_values(t), recorded_at) for t in targets])
    return True
