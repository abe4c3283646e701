"""What one subsystem adds to a node: observers told after every cycle, and background services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.ports import CycleObserver, NodeService


@dataclass(frozen=True, slots=True)
class NodeParts:
    """What one subsystem adds to a node."""

    observers: Sequence[CycleObserver] = field(default_factory=tuple)
    services: Sequence[NodeService] = field(default_factory=tuple)
