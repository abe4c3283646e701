"""The configuration model and loader: one TOML file, validated as a whole.

`load_config(path)` reads the file and returns a frozen `Config`, or raises one `ConfigError`
listing every problem as `where: value — expected …`. Whatever the file holds, loading ends in
a `Config` or a `ConfigError`: its size, encoding and nesting are checked before TOML parsing
(`config.limits`), every number against its range (`config.ranges`). Pacing targets are
derived here from the virtual queues and agent groups (`derive_targets`); warnings never raise
and ride on the config. A configuration that paces nothing is only a warning here;
`require_paced_targets` makes it an error where a node would run it. Sections are read in
`config.options` (cluster options) and `config.roster` (virtual queues, roster, groups); this
module assembles them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.alarms import AlarmOptions, read_alarms
from config.compliance import ComplianceOptions, read_compliance
from config.dashboard import DashboardOptions, read_dashboard
from config.limits import (
    MAX_TARGET_AGENTS,
)
from config.options import (
    BacklogOptions,
    LogOptions,
    MetricsOptions,
    NodeOptions,
    PacingEndpointOptions,
    PacingOptions,
    PublisherOptions,
    StatSourceOptions,
    read_backlog,
    read_log,
    read_metrics,
    read_node,
    read_pacing,
    read_pacing_endpoint,
    read_publisher,
    read_stat_source,
)
from config.reader import ConfigError, ProblemList, TableReader
from config.roster import (
    Agent,
    AgentGroup,
    VirtualQueue,
    read_agent_groups,
    read_agents,
    read_virtual_queues,
)
from config.secrets import (
    ForwardProxyOptions,
    HybridIntegration,
    read_forward_proxy,
    read_hybrid_integration,
)
from config.toml_file import read_toml
from domain.phases import StartupTimings
from domain.targets import PacingTarget, TargetAgent, target_id_for

if TYPE_CHECKING:
    from config.simulator import Scenario


# Top-level keys in the order `describe` and the shipped pacing.toml present them.
_SECTIONS = (
    "node",
    "pacing",
    "pacingEndpoint",
    "metrics",
    "log",
    "forward-proxy",
    "hybrid_integration",
    "Backlog",
    "alarms",
    "compliance",
    "stat_source",
    "publisher",
    "simulator",
    "virtual_queues",
    "agents",
    "agent_groups",
    "dashboard",
)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything one pacing node needs, validated. Build with `load_config`/`parse_config`."""

    source_path: Path | None
    pacing: PacingOptions
    pacing_endpoint: PacingEndpointOptions
    metrics: MetricsOptions
    log: LogOptions
    forward_proxy: ForwardProxyOptions
    hybrid_integration: HybridIntegration | None
    backlog: BacklogOptions
    node: NodeOptions
    stat_source: StatSourceOptions
    publisher: PublisherOptions
    simulator: Scenario
    virtual_queues: tuple[VirtualQueue, ...]
    agents: tuple[Agent, ...]
    agent_groups: tuple[AgentGroup, ...]
    targets: tuple[PacingTarget, ...]
    warnings: tuple[str, ...] = ()
    alarms: AlarmOptions = AlarmOptions()
    dashboard: DashboardOptions = DashboardOptions()
    compliance: ComplianceOptions = ComplianceOptions()


NOTHING_PACED = (
    "nothing will be paced: no [[virtual_queues]] has a [virtual_queues.pacing] section "
    "naming its media"
)


def load_config(path: str | Path, *, timings: StartupTimings | None = None) -> Config:
    """Read and validate the TOML file at `path`; raise `ConfigError` listing every problem.

    With `timings`, the phases read/parse, validate and derive are timed into it.
    """
    path = Path(path)
    laps = timings if timings is not None else StartupTimings()
    with _collector_paused():
        laps.start_lap()
        raw = read_toml(path)
        laps.lap("read/parse")
        return parse_config(raw, str(path), base_dir=path.resolve().parent, timings=timings)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is loaded.

    Loading builds millions of objects that all stay alive (a 10,000-target file: the TOML
    document, 200,000 agents): each of them triggers collections that walk every one of them
    again, a third of the load's time, for no garbage (it has no cycles; what dies is freed
    by reference counting). Turned back on after, if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def require_paced_targets(config: Config) -> None:
    """`ConfigError` when the configuration paces nothing: a node would run idle for ever."""
    if not config.targets:
        raise ConfigError(
            [
                f"{NOTHING_PACED} — expected at least one paced virtual queue to run a node "
                "(`pacing check-config` shows the derived targets)"
            ],
            str(config.source_path or "<memory>"),
        )


def parse_config(
    raw: Mapping[str, object],
    source: str = "<memory>",
    *,
    base_dir: Path | None = None,
    timings: StartupTimings | None = None,
) -> Config:
    """Validate an already-parsed TOML document; relative paths resolve against `base_dir`.

    With `timings`, the phases validate and derive are timed into it.
    """
    laps = timings if timings is not None else StartupTimings()
    laps.start_lap()
    problems = ProblemList()  # a million typos cost no more than a thousand
    warnings: list[str] = []
    root = TableReader(raw, "", problems)
    for section in _SECTIONS:
        root.value(section)

    pacing = read_pacing(root.table("pacing"))
    node = read_node(root.table("node"), base_dir)
    pacing_endpoint = read_pacing_endpoint(root.table("pacingEndpoint"))
    metrics = read_metrics(root.table("metrics"))
    log = read_log(root.table("log"), base_dir)
    forward_proxy = read_forward_proxy(root.table("forward-proxy"), base_dir)
    hybrid_integration = read_hybrid_integration(root.table("hybrid_integration"), base_dir)
    backlog = read_backlog(root.table("Backlog"), base_dir)
    alarms = read_alarms(root.table("alarms"), base_dir)
    compliance = read_compliance(root.table("compliance"))
    stat_source = read_stat_source(root.table("stat_source"), base_dir)
    publisher = read_publisher(root.table("publisher"), base_dir)
    dashboard = read_dashboard(root.table("dashboard"), base_dir)
    if publisher.kind == "http" and hybrid_integration is None:
        problems.append(
            'hybrid_integration: missing — expected the section when publisher.kind is "http" '
            "(base_auth_url, base_service_url, client_id, client_secret_env)"
        )
    lease_problem = _lease_problem(publisher, pacing.refresh_period_s)
    if lease_problem:
        problems.append(lease_problem)
    simulator = _read_simulator(root, problems)

    virtual_queues = read_virtual_queues(root, pacing.default_goal_pct, warnings)
    agents = read_agents(root)
    agent_groups = read_agent_groups(root, agents, virtual_queues, warnings)
    root.finish("section")
    laps.lap("validate")
    targets = _checked_targets(virtual_queues, agent_groups, problems, warnings)
    laps.lap("derive")
    if problems:
        raise ConfigError(problems, source)
    return Config(
        source_path=Path(source) if source != "<memory>" else None,
        pacing=pacing,
        pacing_endpoint=pacing_endpoint,
        metrics=metrics,
        log=log,
        forward_proxy=forward_proxy,
        hybrid_integration=hybrid_integration,
        backlog=backlog,
        node=node,
        stat_source=stat_source,
        publisher=publisher,
        simulator=simulator,
        virtual_queues=virtual_queues,
        agents=agents,
        agent_groups=agent_groups,
        targets=targets,
        warnings=tuple(warnings),
        alarms=alarms,
        dashboard=dashboard,
        compliance=compliance,
    )


def _lease_problem(publisher: PublisherOptions, period_s: float) -> str | None:
    """A master must confirm that its lease outlives the publish deadline before publishing:
    a lease shorter than the deadline would never let any node publish."""
    deadline_s = publisher.budget_ratio * period_s
    if publisher.kind != "http" or publisher.lease_ttl_s is None:
        return None
    if publisher.lease_ttl_s > deadline_s:
        return None
    return (
        f"publisher.lease_ttl: {publisher.lease_ttl_s:g} s — expected more than the publish "
        f"deadline, budget_ratio × pacing.refreshPeriod = {deadline_s:g} s (a master confirms "
        "that its lease outlives the publish before publishing)"
    )


def _read_simulator(root: TableReader, problems: list[str]) -> Scenario:
    # Imported here: the simulator is heavier than the config and imports engine modules itself.
    from config.simulator import parse_scenario

    table = root.table("simulator")
    scenario, _ = parse_scenario(table.raw if table else {}, "simulator", problems)
    return scenario


def _checked_targets(
    virtual_queues: Sequence[VirtualQueue],
    agent_groups: Sequence[AgentGroup],
    problems: list[str],
    warnings: list[str],
) -> tuple[PacingTarget, ...]:
    """The derived targets, once their size is known to fit; a warning when there is none."""
    membership_problem = _membership_problem(virtual_queues, agent_groups)
    if membership_problem:
        problems.append(membership_problem)
        return ()
    targets, target_problems, target_warnings = _derive(virtual_queues, agent_groups)
    problems.extend(target_problems)
    warnings.extend(target_warnings)
    if not targets:
        warnings.append(NOTHING_PACED)
    return targets


def _membership_problem(
    virtual_queues: Sequence[VirtualQueue], agent_groups: Sequence[AgentGroup]
) -> str:
    """Why deriving targets would build too many target agents ("" when it fits).

    Counted before `_derive` builds anything: every member of every group, once per paced
    virtual queue the group serves with capacity for its media (an upper bound).
    """
    media_of = {vq.name: vq.media for vq in virtual_queues if vq.media is not None}
    total = 0
    for group in agent_groups:
        served = sum(1 for name in group.vq_names if group.slots_for(media_of.get(name) or ""))
        total += served * len(group.agents)
    if total <= MAX_TARGET_AGENTS:
        return ""
    return (
        f"agent_groups: {total:,} agents over all pacing targets — expected at most "
        f"{MAX_TARGET_AGENTS:,} (a group serving many virtual queues counts its agents once "
        "for each)"
    )


def derive_targets(
    virtual_queues: Sequence[VirtualQueue], agent_groups: Sequence[AgentGroup]
) -> tuple[PacingTarget, ...]:
    """One target per paced VQ with every group listing it; raise `ConfigError` on clashes.

    An agent counts only through groups whose capacity has the VQ's media, with that capacity
    as slots; an agent in several such groups counts once, with the largest capacity.
    """
    targets, problems, _ = _derive(virtual_queues, agent_groups)
    if problems:
        raise ConfigError(problems)
    return targets


def _derive(
    virtual_queues: Sequence[VirtualQueue], agent_groups: Sequence[AgentGroup]
) -> tuple[tuple[PacingTarget, ...], list[str], list[str]]:
    targets: dict[str, PacingTarget] = {}
    problems: list[str] = []
    warnings: list[str] = []
    # Each group listed under every queue it serves, once, in the groups' order: one pass
    # over the groups instead of one per queue.
    groups_by_vq: dict[str, list[AgentGroup]] = {}
    for group in agent_groups:
        for vq_name in dict.fromkeys(group.vq_names):
            groups_by_vq.setdefault(vq_name, []).append(group)
    for index, vq in enumerate(virtual_queues):
        if vq.media is None:
            continue
        groups = groups_by_vq.get(vq.name, [])
        slots_by_agent: dict[str, int] = {}
        for group in groups:
            slots = group.slots_for(vq.media)
            if slots < 1:
                continue
            for agent in group.agents:
                slots_by_agent[agent] = max(slots, slots_by_agent.get(agent, 0))
        target_id = target_id_for(vq.name, vq.media)
        if target_id in targets:
            problems.append(
                f'virtual_queues[{index}]: "{target_id}" — expected a pacing target id '
                "not derived from another virtual queue as well"
            )
            continue
        if not groups:
            warnings.append(
                f'virtual_queues[{index}]: "{vq.name}" is paced but no agent group lists it in '
                "origination_dns — it will never get agents"
            )
        elif not slots_by_agent:
            warnings.append(
                f'virtual_queues[{index}]: "{vq.name}" is served only by groups with no agents '
                f"able to handle {vq.media} — it will never get agents"
            )
        targets[target_id] = PacingTarget(
            target_id=target_id,
            vq_name=vq.name,
            vq_number=vq.number,
            media=vq.media,
            goal_pct=vq.goal_pct if vq.goal_pct is not None else 0.0,
            groups=tuple(group.name for group in groups),
            agents=tuple(
                TargetAgent(name, slots) for name, slots in sorted(slots_by_agent.items())
            ),
        )
    return tuple(targets[key] for key in sorted(targets)), problems, warnings


def describe(config: Config) -> str:
    """Human text for `pacing check-config`: the derived targets and every warning."""
    node = config.node
    lines = [
        f"Configuration {config.source_path or '<memory>'}",
        f"  node {node.node_id} ({'embedded' if node.embedded else 'headless'}), "
        f"database {node.database_path}, time zone {node.timezone}",
        f"  stat source {config.stat_source.kind}, publisher {config.publisher.kind}, "
        f"refresh every {config.pacing.refresh_period_s:g} s, "
        f"algorithm {config.pacing.algorithm} ({config.pacing.optimization_target})",
        "",
        f"{len(config.targets)} pacing target(s):",
    ]
    for target in config.targets:
        lines.append(
            f"  {target.target_id}: media {target.media}, goal {target.goal_pct:g} %, "
            f"{len(target.agents)} agent(s), {target.total_slots} slot(s)"
        )
        lines.append(f"    groups: {', '.join(target.groups) or '(none)'}")
        agents = ", ".join(f"{agent.name}×{agent.slots}" for agent in target.agents)
        lines.append(f"    agents: {agents or '(none)'}")
    unpaced = [f"{vq.name} ({vq.number})" for vq in config.virtual_queues if not vq.paced]
    if unpaced:
        lines.append(f"Not paced (no pacing section): {', '.join(unpaced)}")
    lines.append("")
    if config.warnings:
        lines.append(f"{len(config.warnings)} warning(s):")
        lines.extend(f"  {warning}" for warning in config.warnings)
    else:
        lines.append("No warnings.")
    return "\n".join(lines)
