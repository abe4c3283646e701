"""Pacing targets: one paced virtual queue plus every agent group that serves it.

Targets are derived from the configuration (`engine.config.derive_targets`), never written by
hand. Agents are resolved here already, so the simulator and the stat sources need not know
how groups were defined (fixed lists or skill expressions).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TargetAgent:
    """One agent as it counts for one target: `slots` = capacity for the target's media."""

    name: str
    slots: int

    def __post_init__(self) -> None:
        if self.slots < 1:
            raise ValueError(f"agent {self.name!r} must have at least 1 slot, got {self.slots}")


@dataclass(frozen=True, slots=True)
class PacingTarget:
    """A virtual queue of one media and the agents able to serve it on that media."""

    target_id: str  # "<VQ name> - <media>"
    vq_name: str
    vq_number: str
    media: str
    goal_pct: float
    groups: tuple[str, ...]
    agents: tuple[TargetAgent, ...]

    @property
    def total_slots(self) -> int:
        return sum(agent.slots for agent in self.agents)


def target_id_for(vq_name: str, media: str) -> str:
    """The target's name as operators of the original know it: `Proactive Chat - chat`."""
    return f"{vq_name} - {media}"
