"""Schema of operator controls, the audit trail and node requests (one migration).

`target_controls` holds the controls in force (one per target and kind; a lapsed one is
deleted by the next cycle, which writes the lapse to the audit). `audit_log` is append-only:
triggers refuse every UPDATE and DELETE, so nothing rewrites who did what. `node_requests`
carries a dashboard's "reload the configuration" to every node of the database.
"""

from __future__ import annotations

CONTROLS_SCHEMA = """
CREATE TABLE target_controls (
    target_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('pause', 'cap', 'fixed', 'algorithm', 'goal')),
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    set_by     TEXT NOT NULL,
    set_at     REAL NOT NULL,
    expires_at REAL,
    PRIMARY KEY (target_id, kind)
) STRICT;

CREATE TABLE audit_log (
    audit_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    at        REAL NOT NULL,
    who       TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    reason    TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX idx_audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE node_requests (
    request_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('reload')),
    requested_by TEXT NOT NULL,
    requested_at REAL NOT NULL
) STRICT;
"""
