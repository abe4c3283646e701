"""Cycles: store one cycle with its target rows, and the cycle figures the dashboard reads.

Every record carries its own id and is inserted with `ON CONFLICT(<id>) DO NOTHING`, so the
backlog can retry a write without duplicating it. `INSERT OR IGNORE` is avoided on purpose: it
would also silently drop rows that break NOT NULL or CHECK constraints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields

import sqlite_utils

from domain.records import CycleRecord, TargetRecord
from storage.dialect import bulk_insert, json_values, relation_names
from storage.errors import InvalidQueryError
from storage.frames import count_where, fetch
from storage.schema.compact import FIGURE_COLUMNS
from storage.transactions import write_transaction

_CYCLE_COLUMNS = tuple(f.name for f in fields(CycleRecord))


_LATEST_COLUMNS = (
    "cycle_id",
    "at",
    "media_key",
    *FIGURE_COLUMNS,
    "reason_key",
    "error_key",
    "updated_at",
)


def _cycle_values(cycle: CycleRecord) -> dict[str, object]:
    return {name: getattr(cycle, name) for name in _CYCLE_COLUMNS}


def _insert_sql(table: str, columns: Sequence[str], conflict_key: str) -> str:
    # Identifiers come from the dataclass fields above, never from callers.
    names = ", ".join(columns)
    marks = ", ".join(f":{name}" for name in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT({conflict_key}) DO NOTHING"


_INSERT_CYCLE = _insert_sql("cycles", _CYCLE_COLUMNS, "cycle_id")


_INSERT_BATCH = "INSERT INTO row_batches (cycle_id, at) VALUES (:cycle_id, :at) RETURNING batch_key"


_ROW_COLUMNS = ("batch_key", "target_key", "media_key", *FIGURE_COLUMNS, "reason_key", "error_key")


# The latest state, from the rows just stored (one statement per batch, no Python per row).
_UPSERT_LATEST = f"""
INSERT INTO target_latest (target_key, cycle_id, at, media_key, {", ".join(FIGURE_COLUMNS)},
                           reason_key, error_key, updated_at)
SELECT r.target_key, :cycle_id, :at, r.media_key,
       {", ".join(f"r.{name}" for name in FIGURE_COLUMNS)}, r.reason_key, r.error_key, :stamp
FROM target_rows AS r WHERE r.batch_key = :batch_key
ON CONFLICT (target_key) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _LATEST_COLUMNS)}
-- a late retry of an old cycle must not overwrite a newer live state
WHERE excluded.at > target_latest.at
"""


class _Keys:
    """This connection's copy of the key tables (target id -> key, text -> key).

    Keys are never changed nor deleted once committed, so the copy stays right; a key missing
    from it is looked up (or created) in the database. After a failed write the copy is
    dropped, since keys created by a rolled-back transaction do not exist.
    """

    __slots__ = ("targets", "texts")

    def __init__(self) -> None:
        self.targets: dict[str, int] = {}
        self.texts: dict[str | None, int | None] = {None: None}


_KEYS_ATTRIBUTE = "_pacing_history_keys"


def _keys(db: sqlite_utils.Database) -> _Keys:
    keys: _Keys | None = getattr(db, _KEYS_ATTRIBUTE, None)
    if keys is None:
        keys = _Keys()
        setattr(db, _KEYS_ATTRIBUTE, keys)
    return keys


def _add_keys(db: sqlite_utils.Database, keys: _Keys, targets: Sequence[TargetRecord]) -> None:
    """Create the missing keys of these rows, then reload both key tables."""
    conn = db.conn
    target_ids = json.dumps([t.target_id for t in targets])
    texts = {t.media for t in targets} | {t.reason for t in targets} | {t.error for t in targets}
    texts.discard(None)
    # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
    conn.execute(
        f"INSERT INTO target_keys (target_id) SELECT * FROM ({json_values('ids')}) AS v "
        "WHERE true ON CONFLICT (target_id) DO NOTHING",
        {"ids": target_ids},
    )
    conn.execute(
        f"INSERT INTO text_keys (value) SELECT * FROM ({json_values('texts')}) AS v "
        "WHERE true ON CONFLICT (value) DO NOTHING",
        {"texts": json.dumps(sorted(t for t in texts if t is not None))},
    )
    keys.targets = dict(conn.execute("SELECT target_id, target_key FROM target_keys"))
    keys.texts = {None: None, **dict(conn.execute("SELECT value, text_key FROM text_keys"))}


def _row_tuples(
    keys: _Keys, batches: dict[float, int], targets: Sequence[TargetRecord]
) -> list[tuple[object, ...]]:
    """The rows as `target_rows` stores them; KeyError for a key not known yet."""
    tk, xk = keys.targets, keys.texts
    return [
        (
            batches[t.at],
            tk[t.target_id],
            xk[t.media],
            t.goal_pct,
            t.logged_in_slots,
            t.ready_slots,
            t.busy_slots,
            t.in_queue,
            t.accepted_total,
            t.abandoned_total,
            t.pending_invitations,
            t.acceptance_rate,
            t.avg_handle_time_s,
            t.allowed_invitations,
            t.interval_s,
            t.estimated_wait_s,
            xk[t.reason],
            xk[t.error],
        )
        for t in targets
    ]


def record_cycle(
    db: sqlite_utils.Database,
    cycle: CycleRecord,
    targets: Sequence[TargetRecord],
    *,
    recorded_at: float | None = None,
) -> bool:
    """Store one cycle and its target rows atomically; False if it was already stored.

    The latest state of each target is updated only when the row is newer than the stored one.
    `recorded_at` (default: now) stamps `target_state.updated_at`. A target given twice in one
    cycle is stored once (the first), as the record id of the old schema did.
    """
    for target in targets:
        if target.cycle_id != cycle.cycle_id:
            raise ValueError(
                f"target {target.target_id!r} belongs to cycle {target.cycle_id!r}, "
                f"not to cycle {cycle.cycle_id!r}"
            )
    if len({t.target_id for t in targets}) != len(targets):
        targets = list({t.target_id: t for t in reversed(targets)}.values())[::-1]
    stamp = time.time() if recorded_at is None else recorded_at
    conn = db.conn
    keys = _keys(db)
    try:
        with write_transaction(db):
            if conn.execute(_INSERT_CYCLE, _cycle_values(cycle)).rowcount == 0:
                return False  # a retry: the targets were stored with the cycle, atomically
            batches: dict[float, int] = {}
            for at in sorted({t.at for t in targets}):
                (batch_key,) = conn.execute(
                    _INSERT_BATCH, {"cycle_id": cycle.cycle_id, "at": at}
                ).fetchone()
                batches[at] = int(batch_key)
            try:
                rows = _row_tuples(keys, batches, targets)
            except KeyError:
                _add_keys(db, keys, targets)
                rows = _row_tuples(keys, batches, targets)
            bulk_insert(conn, "target_rows", _ROW_COLUMNS, rows)
            for at, batch_key in batches.items():
                conn.execute(
                    _UPSERT_LATEST,
                    {"cycle_id": cycle.cycle_id, "at": at, "stamp": stamp, "batch_key": batch_key},
                )
    except BaseException:
        setattr(db, _KEYS_ATTRIBUTE, None)  # keys made by the rolled-back write are gone
        raise
    return True


TABLES = (
    "nodes",
    "cycles",
    "cycle_targets",  # a view over target_rows since migration 6: the count is the same
    "target_state",  # a view over target_latest since migration 6
    "scheduler_events",
    "schema_migrations",
)


@dataclass(frozen=True, slots=True)
class CycleSummary:
    """Cycle figures over all time and over the window `(now - window_s, now]`.

    Means and maxima are None when the window holds no cycle.
    """

    window_s: float
    total_cycles: int
    cycles_in_window: int
    cycles_per_minute: float
    mean_duration_s: float | None
    max_duration_s: float | None
    mean_lateness_s: float | None
    max_lateness_s: float | None
    overruns_in_window: int
    failed_in_window: int
    skipped_in_window: int  # scheduler fires skipped because the previous cycle overran
    missed_in_window: int  # scheduler fires dropped because they started too late
    last_cycle_age_s: float | None  # now - start of the most recent cycle
    last_status: str | None


def read_cycle_summary(db: sqlite_utils.Database, now: float, window_s: float) -> CycleSummary:
    """Throughput, duration, lateness and overrun figures of the cycles in the last `window_s`."""
    if window_s <= 0:
        raise InvalidQueryError(f"window_s must be positive, got {window_s}")
    since = now - window_s
    (total,) = fetch(db, "SELECT count(*) FROM cycles")[0]
    in_window, mean_d, max_d, mean_l, max_l, overruns, failed = fetch(
        db,
        f"""
        SELECT count(*), avg(duration_s), max(duration_s), avg(lateness_s), max(lateness_s),
               {count_where("status = 'overrun'")}, {count_where("status = 'failed'")}
        FROM cycles WHERE started_at > :since AND started_at <= :now
        """,
        {"since": since, "now": now},
    )[0]
    skipped, missed = fetch(
        db,
        f"""
        SELECT {count_where("kind = 'skipped'")}, {count_where("kind = 'missed'")}
        FROM scheduler_events WHERE at > :since AND at <= :now
        """,
        {"since": since, "now": now},
    )[0]
    last = fetch(db, "SELECT started_at, status FROM cycles ORDER BY started_at DESC LIMIT 1")
    last_age_s = now - last[0][0] if last else None
    return CycleSummary(
        window_s=window_s,
        total_cycles=total,
        cycles_in_window=in_window,
        cycles_per_minute=in_window / (window_s / 60),
        mean_duration_s=mean_d,
        max_duration_s=max_d,
        mean_lateness_s=mean_l,
        max_lateness_s=max_l,
        overruns_in_window=overruns,
        failed_in_window=failed,
        skipped_in_window=skipped,
        missed_in_window=missed,
        last_cycle_age_s=last_age_s,
        last_status=last[0][1] if last else None,
    )


def count_rows(db: sqlite_utils.Database) -> dict[str, int]:
    """Row count of every Pacing Watch table present in the database."""
    present = relation_names(db)
    # Table names come from the fixed TABLES tuple, never from callers.
    return {
        name: int(fetch(db, f"SELECT count(*) FROM {name}")[0][0])
        for name in TABLES
        if name in present
    }
