"""Real SQLite faults for the classification tests (FIELD_NOTES: no root tricks)."""

from __future__ import annotations

import resource
import signal
import sys
from pathlib import Path

from domain.ports import CycleOutcome
from node.recording import DirectRecorder
from storage.backlog.classify import error_name
from storage.db import PerThreadDatabase
from tests.builders import register_node
from tests.storage.backlog.support import make_item


def outcome(n: int) -> CycleOutcome:
    item = make_item(n)
    return CycleOutcome(item.cycle, item.targets, ())


def io_error_name(db_path: Path) -> str:
    """In THIS process: cap file sizes just above the database, write until SQLite fails."""
    database = PerThreadDatabase(db_path, busy_timeout_ms=100)
    register_node(database.get())
    recorder = DirectRecorder(database)
    recorder.record(outcome(0))  # creates and migrates the file first
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = db_path.stat().st_size + 64 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    for n in range(1, 100_000):
        try:
            recorder.record(outcome(n))
        except Exception as exc:  # noqa: BLE001 - the point of the exercise
            return error_name(exc)
    return "no error"


if __name__ == "__main__":
    sys.stdout.write(io_error_name(Path(sys.argv[1])))
