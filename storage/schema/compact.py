"""Compact history (migration 6) and the resumable conversion of rows stored before it.

Before migration 6 every target-cycle row repeated its text ids (`record_id`, `cycle_id`,
`target_id`, `media`, `reason`) and carried three secondary indexes: about 540 bytes a row at
10,000 targets. Now:

* `target_keys` and `text_keys` give each target id and each media / reason / error text a
  small integer key, stored once;
* `row_batches` holds what the rows of one cycle share: the cycle id and the time `at` (one
  batch per distinct `at` of a cycle; a node's cycle has one), indexed by time;
* `target_rows` holds the figures, keyed by `(batch_key, target_key)` WITHOUT ROWID: the
  primary key is the only index. Time ranges go through `row_batches (at)`, one target's rows
  through the primary key of each batch in range.

The views `cycle_targets` (exactly the old table's columns and values) and `cycle_targets_keyed`
(the same plus `batch_key` and `target_key`) keep readers simple.

Migration 6 renames the old table to `legacy_cycle_targets` inside the migration transaction;
`convert_legacy_rows` then moves its rows in batches, each batch in its own transaction that
inserts the converted rows and deletes the originals. A crash between batches leaves every row
either converted or still legacy, never both nor neither; the next `connect` continues.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlite_utils

from storage.errors import StorageError
from storage.schema.script import split_statements
from storage.transactions import write_transaction

__all__ = [
    "COMPACT_HISTORY_SCHEMA",
    "FIGURE_COLUMNS",
    "LEGACY_TABLE",
    "ROLLUP_TYPES",
    "ROLLUP_VALUES",
    "WHOLE_FIGURES",
    "compact_history",
    "convert_legacy_rows",
    "legacy_rows_left",
]

log = logging.getLogger(__name__)

LEGACY_TABLE = "legacy_cycle_targets"

# The figures of a target row stored as they are (no key), in the order of TargetRecord.
FIGURE_COLUMNS = (
    "goal_pct",
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "in_queue",
    "accepted_total",
    "abandoned_total",
    "pending_invitations",
    "acceptance_rate",
    "avg_handle_time_s",
    "allowed_invitations",
    "interval_s",
    "estimated_wait_s",
)

# Figures that are whole numbers (counts); the others are measures.
WHOLE_FIGURES = frozenset(
    {
        "logged_in_slots",
        "ready_slots",
        "busy_slots",
        "in_queue",
        "accepted_total",
        "abandoned_total",
        "pending_invitations",
        "allowed_invitations",
    }
)

_LATEST_FIGURES = ",\n    ".join(
    f"{name} {'INTEGER' if name in WHOLE_FIGURES else 'REAL'}" for name in FIGURE_COLUMNS
)

# The rollup columns besides the target (schema 5's target_minute_rollups, in its order).
ROLLUP_TYPES = {
    "minute_start": "REAL NOT NULL",
    "samples": "INTEGER NOT NULL",
    "allowed_sum": "INTEGER NOT NULL",
    "pending_mean": "REAL",
    "pending_n": "INTEGER NOT NULL",
    "ready_mean": "REAL",
    "ready_n": "INTEGER NOT NULL",
    "busy_mean": "REAL",
    "busy_n": "INTEGER NOT NULL",
    "queue_mean": "REAL",
    "queue_n": "INTEGER NOT NULL",
    "accepted_delta": "INTEGER NOT NULL",
    "abandoned_delta": "INTEGER NOT NULL",
    "accepted_last": "INTEGER",
    "abandoned_last": "INTEGER",
    "last_at": "REAL NOT NULL",
}
ROLLUP_VALUES = tuple(ROLLUP_TYPES)
_ROLLUP_DECLARATIONS = ",\n    ".join(f"{name} {kind}" for name, kind in ROLLUP_TYPES.items())

# REAL columns: SQLite writes a whole REAL value (goal 3.0, interval 5.0) as a small integer on
# disk and reads it back as a float, so integral figures cost 1-2 bytes, not 8.
COMPACT_HISTORY_SCHEMA = f"""
CREATE TABLE target_keys (
    target_key INTEGER PRIMARY KEY,
    target_id  TEXT NOT NULL UNIQUE
) STRICT;

-- media, reasons and error texts: a handful of distinct values repeated on every row
CREATE TABLE text_keys (
    text_key INTEGER PRIMARY KEY,
    value    TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE row_batches (
    batch_key INTEGER PRIMARY KEY,
    cycle_id  TEXT NOT NULL REFERENCES cycles (cycle_id),
    at        REAL NOT NULL,
    UNIQUE (cycle_id, at)       -- finds a cycle's batches (purge, conversion)
) STRICT;
-- time ranges, and the (at, cycle_id) order of the CSV export and of hive-off
CREATE INDEX idx_row_batches_at ON row_batches (at, cycle_id);

CREATE TABLE target_rows (
    batch_key           INTEGER NOT NULL,
    target_key          INTEGER NOT NULL,
    media_key           INTEGER NOT NULL,
    goal_pct            REAL NOT NULL,
    logged_in_slots     INTEGER,
    ready_slots         INTEGER,
    busy_slots          INTEGER,
    in_queue            INTEGER,
    accepted_total      INTEGER,
    abandoned_total     INTEGER,
    pending_invitations INTEGER,
    acceptance_rate     REAL,
    avg_handle_time_s   REAL,
    allowed_invitations INTEGER,
    interval_s          REAL,
    estimated_wait_s    REAL,
    reason_key          INTEGER,
    error_key           INTEGER,
    PRIMARY KEY (batch_key, target_key)
) STRICT, WITHOUT ROWID;

CREATE VIEW cycle_targets_keyed AS
SELECT b.cycle_id || '/' || k.target_id AS record_id,
       b.cycle_id AS cycle_id,
       k.target_id AS target_id,
       b.at AS at,
       (SELECT value FROM text_keys WHERE text_key = r.media_key) AS media,
       {", ".join(f"r.{name} AS {name}" for name in FIGURE_COLUMNS)},
       (SELECT value FROM text_keys WHERE text_key = r.reason_key) AS reason,
       (SELECT value FROM text_keys WHERE text_key = r.error_key) AS error,
       r.batch_key AS batch_key,
       r.target_key AS target_key
FROM target_rows AS r
JOIN row_batches AS b ON b.batch_key = r.batch_key
JOIN target_keys AS k ON k.target_key = r.target_key;

-- The table of schema 5, column for column, for readers that do not need the keys.
CREATE VIEW cycle_targets AS
SELECT record_id, cycle_id, target_id, at, media, {", ".join(FIGURE_COLUMNS)}, reason, error
FROM cycle_targets_keyed;

-- The latest row of each target, a copy (hive-off may purge the detail row it came from).
CREATE TABLE target_latest (
    target_key INTEGER PRIMARY KEY,
    cycle_id   TEXT NOT NULL,
    at         REAL NOT NULL,
    media_key  INTEGER NOT NULL,
    {_LATEST_FIGURES},
    reason_key INTEGER,
    error_key  INTEGER,
    updated_at REAL NOT NULL
) STRICT;

-- Schema 5's target_state table, column for column.
CREATE VIEW target_state AS
SELECT k.target_id AS target_id, s.cycle_id AS cycle_id, s.at AS at,
       (SELECT value FROM text_keys WHERE text_key = s.media_key) AS media,
       {", ".join(f"s.{name} AS {name}" for name in FIGURE_COLUMNS)},
       (SELECT value FROM text_keys WHERE text_key = s.reason_key) AS reason,
       (SELECT value FROM text_keys WHERE text_key = s.error_key) AS error,
       s.updated_at AS updated_at
FROM target_latest AS s JOIN target_keys AS k ON k.target_key = s.target_key;

-- Per-target, per-minute aggregates of purged detail (hive-off), keyed by integers. Whole REAL
-- values (minute_start, integral means) take 1-6 bytes on disk, not 8.
CREATE TABLE minute_rollups (
    target_key       INTEGER NOT NULL,
    {_ROLLUP_DECLARATIONS},
    PRIMARY KEY (target_key, minute_start)   -- a target's minutes, and the upsert
) STRICT, WITHOUT ROWID;
-- time ranges of every target, and the retention's delete
CREATE INDEX idx_minute_rollups_minute ON minute_rollups (minute_start);

-- Schema 5's target_minute_rollups table, column for column (writable, for tests and tools).
CREATE VIEW target_minute_rollups AS
SELECT k.target_id AS target_id, {", ".join(f"m.{c} AS {c}" for c in ROLLUP_VALUES)}
FROM minute_rollups AS m JOIN target_keys AS k ON k.target_key = m.target_key;

CREATE TRIGGER target_minute_rollups_insert INSTEAD OF INSERT ON target_minute_rollups
BEGIN
    INSERT INTO target_keys (target_id) VALUES (NEW.target_id)
    ON CONFLICT (target_id) DO NOTHING;
    INSERT INTO minute_rollups (target_key, {", ".join(ROLLUP_VALUES)})
    VALUES ((SELECT target_key FROM target_keys WHERE target_id = NEW.target_id),
            {", ".join(f"NEW.{c}" for c in ROLLUP_VALUES)});
END;
"""

_KEEP_LEGACY = f"""
ALTER TABLE cycle_targets RENAME TO {LEGACY_TABLE};
DROP INDEX idx_cycle_targets_target_at;
DROP INDEX idx_cycle_targets_at;
DROP INDEX idx_cycle_targets_cycle;
ALTER TABLE target_state RENAME TO legacy_target_state;
ALTER TABLE target_minute_rollups RENAME TO legacy_minute_rollups;
DROP INDEX idx_target_minute_rollups_minute;
"""

# The latest state (one row per target: small) is converted inside the migration transaction.
_CONVERT_STATE = f"""
INSERT INTO target_keys (target_id) SELECT target_id FROM legacy_target_state ORDER BY target_id;
INSERT INTO text_keys (value)
SELECT media FROM legacy_target_state
UNION SELECT reason FROM legacy_target_state WHERE reason IS NOT NULL
UNION SELECT error FROM legacy_target_state WHERE error IS NOT NULL;
INSERT INTO target_latest (target_key, cycle_id, at, media_key, {", ".join(FIGURE_COLUMNS)},
                           reason_key, error_key, updated_at)
SELECT k.target_key, l.cycle_id, l.at, (SELECT text_key FROM text_keys WHERE value = l.media),
       {", ".join(f"l.{name}" for name in FIGURE_COLUMNS)},
       (SELECT text_key FROM text_keys WHERE value = l.reason),
       (SELECT text_key FROM text_keys WHERE value = l.error), l.updated_at
FROM legacy_target_state AS l JOIN target_keys AS k ON k.target_id = l.target_id;
DROP TABLE legacy_target_state;
INSERT INTO target_keys (target_id) SELECT DISTINCT target_id FROM legacy_minute_rollups
WHERE true ON CONFLICT (target_id) DO NOTHING;
INSERT INTO minute_rollups (target_key, {", ".join(ROLLUP_VALUES)})
SELECT k.target_key, {", ".join(f"l.{c}" for c in ROLLUP_VALUES)}
FROM legacy_minute_rollups AS l JOIN target_keys AS k ON k.target_id = l.target_id;
DROP TABLE legacy_minute_rollups;
"""


def compact_history(db: sqlite_utils.Database) -> None:
    """Migration 6: keep the old rows aside (converted later, in batches), create the new schema.

    Runs inside the migration transaction; only renames and creates, so it is quick whatever
    the size of the history.
    """
    for statement in split_statements(_KEEP_LEGACY + COMPACT_HISTORY_SCHEMA + _CONVERT_STATE):
        db.execute(statement)


def legacy_rows_left(db: sqlite_utils.Database) -> int | None:
    """Rows still waiting for conversion; None when there is no legacy table (all done)."""
    if not _has_legacy(db):
        return None
    return int(db.execute(f"SELECT count(*) FROM {LEGACY_TABLE}").fetchone()[0])


def _has_legacy(db: sqlite_utils.Database) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (LEGACY_TABLE,)
    ).fetchone()
    return found is not None


_LEGACY_FIGURES = ", ".join(f"l.{name}" for name in FIGURE_COLUMNS)

_CONVERT_BATCH = (
    f"INSERT INTO target_keys (target_id) SELECT target_id FROM {LEGACY_TABLE} "
    "WHERE rowid <= :last ON CONFLICT (target_id) DO NOTHING",
    f"""
    INSERT INTO text_keys (value)
    SELECT media FROM {LEGACY_TABLE} WHERE rowid <= :last
    UNION SELECT reason FROM {LEGACY_TABLE} WHERE rowid <= :last AND reason IS NOT NULL
    UNION SELECT error FROM {LEGACY_TABLE} WHERE rowid <= :last AND error IS NOT NULL
    ON CONFLICT (value) DO NOTHING
    """,
    # A cycle split over two conversion batches finds its batch row already there.
    f"INSERT INTO row_batches (cycle_id, at) SELECT DISTINCT cycle_id, at FROM {LEGACY_TABLE} "
    "WHERE rowid <= :last ON CONFLICT (cycle_id, at) DO NOTHING",
    # No ON CONFLICT: (cycle_id, target_id) is unique in the old table (its record_id is), so a
    # conflict would be a bug, and it must fail loudly rather than lose a row.
    f"""
    INSERT INTO target_rows (batch_key, target_key, media_key, {", ".join(FIGURE_COLUMNS)},
                             reason_key, error_key)
    SELECT b.batch_key, k.target_key,
           (SELECT text_key FROM text_keys WHERE value = l.media), {_LEGACY_FIGURES},
           (SELECT text_key FROM text_keys WHERE value = l.reason),
           (SELECT text_key FROM text_keys WHERE value = l.error)
    FROM {LEGACY_TABLE} AS l
    JOIN row_batches AS b ON b.cycle_id = l.cycle_id AND b.at = l.at
    JOIN target_keys AS k ON k.target_id = l.target_id
    WHERE l.rowid <= :last
    """,
    f"DELETE FROM {LEGACY_TABLE} WHERE rowid <= :last",
)


def convert_legacy_rows(
    db: sqlite_utils.Database,
    *,
    batch_rows: int = 50_000,
    after_batch: Callable[[int, int], None] | None = None,
    progress_every_s: float = 5.0,
) -> int:
    """Move every row of `legacy_cycle_targets` into the compact tables; return rows moved.

    Each batch (`batch_rows` rows, oldest rowid first) is one write transaction: the converted
    rows are inserted and the originals deleted together, so an interrupted conversion resumes
    where it stopped. `after_batch(done, total)` runs after each committed batch (progress, or a
    test's simulated crash). Progress is logged every `progress_every_s` seconds.
    """
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")
    total = legacy_rows_left(db)
    if total is None:
        return 0
    if total:
        log.info("converting %s history rows to the compact schema (migration 6)", f"{total:,}")
    done = 0
    started = last_log = time.monotonic()
    while True:
        with write_transaction(db):
            if not _has_legacy(db):  # another connection finished the conversion
                break
            row = db.execute(
                f"SELECT rowid FROM {LEGACY_TABLE} ORDER BY rowid LIMIT 1 OFFSET ?",
                (batch_rows - 1,),
            ).fetchone()
            if row is None:
                row = db.execute(f"SELECT max(rowid) FROM {LEGACY_TABLE}").fetchone()
            last = row[0]
            if last is None:  # nothing left: the conversion is complete
                db.execute(f"DROP TABLE {LEGACY_TABLE}")
                break
            counts = [db.conn.execute(sql, {"last": last}).rowcount for sql in _CONVERT_BATCH]
            inserted, moved = counts[-2], counts[-1]
            if inserted != moved:  # rolls the batch back: no row is lost
                raise StorageError(
                    f"converting history rows up to rowid {last}: {inserted} rows written for "
                    f"{moved} read; the batch is rolled back and the old rows kept"
                )
        done += moved
        if after_batch is not None:
            after_batch(done, total)
        if time.monotonic() - last_log >= progress_every_s:
            last_log = time.monotonic()
            log.info("converted %s of %s history rows", f"{done:,}", f"{total:,}")
    if total:
        log.info(
            "converted %s history rows in %.1f s; the old table is dropped",
            f"{done:,}",
            time.monotonic() - started,
        )
    return done
