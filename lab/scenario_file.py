"""Lab scenario files (TOML): a simulated centre, its targets, timed shocks, pacer tuning.

```toml
name = "ten-slots"                  # shown in the table
description = "10 single-chat agents"
cycle_s = 2.0                       # pacing cycle (simulated seconds)
goal_pct = 3.0                      # default goal of every target
optimization_target = "abandonment_rate"   # or "busy_factor" (goal_pct is then occupancy %)

[simulator]                         # any setting of the config's [simulator] table
handle_time_distribution = "exponential"

[[targets]]
name = "Proactive Chat"             # VQ name; the target is "<name> - <media>"
media = "chat"
agents = 10                         # agents <agent_prefix>-01 .. -10
slots = 1                           # capacity of each on this media
agent_prefix = "chat"               # targets naming the same prefix share the agents (blended)
# goal_pct = 3.0                    # this target's goal (default: the file's goal_pct)

[[shocks]]                          # at a time, either log off a share of agents for good ...
at_h = 4.0
log_off_share = 0.5
[[shocks]]                          # ... or change simulator settings from then on
at_h = 2.0
set = { acceptance_probability = 0.1 }

[pacer]                             # Pacer tuning for every algorithm (see docs/pacing.md)
patience_prior_s = 120
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.simulator import Scenario, parse_scenario
from config.toml_text import toml_repr
from domain.decisions import OPTIMIZATION_TARGETS
from domain.targets import PacingTarget, TargetAgent, target_id_for
from pacing import TUNING_DEFAULTS

_TOP_KEYS = {
    "name",
    "description",
    "cycle_s",
    "goal_pct",
    "optimization_target",
    "simulator",
    "targets",
    "shocks",
    "pacer",
}
_TARGET_KEYS = {"name", "media", "agents", "slots", "agent_prefix", "goal_pct"}


class LabScenarioError(ValueError):
    """A scenario file that cannot be run; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class LabTarget:
    name: str
    media: str
    agents: int
    slots: int
    agent_prefix: str
    goal_pct: float


@dataclass(frozen=True, slots=True)
class LabShock:
    """At `at_s`: log off `log_off_share` of the agents, or apply `changes` to the scenario."""

    at_s: float
    log_off_share: float | None
    changes: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class LabScenario:
    name: str
    description: str
    cycle_s: float
    goal_pct: float
    optimization_target: str
    simulator: Scenario
    targets: tuple[LabTarget, ...]
    shocks: tuple[LabShock, ...]
    tuning: tuple[tuple[str, float], ...]

    def pacing_targets(self) -> list[PacingTarget]:
        """The simulator's targets; a shared `agent_prefix` means the same (blended) agents."""
        built = []
        for target in self.targets:
            agents = tuple(
                TargetAgent(f"{target.agent_prefix}-{n:02d}", target.slots)
                for n in range(1, target.agents + 1)
            )
            target_id = target_id_for(target.name, target.media)
            built.append(
                PacingTarget(
                    target_id, target.name, target.name, target.media, target.goal_pct, (), agents
                )
            )
        return built


def load_lab_scenario(path: str | Path) -> LabScenario:
    """Read and check a scenario file; raises `LabScenarioError` listing every problem."""
    where = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LabScenarioError(f"{where}: cannot read the scenario — {error}") from None
    problems: list[str] = []
    scenario = _parse(raw, Path(path).stem, problems)
    if problems:
        raise LabScenarioError(f"{where}: " + "; ".join(problems))
    return scenario


def _number(raw: Mapping[str, Any], key: str, default: float, problems: list[str]) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(f"{key}: {toml_repr(value)} — expected a number, 0 or more")
        return default
    return float(value)


def _parse(raw: Mapping[str, Any], stem: str, problems: list[str]) -> LabScenario:
    for key in set(raw) - _TOP_KEYS:
        problems.append(f"{key}: {toml_repr(raw[key])} — expected one of {sorted(_TOP_KEYS)}")
    goal_pct = _number(raw, "goal_pct", 3.0, problems)
    cycle_s = _number(raw, "cycle_s", 2.0, problems) or 2.0
    target_kind = raw.get("optimization_target", "abandonment_rate")
    if target_kind not in OPTIMIZATION_TARGETS:
        problems.append(
            f"optimization_target: {toml_repr(target_kind)} — expected one of "
            f"{', '.join(OPTIMIZATION_TARGETS)}"
        )
        target_kind = "abandonment_rate"
    simulator, simulator_problems = parse_scenario(raw.get("simulator", {}), "simulator")
    problems.extend(simulator_problems)
    targets = tuple(
        _target(item, index, goal_pct, problems)
        for index, item in enumerate(raw.get("targets", []))
    )
    if not targets:
        problems.append("targets: none — expected at least one [[targets]] table")
    shocks = tuple(
        _shock(item, index, problems) for index, item in enumerate(raw.get("shocks", []))
    )
    tuning_raw = raw.get("pacer", {})
    tuning = []
    for key, value in tuning_raw.items():
        if key not in TUNING_DEFAULTS or isinstance(value, bool):
            problems.append(
                f"pacer.{key}: {toml_repr(value)} — expected a known tuning option "
                f"({', '.join(TUNING_DEFAULTS)}) with a number"
            )
        elif isinstance(value, int | float):
            tuning.append((key, float(value)))
    return LabScenario(
        name=str(raw.get("name", stem)),
        description=str(raw.get("description", "")),
        cycle_s=cycle_s,
        goal_pct=goal_pct,
        optimization_target=str(target_kind),
        simulator=simulator,
        targets=targets,
        shocks=tuple(sorted(shocks, key=lambda shock: shock.at_s)),
        tuning=tuple(tuning),
    )


def _target(item: Any, index: int, goal_pct: float, problems: list[str]) -> LabTarget:
    place = f"targets[{index}]"
    if not isinstance(item, Mapping):
        problems.append(f"{place}: {toml_repr(item)} — expected a table")
        return LabTarget("?", "chat", 1, 1, "agent", goal_pct)
    for key in set(item) - _TARGET_KEYS:
        problems.append(
            f"{place}.{key}: {toml_repr(item[key])} — expected one of {sorted(_TARGET_KEYS)}"
        )
    counts = {}
    for key in ("agents", "slots"):
        value = item.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{place}.{key}: {toml_repr(value)} — expected a whole number ≥ 1")
            value = 1
        counts[key] = value
    name = str(item.get("name", f"Target {index + 1}"))
    return LabTarget(
        name=name,
        media=str(item.get("media", "chat")),
        agents=counts["agents"],
        slots=counts["slots"],
        agent_prefix=str(item.get("agent_prefix", name.lower().replace(" ", "-"))),
        goal_pct=_number(item, "goal_pct", goal_pct, problems),
    )


def _shock(item: Any, index: int, problems: list[str]) -> LabShock:
    place = f"shocks[{index}]"
    if not isinstance(item, Mapping) or "at_h" not in item:
        problems.append(f"{place}: {toml_repr(item)} — expected a table with at_h")
        return LabShock(0.0, None, ())
    at_s = _number(item, "at_h", 0.0, problems) * 3600.0
    share = item.get("log_off_share")
    changes = item.get("set", {})
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)):
        problems.append(f"{place}.log_off_share: {toml_repr(share)} — expected a share 0-1")
        share = None
    converted: tuple[tuple[str, Any], ...] = ()
    if isinstance(changes, Mapping) and changes:
        parsed, change_problems = parse_scenario(changes, f"{place}.set")
        problems.extend(change_problems)
        # per-media tables come back merged into the defaults, in the simulator's own form
        converted = tuple((key, getattr(parsed, key)) for key in changes if not change_problems)
    if share is None and not changes:
        problems.append(f"{place}: {toml_repr(item)} — expected log_off_share or set")
    return LabShock(at_s, None if share is None else float(share), converted)
