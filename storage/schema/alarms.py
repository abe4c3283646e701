"""Schema of the alarm subsystem: conditions, instances, transitions, runtime samples."""

from __future__ import annotations

ALARMS_SCHEMA = """
CREATE TABLE alarm_conditions (
    name              TEXT PRIMARY KEY,
    description       TEXT NOT NULL,
    category          TEXT NOT NULL CHECK (category IN ('Warning', 'Minor', 'Major', 'Critical')),
    detect_event_id   INTEGER NOT NULL,
    cancel_event_id   INTEGER NOT NULL,
    cancel_timeout_s  REAL NOT NULL CHECK (cancel_timeout_s > 0),
    on_delay_s        REAL NOT NULL CHECK (on_delay_s >= 0),
    off_delay_s       REAL NOT NULL CHECK (off_delay_s >= 0),
    parameters        TEXT NOT NULL DEFAULT '{}',
    scope_kind        TEXT NOT NULL CHECK (scope_kind IN ('global', 'target')),
    enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    provisioned_at    REAL NOT NULL
) STRICT;

CREATE TABLE alarm_instances (
    instance_id        TEXT PRIMARY KEY,
    condition          TEXT NOT NULL,
    scope              TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('normal', 'active_unacknowledged',
                           'active_acknowledged', 'cleared_unacknowledged', 'shelved',
                           'out_of_service')),
    severity           TEXT NOT NULL,
    raised             INTEGER NOT NULL,
    detected           INTEGER NOT NULL,
    detect_since       REAL,
    cancel_since       REAL,
    requested_severity TEXT,
    raised_at          REAL,
    cleared_at         REAL,
    occurrences        INTEGER NOT NULL DEFAULT 0,
    value              REAL,
    reason             TEXT NOT NULL DEFAULT '',
    acknowledged_by    TEXT,
    acknowledged_at    REAL,
    shelved_by         TEXT,
    shelved_until      REAL,
    updated_at         REAL NOT NULL,
    UNIQUE (condition, scope)
) STRICT;
CREATE INDEX idx_alarm_instances_state ON alarm_instances (state);

CREATE TABLE alarm_transitions (
    transition_id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id   TEXT NOT NULL,
    condition     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    rule          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    occurrence    INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    value         REAL,
    who           TEXT,
    comment       TEXT NOT NULL DEFAULT '',
    at            REAL NOT NULL
) STRICT;
CREATE INDEX idx_alarm_transitions_at ON alarm_transitions (at);
CREATE INDEX idx_alarm_transitions_instance ON alarm_transitions (instance_id, at);

-- History is append-only: a transition is never rewritten (hive-off may delete old rows).
CREATE TRIGGER alarm_transitions_append_only BEFORE UPDATE ON alarm_transitions
BEGIN
    SELECT RAISE(ABORT, 'alarm_transitions is append-only');
END;

CREATE TABLE runtime_samples (
    sample_id            TEXT PRIMARY KEY,
    node_id              TEXT NOT NULL,
    at                   REAL NOT NULL,
    gc_pause_max_s       REAL NOT NULL,
    gc_pause_total_s     REAL NOT NULL,
    gc_collections       INTEGER NOT NULL,
    gc_collections_per_min REAL NOT NULL,
    gc_collections_total INTEGER NOT NULL,
    rss_bytes            INTEGER,
    memory_limit_bytes   INTEGER,
    heap_current_bytes   INTEGER,
    heap_peak_bytes      INTEGER,
    cycle_duration_s     REAL,
    cycle_lateness_s     REAL,
    gc_by_generation     TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX idx_runtime_samples_at ON runtime_samples (at);
"""
