"""Pure builders of what the fake servers answer: statistics documents and bulk answers.

The simulator reports per target; a statistics server reports per agent group and media. Each
target's agent figures are split over its groups in proportion to the slots each group gives
it, so a group serving several targets of one media shows their sum, as a shared group does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from config import AgentGroup
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget


def group_weights(target: PacingTarget, groups: Mapping[str, AgentGroup]) -> dict[str, float]:
    """Each of the target's groups' share of its slots (summing to 1 when it has any)."""
    slots = {agent.name: agent.slots for agent in target.agents}
    raw = {
        name: float(sum(slots.get(member, 0) for member in groups[name].agents))
        for name in target.groups
        if name in groups
    }
    total = sum(raw.values())
    if total <= 0:
        return {name: 1.0 / len(raw) for name in raw} if raw else {}
    return {name: value / total for name, value in raw.items()}


def stats_document(
    targets: Sequence[PacingTarget],
    agent_groups: Sequence[AgentGroup],
    statistics: Mapping[str, TargetStatistics],
    generated_at: float,
) -> dict[str, Any]:
    """The statistics document (schema in docs/http.md) for the simulator's figures."""
    groups = {group.name: group for group in agent_groups}
    queues: dict[str, dict[str, Any]] = {}
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for target in targets:
        stats = statistics.get(target.target_id)
        if stats is None:
            continue
        queues[target.vq_number] = {
            "name": target.vq_name,
            "current": stats.in_queue,
            "accepted": stats.accepted_total,
            "abandoned": stats.abandoned_total,
            "reactive_arrivals": stats.reactive_arrivals_total,
        }
        for name, weight in group_weights(target, groups).items():
            media = figures.setdefault(name, {}).setdefault(
                target.media, {"ready": 0.0, "busy": 0.0, "handle": 0.0, "weight": 0.0}
            )
            media["ready"] += stats.ready_slots * weight
            media["busy"] += stats.busy_slots * weight
            if stats.avg_handle_time_s is not None:
                media["handle"] += stats.avg_handle_time_s * weight
                media["weight"] += weight
    return {
        "generated_at": generated_at,
        "virtual_queues": queues,
        "agent_groups": {
            group: {media: _agent_figures(values) for media, values in by_media.items()}
            for group, by_media in figures.items()
        },
    }


def _agent_figures(values: Mapping[str, float]) -> dict[str, Any]:
    ready, busy = round(values["ready"]), round(values["busy"])
    figures: dict[str, Any] = {"logged_in": ready + busy, "ready": ready, "busy": busy}
    if values["weight"] > 0:
        figures["handle_time_avg_s"] = round(values["handle"] / values["weight"], 3)
    return figures


def entity_answer(entity: Mapping[str, Any], result: PublishResult) -> dict[str, Any]:
    """One successful result: the request entity echoed with the platform's figures."""
    answered: dict[str, Any] = dict(entity)
    answered["pendingInvitationCount"] = result.pending_invitations
    if result.acceptance_rate is not None:
        answered["acceptanceRate"] = round(result.acceptance_rate, 4)
    if result.accept_delay_s is not None:
        answered["timeToPositiveDispositionAvgSeconds"] = round(result.accept_delay_s, 3)
    if result.decline_delay_s is not None:
        answered["timeToNegativeDispositionAvgSeconds"] = round(result.decline_delay_s, 3)
    return {"entity": answered}


def error_item(code: str, message: str, status: int = 400) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, "errors": []}}


def bulk_answer(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The bulk answer around its items, with a consistent errorCount and errorIndexes."""
    indexes = [i for i, item in enumerate(items) if "error" in item]
    return {"results": list(items), "errorCount": len(indexes), "errorIndexes": indexes}


def platform_error(status: int, code: str, message: str, context_id: str) -> dict[str, Any]:
    """The platform's error body (`contextId` equals the inin-correlation-id header)."""
    return {
        "message": message,
        "code": code,
        "status": status,
        "contextId": context_id,
        "details": [],
        "errors": [],
    }
