"""What the alarm subsystem adds to a node (nothing yet: evaluation arrives with alarms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alarms.events import CollectingSink
from storage.db import PerThreadDatabase

if TYPE_CHECKING:
    from engine.config import Config
    from engine.node_parts import NodeParts


def build_alarm_parts(
    config: Config,
    database: PerThreadDatabase,
    sink: CollectingSink,
    clock: Callable[[], float],
) -> NodeParts:
    """Observers that evaluate alarm conditions after each cycle, and alarm services."""
    from engine.node_parts import NodeParts

    del config, database, sink, clock
    return NodeParts()
