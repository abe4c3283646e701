"""The columnar abandonment window counts exactly what `window_counts` counts per target."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from alarms.abandonment_window import MAX_ROWS, AbandonmentWindow
from alarms.detectors import CountPoint, window_counts

WINDOW_S = 60.0

# per cycle, per target: None (no figures) or a step of the running totals (may go down)
steps = st.one_of(
    st.none(),
    st.tuples(st.integers(-30, 40), st.integers(-5, 6)),
)


@settings(max_examples=150, deadline=None)
@given(
    cycles=st.lists(
        st.tuples(st.floats(0.5, 20.0), st.lists(steps, min_size=3, max_size=3)),
        min_size=1,
        max_size=30,
    )
)
def test_counts_equal_window_counts_of_each_targets_points(
    cycles: list[tuple[float, list[tuple[int, int] | None]]],
) -> None:
    window = AbandonmentWindow()
    points: dict[str, list[CountPoint]] = {name: [] for name in "abc"}
    totals = {name: (100, 10) for name in "abc"}
    now = 1_000.0
    for gap_s, figures in cycles:
        now += gap_s
        cycle = []
        for name, step in zip("abc", figures, strict=True):
            if step is None:
                continue
            accepted = max(0, totals[name][0] + step[0])
            abandoned = max(0, totals[name][1] + step[1])
            totals[name] = (accepted, abandoned)
            points[name].append((now, accepted, abandoned))
            cycle.append((name, accepted, abandoned, 3.0))
        window.add(now, cycle, WINDOW_S)
        accepted_counts, abandoned_counts = window.counts(now, WINDOW_S)
        for column, name in enumerate(window.target_ids):
            expected = window_counts(points[name], now, WINDOW_S)
            assert (int(accepted_counts[column]), int(abandoned_counts[column])) == expected


def test_cycles_back_to_back_are_merged_so_rows_stay_bounded() -> None:
    window = AbandonmentWindow()
    for cycle in range(5 * MAX_ROWS):
        window.add(1_000.0 + cycle * 0.01, [("a", cycle, cycle // 10, 3.0)], 900.0)
    assert len(window) <= MAX_ROWS + 1
    accepted, abandoned = window.counts(1_000.0 + 5 * MAX_ROWS * 0.01, 900.0)
    assert (int(accepted[0]), int(abandoned[0])) == (5 * MAX_ROWS - 1, (5 * MAX_ROWS - 1) // 10)


def test_a_reset_inside_merged_cycles_starts_a_new_segment() -> None:
    window = AbandonmentWindow()
    window.add(1_000.0, [("a", 500, 50, 3.0)], 900.0)
    window.add(1_010.0, [("a", 600, 60, 3.0)], 900.0)
    window.add(1_010.1, [("a", 5, 1, 3.0)], 900.0)  # merged into the row before, went down
    window.add(1_020.0, [("a", 25, 3, 3.0)], 900.0)
    accepted, abandoned = window.counts(1_020.0, 900.0)
    assert (int(accepted[0]), int(abandoned[0])) == (20, 2)
