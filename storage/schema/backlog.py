"""Schema of the backlog, its disk monitor and hive-off (migration 2; see storage/migrations.py).

Kept in its own import-free module so `storage.migrations` can use it without importing the
backlog package (which itself imports `storage.db`).
"""

from __future__ import annotations

BACKLOG_SCHEMA = """
-- Settings an operator changes at run time (`pacing backlog enable|disable`); a missing row
-- means "as configured".
CREATE TABLE backlog_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at REAL NOT NULL
) STRICT;

-- One row per disk-monitor check: folder size, item counts and the node's running counters.
CREATE TABLE backlog_samples (
    node_id           TEXT NOT NULL,
    at                REAL NOT NULL,
    used_bytes        INTEGER NOT NULL,
    pending_items     INTEGER NOT NULL,
    processing_items  INTEGER NOT NULL,
    failed_items      INTEGER NOT NULL,
    backlogged_total  INTEGER NOT NULL,
    drained_total     INTEGER NOT NULL,
    failed_total      INTEGER NOT NULL,
    refused_total     INTEGER NOT NULL,
    level             TEXT NOT NULL CHECK (level IN ('normal', 'warning', 'major')),
    PRIMARY KEY (node_id, at)
) STRICT;
CREATE INDEX idx_backlog_samples_at ON backlog_samples (at);

-- Cycles whose detail hive-off archived and purged: a late backlog retry of one of them must
-- not bring its rows back (the trigger below skips the insert, record_cycle returns False).
CREATE TABLE archived_cycles (
    cycle_id   TEXT PRIMARY KEY,
    started_at REAL NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_archived_cycles_started_at ON archived_cycles (started_at);

CREATE TRIGGER cycles_skip_archived BEFORE INSERT ON cycles
WHEN EXISTS (SELECT 1 FROM archived_cycles WHERE cycle_id = NEW.cycle_id)
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Per-target, per-minute aggregates of purged detail (additive: counts, sums, weighted means).
CREATE TABLE target_minute_rollups (
    target_id        TEXT NOT NULL,
    minute_start     REAL NOT NULL,
    samples          INTEGER NOT NULL,
    allowed_sum      INTEGER NOT NULL,
    pending_mean     REAL,
    pending_n        INTEGER NOT NULL,
    ready_mean       REAL,
    ready_n          INTEGER NOT NULL,
    busy_mean        REAL,
    busy_n           INTEGER NOT NULL,
    queue_mean       REAL,
    queue_n          INTEGER NOT NULL,
    accepted_delta   INTEGER NOT NULL,
    abandoned_delta  INTEGER NOT NULL,
    accepted_last    INTEGER,
    abandoned_last   INTEGER,
    last_at          REAL NOT NULL,
    PRIMARY KEY (target_id, minute_start)
) STRICT;
CREATE INDEX idx_target_minute_rollups_minute ON target_minute_rollups (minute_start);

CREATE TABLE hive_off_runs (
    run_id          TEXT PRIMARY KEY,
    node_id         TEXT NOT NULL,
    started_at      REAL NOT NULL,
    heartbeat_at    REAL NOT NULL,
    finished_at     REAL,
    cutoff          REAL NOT NULL,
    status          TEXT NOT NULL
                    CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
    rows_archived   INTEGER NOT NULL DEFAULT 0,
    cycles_purged   INTEGER NOT NULL DEFAULT 0,
    minutes_rolled  INTEGER NOT NULL DEFAULT 0,
    archive_files   INTEGER NOT NULL DEFAULT 0,
    pages_freed     INTEGER NOT NULL DEFAULT 0,
    error           TEXT
) STRICT;
CREATE INDEX idx_hive_off_runs_started_at ON hive_off_runs (started_at);

-- Archive files `pacing export --include-archive` reads; a file not listed here is an
-- interrupted chunk's leftover (its rows are still live) and is never read.
CREATE TABLE hive_off_archives (
    file       TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL,
    first_at   REAL NOT NULL,
    last_at    REAL NOT NULL,
    rows       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    created_at REAL NOT NULL
) STRICT;
CREATE INDEX idx_hive_off_archives_range ON hive_off_archives (first_at, last_at);
"""
