"""How a node stores its cycles: straight into SQLite (the backlog wraps this later)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alarms.events import AlarmSink
from storage.db import PerThreadDatabase
from storage.writes import record_cycle, record_heartbeat

if TYPE_CHECKING:
    from engine.config import Config
    from engine.cycle import CycleOutcome
    from engine.node_parts import CycleRecorder, NodeParts


class DirectRecorder:
    """Writes the cycle and the node's heartbeat in the calling thread's connection."""

    def __init__(self, database: PerThreadDatabase) -> None:
        self._database = database

    def record(self, outcome: CycleOutcome) -> None:
        db = self._database.get()
        try:
            record_cycle(db, outcome.cycle, outcome.targets)
            record_heartbeat(db, outcome.cycle.node_id, outcome.cycle.started_at)
        except Exception:
            # A broken connection is not reused: the next cycle opens a fresh one.
            self._database.close_current_thread()
            raise


def build_recording(
    config: Config, database: PerThreadDatabase, sink: AlarmSink, clock: Callable[[], float]
) -> tuple[CycleRecorder, NodeParts]:
    """The recorder the node writes each cycle through, and storage's background parts."""
    from engine.node_parts import NodeParts

    del config, sink, clock  # used by the backlog
    return DirectRecorder(database), NodeParts()
