"""Running totals: continued across confirmed resets, never moved by one bad document."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.http_stats import continue_counter
from connectors.http_stats.counters import CounterStep, CounterTrack
from domain.bounds import CONTINUED_TOTAL_MAX, RUNNING_TOTAL_MAX

PERIOD_S = 5.0


def continued(raws: list[int], period_s: float = PERIOD_S) -> list[CounterStep]:
    """Each raw value continued in turn, one period apart, as the statistics source does."""
    track: CounterTrack | None = None
    steps = []
    for index, raw in enumerate(raws):
        step = continue_counter(track, raw, index * period_s)
        track = step.track
        steps.append(step)
    return steps


def totals(raws: list[int]) -> list[int]:
    return [step.total for step in continued(raws)]


def test_plausible_rises_are_taken_as_they_are() -> None:
    assert totals([120, 121, 125, 4_000]) == [120, 121, 125, 4_000]


def test_one_spike_is_a_bad_figure_and_moves_nothing() -> None:
    steps = continued([120, 121, 10**12, 123, 124])
    assert "rose by 999,999,999,879 in 5 s — expected at most 1,000 per second" in steps[2].bad
    assert [step.total for step in steps] == [120, 121, 121, 123, 124]


def test_one_dip_to_zero_is_held_then_forgotten_when_the_old_level_returns() -> None:
    steps = continued([120, 121, 0, 123, 124])
    assert steps[2].event == "held" and not steps[2].bad
    assert [step.total for step in steps] == [120, 121, 121, 123, 124]


def test_a_reset_confirmed_by_the_next_document_counts_from_zero() -> None:
    steps = continued([120, 121, 3, 7])
    assert [step.event for step in steps] == ["", "", "held", "reset"]
    assert [step.total for step in steps] == [120, 121, 121, 128]


def test_a_backup_counting_from_its_own_level_is_continued_without_a_phantom_rise() -> None:
    # 60,000 cannot have been counted in 5 s since the last document: a level, not a restart
    assert totals([100_000, 100_010, 60_000, 60_010]) == [100_000, 100_010, 100_010, 100_020]


def test_a_higher_level_confirmed_by_the_next_document_continues_without_the_jump() -> None:
    steps = continued([120, 121, 1_000_000, 1_000_005, 1_000_009])
    assert steps[2].bad and steps[3].event == "rebased"
    assert [step.total for step in steps] == [120, 121, 121, 126, 130]


def test_a_continued_total_stays_an_exact_float() -> None:
    track = CounterTrack(last_raw=10, offset=CONTINUED_TOTAL_MAX - 20, last_at=0.0)
    step = continue_counter(track, 100, 5.0)
    assert step.event == "restarted" and step.total == 100


raw_values = st.integers(min_value=0, max_value=RUNNING_TOTAL_MAX)


@given(st.lists(st.tuples(raw_values, st.floats(0, 1e6)), min_size=1, max_size=40))
def test_a_total_never_goes_down_and_never_leaves_the_exact_range(
    readings: list[tuple[int, float]],
) -> None:
    track: CounterTrack | None = None
    last_total, at = None, 0.0
    for raw, gap_s in readings:
        at += gap_s
        step = continue_counter(track, raw, at)
        assert 0 <= step.total <= CONTINUED_TOTAL_MAX
        if last_total is not None and step.event != "restarted":
            assert step.total >= last_total
        if step.bad:
            assert step.total == last_total
        track, last_total = step.track, step.total


@given(
    st.lists(st.integers(min_value=0, max_value=5_000), min_size=2, max_size=30),
    st.data(),
)
def test_one_implausible_document_anywhere_never_moves_the_total(
    increments: list[int], data: st.DataObject
) -> None:
    truth = [sum(increments[: index + 1]) for index in range(len(increments))]
    at = data.draw(st.integers(min_value=1, max_value=len(truth) - 1), label="position")
    previous = truth[at - 1]
    low = st.integers(min_value=0, max_value=previous - 1) if previous else st.nothing()
    high = st.integers(min_value=previous + 10_001, max_value=RUNNING_TOTAL_MAX)
    glitch = data.draw(low | high if previous else high, label="glitch")
    raws = [*truth[:at], glitch, *truth[at:]]
    assert totals(raws)[-1] == truth[-1]
