"""What a configuration reload changes (pure): target changes, and options needing a restart.

Live: virtual queues, agents, agent groups and `[pacing] optimizationGoal` (the goals), i.e.
the derived pacing targets. Everything else (database path, node id, refresh period,
algorithm, sources, publisher, backlog, alarms, dashboard, simulator ...) is read once at
start: a changed value is reported as needing a restart and the running one stays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from config.model import Config
from domain.targets import PacingTarget

# Config fields that only feed the targets, or that say nothing about the running node.
_LIVE_FIELDS = frozenset({"virtual_queues", "agents", "agent_groups", "targets", "warnings"})
_IGNORED_FIELDS = frozenset({"source_path"})
# Section field -> TOML option it stands for, where a live one hides in a restart-only section.
_LIVE_SECTION_FIELDS = {("pacing", "default_goal_pct")}


@dataclass(frozen=True, slots=True)
class ConfigChanges:
    """What applying `new` over `old` means for a running node."""

    targets: tuple[str, ...]  # one sentence per added, removed or changed target
    needs_restart: tuple[str, ...]  # option sections / names whose change waits for a restart
    ports_affected: bool  # targets were added, removed, or changed other than in their goal

    @property
    def nothing(self) -> bool:
        return not self.targets and not self.needs_restart


def config_changes(old: Config, new: Config) -> ConfigChanges:
    """Compare two configurations as a live reload applies them."""
    before = {target.target_id: target for target in old.targets}
    after = {target.target_id: target for target in new.targets}
    sentences: list[str] = []
    ports = False
    for target_id in sorted(after.keys() - before.keys()):
        sentences.append(f"target {target_id!r} added (goal {after[target_id].goal_pct:g} %)")
        ports = True
    for target_id in sorted(before.keys() - after.keys()):
        sentences.append(f"target {target_id!r} removed")
        ports = True
    for target_id in sorted(before.keys() & after.keys()):
        sentence, other = _target_change(before[target_id], after[target_id])
        if sentence:
            sentences.append(sentence)
            ports = ports or other
    return ConfigChanges(tuple(sentences), tuple(_restart_only(old, new)), ports)


def _target_change(old: PacingTarget, new: PacingTarget) -> tuple[str, bool]:
    parts: list[str] = []
    if old.goal_pct != new.goal_pct:
        parts.append(f"goal {old.goal_pct:g} % -> {new.goal_pct:g} %")
    other = (old.vq_number, old.media, old.groups, old.agents) != (
        new.vq_number,
        new.media,
        new.groups,
        new.agents,
    )
    if old.groups != new.groups:
        parts.append(f"groups {', '.join(old.groups)} -> {', '.join(new.groups)}")
    if old.agents != new.agents:
        parts.append(f"agents {len(old.agents)} -> {len(new.agents)}")
    elif other and old.groups == new.groups:
        parts.append("queue number or media changed")
    if not parts:
        return "", False
    return f"target {new.target_id!r}: {'; '.join(parts)}", other


def _restart_only(old: Config, new: Config) -> list[str]:
    changed: list[str] = []
    for field in fields(Config):
        name = field.name
        if name in _LIVE_FIELDS or name in _IGNORED_FIELDS:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if before is None or after is None or not hasattr(before, "__dataclass_fields__"):
            changed.append(name)
            continue
        for inner in fields(before):
            if (name, inner.name) in _LIVE_SECTION_FIELDS:
                continue
            if getattr(before, inner.name) != getattr(after, inner.name):
                changed.append(f"{name}.{inner.name}")
    return changed


__all__ = ["ConfigChanges", "config_changes"]
