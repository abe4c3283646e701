"""The one way a page reads the database: its own read-only connection, or a reason why not.

Every loader is `st.cache_data(ttl=..., max_entries=...)` over `read_or_reason`, so ten open
browsers cost about one query per refresh, and a page never shows a traceback for a database
that is missing or older than this code: it shows the sentence instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import sqlite_utils

from dashboard.timerange import quantise_now
from storage.db import StorageError, connect_readonly

# Cache lifetimes: live tiles and tables, and charts over a range.
LIVE_TTL_S = 2
SERIES_TTL_S = 10
# Per-cycle ranges end on the next multiple of this; bucketed ones on SERIES_TTL_S.
SERIES_STEP_S = 2.0

_T = TypeVar("_T")


def read_or_reason(database_path: str, read: Callable[[sqlite_utils.Database], _T]) -> _T | str:
    """The read's result, or a sentence saying why there is none (no database, no table).

    The connection is opened and closed in the calling thread: a SQLite connection must stay
    in the thread that made it.
    """
    try:
        db = connect_readonly(database_path)
    except StorageError as error:
        return str(error)
    try:
        return read(db)
    except StorageError as error:
        return str(error)
    except sqlite3.Error as error:  # a table this version reads is not there yet
        return f"the database cannot answer yet ({error}); a node of this version creates it"
    finally:
        db.close()


def shared_until(until: float, bucket_s: float | None) -> float:
    """`until` rounded up so every session asking in the same few seconds shares one query."""
    return quantise_now(until, SERIES_STEP_S if bucket_s is None else SERIES_TTL_S)
