"""The statistics document schema (counter continuation: test_counters.py)."""

from __future__ import annotations

import json

import pytest

from connectors.http_stats import DocumentError, parse_document
from domain.targets import PacingTarget, TargetAgent

TARGET = PacingTarget(
    "Proactive Chat - chat",
    "Proactive Chat",
    "7001",
    "chat",
    3.0,
    ("Chat", "Blend"),
    (TargetAgent("a", 2),),
)


def document(**overrides: object) -> bytes:
    doc = {
        "generated_at": 100.0,
        "virtual_queues": {"7001": {"current": 1, "accepted": 10, "abandoned": 2}},
        "agent_groups": {
            "Chat": {"chat": {"logged_in": 6, "ready": 2, "busy": 4, "handle_time_avg_s": 100}},
            "Blend": {"chat": {"logged_in": 2, "ready": 1, "busy": 1}, "voice": {}},
        },
    }
    doc.update(overrides)
    return json.dumps(doc).encode()


def test_a_target_sums_its_groups_figures_for_its_media() -> None:
    parsed = parse_document(document(), [TARGET])
    figures = parsed.figures[TARGET.target_id]
    assert (figures.logged_in_slots, figures.ready_slots, figures.busy_slots) == (8, 3, 5)
    assert (figures.in_queue, figures.accepted_total, figures.abandoned_total) == (1, 10, 2)
    assert figures.avg_handle_time_s == 100
    assert parsed.generated_at == 100.0 and parsed.stale == {}


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"virtual_queues": {}}, "virtual queue 7001 (Proactive Chat) missing"),
        (
            {"agent_groups": {"Chat": {"chat": {"logged_in": 1, "ready": 0, "busy": 1}}}},
            'agent group "Blend" has no chat figures',
        ),
        (
            {"virtual_queues": {"7001": {"current": -1, "accepted": 1, "abandoned": 0}}},
            "virtual_queues.7001.current: -1",
        ),
    ],
)
def test_missing_or_bad_figures_make_the_target_stale_with_the_reason(
    overrides: dict[str, object], expected: str
) -> None:
    parsed = parse_document(document(**overrides), [TARGET])
    assert parsed.figures == {}
    assert expected in parsed.stale[TARGET.target_id]


@pytest.mark.parametrize("raw", [b"nope", b"[]", b'{"virtual_queues": {}}'])
def test_an_unusable_document_is_an_error(raw: bytes) -> None:
    with pytest.raises(DocumentError):
        parse_document(raw, [TARGET])
