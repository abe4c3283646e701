"""Writing cycles into the compact history with SQL that runs unchanged on both engines.

What the storage port's `record_cycle` will do, written plainly for tests: the cycle, its
batch (`RETURNING batch_key`: SQLite's rowid, PostgreSQL's day-encoded key), the keys, the
target rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from storage.schema.compact import FIGURE_COLUMNS
from storage.sql import Database

VIEW_COLUMNS = (
    "record_id",
    "cycle_id",
    "target_id",
    "at",
    "media",
    *FIGURE_COLUMNS,
    "reason",
    "error",
)

_INSERT_CYCLE = """
INSERT INTO cycles (cycle_id, node_id, seq, scheduled_at, started_at, duration_s, lateness_s,
                    period_s, status, targets_count, errors_count, error, skipped_before)
VALUES (:cycle_id, 'node-a', :seq, :at, :at, 0.5, 0.0, 5.0, 'ok', :targets, 0, NULL, 0)
ON CONFLICT (cycle_id) DO NOTHING
"""
_INSERT_BATCH = "INSERT INTO row_batches (cycle_id, at) VALUES (:cycle_id, :at) RETURNING batch_key"
_INSERT_ROW = (
    f"INSERT INTO target_rows (batch_key, target_key, media_key, {', '.join(FIGURE_COLUMNS)}, "
    "reason_key, error_key) VALUES (:batch_key, :target_key, :media_key, "
    f"{', '.join(':' + name for name in FIGURE_COLUMNS)}, :reason_key, :error_key)"
)


def epoch(day: date, seconds: float = 0.0) -> float:
    """The epoch seconds of `seconds` after midnight UTC of `day`."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + seconds


def target_row(target_id: str, n: int, *, error: str | None = None) -> dict[str, Any]:
    """One target's figures, varied by `n`, with NULLs where a failed source leaves them."""
    failed = error is not None
    return {
        "target_id": target_id,
        "media": "chat" if n % 2 else "voice",
        "goal_pct": 80.0 + n,
        "logged_in_slots": None if failed else 10 + n,
        "ready_slots": None if failed else n % 4,
        "busy_slots": None if failed else 7,
        "in_queue": None if failed else n,
        "accepted_total": None if failed else 3_000_000_000 + n,  # beyond 32 bits
        "abandoned_total": None if failed else 2 * n,
        "pending_invitations": None if failed else 1,
        "acceptance_rate": None if failed else 0.25 + n / 100,
        "avg_handle_time_s": None if failed else 312.5,
        "allowed_invitations": 0 if failed else n,
        "interval_s": 5.0,
        "estimated_wait_s": None if failed else 41.125,
        "reason": "source failed" if failed else f"goal {80 + n}",
        "error": error,
    }


def record_cycle(
    db: Database, cycle_id: str, seq: int, at: float, rows: Sequence[dict[str, Any]]
) -> int:
    """Store a cycle and its target rows in one transaction; return its batch key."""
    with db.write_transaction():
        db.execute(
            _INSERT_CYCLE, {"cycle_id": cycle_id, "seq": seq, "at": at, "targets": len(rows)}
        )
        batch_key = int(db.execute(_INSERT_BATCH, {"cycle_id": cycle_id, "at": at}).scalar_one())
        values = [_keyed(db, batch_key, row) for row in rows]
        db.executemany(_INSERT_ROW, values)
    return batch_key


def expected_view_rows(
    cycle_id: str, at: float, rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """What `cycle_targets` must return for a cycle recorded by `record_cycle`."""
    return [
        (
            f"{cycle_id}/{row['target_id']}",
            cycle_id,
            row["target_id"],
            at,
            *(row[name] for name in VIEW_COLUMNS[4:]),
        )
        for row in rows
    ]


def _keyed(db: Database, batch_key: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: row[name] for name in FIGURE_COLUMNS},
        "batch_key": batch_key,
        "target_key": _key(db, "target_keys", "target_key", "target_id", row["target_id"]),
        "media_key": _key(db, "text_keys", "text_key", "value", row["media"]),
        "reason_key": _key(db, "text_keys", "text_key", "value", row["reason"]),
        "error_key": _key(db, "text_keys", "text_key", "value", row["error"]),
    }


def _key(db: Database, table: str, key: str, column: str, value: str | None) -> int | None:
    if value is None:
        return None
    db.execute(
        f"INSERT INTO {table} ({column}) VALUES (:value) ON CONFLICT ({column}) DO NOTHING",
        {"value": value},
    )
    found = db.execute(f"SELECT {key} FROM {table} WHERE {column} = :value", {"value": value})
    return int(found.scalar_one())
