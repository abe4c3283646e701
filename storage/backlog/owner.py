"""Who holds claimed items, and the hive-off pause: both are `flock` locks the kernel drops
when the holding process dies (FIELD_NOTES: `lockf` would not exclude threads and is lost when
any descriptor on the file closes).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from storage.backlog.folder import OWNERS, PENDING, PROCESSING, TMP, BacklogFolder
from storage.errors import StorageError

log = logging.getLogger(__name__)
PAUSE_LOCK = "hive-off.lock"


class HiveOffRunningError(StorageError):
    """Another hive-off holds the backlog pause: only one runs at a time."""


class ProcessOwner:
    """This process's identity in the backlog: a lock file held for its whole life."""

    def __init__(self, folder: BacklogFolder) -> None:
        self.folder = folder
        self.owner_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock_path = folder.path(OWNERS, f"{self.owner_id}.lock")
        self._fd: int | None = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o640)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        folder.path(PROCESSING, self.owner_id).mkdir(exist_ok=True)

    def close(self) -> None:
        """Release the lock (a clean stop); items still claimed are recovered by the next start."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            folder = self.folder.path(PROCESSING, self.owner_id)
            if not any(folder.iterdir()):
                folder.rmdir()
                self._lock_path.unlink()
        os.close(self._fd)
        self._fd = None


def recover_dead_owners(folder: BacklogFolder) -> int:
    """Move the items of every dead owner back to `pending/`; returns how many were moved.

    An owner is dead when its lock file can be locked: the kernel released the flock its
    process held. Live owners (other processes, this one) are left alone.
    """
    moved = 0
    for owner_dir in sorted(folder.path(PROCESSING).iterdir()):
        owner_id = owner_dir.name
        lock_path = folder.path(OWNERS, f"{owner_id}.lock")
        with _dead_owner_lock(lock_path) as dead:
            if not dead:
                continue
            moved += _move_back(folder, owner_dir)
            _remove_temp_files(folder, owner_id)
            with contextlib.suppress(OSError):
                owner_dir.rmdir()
                lock_path.unlink()
    if moved:
        folder.fsync_folder(folder.path(PENDING))
        log.warning("backlog: recovered %d item(s) left in processing by dead processes", moved)
    return moved


@contextlib.contextmanager
def _dead_owner_lock(lock_path: Path) -> Iterator[bool]:
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False  # its owner lives
            return
        yield True
    finally:
        os.close(fd)  # closing drops our flock


def _move_back(folder: BacklogFolder, owner_dir: Path) -> int:
    moved = 0
    for path in list(owner_dir.iterdir()):
        with contextlib.suppress(FileNotFoundError):
            os.rename(path, folder.path(PENDING, path.name))
            moved += 1
    return moved


def _remove_temp_files(folder: BacklogFolder, owner_id: str) -> None:
    # A temp file of a dead writer was never acknowledged: its record is not in it for sure.
    for temp in folder.path(TMP).glob(f"{owner_id}-*.tmp"):
        with contextlib.suppress(OSError):
            temp.unlink()


class PauseGate:
    """A processor thread's view of the hive-off pause (one descriptor per thread)."""

    def __init__(self, folder: BacklogFolder) -> None:
        self._fd = os.open(folder.path(PAUSE_LOCK), os.O_RDWR | os.O_CREAT, 0o640)

    def enter(self) -> bool:
        """Take a shared hold for one item; False while hive-off holds the pause."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def leave(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


@contextlib.contextmanager
def backlog_paused(
    folder: BacklogFolder,
    *,
    wait_s: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[None]:
    """Hold the pause exclusively: waits for items in flight, stops new ones until exit."""
    fd = os.open(folder.path(PAUSE_LOCK), os.O_RDWR | os.O_CREAT, 0o640)
    try:
        deadline = monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if monotonic() >= deadline:
                    raise HiveOffRunningError(
                        f"could not pause the backlog in {folder.root} within {wait_s:g} s: "
                        "another hive-off is running (or a processor is stuck on an item)"
                    ) from None
                sleep(0.05)
        yield
    finally:
        os.close(fd)
