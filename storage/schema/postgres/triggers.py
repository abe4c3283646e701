"""The SQLite triggers as PL/pgSQL, under the same names and with the same meaning.

* `audit_log_no_update`, `audit_log_no_delete`, `alarm_transitions_append_only`: refuse the
  change with SQLSTATE 23001 (`restrict_violation`), an integrity error like SQLite's
  `RAISE(ABORT)`, so storage reports it as a rejected record on both engines.
  `audit_log_no_truncate` is PostgreSQL's own addition: TRUNCATE skips row triggers, and the
  audit trail must not be emptied by it either.
* `cycles_skip_archived`: a cycle hive-off archived is silently not inserted again (SQLite's
  `RAISE(IGNORE)`; a BEFORE trigger returning NULL), so `INSERT ... ON CONFLICT DO NOTHING`
  reports 0 rows as it does on SQLite.
* `target_minute_rollups_insert`: the writable view of schema 5's rollup table.
"""

from __future__ import annotations

from storage.schema.compact import ROLLUP_VALUES

__all__ = ["POSTGRES_ONLY_TRIGGERS", "TRIGGERS"]

POSTGRES_ONLY_TRIGGERS = frozenset({"audit_log_no_truncate"})

_REFUSE_CHANGE = """CREATE FUNCTION pacing_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only',
                          ERRCODE = 'restrict_violation';
END
$$"""

_SKIP_ARCHIVED = """CREATE FUNCTION pacing_skip_archived_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM archived_cycles WHERE cycle_id = NEW.cycle_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$"""

_INSERT_ROLLUP = f"""CREATE FUNCTION pacing_insert_target_minute_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO target_keys (target_id) VALUES (NEW.target_id)
    ON CONFLICT (target_id) DO NOTHING;
    INSERT INTO minute_rollups (target_key, {", ".join(ROLLUP_VALUES)})
    VALUES ((SELECT target_key FROM target_keys WHERE target_id = NEW.target_id),
            {", ".join(f"NEW.{c}" for c in ROLLUP_VALUES)});
    RETURN NEW;
END
$$"""

TRIGGERS: tuple[str, ...] = (
    _REFUSE_CHANGE,
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION pacing_refuse_change()",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION pacing_refuse_change()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION pacing_refuse_change()",
    "CREATE TRIGGER alarm_transitions_append_only BEFORE UPDATE ON alarm_transitions "
    "FOR EACH ROW EXECUTE FUNCTION pacing_refuse_change()",
    _SKIP_ARCHIVED,
    "CREATE TRIGGER cycles_skip_archived BEFORE INSERT ON cycles "
    "FOR EACH ROW EXECUTE FUNCTION pacing_skip_archived_cycle()",
    _INSERT_ROLLUP,
    "CREATE TRIGGER target_minute_rollups_insert INSTEAD OF INSERT ON target_minute_rollups "
    "FOR EACH ROW EXECUTE FUNCTION pacing_insert_target_minute_rollup()",
)
