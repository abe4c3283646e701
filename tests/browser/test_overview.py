"""The overview in a real browser against a real server running the embedded node."""

from __future__ import annotations

import re
import sqlite3
import time

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Dashboard, open_page

pytestmark = pytest.mark.browser


def cycles_stored(page: Page) -> int:
    tile = page.get_by_test_id("stMetric").filter(has_text="Cycles stored")
    text = tile.get_by_test_id("stMetricValue").inner_text()
    return int(text.replace(",", ""))


def test_overview_shows_cycle_counts_increasing(dashboard: Dashboard, page: Page) -> None:
    open_page(page, dashboard.url)
    expect(page.get_by_test_id("stMetric").filter(has_text="Cycles stored")).to_be_visible(
        timeout=20_000
    )
    first = cycles_stored(page)
    deadline = time.monotonic() + 20
    while cycles_stored(page) <= first:
        assert time.monotonic() < deadline, "cycle count did not move in 20 s"
        page.wait_for_timeout(500)
    assert page.get_by_test_id("stException").count() == 0
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    page.screenshot(path=str(dashboard.config_path.parent / "overview.png"), full_page=True)


def test_the_node_starts_once_however_many_sessions_open(
    dashboard: Dashboard, browser: Browser
) -> None:
    contexts = [browser.new_context() for _ in range(4)]
    try:
        for context in contexts:
            open_page(context.new_page(), dashboard.url)
        time.sleep(3)  # let several cycles pass with four sessions open
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
