"""The node's tests run on a real, migrated SQLite file with the default alarm conditions."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pacing.db"  # the file `alarm_db` opens


@pytest.fixture
def db(alarm_db: sqlite_utils.Database) -> sqlite_utils.Database:
    return alarm_db
