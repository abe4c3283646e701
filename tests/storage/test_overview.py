"""The Overview's read model: targets graded worst first, searched, filtered and paged in SQL."""

from __future__ import annotations

import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from alarms.catalogue import default_conditions
from domain.signals import AlarmSignal, Condition
from node.alarm_evaluator import evaluate_and_store
from storage.alarms.store import provision_conditions
from storage.cycles import record_cycle
from storage.errors import InvalidQueryError
from storage.overview import (
    OVERVIEW_STATES,
    SUMMED_FIGURES,
    read_overview_activity,
    read_overview_page,
)
from tests.builders import NO_STATISTICS, make_cycle, make_target

NOW = 10_000.0


def store(db: sqlite_utils.Database, rows: dict[str, dict[str, object]], at: float = NOW) -> None:
    """One cycle at `at` with a row per target (figures overridden per target)."""
    cycle_id = f"c{at}-{sorted(rows)[0]}"
    targets = [
        make_target(cycle_id, target_id, at=changes.pop("at", at), **changes)  # type: ignore[arg-type]
        for target_id, changes in ((t, dict(c)) for t, c in rows.items())
    ]
    record_cycle(db, make_cycle(cycle_id, started_at=at, targets_count=len(targets)), targets)


def page_ids(db: sqlite_utils.Database, **query: object) -> list[str]:
    page = read_overview_page(db, now=NOW, stale_after_s=15.0, **query)  # type: ignore[arg-type]
    return list(page.rows["target_id"])


def test_targets_come_worst_first_alarm_over_goal_stale_ok(db: sqlite_utils.Database) -> None:
    store(
        db,
        {
            "Fine - chat": {"accepted_total": 99, "abandoned_total": 1},  # 1 % of a 3 % goal
            "Quiet - chat": {"accepted_total": 0, "abandoned_total": 0},  # no data yet: ok
            "Far over - chat": {"accepted_total": 80, "abandoned_total": 20},  # 20 %
            "Just over - chat": {"accepted_total": 95, "abandoned_total": 5},  # 5 %
            "Broken - chat": {**NO_STATISTICS, "error": "no figures"},
            "Alarmed - chat": {"accepted_total": 99, "abandoned_total": 1},
        },
    )
    store(db, {"Old - chat": {}}, at=NOW - 60)  # 3 % of a 3 % goal: before no data
    provision_conditions(db, default_conditions(), now=0.0)
    evaluate_and_store(
        db, [AlarmSignal(Condition.ABANDONMENT_ABOVE_GOAL, True, NOW, scope="Alarmed - chat")], NOW
    )
    evaluate_and_store(db, [], NOW + 600)  # past the on-delay
    page = read_overview_page(db, now=NOW, stale_after_s=15.0)
    assert list(page.rows["target_id"]) == [
        "Alarmed - chat",
        "Far over - chat",
        "Just over - chat",
        "Old - chat",
        "Broken - chat",
        "Fine - chat",
        "Quiet - chat",
    ]
    assert list(page.rows["state"]) == [
        "alarm",
        "over goal",
        "over goal",
        "stale",
        "stale",
        "ok",
        "ok",
    ]
    assert {t.state: t.targets for t in page.totals} == {
        "alarm": 1,
        "over goal": 2,
        "stale": 2,
        "ok": 2,
    }


def test_a_search_narrows_to_targets_whose_id_holds_it_ignoring_case(
    db: sqlite_utils.Database,
) -> None:
    store(db, {"Sales Chat - chat": {}, "Sales Voice - voice": {}, "Support - chat": {}})
    assert page_ids(db, search="sales") == ["Sales Chat - chat", "Sales Voice - voice"]
    assert page_ids(db, search=" - VOICE ") == ["Sales Voice - voice"]
    assert page_ids(db, search="nothing like it") == []


def test_like_wildcards_in_a_search_are_taken_literally(db: sqlite_utils.Database) -> None:
    store(db, {"100% Chat - chat": {}, "1000 Chat - chat": {}, "A_B - chat": {}, "AxB - chat": {}})
    assert page_ids(db, search="0%") == ["100% Chat - chat"]
    assert page_ids(db, search="A_B") == ["A_B - chat"]


def test_a_state_filter_keeps_those_states_and_totals_still_count_every_state(
    db: sqlite_utils.Database,
) -> None:
    store(db, {"Over - chat": {"accepted_total": 50, "abandoned_total": 50}, "Fine - chat": {}})
    page = read_overview_page(db, now=NOW, stale_after_s=15.0, states=("ok",))
    assert list(page.rows["target_id"]) == ["Fine - chat"]
    assert page.matching == 1
    assert page.known == 2


def test_pages_follow_each_other_without_gap_or_overlap(db: sqlite_utils.Database) -> None:
    store(db, {f"Q{i:03d} - chat": {"abandoned_total": i % 7} for i in range(23)})
    everything = page_ids(db, limit=100)
    pages = [page_ids(db, offset=offset, limit=10) for offset in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert sum(pages, []) == everything


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 5), st.integers(0, 1_000)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 10),
)
def test_totals_add_up_to_the_sum_over_every_target(
    figures: list[tuple[int, int, int]], limit: int
) -> None:
    import tempfile
    from pathlib import Path

    from storage.db import connect

    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "pacing.db")
        try:
            store(
                db,
                {
                    f"T{i} - chat": {
                        "logged_in_slots": slots,
                        "ready_slots": min(ready, slots),
                        "busy_slots": slots - min(ready, slots),
                        "allowed_invitations": allowed,
                    }
                    for i, (slots, ready, allowed) in enumerate(figures)
                },
            )
            page = read_overview_page(db, now=NOW, stale_after_s=15.0, limit=limit)
        finally:
            db.close()
    assert page.matching == len(figures)
    summed = {name: sum(t.sums[name] for t in page.totals) for name in SUMMED_FIGURES}
    assert summed["logged_in_slots"] == sum(slots for slots, _, _ in figures)
    assert summed["allowed_invitations"] == sum(allowed for _, _, allowed in figures)
    assert len(page.rows) == min(limit, len(figures))


def test_a_query_the_table_cannot_answer_says_what_was_wrong(db: sqlite_utils.Database) -> None:
    for query, words in (
        ({"states": ("broken",)}, "expected some of alarm, over goal, stale, ok"),
        ({"limit": 0}, "overview page size: 0 — expected 1 to 500"),
        ({"offset": -1}, "overview offset: -1 — expected 0 or more"),
        ({"search": "x" * 201}, "overview search: 201 characters — expected at most 200"),
    ):
        try:
            read_overview_page(db, now=NOW, stale_after_s=15.0, **query)  # type: ignore[arg-type]
        except InvalidQueryError as error:
            assert words in str(error)
        else:
            raise AssertionError(f"{query} was accepted")
    assert OVERVIEW_STATES == ("alarm", "over goal", "stale", "ok")


def test_activity_counts_the_hour_from_the_first_cycle_in_it(
    db: sqlite_utils.Database,
) -> None:
    def totals(accepted: int, abandoned: int) -> dict[str, object]:
        return {"accepted_total": accepted, "abandoned_total": abandoned}

    store(db, {"A - chat": totals(10, 1), "B - chat": totals(50, 9)}, at=NOW - 4_000)
    store(db, {"A - chat": totals(40, 2), "B - chat": totals(50, 9)}, at=NOW - 3_000)
    store(db, {"C - chat": totals(5, 5)}, at=NOW - 2_000)  # new since: counts nothing
    # B's source restarted: its counters went down, the hour counts from the restart.
    store(db, {"A - chat": totals(70, 5), "B - chat": totals(20, 3)}, at=NOW)
    activity = read_overview_activity(db, now=NOW, stale_after_s=15.0)
    assert activity.accepted_last_hour == (70 - 40) + 20
    assert activity.abandoned_last_hour == (5 - 2) + 3
    assert (activity.targets_paced, activity.targets_known) == (2, 3)
    # Each fresh target allowed 5 invitations for a 5 s interval: 60 a minute each.
    assert activity.allowed_per_minute == 120.0
