"""A background loop keeps taking turns through failures and stops at once when asked."""

from __future__ import annotations

import threading

from domain.loops import BackgroundLoop


def test_a_failed_turn_is_followed_by_the_next_one() -> None:
    turns: list[int] = []
    third = threading.Event()

    def turn() -> float:
        turns.append(len(turns))
        if len(turns) == 1:
            raise RuntimeError("first turn breaks")
        if len(turns) == 3:
            third.set()
        return 0.0

    loop = BackgroundLoop("test-loop", turn, failure_pause_s=0.0)
    loop.start()
    try:
        assert third.wait(10)
    finally:
        loop.stop()
    assert not loop.running


def test_stop_wakes_a_long_wait_and_runs_on_exit_on_the_loops_own_thread() -> None:
    waiting = threading.Event()
    exited_on: list[str] = []
    loop = BackgroundLoop(
        "long-wait",
        lambda: waiting.set() or 3600.0,
        on_exit=lambda: exited_on.append(threading.current_thread().name),
    )
    loop.start()
    assert waiting.wait(10)
    loop.stop(timeout_s=10)  # would take an hour if stop did not wake the wait
    assert not loop.running
    assert exited_on == ["long-wait"]


def test_a_loop_can_start_again_after_a_stop() -> None:
    turned = threading.Event()
    loop = BackgroundLoop("again", lambda: turned.set() or 3600.0)
    loop.start()
    loop.stop(timeout_s=10)
    turned.clear()
    loop.start()
    try:
        assert turned.wait(10)
    finally:
        loop.stop(timeout_s=10)
