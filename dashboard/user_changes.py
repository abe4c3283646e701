"""User changes with their audit rows: the Users page and `pacing user` both go through here.

The users file is changed first (it is the source of truth for sign-in); the audit row follows
in the database. If the database cannot take the row, the change stands and the caller gets
a note to show, so nobody believes the trail is complete when it is not.
"""

from __future__ import annotations

import time
from pathlib import Path

from dashboard.users import add_user, load_users, remove_user
from domain.controls import AuditEntry
from storage.audit import record_audit
from storage.db import StorageError, connect


def add_user_audited(
    users_file: Path,
    database_path: Path | str,
    name: str,
    role: str,
    password: str,
    *,
    replace: bool,
    who: str,
    source: str,
) -> str:
    """Add or change a user, then audit it; a note when the audit row could not be written."""
    before = load_users(users_file).get(name)
    add_user(users_file, name, role, password, replace=replace)
    action = "user.change" if before is not None else "user.add"
    return _audit(database_path, who, action, name, before.role if before else "", role, source)


def remove_user_audited(
    users_file: Path, database_path: Path | str, name: str, *, who: str, source: str
) -> str:
    """Remove a user, then audit it; a note when the audit row could not be written."""
    before = load_users(users_file).get(name)
    remove_user(users_file, name)
    return _audit(
        database_path, who, "user.remove", name, before.role if before else "", "", source
    )


def _audit(
    database_path: Path | str, who: str, action: str, name: str, old: str, new: str, source: str
) -> str:
    entry = AuditEntry(time.time(), who, action, name, old, new, "", source)
    try:
        db = connect(database_path)
    except StorageError as error:
        return f"the change is saved, but the audit trail could not record it: {error}"
    try:
        record_audit(db, entry)
    except StorageError as error:
        return f"the change is saved, but the audit trail could not record it: {error}"
    finally:
        db.close()
    return ""


__all__ = ["add_user_audited", "remove_user_audited"]
