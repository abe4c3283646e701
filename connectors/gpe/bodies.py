"""Pure request building and answer validation for the bulk pacing call (see GPE_CONTRACT.md).

No I/O here: `build_entities` turns decisions and statistics into the request's entities,
`validate_answer` turns an answer body into per-target results, per-target errors and
validation problems, following the contract's table.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.decisions import PacingDecision
from domain.statistics import PublishResult, TargetStatistics


@dataclass(frozen=True, slots=True)
class ChunkAnswer:
    """What one validated bulk answer says about the targets of its chunk."""

    results: Mapping[str, PublishResult]
    target_errors: Mapping[str, str]  # target id -> "code: message"
    problems: tuple[str, ...]  # validation problems; targets they touch are in neither map


def media_of(target_id: str) -> str:
    """The media part of `"<VQ name> - <media>"`."""
    return target_id.rsplit(" - ", 1)[-1]


def build_entity(
    decision: PacingDecision, stats: TargetStatistics | None, media: str
) -> dict[str, Any]:
    """One entity of the bulk request."""
    vq_name = decision.target_id.rsplit(" - ", 1)[0]
    entity: dict[str, Any] = {
        "externalId": decision.target_id,
        "name": decision.target_id,
        "mediaType": media,
        "allowedInvitationCount": decision.allowed_invitations,
        "allowedInvitationIntervalSeconds": decision.interval_s,
        "allowedByBusinessCalendar": True,
        "userData": [{"key": "virtualQueue", "value": vq_name}],
    }
    if decision.estimated_wait_s is not None:
        entity["estimatedWaitTimeSeconds"] = decision.estimated_wait_s
    if stats is not None:
        entity["rawStatistics"] = {
            "numberOfLoggedInAgents": stats.logged_in_slots,
            "numberOfReadyAgents": stats.ready_slots,
            "numberOfInteractionsInQueue": stats.in_queue,
            "numberOfServedInteractions": stats.accepted_total,
            "numberOfAbandonedInteractions": stats.abandoned_total,
        }
    return entity


def chunked(items: Sequence[PacingDecision], size: int) -> list[Sequence[PacingDecision]]:
    """`items` in consecutive chunks of at most `size`."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]


def encode_body(entities: Sequence[Mapping[str, Any]], *, compress: bool) -> bytes:
    """The JSON request body, gzip-compressed when `compress`."""
    raw = json.dumps({"entities": list(entities)}, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=6) if compress else raw


def validate_answer(body: bytes, target_ids: Sequence[str]) -> ChunkAnswer:
    """Check a bulk answer against the request's targets, item by item.

    Structural problems (not JSON, no `results`, wrong count, inconsistent `errorCount` or
    `errorIndexes`) void the whole answer; a bad item voids only its own target.
    """
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return _void(f"answer is not JSON ({error})")
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        return _void('answer has no "results" list')
    if len(results) != len(target_ids):
        return _void(f"answer has {len(results)} results for {len(target_ids)} entities")
    error_indexes = [
        i for i, item in enumerate(results) if isinstance(item, dict) and "error" in item
    ]
    structural = _check_error_summary(document, error_indexes)
    if structural:
        return _void(structural)
    answers: dict[str, PublishResult] = {}
    target_errors: dict[str, str] = {}
    problems: list[str] = []
    for index, (item, target_id) in enumerate(zip(results, target_ids, strict=True)):
        outcome = _read_item(item, target_id)
        if isinstance(outcome, PublishResult):
            answers[target_id] = outcome
        elif outcome.startswith("error: "):
            target_errors[target_id] = outcome.removeprefix("error: ")
        else:
            problems.append(f"results[{index}] ({target_id}): {outcome}")
    return ChunkAnswer(answers, target_errors, tuple(problems))


def _void(problem: str) -> ChunkAnswer:
    return ChunkAnswer({}, {}, (problem,))


def _check_error_summary(document: Mapping[str, Any], error_indexes: list[int]) -> str:
    count = document.get("errorCount")
    if count is not None and (not _is_int(count) or count != len(error_indexes)):
        return f"errorCount {count!r} but {len(error_indexes)} results carry an error"
    indexes = document.get("errorIndexes")
    if indexes is not None and (not isinstance(indexes, list) or sorted(indexes) != error_indexes):
        return f"errorIndexes {indexes!r} but the errors are at {error_indexes}"
    return ""


def _read_item(item: object, target_id: str) -> PublishResult | str:
    """A result, `"error: …"` for a per-target error, or a validation problem."""
    if not isinstance(item, dict):
        return "not an object"
    has_entity, has_error = "entity" in item, "error" in item
    if has_entity == has_error:
        return 'expected exactly one of "entity" and "error"'
    if has_error:
        error = item["error"]
        if not isinstance(error, dict):
            return '"error" is not an object'
        code, message = error.get("code", "?"), error.get("message", "")
        return f"error: {code}: {message}".rstrip(": ")
    entity = item["entity"]
    if not isinstance(entity, dict):
        return '"entity" is not an object'
    external_id = entity.get("externalId")
    if external_id is not None and external_id != target_id:
        return f"externalId {external_id!r}, expected {target_id!r} (same order as the request)"
    pending = entity.get("pendingInvitationCount")
    if not isinstance(pending, int) or isinstance(pending, bool) or pending < 0:
        return f"pendingInvitationCount {pending!r}, expected a whole number ≥ 0"
    rate = entity.get("acceptanceRate")
    if rate is not None and (not _is_number(rate) or not 0 <= rate <= 1):
        return f"acceptanceRate {rate!r}, expected a number between 0 and 1"
    delays: list[float | None] = []
    for key in ("timeToPositiveDispositionAvgSeconds", "timeToNegativeDispositionAvgSeconds"):
        value = entity.get(key)
        if value is not None and (not _is_number(value) or value < 0):
            return f"{key} {value!r}, expected a number ≥ 0"
        delays.append(None if value is None else float(value))
    return PublishResult(
        target_id=target_id,
        pending_invitations=pending,
        acceptance_rate=None if rate is None else float(rate),
        accept_delay_s=delays[0],
        decline_delay_s=delays[1],
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
