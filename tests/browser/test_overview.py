"""The overview in a real browser against a real server running the embedded node."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.harness import Dashboard, open_page

pytestmark = pytest.mark.browser


def cycles_stored_tile(page: Page) -> Locator:
    tile = page.get_by_test_id("stMetric").filter(has_text="Cycles stored")
    return tile.get_by_test_id("stMetricValue")


def cycles_in(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM cycles").fetchone()[0])


def test_overview_shows_cycle_counts_increasing(dashboard: Dashboard, page: Page) -> None:
    open_page(page, dashboard.url)
    tile = cycles_stored_tile(page)
    expect(tile).to_be_visible(timeout=20_000)
    first = tile.inner_text()
    # The overview refreshes by itself: the count moves once the node has cycled again.
    expect(tile).not_to_have_text(first, timeout=30_000)
    assert int(tile.inner_text().replace(",", "")) > int(first.replace(",", ""))
    assert page.get_by_test_id("stException").count() == 0
    # The target table (its "target" column tells it from the totals table below it).
    header = page.get_by_role("columnheader", name="target", exact=True, include_hidden=True)
    expect(page.get_by_test_id("stDataFrame").filter(has=header)).to_be_visible()
    page.screenshot(path=str(dashboard.config_path.parent / "overview.png"), full_page=True)


def test_the_node_starts_once_however_many_sessions_open(
    dashboard: Dashboard, browser: Browser
) -> None:
    contexts = [browser.new_context() for _ in range(4)]
    try:
        for context in contexts:
            open_page(context.new_page(), dashboard.url)
        # Several cycles with four sessions open (a second scheduler would double some).
        wanted = cycles_in(dashboard.database_path) + 3
        deadline = time.monotonic() + 60
        while cycles_in(dashboard.database_path) < wanted:
            assert time.monotonic() < deadline, f"no 3 cycles within 60 s:\n{dashboard.log()}"
            time.sleep(0.2)
    finally:
        for context in contexts:
            context.close()
    with sqlite3.connect(dashboard.database_path) as db:
        nodes = db.execute("SELECT count(*) FROM nodes").fetchone()[0]
        per_slot = db.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM cycles GROUP BY scheduled_at)"
        ).fetchone()[0]
    assert nodes == 1
    assert per_slot == 1, "two schedulers ran the same cycle slot"
    assert len(re.findall(r"node \S+ started", dashboard.log())) == 1


def test_healthz_reports_the_live_node(dashboard: Dashboard) -> None:
    report = httpx.get(f"{dashboard.url}/healthz", timeout=5).json()
    assert report["ok"] is True
    assert report["embedded_node"]["running"] is True
    assert report["last_cycle_age_s"] < 5
