"""Every page reads through `read_or_reason`: a result, or a sentence instead of a traceback."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from dashboard.ui.loading import read_or_reason, shared_until
from storage.db import InvalidQueryError, connect


def test_without_a_database_the_reason_says_to_start_a_node(tmp_path: Path) -> None:
    reason = read_or_reason(str(tmp_path / "none.db"), lambda db: 1)
    assert isinstance(reason, str) and "start a node" in reason


def test_a_table_this_version_reads_but_the_database_lacks_becomes_a_sentence(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pacing.db"
    connect(path).close()  # migrated by this version, but asked for a table it does not have

    def read(db: sqlite_utils.Database) -> object:
        return db.execute("SELECT * FROM no_such_table").fetchall()

    reason = read_or_reason(str(path), read)
    assert isinstance(reason, str)
    assert reason.startswith("the database cannot answer yet (no such table: no_such_table)")


def test_a_storage_error_while_reading_is_told_in_its_own_words(tmp_path: Path) -> None:
    path = tmp_path / "pacing.db"
    connect(path).close()

    def read(db: sqlite_utils.Database) -> object:
        raise InvalidQueryError("since is after until")

    assert read_or_reason(str(path), read) == "since is after until"


def test_a_result_comes_back_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "pacing.db"
    connect(path).close()
    assert read_or_reason(str(path), lambda db: [1, 2]) == [1, 2]


def test_sessions_asking_within_the_same_few_seconds_share_one_range_end() -> None:
    assert shared_until(1000.5, None) == shared_until(1001.9, None)
    assert shared_until(1000.5, 60.0) == shared_until(1009.0, 60.0)
