"""Fuzz (hypothesis): generated statistics documents and bulk answers never crash the parsers.

No exception escapes but the project's own: `DocumentError` for a statistics document that is
unusable as a whole (everything else becomes a stale reason per target), none at all for a
bulk answer (problems become the answer's `problems`). The time and memory a document can cost
are bounded by construction, each limit with its own test in test_http_exchange.py: the body
size before decoding, the JSON depth before parsing, the figures' bounds before arithmetic.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.gpe.bodies import validate_answer
from connectors.http_exchange import loads_limited
from connectors.http_stats.counters import CounterTrack, continue_counter
from connectors.http_stats.document import DocumentError, check_generated_at, parse_document
from domain.bounds import CONTINUED_TOTAL_MAX, RUNNING_TOTAL_MAX
from domain.targets import PacingTarget, TargetAgent

TARGETS = [
    PacingTarget("Proactive Chat - chat", "Proactive Chat", "7001", "chat", 3.0, ("Chat Team",),
                 (TargetAgent("a", 2),)),
    PacingTarget("Sales - voice", "Sales", "7002", "voice", 3.0, ("Chat Team", "Blend"), ()),
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
COUNT_KEYS = ["current", "accepted", "abandoned", "reactive_arrivals", "name"]
AGENT_KEYS = ["logged_in", "ready", "busy", "handle_time_avg_s"]


def figures(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    counts = st.integers(min_value=-5, max_value=10**16) | json_values
    return st.dictionaries(st.sampled_from(keys), counts, max_size=len(keys))


documents = st.fixed_dictionaries(
    {},
    optional={
        "generated_at": json_values | st.floats(min_value=0, max_value=4e9),
        "virtual_queues": st.dictionaries(
            st.sampled_from(["7001", "7002", "Sales", "x"]), figures(COUNT_KEYS) | json_values
        )
        | json_values,
        "agent_groups": st.dictionaries(
            st.sampled_from(["Chat Team", "Blend", "y"]),
            st.dictionaries(st.sampled_from(["chat", "voice"]), figures(AGENT_KEYS) | json_values)
            | json_values,
        )
        | json_values,
    },
)


def encoded(document: object) -> bytes:
    return json.dumps(document, allow_nan=True).encode()


@settings(max_examples=400)
@given(documents)
def test_a_generated_statistics_document_gives_figures_stale_reasons_or_a_document_error(
    document: dict[str, Any],
) -> None:
    try:
        parsed = parse_document(encoded(document), TARGETS)
        check_generated_at(parsed.generated_at, 1.8e9, 15.0)
    except DocumentError as error:
        assert str(error)
        return
    for figures in parsed.figures.values():
        assert 0 <= figures.logged_in_slots <= 100_000
        assert figures.ready_slots + figures.busy_slots <= figures.logged_in_slots
        assert 0 <= figures.accepted_total <= RUNNING_TOTAL_MAX
    assert set(parsed.figures) | set(parsed.stale) == {t.target_id for t in TARGETS}
    assert all(len(reason) < 500 for reason in parsed.stale.values())


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_are_a_document_error_or_a_parsed_document(body: bytes) -> None:
    with contextlib.suppress(DocumentError):
        parse_document(body, TARGETS)


@given(st.integers(min_value=0, max_value=200), st.sampled_from(["[", '{"a":']))
def test_json_nesting_beyond_the_limit_is_refused_before_parsing(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    body = (opener * depth + "1" + closer * depth).encode()
    try:
        loads_limited(body)
        assert depth <= 32
    except ValueError as error:
        assert depth > 32 and "nested deeper than 32 levels" in str(error)


answers = st.fixed_dictionaries(
    {},
    optional={
        "results": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "entity": st.fixed_dictionaries(
                        {},
                        optional={
                            "externalId": st.sampled_from([t.target_id for t in TARGETS])
                            | json_values,
                            "pendingInvitationCount": json_values,
                            "acceptanceRate": json_values,
                            "timeToPositiveDispositionAvgSeconds": json_values,
                            "timeToNegativeDispositionAvgSeconds": json_values,
                        },
                    )
                    | json_values,
                    "error": json_values,
                },
            )
            | json_values,
            max_size=3,
        )
        | json_values,
        "errorCount": json_values,
        "errorIndexes": json_values,
    },
)


@settings(max_examples=400)
@given(answers)
def test_a_generated_bulk_answer_never_raises(answer: dict[str, Any]) -> None:
    ids = [t.target_id for t in TARGETS]
    checked = validate_answer(encoded(answer), ids)
    assert set(checked.results) | set(checked.target_errors) | set(checked.invalid) <= set(ids)
    for result in checked.results.values():
        assert 0 <= result.pending_invitations <= 1_000_000
        assert result.acceptance_rate is None or math.isfinite(result.acceptance_rate)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=RUNNING_TOTAL_MAX), st.floats(0, 1e7)),
        max_size=30,
    )
)
def test_continued_totals_never_leave_the_exact_float_range(
    readings: list[tuple[int, float]],
) -> None:
    track: CounterTrack | None = None
    at = 0.0
    for raw, gap_s in readings:
        at += gap_s
        step = continue_counter(track, raw, at)
        assert 0 <= step.total <= CONTINUED_TOTAL_MAX
        track = step.track
