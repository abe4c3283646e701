"""DDL of the `leases` table (the master lease) on both engines.

SQLite gets it from migrations 3 (the table, as shipped: never edit it) and 8 (the fencing
term). PostgreSQL gets the same table, meaning and units (epoch seconds of the database's
clock) from `POSTGRES_LEASES_SCHEMA`, in its baseline migration (storage/schema/postgres/).
"""

from __future__ import annotations

__all__ = ["LEASES_SCHEMA", "LEASE_TERM_SCHEMA", "POSTGRES_LEASES_SCHEMA"]

# Migration 3, "master lease".
LEASES_SCHEMA = """
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at REAL NOT NULL,
    renewed_at  REAL NOT NULL,
    expires_at  REAL NOT NULL
) STRICT;
"""

# Migration 8, "fenced master lease": a number that grows by one at every change of holder
# and never on renewal, so a node can prove it is still the holder it was (fencing). Rows
# taken before it start at 0; the first change of holder makes them 1.
LEASE_TERM_SCHEMA = """
ALTER TABLE leases ADD COLUMN term INTEGER NOT NULL DEFAULT 0;
"""

# `IF NOT EXISTS`: before the numbered migrations this statement alone made the table.
POSTGRES_LEASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at DOUBLE PRECISION NOT NULL,
    renewed_at  DOUBLE PRECISION NOT NULL,
    expires_at  DOUBLE PRECISION NOT NULL,
    term        BIGINT NOT NULL DEFAULT 0 CHECK (term >= 0)
)
"""
