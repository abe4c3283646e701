"""Archive files of hive-off (gzip CSV, raw values) and reading them back for `pacing export`."""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from storage.export import (
    EXPORT_COLUMNS,
    check_export_request,
    csv_writer,
    export_cells,
    export_cycle_history,
)
from storage.hive_off.sql import (
    ARCHIVE_COLUMNS,
    expired_archives,
    forget_archive,
    registered_archives,
)

SUFFIX = ".csv.gz"


def write_archive(folder: Path, name: str, rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """Write rows durably to `folder/name` (temp, fsync, rename, fsync folder).

    Returns what `hive_off_archives` stores: file, rows, first_at, last_at, sha256.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"{name}.tmp"
    at_index = ARCHIVE_COLUMNS.index("at")
    count, first_at, last_at = 0, math.inf, -math.inf
    try:
        with temp.open("wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as zipped:
                text = io.TextIOWrapper(zipped, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(ARCHIVE_COLUMNS)
                for row in rows:
                    writer.writerow(row)
                    count += 1
                    first_at = min(first_at, row[at_index])
                    last_at = max(last_at, row[at_index])
                text.flush()
                text.detach()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return {
        "file": name,
        "rows": count,
        "first_at": first_at,
        "last_at": last_at,
        "sha256": _sha256(folder / name),
    }


def read_archive(path: Path) -> Iterator[dict[str, str]]:
    """The rows of one archive file as column → text (empty text for NULL)."""
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as text:
        yield from csv.DictReader(text)


def remove_orphans(db: sqlite_utils.Database, folder: Path) -> int:
    """Delete archive files no run registered (an interrupted chunk's; its rows are live)."""
    if not folder.is_dir():
        return 0
    known = set(registered_archives(db, None, None))
    removed = 0
    for path in folder.iterdir():
        leftover = path.name.endswith(".tmp") or (
            path.name.endswith(SUFFIX) and path.name not in known
        )
        if leftover:
            path.unlink()
            removed += 1
    return removed


def remove_expired_archives(db: sqlite_utils.Database, folder: Path, before: float) -> int:
    """Delete the archive files whose rows are all older than `before` (the retention).

    Unregistered first, then deleted: a crash in between leaves an unregistered file, which the
    next run's `remove_orphans` deletes; an export never reads a registered file that is gone.
    """
    removed = 0
    for name in expired_archives(db, before):
        forget_archive(db, name)
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
        removed += 1
    return removed


def export_with_archive(
    db: sqlite_utils.Database,
    out: TextIO,
    archive_folder: Path,
    since: float | None,
    until: float | None,
    target_ids: Sequence[str] | None,
    columns: Sequence[str] | None = None,
) -> int:
    """`export_cycle_history` preceded by the archived rows of the same range and targets.

    Archived rows come first (oldest archive first, each in (at, record_id) order), then the
    live rows; the columns, formats and CSV-injection guard are the export's own.
    """
    chosen = check_export_request(since, until, columns)
    writer = csv_writer(out)
    writer.writerow(chosen)
    wanted = set(target_ids) if target_ids is not None else None
    written = 0
    for name in registered_archives(db, since, until):
        for row in read_archive(archive_folder / name):
            at = float(row["at"])
            if (since is not None and at < since) or (until is not None and at > until):
                continue
            if wanted is not None and row["target_id"] not in wanted:
                continue
            writer.writerow(export_cells(chosen, [row[c] for c in chosen]))
            written += 1
    return written + export_cycle_history(db, out, since, until, target_ids, chosen, header=False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


assert set(ARCHIVE_COLUMNS) == set(EXPORT_COLUMNS)
