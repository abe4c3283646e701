"""The Overview's target table, totals and paging, built from a page read from a real file."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlite_utils

from dashboard.charts import light_style
from dashboard.overview_table import (
    PAGE_ROWS,
    build_overview_table,
    build_totals_table,
    clamp_page,
    page_count,
    rows_caption,
    state_counts_caption,
    state_style,
)
from storage.cycles import record_cycle
from storage.db import connect
from storage.overview import read_overview_page
from tests.builders import NO_STATISTICS, make_cycle, make_target

NOW = 5_000.0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = connect(tmp_path / "pacing.db")
    yield database
    database.close()


def stored(db: sqlite_utils.Database, count: int) -> None:
    """`count` targets: every third one far over its goal, the last one without statistics."""
    targets = [
        make_target(
            "c1",
            f"Queue {i:03d} - chat",
            at=NOW,
            logged_in_slots=10 + i,
            allowed_invitations=i,
            abandoned_total=50 if i % 3 == 0 else 1,
        )
        for i in range(count - 1)
    ]
    targets.append(
        make_target(
            "c1",
            "Silent - voice",
            at=NOW,
            media="voice",
            error="no figures",
            allowed_invitations=0,
            **NO_STATISTICS,
        )
    )
    record_cycle(db, make_cycle("c1", started_at=NOW, targets_count=count), targets)


def test_the_table_shows_state_percent_light_and_error_per_target(
    db: sqlite_utils.Database,
) -> None:
    stored(db, 4)
    page = read_overview_page(db, now=NOW, stale_after_s=15.0)
    table = build_overview_table(page.rows)
    assert list(table["state"]) == ["over goal", "stale", "ok", "ok"]
    assert list(table["target"])[1] == "Silent - voice"
    assert list(table["vs goal"]) == ["above goal", "no data", "under goal", "under goal"]
    assert table["abandoned %"].iloc[0] == 50 * 100 / (97 + 50)
    assert math.isnan(table["abandoned %"].iloc[1])
    assert list(table["error"]) == ["", "no figures", "", ""]
    assert "#d62728" in state_style("alarm") and state_style("other") == ""
    assert "#d62728" in light_style("above goal")


def test_an_empty_page_gives_an_empty_table() -> None:
    assert build_overview_table(pd.DataFrame()).empty


def test_shown_and_the_rest_add_up_to_every_matching_target(db: sqlite_utils.Database) -> None:
    stored(db, 30)
    page = read_overview_page(db, now=NOW, stale_after_s=15.0, offset=10, limit=10)
    totals = build_totals_table(page)
    assert list(totals["targets"]) == ["shown (10)", "the rest (20)", "all matching (30)"]
    shown, rest, everything = (totals.iloc[i] for i in range(3))
    for column in ("count", "logged in", "ready", "busy", "waiting", "pending", "allowed"):
        assert shown[column] + rest[column] == everything[column], column
    assert everything["allowed"] == sum(range(29))
    assert shown["logged in"] == int(page.rows["logged_in_slots"].sum())


def test_totals_follow_the_state_filter(db: sqlite_utils.Database) -> None:
    stored(db, 30)
    page = read_overview_page(db, now=NOW, stale_after_s=15.0, states=("over goal",))
    assert page.matching == 10
    assert build_totals_table(page).iloc[2]["allowed"] == sum(range(0, 29, 3))
    assert state_counts_caption(page) == "0 alarm · 10 over goal · 1 stale · 19 ok"
    assert rows_caption(page).startswith("Targets 1–10 of 10 matching, worst first")


def test_pages_are_counted_and_a_page_past_the_end_becomes_the_last() -> None:
    assert page_count(0) == 1
    assert page_count(PAGE_ROWS) == 1
    assert page_count(PAGE_ROWS + 1) == 2
    assert clamp_page(7, matching=PAGE_ROWS * 2) == 2
    assert clamp_page(0, matching=10) == 1
