"""CSV downloads for the History page (no Streamlit): the same bytes as `pacing export`.

`st.download_button(data=callable)` runs the callable on another thread, so it opens its own
read-only SQLite connection there. Rows are read in keyset pages by `export_cycle_history`
and written to a spooled temporary file (in memory up to `SPOOL_BYTES`, on disk beyond), never
loaded as one table; Streamlit then holds the finished file for the browser to fetch.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storage.alarms.export import export_alarm_history
from storage.audit import AuditFilter, export_audit
from storage.db import connect_readonly
from storage.export import export_cycle_history

SPOOL_BYTES = 8 * 1024 * 1024


def export_csv_bytes(
    database_path: Path | str,
    since: float | None,
    until: float | None,
    target_ids: Sequence[str] | None,
    columns: Sequence[str] | None,
) -> bytes:
    """The CSV `pacing export` writes for these filters, as UTF-8 bytes."""
    return _spooled(
        database_path,
        lambda db, out: export_cycle_history(db, out, since, until, target_ids, columns),
    )


def csv_download(
    database_path: Path | str,
    since: float,
    until: float,
    target_ids: Sequence[str] | None,
    columns: Sequence[str],
) -> Callable[[], bytes]:
    """A no-argument callable for `st.download_button(data=...)`, filters bound now."""
    targets = None if target_ids is None else tuple(target_ids)
    chosen = tuple(columns)

    def build() -> bytes:
        return export_csv_bytes(database_path, since, until, targets, chosen)

    return build


def _spooled(database_path: Path | str, write: Callable[[Any, io.TextIOWrapper], int]) -> bytes:
    db = connect_readonly(database_path)
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            write(db, text)
            text.flush()
            raw.seek(0)
            data = raw.read()
            text.detach()
            return data
    finally:
        db.close()


def audit_csv_download(database_path: Path | str, selection: AuditFilter) -> Callable[[], bytes]:
    """A no-argument callable writing the audit rows of `selection` as `pacing audit export`."""
    return lambda: _spooled(database_path, lambda db, out: export_audit(db, out, selection))


def alarm_history_download(
    database_path: Path | str, since: float, until: float
) -> Callable[[], bytes]:
    """A no-argument callable writing the alarm history as `pacing alarms export`."""
    return lambda: _spooled(
        database_path, lambda db, out: export_alarm_history(db, out, since, until)
    )
