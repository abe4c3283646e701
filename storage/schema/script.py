"""Splitting a SQL script into statements, for migrations run inside one transaction."""

from __future__ import annotations

import sqlite3

from storage.errors import StorageError

__all__ = ["split_statements"]


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (semicolons inside strings are kept)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and sqlite3.complete_statement(pending + ";"):
        statements.append(pending.strip())  # a last statement may omit its semicolon
    elif pending.strip():
        raise StorageError(f"migration SQL ends with an incomplete statement: {pending.strip()!r}")
    return statements
