"""The linear derivation finds what the plain, quadratic reading of the rules finds.

Reference: a group serves the queues its DNs name (by name, else by number), each once, in
order; a skill group's members are the roster agents its expression matches, in roster
order; a paced queue's target has every group listing it, in the groups' order, and each
agent able to handle its media once, with the largest capacity of those groups.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from config import Agent, AgentGroup, VirtualQueue, parse_config
from config.skills import parse_skill_expression
from domain.targets import PacingTarget, TargetAgent, target_id_for

_MEDIA = ("chat", "voice", "email")
_SKILLS = ("Sales", "Spanish", "Support")
_EXPRESSIONS = (
    "Sales > 2",
    "Spanish >= 2 & Sales < 3",
    "Support = 3 | Spanish != 4",
    "Support > 1 | Spanish > 1 | Sales = 0",
    "(Sales > 1 | Support > 1) & Spanish <= 3",
    "Nobody > 0",
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    queue_count = draw(st.integers(1, 6))
    queues: list[dict[str, Any]] = []
    for i in range(queue_count):
        queue: dict[str, Any] = {"name": f"Q{i}", "number": f"{700 + i}"}
        media = draw(st.sampled_from((*_MEDIA, None)))
        if media is not None:
            queue["pacing"] = {"media": media}
        queues.append(queue)
    keys = [queue["name"] for queue in queues] + [queue["number"] for queue in queues]
    agents = [
        {
            "name": f"agent{i}",
            "skills": draw(st.dictionaries(st.sampled_from(_SKILLS), st.integers(0, 4))),
            **({"count": draw(st.integers(1, 3))} if draw(st.booleans()) else {}),
        }
        for i in range(draw(st.integers(0, 5)))
    ]
    names = [f"agent{i}" for i in range(5)] + [f"agent{i}-0{k}" for i in range(5) for k in (1, 2)]
    groups: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 6))):
        group: dict[str, Any] = {
            "name": f"G{i}",
            "capacity": draw(
                st.dictionaries(st.sampled_from(_MEDIA), st.integers(1, 4), min_size=1)
            ),
            "origination_dns": draw(st.lists(st.sampled_from(keys), max_size=5)),
        }
        if draw(st.booleans()):
            group["skill_expression"] = draw(st.sampled_from(_EXPRESSIONS))
        else:
            group["agents"] = draw(st.lists(st.sampled_from(names), max_size=6))
        groups.append(group)
    return {"virtual_queues": queues, "agents": agents, "agent_groups": groups}


def _reference_members(expression: str, roster: tuple[Agent, ...]) -> tuple[str, ...]:
    parsed = parse_skill_expression(expression)
    return tuple(agent.name for agent in roster if parsed.matches(dict(agent.skills)))


def _reference_served(dns: tuple[str, ...], queues: tuple[VirtualQueue, ...]) -> tuple[str, ...]:
    served: list[str] = []
    for dn in dns:
        by_name = [vq for vq in queues if vq.name == dn]
        vq = by_name[0] if by_name else next(vq for vq in queues if vq.number == dn)
        if vq.name not in served:
            served.append(vq.name)
    return tuple(served)


def _reference_targets(
    queues: tuple[VirtualQueue, ...], groups: tuple[AgentGroup, ...]
) -> list[PacingTarget]:
    targets = []
    for vq in queues:
        if vq.media is None:
            continue
        serving = [group for group in groups if vq.name in group.vq_names]
        slots: dict[str, int] = {}
        for group in serving:
            capacity = dict(group.capacity).get(vq.media, 0)
            if capacity >= 1:
                for agent in group.agents:
                    slots[agent] = max(capacity, slots.get(agent, 0))
        targets.append(
            PacingTarget(
                target_id=target_id_for(vq.name, vq.media),
                vq_name=vq.name,
                vq_number=vq.number,
                media=vq.media,
                goal_pct=vq.goal_pct if vq.goal_pct is not None else 0.0,
                groups=tuple(group.name for group in serving),
                agents=tuple(TargetAgent(name, n) for name, n in sorted(slots.items())),
            )
        )
    return sorted(targets, key=lambda target: target.target_id)


@settings(max_examples=300)
@given(documents())
def test_derived_targets_and_skill_groups_match_the_plain_reading(
    document: dict[str, Any],
) -> None:
    config = parse_config(document)
    for group in config.agent_groups:
        assert group.vq_names == _reference_served(group.origination_dns, config.virtual_queues)
        if group.skill_expression is not None:
            assert group.agents == _reference_members(group.skill_expression, config.agents)
    assert list(config.targets) == _reference_targets(config.virtual_queues, config.agent_groups)
