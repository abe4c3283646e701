"""Answer validation follows the contract's table, item by item."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.gpe import validate_answer

IDS = ["A - chat", "B - chat"]


def entity(target_id: str, pending: Any = 2, **extra: Any) -> dict[str, Any]:
    return {"entity": {"externalId": target_id, "pendingInvitationCount": pending, **extra}}


def body(results: list[Any], **extra: Any) -> bytes:
    return json.dumps({"results": results, **extra}).encode()


def test_a_good_answer_gives_every_target_its_pending_count_and_estimates() -> None:
    answer = validate_answer(
        body([entity("A - chat", 2, acceptanceRate=0.35), entity("B - chat", 0)]), IDS
    )
    assert answer.problems == ()
    assert answer.results["A - chat"].pending_invitations == 2
    assert answer.results["A - chat"].acceptance_rate == 0.35
    assert answer.results["B - chat"].acceptance_rate is None


@pytest.mark.parametrize(
    "raw,expected",
    [
        (b"<html>", "not JSON"),
        (b'{"entities": []}', 'no "results"'),
        (body([entity("A - chat")]), "1 results for 2 entities"),
        (
            body([entity("A - chat"), {"error": {"code": "x"}}], errorCount=0),
            "errorCount 0 but 1",
        ),
        (
            body([entity("A - chat"), {"error": {"code": "x"}}], errorIndexes=[0]),
            "errorIndexes [0]",
        ),
    ],
)
def test_a_structurally_bad_answer_voids_every_target(raw: bytes, expected: str) -> None:
    answer = validate_answer(raw, IDS)
    assert answer.results == {} and answer.target_errors == {}
    assert expected in answer.problems[0]


@pytest.mark.parametrize(
    "item,expected",
    [
        ({}, "exactly one of"),
        ({**entity("B - chat"), "error": {"code": "x"}}, "exactly one of"),
        (entity("B - chat", -1), "pendingInvitationCount -1"),
        (entity("B - chat", "3"), "pendingInvitationCount '3'"),
        (entity("B - chat", 1, acceptanceRate=1.5), "acceptanceRate 1.5"),
        (
            entity("B - chat", 1, timeToPositiveDispositionAvgSeconds=-2),
            "timeToPositiveDispositionAvgSeconds -2, expected a number between 0 and 86,400",
        ),
        (entity("Z - chat"), "externalId 'Z - chat'"),
    ],
)
def test_a_bad_item_voids_only_its_own_target(item: dict[str, Any], expected: str) -> None:
    answer = validate_answer(body([entity("A - chat"), item]), IDS)
    assert set(answer.results) == {"A - chat"}
    assert len(answer.problems) == 1 and expected in answer.problems[0]
    assert "B - chat" in answer.problems[0]


def test_a_per_target_error_is_reported_with_its_code_for_that_target() -> None:
    error = {"error": {"code": "invalid.value", "message": "too many", "status": 400}}
    answer = validate_answer(body([entity("A - chat"), error], errorCount=1, errorIndexes=[1]), IDS)
    assert answer.problems == ()
    assert answer.target_errors == {"B - chat": "invalid.value: too many"}
