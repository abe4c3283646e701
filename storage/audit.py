"""The audit trail: one append-only row per operator or node action (who, when, what, why).

Controls, configuration reloads, alarm acknowledgements and shelves, user changes: each is one
`audit_log` row, written in the same transaction as the change it records where there is one.
Triggers refuse UPDATE and DELETE, so nothing here (or anywhere) rewrites a row. The CSV export
goes through the history export's writer: every cell quoted, formulas neutralised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import pandas as pd
import sqlite_utils

from domain.controls import AuditEntry
from storage.errors import InvalidQueryError
from storage.export import csv_writer, export_cells
from storage.transactions import write_transaction

AUDIT_COLUMNS: tuple[str, ...] = (
    "at",
    "who",
    "action",
    "subject",
    "old_value",
    "new_value",
    "reason",
    "source",
    "audit_id",
)
_INSERT = """
INSERT INTO audit_log (at, who, action, subject, old_value, new_value, reason, source)
VALUES (:at, :who, :action, :subject, :old_value, :new_value, :reason, :source)
"""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which rows to read: a time range and, optionally, who, an action prefix, a subject."""

    since: float | None = None
    until: float | None = None
    who: str | None = None
    action: str | None = None  # a prefix: "control" matches control.pause, control.cap ...
    subject: str | None = None


def append_audit(db: sqlite_utils.Database, entry: AuditEntry) -> None:
    """Append one row inside the caller's write transaction."""
    db.execute(
        _INSERT,
        {
            "at": entry.at,
            "who": entry.who,
            "action": entry.action,
            "subject": entry.subject,
            "old_value": entry.old_value,
            "new_value": entry.new_value,
            "reason": entry.reason,
            "source": entry.source,
        },
    )


def record_audit(db: sqlite_utils.Database, entry: AuditEntry) -> None:
    """Append one row in its own write transaction."""
    with write_transaction(db):
        append_audit(db, entry)


def _where(selection: AuditFilter) -> tuple[str, dict[str, Any]]:
    for name in ("since", "until"):
        bound = getattr(selection, name)
        if bound is not None and math.isnan(bound):
            raise InvalidQueryError(f"{name} must be a number of epoch seconds, got NaN")
    if (
        selection.since is not None
        and selection.until is not None
        and selection.since > selection.until
    ):
        raise InvalidQueryError("the audit range starts after it ends: swap the two dates")
    clauses: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    if selection.since is not None:
        clauses.append("at >= :since")
        params["since"] = selection.since
    if selection.until is not None:
        clauses.append("at <= :until")
        params["until"] = selection.until
    if selection.who:
        clauses.append("who = :who")
        params["who"] = selection.who
    if selection.action:
        clauses.append("(action = :action OR substr(action, 1, :prefix_chars) = :prefix)")
        params["action"] = selection.action
        params["prefix_chars"] = len(selection.action) + 1
        params["prefix"] = selection.action + "."
    if selection.subject:
        clauses.append("subject = :subject")
        params["subject"] = selection.subject
    return " AND ".join(clauses), params


def read_audit(
    db: sqlite_utils.Database, selection: AuditFilter, limit: int = 1000
) -> pd.DataFrame:
    """The newest `limit` rows matching `selection`, newest first."""
    where, params = _where(selection)
    cursor = db.conn.execute(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE {where} "
        "ORDER BY at DESC, audit_id DESC LIMIT :limit",
        {**params, "limit": limit},
    )
    return pd.DataFrame(cursor.fetchall(), columns=list(AUDIT_COLUMNS))


def read_audit_choices(db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """Everyone who appears in the trail, and every action, for the page's filters."""
    who = [row[0] for row in db.conn.execute("SELECT DISTINCT who FROM audit_log ORDER BY who")]
    actions = [
        row[0] for row in db.conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")
    ]
    return who, actions


def export_audit(
    db: sqlite_utils.Database,
    out: TextIO,
    selection: AuditFilter,
    chunk_rows: int = 5000,
) -> int:
    """Write the matching rows, oldest first, as CSV to `out`; return rows written."""
    where, params = _where(selection)
    writer = csv_writer(out)
    writer.writerow(AUDIT_COLUMNS)
    last_id = 0
    written = 0
    sql = (
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE {where} AND audit_id > :after "
        "ORDER BY audit_id LIMIT :chunk_rows"
    )
    while True:
        rows = db.conn.execute(
            sql, {**params, "after": last_id, "chunk_rows": chunk_rows}
        ).fetchall()
        for row in rows:
            writer.writerow(export_cells(_EXPORT_KINDS, row))
        written += len(rows)
        if len(rows) < chunk_rows:
            return written
        last_id = rows[-1][-1]


# export_cells formats `at` as ISO-8601 UTC; the other names are plain text cells.
_EXPORT_KINDS: Sequence[str] = AUDIT_COLUMNS

__all__ = [
    "AUDIT_COLUMNS",
    "AuditFilter",
    "append_audit",
    "export_audit",
    "read_audit",
    "read_audit_choices",
    "record_audit",
]
