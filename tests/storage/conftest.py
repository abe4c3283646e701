"""Fixtures for storage tests: a real, migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from storage.db import connect


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "pacing.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(db_path)
    yield database
    database.close()
