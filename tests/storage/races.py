"""Running the same database work in several threads at once, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy

from storage.sql import Database

T = TypeVar("T")


def at_once(engine: sqlalchemy.Engine, count: int, work: Callable[[Database, int], T]) -> list[T]:
    """Run `work(db, i)` for i in range(count), each thread on its own connection, released
    together by a barrier; the results in thread order. An error in any thread fails the
    caller (never lost in its thread)."""
    start = threading.Barrier(count)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with Database.open(engine) as database:
                start.wait()
                results[index] = work(database, index)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return [results[index] for index in range(count)]
