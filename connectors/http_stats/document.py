"""Pure parsing of the statistics document (schema in docs/http.md) into per-target figures.

```json
{"generated_at": 1767225600.0,
 "virtual_queues": {"7001": {"current": 1, "accepted": 120, "abandoned": 3,
                             "reactive_arrivals": 40}},
 "agent_groups": {"Chat Team": {"chat": {"logged_in": 18, "ready": 6, "busy": 12,
                                         "handle_time_avg_s": 181.5}}}}
```

Virtual queues are keyed by number (their name is accepted too); agent figures are capacity
slots per agent group and media. A target's agent figures are the sum over its groups for its
media. Anything missing, malformed or outside its plausible bound (`domain.bounds`) for a
target makes that target stale, with the reason naming the figure, its value and the bound.
A document nested deeper than the JSON depth limit, or produced too long ago or in the
future (`check_generated_at`), is unusable as a whole.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.http_exchange import JsonLimitError, loads_limited
from domain.bounds import (
    FUTURE_SKEW_S_MAX,
    HANDLE_TIME_S,
    IN_QUEUE,
    RUNNING_TOTAL,
    SLOTS,
    shown,
)
from domain.bounds import FigureBound as Bound
from domain.targets import PacingTarget


class DocumentError(ValueError):
    """The document as a whole is unusable (not JSON, too deep, not an object, too old...)."""


@dataclass(frozen=True, slots=True)
class RawTargetFigures:
    """One target's figures as the server reported them (totals not yet reset-corrected)."""

    target_id: str
    logged_in_slots: int
    ready_slots: int
    busy_slots: int
    in_queue: int
    accepted_total: int
    abandoned_total: int
    reactive_arrivals_total: int
    avg_handle_time_s: float | None


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    generated_at: float | None
    figures: Mapping[str, RawTargetFigures]
    stale: Mapping[str, str]  # target id -> why it has no usable figures


def parse_document(body: bytes, targets: Sequence[PacingTarget]) -> ParsedDocument:
    """Figures for every target the document covers; the reason for every other target."""
    try:
        document = loads_limited(body)
    except JsonLimitError as error:
        raise DocumentError(f"statistics document is {error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DocumentError(f"statistics document is not JSON ({error})") from None
    if not isinstance(document, dict):
        raise DocumentError("statistics document is not a JSON object")
    queues, groups = document.get("virtual_queues"), document.get("agent_groups")
    if not isinstance(queues, dict) or not isinstance(groups, dict):
        raise DocumentError('statistics document needs "virtual_queues" and "agent_groups" objects')
    generated_at = document.get("generated_at")
    if generated_at is not None and not _is_number(generated_at):
        raise DocumentError(f"generated_at {shown(generated_at)} — expected epoch seconds")
    figures: dict[str, RawTargetFigures] = {}
    stale: dict[str, str] = {}
    for target in targets:
        try:
            figures[target.target_id] = _target_figures(target, queues, groups)
        except ValueError as error:
            stale[target.target_id] = str(error)
    return ParsedDocument(None if generated_at is None else float(generated_at), figures, stale)


def check_generated_at(generated_at: float | None, now: float, stale_after_s: float) -> None:
    """`DocumentError` when the document was produced too long ago, or in the future."""
    if generated_at is None:
        return
    age_s = now - generated_at
    if age_s > stale_after_s:
        raise DocumentError(
            f"statistics document is {age_s:.6g} s old (generated_at {generated_at:.10g}) — "
            f"expected at most stat_source.stale_after ({stale_after_s:g} s)"
        )
    if -age_s > FUTURE_SKEW_S_MAX:
        raise DocumentError(
            f"statistics document is dated {-age_s:.6g} s in the future (generated_at "
            f"{generated_at:.10g}) — expected at most {FUTURE_SKEW_S_MAX:g} s ahead of this "
            "node's clock"
        )


def _target_figures(
    target: PacingTarget, queues: Mapping[str, Any], groups: Mapping[str, Any]
) -> RawTargetFigures:
    queue = queues.get(target.vq_number, queues.get(target.vq_name))
    if not isinstance(queue, dict):
        raise ValueError(f"virtual queue {target.vq_number} ({target.vq_name}) missing")
    media_name = target.media
    logged_in = ready = busy = 0
    handle_sum = weight = 0.0
    low, high = SLOTS.low, SLOTS.high
    for group_name in target.groups:
        group = groups.get(group_name)
        media = group.get(media_name) if isinstance(group, dict) else None
        if not isinstance(media, dict):
            raise ValueError(f'agent group "{group_name}" has no {media_name} figures')
        group_logged_in, group_ready, group_busy = (
            media.get("logged_in"),
            media.get("ready"),
            media.get("busy"),
        )
        if not (  # the common case checked inline; anything else gets the named checks
            type(group_logged_in) is int
            and type(group_ready) is int
            and type(group_busy) is int
            and low <= group_logged_in <= high
            and low <= group_ready <= high
            and low <= group_busy <= high
        ):
            where = f"agent_groups.{group_name}.{media_name}"
            group_logged_in = _count(media, "logged_in", where, SLOTS)
            group_ready = _count(media, "ready", where, SLOTS)
            group_busy = _count(media, "busy", where, SLOTS)
        logged_in += group_logged_in
        ready += group_ready
        busy += group_busy
        handle = media.get("handle_time_avg_s")
        if handle is not None:
            if not (
                (type(handle) is float or type(handle) is int)
                and HANDLE_TIME_S.low <= handle <= HANDLE_TIME_S.high  # NaN fails here too
            ) and (not _is_number(handle) or not HANDLE_TIME_S.holds(handle)):
                raise ValueError(
                    f"agent_groups.{group_name}.{media_name}.handle_time_avg_s: "
                    f"{shown(handle)} — expected {HANDLE_TIME_S.expected}"
                )
            handle_weight = max(1, group_busy)
            handle_sum += float(handle) * handle_weight
            weight += handle_weight
    for key, total in (("logged_in", logged_in), ("ready", ready), ("busy", busy)):
        if not low <= total <= high:
            raise ValueError(
                f"{key} slots of {target.target_id} summed over its groups: {total} — expected "
                f"{SLOTS.expected}"
            )
    if ready + busy > logged_in:
        raise ValueError(
            f"ready {ready} + busy {busy} exceed logged in {logged_in} for {target.target_id}"
        )
    in_queue, accepted, abandoned = (
        queue.get("current"),
        queue.get("accepted"),
        queue.get("abandoned"),
    )
    reactive = queue.get("reactive_arrivals", 0)
    total_low, total_high = RUNNING_TOTAL.low, RUNNING_TOTAL.high
    if not (  # the common case checked inline; anything else gets the named checks
        type(in_queue) is int
        and type(accepted) is int
        and type(abandoned) is int
        and type(reactive) is int
        and IN_QUEUE.low <= in_queue <= IN_QUEUE.high
        and total_low <= accepted <= total_high
        and total_low <= abandoned <= total_high
        and total_low <= reactive <= total_high
    ):
        where = f"virtual_queues.{target.vq_number}"
        in_queue = _count(queue, "current", where, IN_QUEUE)
        accepted = _count(queue, "accepted", where, RUNNING_TOTAL)
        abandoned = _count(queue, "abandoned", where, RUNNING_TOTAL)
        reactive = _count(queue, "reactive_arrivals", where, RUNNING_TOTAL, required=False)
    return RawTargetFigures(
        target_id=target.target_id,
        logged_in_slots=logged_in,
        ready_slots=ready,
        busy_slots=busy,
        in_queue=in_queue,
        accepted_total=accepted,
        abandoned_total=abandoned,
        reactive_arrivals_total=reactive,
        avg_handle_time_s=(handle_sum / weight) if weight else None,
    )


def _count(
    table: Mapping[str, Any], key: str, where: str, bound: Bound, *, required: bool = True
) -> int:
    value = table.get(key)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not bound.holds(value):
        raise ValueError(f"{where}.{key}: {shown(value)} — expected {bound.expected}")
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
