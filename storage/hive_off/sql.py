"""SQL of one hive-off chunk: pick rows, read them for the archive, roll up, purge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from storage.dialect import bucket_start, greatest, reclaim_free_pages, value_at_latest
from storage.export import EXPORT_COLUMNS
from storage.transactions import write_transaction

ARCHIVE_COLUMNS: tuple[str, ...] = tuple(EXPORT_COLUMNS)

_PREPARE = (
    "CREATE TEMP TABLE IF NOT EXISTS hive_chunk (batch_key INTEGER PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS hive_cycles (cycle_id TEXT PRIMARY KEY)",
)

_ROLLUP = """
INSERT INTO minute_rollups AS r (
    target_key, minute_start, samples, allowed_sum, pending_mean, pending_n, ready_mean, ready_n,
    busy_mean, busy_n, queue_mean, queue_n, accepted_delta, abandoned_delta, accepted_last,
    abandoned_last, last_at)
SELECT target_key, minute, count(*), coalesce(sum(allowed_invitations), 0),
       avg(pending_invitations), count(pending_invitations), avg(ready_slots), count(ready_slots),
       avg(busy_slots), count(busy_slots), avg(in_queue), count(in_queue),
       sum(acc_delta), sum(ab_delta), {accepted_last}, {abandoned_last}, max(at)
FROM (
    SELECT *,
        CASE WHEN accepted_total IS NULL OR prev_acc IS NULL THEN 0
             WHEN accepted_total >= prev_acc THEN accepted_total - prev_acc
             ELSE accepted_total END AS acc_delta,
        CASE WHEN abandoned_total IS NULL OR prev_ab IS NULL THEN 0
             WHEN abandoned_total >= prev_ab THEN abandoned_total - prev_ab
             ELSE abandoned_total END AS ab_delta
    FROM (
        SELECT t.target_key, t.at, {minute} AS minute,
               t.allowed_invitations, t.pending_invitations, t.ready_slots, t.busy_slots,
               t.in_queue, t.accepted_total, t.abandoned_total,
               coalesce(lag(t.accepted_total) OVER w, (
                   SELECT p.accepted_last FROM minute_rollups AS p
                   WHERE p.target_key = t.target_key AND p.minute_start <= t.at
                   ORDER BY p.minute_start DESC LIMIT 1)) AS prev_acc,
               coalesce(lag(t.abandoned_total) OVER w, (
                   SELECT p.abandoned_last FROM minute_rollups AS p
                   WHERE p.target_key = t.target_key AND p.minute_start <= t.at
                   ORDER BY p.minute_start DESC LIMIT 1)) AS prev_ab
        FROM cycle_targets_keyed AS t
        WHERE t.batch_key IN (SELECT batch_key FROM hive_chunk)
        WINDOW w AS (PARTITION BY t.target_key ORDER BY t.at, t.record_id)
    ) AS samples
) AS deltas
WHERE true
GROUP BY target_key, minute
ON CONFLICT (target_key, minute_start) DO UPDATE SET
    samples = r.samples + excluded.samples,
    allowed_sum = r.allowed_sum + excluded.allowed_sum,
    {merged_means},
    accepted_delta = r.accepted_delta + excluded.accepted_delta,
    abandoned_delta = r.abandoned_delta + excluded.abandoned_delta,
    accepted_last = CASE WHEN excluded.last_at >= r.last_at
                         THEN excluded.accepted_last ELSE r.accepted_last END,
    abandoned_last = CASE WHEN excluded.last_at >= r.last_at
                          THEN excluded.abandoned_last ELSE r.abandoned_last END,
    last_at = {last_at}
"""


def _merged_mean(name: str) -> str:
    # Weighted merge of two partial means of the same minute (chunks may split a minute).
    return (
        f"{name}_mean = CASE WHEN r.{name}_n + excluded.{name}_n = 0 THEN NULL ELSE "
        f"(coalesce(r.{name}_mean, 0) * r.{name}_n + coalesce(excluded.{name}_mean, 0) * "
        f"excluded.{name}_n) / (r.{name}_n + excluded.{name}_n) END, "
        f"{name}_n = r.{name}_n + excluded.{name}_n"
    )


ROLLUP_SQL = _ROLLUP.format(
    minute=bucket_start("t.at", "60.0"),
    merged_means=",\n    ".join(_merged_mean(n) for n in ("pending", "ready", "busy", "queue")),
    last_at=greatest("r.last_at", "excluded.last_at"),
    accepted_last=value_at_latest("accepted_total", "at"),
    abandoned_last=value_at_latest("abandoned_total", "at"),
)


def select_chunk(db: sqlite_utils.Database, cutoff: float, rows: int) -> int:
    """Put the oldest row batches before `cutoff` in the temporary hive_chunk, whole batches
    (a cycle's rows) adding up to about `rows` rows (at least one batch); returns how many rows."""
    for statement in _PREPARE:
        db.execute(statement)
    db.execute("DELETE FROM hive_chunk")
    db.execute("DELETE FROM hive_cycles")
    chosen: list[dict[str, int]] = []
    total = 0
    oldest = db.conn.execute(
        "SELECT b.batch_key, (SELECT count(*) FROM target_rows AS r "
        "WHERE r.batch_key = b.batch_key) FROM row_batches AS b WHERE b.at < :cutoff "
        "ORDER BY b.at, b.cycle_id",
        {"cutoff": cutoff},
    )
    for batch_key, count in oldest:
        if chosen and total + count > rows:
            break
        chosen.append({"batch_key": batch_key})
        total += count
    oldest.close()
    db.conn.executemany("INSERT INTO hive_chunk (batch_key) VALUES (:batch_key)", chosen)
    db.execute(
        "INSERT INTO hive_cycles (cycle_id) SELECT DISTINCT cycle_id FROM row_batches "
        "WHERE batch_key IN (SELECT batch_key FROM hive_chunk)"
    )
    return total


def chunk_rows(db: sqlite_utils.Database) -> Iterator[tuple[Any, ...]]:
    """The chunk's rows with every export column, raw (epoch seconds), in (at, record_id) order."""
    select = ", ".join(EXPORT_COLUMNS[name] for name in ARCHIVE_COLUMNS)
    yield from db.conn.execute(
        f"SELECT {select} FROM cycle_targets_keyed AS t "
        "JOIN cycles AS c ON c.cycle_id = t.cycle_id "
        "WHERE t.batch_key IN (SELECT batch_key FROM hive_chunk) "
        "ORDER BY t.at, t.record_id"
    )


def roll_up_and_purge(
    db: sqlite_utils.Database, archive: dict[str, Any], run_id: str
) -> tuple[int, int]:
    """In one transaction: roll up, remember archived cycles, register the archive file,
    delete exactly the archived rows. Returns (minutes rolled, cycles purged)."""
    with write_transaction(db):
        minutes = db.conn.execute(ROLLUP_SQL).rowcount
        db.execute(
            "INSERT INTO archived_cycles (cycle_id, started_at) SELECT cycle_id, started_at "
            "FROM cycles WHERE cycle_id IN (SELECT cycle_id FROM hive_cycles) "
            "ON CONFLICT(cycle_id) DO NOTHING"
        )
        db.execute(
            "INSERT INTO hive_off_archives (file, run_id, first_at, last_at, rows, sha256, "
            "created_at) VALUES (:file, :run_id, :first_at, :last_at, :rows, :sha256, "
            ":created_at)",
            {**archive, "run_id": run_id},
        )
        db.execute("DELETE FROM target_rows WHERE batch_key IN (SELECT batch_key FROM hive_chunk)")
        db.execute("DELETE FROM row_batches WHERE batch_key IN (SELECT batch_key FROM hive_chunk)")
        purged = db.conn.execute(
            "DELETE FROM cycles WHERE cycle_id IN (SELECT cycle_id FROM hive_cycles) "
            "AND NOT EXISTS (SELECT 1 FROM row_batches AS b WHERE b.cycle_id = cycles.cycle_id)"
        ).rowcount
    return minutes, purged


def registered_archives(
    db: sqlite_utils.Database, since: float | None, until: float | None
) -> list[str]:
    """Archive file names overlapping [since, until], oldest first."""
    # Bounds left out when None, rather than `:since IS NULL OR ...`: PostgreSQL cannot type a
    # parameter that is only compared with NULL.
    where = ["true"]
    if since is not None:
        where.append("last_at >= :since")
    if until is not None:
        where.append("first_at <= :until")
    rows = db.execute(
        f"SELECT file FROM hive_off_archives WHERE {' AND '.join(where)} ORDER BY first_at, file",
        {"since": since, "until": until},
    ).fetchall()
    return [row[0] for row in rows]


def expired_archives(db: sqlite_utils.Database, before: float) -> list[str]:
    """Registered archive files whose rows are all older than `before`."""
    rows = db.execute(
        "SELECT file FROM hive_off_archives WHERE last_at < :before", {"before": before}
    )
    return [row[0] for row in rows.fetchall()]


def forget_archive(db: sqlite_utils.Database, name: str) -> None:
    """Unregister one archive file (its file is deleted after this commits)."""
    with write_transaction(db):
        db.execute("DELETE FROM hive_off_archives WHERE file = :name", {"name": name})


def start_run(
    db: sqlite_utils.Database, run_id: str, node_id: str, now: float, cutoff: float
) -> int:
    """Record a new run; older runs still 'running' died (we hold the pause): 'interrupted'.

    Returns how many interrupted runs were found.
    """
    with write_transaction(db):
        interrupted = db.conn.execute(
            "UPDATE hive_off_runs SET status = 'interrupted', finished_at = heartbeat_at "
            "WHERE status = 'running'"
        ).rowcount
        db.execute(
            "INSERT INTO hive_off_runs (run_id, node_id, started_at, heartbeat_at, cutoff, status)"
            " VALUES (:run_id, :node_id, :now, :now, :cutoff, 'running')",
            {"run_id": run_id, "node_id": node_id, "now": now, "cutoff": cutoff},
        )
    return int(interrupted)


def update_run(db: sqlite_utils.Database, run_id: str, now: float, **counts: Any) -> None:
    """Add to a run's counters; `status`/`error`/`finished_at` set when given."""
    sets = ["heartbeat_at = :now"]
    for name in ("rows_archived", "cycles_purged", "minutes_rolled", "archive_files"):
        if name in counts:
            sets.append(f"{name} = {name} + :{name}")
    for name in ("status", "error", "finished_at", "pages_freed"):
        if name in counts:
            sets.append(f"{name} = :{name}")
    with write_transaction(db):
        db.execute(
            f"UPDATE hive_off_runs SET {', '.join(sets)} WHERE run_id = :run_id",
            {**counts, "now": now, "run_id": run_id},
        )


def prune_bookkeeping(
    db: sqlite_utils.Database, samples_before: float, cycles_before: float
) -> None:
    """Drop old rollups, disk and runtime samples, and archived cycle ids no backlog item can
    carry."""
    with write_transaction(db):
        # Per-minute rollups are the history beyond the detail window, kept for the retention.
        samples = {"before": samples_before}
        db.execute("DELETE FROM minute_rollups WHERE minute_start < :before", samples)
        db.execute("DELETE FROM backlog_samples WHERE at < :before", samples)
        # One runtime sample per cycle would otherwise grow without end (17,280 a day at 5 s).
        db.execute("DELETE FROM runtime_samples WHERE at < :before", samples)
        db.execute(
            "DELETE FROM archived_cycles WHERE started_at < :before", {"before": cycles_before}
        )


def reclaim_space(db: sqlite_utils.Database) -> int:
    """Give freed pages back to the file system; returns pages freed.

    The first time, the database is switched to incremental auto-vacuum with one full VACUUM
    (it rewrites the file and holds the write lock meanwhile); later runs free pages
    incrementally.
    """
    return reclaim_free_pages(db)
