"""Start-up phase timings: laps of an injected clock, the collector paused and restored."""

from __future__ import annotations

import gc

from domain.phases import StartupTimings, collector_paused, seconds_since_process_start


class _Ticks:
    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_each_lap_is_the_time_since_the_previous_one() -> None:
    timings = StartupTimings(clock=_Ticks(1.0), cpu_clock=_Ticks(0.5))
    timings.start_lap()
    timings.lap("read/parse")
    timings.lap("validate")
    assert [(p.name, p.wall_s, p.cpu_s) for p in timings.phases] == [
        ("read/parse", 1.0, 0.5),
        ("validate", 1.0, 0.5),
    ]
    assert timings.total_wall_s == 2.0
    assert timings.report().splitlines()[-1].split() == ["total", "2.000", "1.000"]


def test_the_process_started_before_now() -> None:
    seconds = seconds_since_process_start()
    assert seconds is not None  # Linux has /proc
    assert 0.0 <= seconds < 7 * 24 * 3600


def test_the_collector_is_off_inside_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not switched on by someone who did not switch it off
    finally:
        gc.enable()
