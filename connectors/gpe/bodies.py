"""Pure request building and answer validation for the bulk pacing call (see GPE_CONTRACT.md).

No I/O here: `build_entities` turns decisions and statistics into the request's entities,
`validate_answer` turns an answer body into per-target results, per-target errors and
validation problems, following the contract's table. Figures outside their plausible bounds
(`domain.bounds`: pending invitations, acceptance rate, disposition times) make their item
invalid. `answer_limit_bytes` is the largest answer read for a chunk.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from connectors.http_exchange import JsonLimitError, loads_limited
from domain.bounds import ACCEPTANCE_RATE, DISPOSITION_S, PENDING, shown
from domain.decisions import PacingDecision
from domain.statistics import PublishResult, TargetStatistics

# The largest bulk answer read: a floor, plus room for each entity it echoes.
ANSWER_BASE_BYTES = 64 * 1024
ANSWER_BYTES_PER_ENTITY = 4 * 1024


def answer_limit_bytes(entities: int) -> int:
    """The largest bulk answer body (decoded) read for a request of `entities` entities."""
    return ANSWER_BASE_BYTES + ANSWER_BYTES_PER_ENTITY * entities


@dataclass(frozen=True, slots=True)
class ChunkAnswer:
    """What one validated bulk answer says about the targets of its chunk.

    A structural problem voids the whole answer (`voided`: nothing in any map); a bad item
    voids only its own target (`invalid`).
    """

    results: Mapping[str, PublishResult]
    target_errors: Mapping[str, str]  # target id -> "code: message"
    problems: tuple[str, ...]  # validation problems; targets they touch are in neither map
    invalid: Mapping[str, str] = field(default_factory=dict)  # target id -> its item's problem

    @property
    def voided(self) -> bool:
        return bool(self.problems) and not (self.results or self.target_errors or self.invalid)


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
        document = loads_limited(body)
    except JsonLimitError as error:
        return _void(f"answer is {error}")
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
    invalid: dict[str, str] = {}
    problems: list[str] = []
    for index, (item, target_id) in enumerate(zip(results, target_ids, strict=True)):
        outcome = _read_item(item, target_id)
        if isinstance(outcome, PublishResult):
            answers[target_id] = outcome
        elif outcome.startswith("error: "):
            target_errors[target_id] = outcome.removeprefix("error: ")
        else:
            problems.append(f"results[{index}] ({target_id}): {outcome}")
            invalid[target_id] = outcome
    return ChunkAnswer(answers, target_errors, tuple(problems), invalid)


def _void(problem: str) -> ChunkAnswer:
    return ChunkAnswer({}, {}, (problem,))


def _check_error_summary(document: Mapping[str, Any], error_indexes: list[int]) -> str:
    count = document.get("errorCount")
    if count is not None and (not _is_int(count) or count != len(error_indexes)):
        return f"errorCount {shown(count)} but {len(error_indexes)} results carry an error"
    indexes = document.get("errorIndexes")
    if indexes is not None and (not isinstance(indexes, list) or _sorted(indexes) != error_indexes):
        return f"errorIndexes {shown(indexes)} but the errors are at {shown(error_indexes)}"
    return ""


def _sorted(indexes: list[Any]) -> list[Any] | None:
    """`indexes` sorted, or None when they are not all whole numbers."""
    return sorted(indexes) if all(_is_int(index) for index in indexes) else None


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
        code, message = _text(error.get("code", "?")), _text(error.get("message", ""))
        return f"error: {code}: {message}".rstrip(": ")
    entity = item["entity"]
    if not isinstance(entity, dict):
        return '"entity" is not an object'
    external_id = entity.get("externalId")
    if external_id is not None and external_id != target_id:
        return (
            f"externalId {shown(external_id)}, expected {target_id!r} (same order as the request)"
        )
    pending = entity.get("pendingInvitationCount")
    rate = entity.get("acceptanceRate")
    positive = entity.get("timeToPositiveDispositionAvgSeconds")
    negative = entity.get("timeToNegativeDispositionAvgSeconds")
    if (  # the common case checked inline (NaN fails every comparison); else the named checks
        type(pending) is int
        and PENDING.low <= pending <= PENDING.high
        and (
            rate is None
            or (type(rate) is float and ACCEPTANCE_RATE.low <= rate <= ACCEPTANCE_RATE.high)
        )
        and (positive is None or _plain_delay(positive))
        and (negative is None or _plain_delay(negative))
    ):
        return PublishResult(target_id, pending, rate, positive, negative)
    if not _is_int(pending) or not PENDING.holds(pending):
        return f"pendingInvitationCount {shown(pending)}, expected {PENDING.expected}"
    if rate is not None and (not _is_number(rate) or not ACCEPTANCE_RATE.holds(rate)):
        return f"acceptanceRate {shown(rate)}, expected {ACCEPTANCE_RATE.expected}"
    delays: list[float | None] = []
    for key in ("timeToPositiveDispositionAvgSeconds", "timeToNegativeDispositionAvgSeconds"):
        value = entity.get(key)
        if value is not None and (not _is_number(value) or not DISPOSITION_S.holds(value)):
            return f"{key} {shown(value)}, expected {DISPOSITION_S.expected}"
        delays.append(None if value is None else float(value))
    return PublishResult(
        target_id=target_id,
        pending_invitations=pending,
        acceptance_rate=None if rate is None else float(rate),
        accept_delay_s=delays[0],
        decline_delay_s=delays[1],
    )


def _plain_delay(value: object) -> bool:
    """A disposition time that is a float within its bound (the common case)."""
    return type(value) is float and DISPOSITION_S.low <= value <= DISPOSITION_S.high


def _text(value: object) -> str:
    """A platform's code or message, as short as a reason needs it."""
    return value[:200] if isinstance(value, str) else shown(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
