"""The node's extension points: how recording, alarms and background services plug in.

`engine.node.build_node` asks each subsystem's wiring module for its parts:
`engine.wiring.build_ports` (stat source and publisher), `storage.wiring.build_recording`
(how a cycle is stored, and storage services such as the backlog), `alarms.wiring.build_alarm_parts`
(observers that evaluate conditions after each cycle, services such as probes and notifiers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from engine.cycle import CycleOutcome


class CycleRecorder(Protocol):
    """Stores one cycle's outcome; raises when it could not (the node counts the failure)."""

    def record(self, outcome: CycleOutcome) -> None: ...


class CycleObserver(Protocol):
    """Told about every cycle after recording; an exception is logged, never fatal."""

    def after_cycle(self, outcome: CycleOutcome, recorded: bool) -> None: ...


class NodeService(Protocol):
    """A background part that lives as long as the node (its own threads or none)."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class NodeParts:
    """What one subsystem adds to a node."""

    observers: Sequence[CycleObserver] = field(default_factory=tuple)
    services: Sequence[NodeService] = field(default_factory=tuple)
