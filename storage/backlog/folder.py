"""The backlog folder on disk: durable writes, claims by rename, failed items, usage.

Layout under the configured `Backlog.folder`:

    pending/               items waiting (names sort in due order, see items.item_file_name)
    processing/<owner>/    items claimed by one live process (owner.py tells dead from live)
    failed/                items given up on (+ a `.reason` text file beside each)
    tmp/                   files being written; never read
    owners/<owner>.lock    held with flock by the owning process while it lives

Every move is one `rename` inside one filesystem, so at any instant an item is in exactly one
folder. Writes go temp file → fsync → rename → fsync of the folder (FIELD_NOTES, "Durable
files"); if fsync fails the file is dropped and the error reported, never retried on it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.backlog.items import SUFFIX, BacklogItem, encode_item, item_file_name
from storage.errors import StorageError

PENDING, PROCESSING, FAILED, TMP, OWNERS = "pending", "processing", "failed", "tmp", "owners"
REASON_SUFFIX = ".reason"


class BacklogWriteError(StorageError):
    """A backlog file could not be written durably (disk full, I/O error): the record is lost."""


class BacklogFullError(BacklogWriteError):
    """The backlog folder is above `Backlog.DiskSpaceMonitor.MaxUsedMB`: new items are refused."""


@dataclass(frozen=True, slots=True)
class FolderUsage:
    """What the backlog folder holds now; `used_bytes` counts allocated blocks, not lengths."""

    used_bytes: int
    pending_items: int
    processing_items: int
    failed_items: int


class BacklogFolder:
    """File operations on one backlog folder; safe to use from many threads and processes."""

    def __init__(
        self,
        root: Path,
        *,
        write: Callable[[int, bytes], int] = os.write,
        fsync: Callable[[int], None] = os.fsync,
    ) -> None:
        self.root = Path(root)
        self._write = write  # seams: tests inject ENOSPC / EIO here
        self._fsync = fsync
        for name in (PENDING, PROCESSING, FAILED, TMP, OWNERS):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    # --- writing -----------------------------------------------------------------------------

    def write(self, item: BacklogItem, owner_id: str, folder: str = PENDING) -> Path:
        """Store `item` durably in `folder`; returns its path. Raises `BacklogWriteError`."""
        destination = self.path(folder, item_file_name(item))
        self._write_durably(encode_item(item), destination, owner_id)
        return destination

    def write_failed(self, item: BacklogItem, owner_id: str, reason: str) -> Path:
        """Store `item` straight into `failed/` with its reason (an unhandled write error)."""
        destination = self.write(item, owner_id, FAILED)
        self._write_reason(destination, reason)
        return destination

    def _write_durably(self, data: bytes, destination: Path, owner_id: str) -> None:
        temp = self.path(TMP, f"{owner_id}-{uuid.uuid4().hex}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            try:
                view = memoryview(data)
                while view:
                    view = view[self._write(fd, view.tobytes()) :]
                self._fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, destination)
            self.fsync_folder(destination.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise BacklogWriteError(
                f"could not write the backlog file {destination.name} in {destination.parent}: "
                f"{exc}. Free space on that disk or fix it; the record is lost."
            ) from exc

    def fsync_folder(self, folder: Path) -> None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            self._fsync(fd)
        finally:
            os.close(fd)

    # --- claiming and finishing --------------------------------------------------------------

    def pending_names(self) -> list[str]:
        """Names of the pending items, in due order."""
        with os.scandir(self.path(PENDING)) as entries:
            return sorted(e.name for e in entries if e.name.endswith(SUFFIX))

    def claim(self, name: str, owner_id: str) -> Path | None:
        """Move a pending item into this owner's processing folder; None if another won."""
        target = self.path(PROCESSING, owner_id, name)
        try:
            os.rename(self.path(PENDING, name), target)
        except FileNotFoundError:
            return None
        return target

    def complete(self, claimed: Path) -> None:
        """Delete an item whose records are committed to the database."""
        claimed.unlink()
        self.fsync_folder(claimed.parent)

    def release(self, claimed: Path, item: BacklogItem, owner_id: str) -> Path:
        """Put a claimed item back in `pending/` with its new content (attempts, due time).

        Rewritten in place first, then renamed: a crash between the two leaves it in
        processing, where recovery finds it; it is never in two folders.
        """
        self._write_durably(encode_item(item), claimed, owner_id)
        destination = self.path(PENDING, item_file_name(item))
        os.rename(claimed, destination)
        self.fsync_folder(destination.parent)
        return destination

    def fail(self, claimed: Path, reason: str) -> Path:
        """Move a claimed item to `failed/` for an operator; the reason goes beside it."""
        destination = self.path(FAILED, claimed.name)
        os.rename(claimed, destination)
        self.fsync_folder(destination.parent)
        self._write_reason(destination, reason)
        return destination

    def _write_reason(self, item_path: Path, reason: str) -> None:
        # Best effort: the item is safe already, the reason only helps the operator.
        with contextlib.suppress(OSError):
            item_path.with_name(item_path.name + REASON_SUFFIX).write_text(
                reason + "\n", encoding="utf-8"
            )

    # --- measuring ---------------------------------------------------------------------------

    def usage(self) -> FolderUsage:
        """Allocated bytes of every file in the folder, and item counts per state."""
        used, pending = _scan(self.path(PENDING))
        failed_bytes, failed = _scan(self.path(FAILED))
        tmp_bytes, _ = _scan(self.path(TMP))
        processing = 0
        for owner in _subfolders(self.path(PROCESSING)):
            owner_bytes, owner_items = _scan(owner)
            used += owner_bytes
            processing += owner_items
        return FolderUsage(used + failed_bytes + tmp_bytes, pending, processing, failed)

    def item_paths(self) -> Iterator[Path]:
        """Every item file in pending, processing and failed (tests and `backlog status`)."""
        for folder in (self.path(PENDING), self.path(FAILED), *_subfolders(self.path(PROCESSING))):
            yield from (p for p in folder.iterdir() if p.name.endswith(SUFFIX))


def _subfolders(folder: Path) -> list[Path]:
    with os.scandir(folder) as entries:
        return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]


def _scan(folder: Path) -> tuple[int, int]:
    """(allocated bytes, item count) of the files directly in `folder`."""
    used = items = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # claimed or deleted while we looked
                used += stat.st_blocks * 512
                items += entry.name.endswith(SUFFIX)
    except FileNotFoundError:
        pass
    return used, items
