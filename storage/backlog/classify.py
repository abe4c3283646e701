"""Which failed writes go to the backlog: the `Backlog.*` error lists (pure: no I/O).

Errors are matched on SQLite's extended error names (`sqlite3.Error.sqlite_errorname`, e.g.
`SQLITE_BUSY`, `SQLITE_IOERR_WRITE`) or PostgreSQL's five-character SQLSTATE codes (`08006`,
`57014`: the original's `08`, `HY` prefixes are SQLSTATE classes too), found anywhere in the
exception's cause chain, plus `TIMEOUT` for timeouts. A record the database itself refuses
(constraint; SQLSTATE class 23), bad data (22), a schema or SQL error (42), a corrupt database,
or an invalid record can never succeed later: never backlogged, even with
`TreatAllFailuresAsBackloggable`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from storage.errors import sqlstate

TIMEOUT = "TIMEOUT"
INVALID_RECORD = "INVALID_RECORD"
NEVER_BACKLOGGABLE = (
    "SQLITE_CONSTRAINT",
    "SQLITE_SCHEMA",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
    "SQLITE_MISMATCH",
    "SQLITE_RANGE",
    "SQLITE_FORMAT",
    INVALID_RECORD,
    # PostgreSQL SQLSTATE classes: integrity constraint, data exception, syntax or undefined
    # object. No other error name starts with a digit.
    "23",
    "22",
    "42",
)
# Plain SQLITE_ERROR is SQL or schema trouble ("no such table"): never, but only exactly.
_NEVER_EXACT = ("SQLITE_ERROR",)


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """The `Backlog.TreatAllFailuresAsBackloggable` / `BackLoggableErrorsList.*` settings."""

    treat_all: bool
    exact_match: tuple[str, ...]
    starts_with: tuple[str, ...]


def error_name(error: BaseException) -> str:
    """SQLite's extended name or PostgreSQL's SQLSTATE in `error` or its causes; `TIMEOUT`;
    `INVALID_RECORD` for a bad value; else the exception's type name."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = getattr(current, "sqlite_errorname", None)
        if isinstance(current, sqlite3.Error) and name:
            return str(name)
        code = sqlstate(current)
        if code is not None:
            return code
        if isinstance(current, TimeoutError | PoolTimeoutError):  # incl. pool exhaustion
            return TIMEOUT
        current = current.__cause__ or current.__context__
    if isinstance(error, ValueError | TypeError):
        return INVALID_RECORD
    return type(error).__name__


def is_backloggable(name: str, policy: ErrorPolicy) -> bool:
    """True when a write that failed with the error named `name` should be retried later."""
    if name in _NEVER_EXACT or name.startswith(NEVER_BACKLOGGABLE):
        return False
    if policy.treat_all:
        return True
    return name in policy.exact_match or name.startswith(tuple(policy.starts_with))
