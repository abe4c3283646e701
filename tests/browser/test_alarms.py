"""Acknowledging a real alarm in a real browser, signed in through the local users file.

The dashboard's embedded node runs with a GC Latency threshold of 0.001 ms, so its own garbage
collections raise the alarm through the alarm engine: nothing is faked on the page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.users import add_user
from storage.alarms.store import read_active_alarms, read_alarm_history
from storage.db import connect_readonly
from tests.browser.conftest import (
    SCRIPT_DONE,
    Dashboard,
    open_page,
    running_dashboard,
    sign_in,
)
from tests.support import write_test_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def alarming_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("alarming")
    config, database = write_test_config(folder)
    text, replaced = re.subn(
        r'(?m)^"GcLatency\.threshold"\s*=\s*[0-9.]+',
        '"GcLatency.threshold" = 0.001',
        config.read_text(encoding="utf-8"),
    )
    assert replaced == 1, "pacing.toml layout changed"
    users = folder / "users.json"
    text += f'\n[dashboard]\nauth = "local"\nusers_file = "{users.as_posix()}"\n'
    config.write_text(text, encoding="utf-8")
    add_user(users, "olga", "operator", "operator password")
    add_user(users, "victor", "viewer", "viewer password")
    with running_dashboard(folder, config, database) as board:
        wait_for_alarm(board, "GC Latency/global")
        yield board


def wait_for_alarm(board: Dashboard, instance_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            db = connect_readonly(board.database_path)
        except Exception:  # noqa: BLE001 - the node has not created the database yet
            time.sleep(0.5)
            continue
        try:
            if instance_id in set(read_active_alarms(db)["instance_id"]):
                return
        finally:
            db.close()
        time.sleep(0.5)
    pytest.fail(f"{instance_id} was not raised within 60 s:\n{board.log()}")


def new_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()


def test_a_direct_link_on_a_fresh_server_asks_for_sign_in_first(
    alarming_dashboard: Dashboard, browser: Browser
) -> None:
    # The first page any session opens on this server: no page may be reachable around the
    # sign-in gate in app.py (a pages/ folder would be run directly by Streamlit).
    page = new_page(browser)
    try:
        open_page(page, f"{alarming_dashboard.url}/alarms?refresh=paused")
        expect(page.get_by_label("User name")).to_be_visible()
        assert page.get_by_test_id("stDataFrame").count() == 0
        assert page.get_by_test_id("stMetricValue").count() == 0
    finally:
        page.context.close()


def test_an_operator_acknowledges_an_alarm_and_the_history_names_her(
    alarming_dashboard: Dashboard, browser: Browser
) -> None:
    page = new_page(browser)
    try:
        # A new page load is a new Streamlit session: sign in on the page itself.
        sign_in(
            page, f"{alarming_dashboard.url}/alarms?refresh=paused", "olga", "operator password"
        )
        page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)
        picker = page.get_by_test_id("stMultiSelect").filter(has_text="Alarms").first
        picker.click()
        page.get_by_role("option").filter(has_text="GC Latency").first.click()
        page.keyboard.press("Escape")
        page.get_by_label("Comment").fill("looked at it")
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_text(re.compile(r"GC Latency.*acknowledged by olga"))).to_be_visible(
            timeout=20_000
        )
        assert page.get_by_test_id("stException").count() == 0
    finally:
        page.context.close()
    db = connect_readonly(alarming_dashboard.database_path)
    try:
        history = read_alarm_history(db, conditions=["GC Latency"], who="olga")
    finally:
        db.close()
    assert len(history) == 1
    row = history.iloc[0]
    assert row["rule"].startswith("operator acknowledges")
    assert row["to_state"] in ("active_acknowledged", "normal")
    assert row["comment"] == "looked at it"


def test_a_viewer_sees_the_alarm_but_cannot_acknowledge_it(
    alarming_dashboard: Dashboard, browser: Browser
) -> None:
    page = new_page(browser)
    try:
        sign_in(
            page, f"{alarming_dashboard.url}/alarms?refresh=paused", "victor", "viewer password"
        )
        expect(page.get_by_test_id("stSidebarNav").get_by_text("Alarms")).to_be_visible()
        expect(page.get_by_text("needs the operator role")).to_be_visible(timeout=20_000)
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        expect(page.get_by_role("button", name="Apply")).to_have_count(0)
        expect(page.get_by_label("Comment")).to_have_count(0)
    finally:
        page.context.close()


def test_the_health_page_draws_its_charts_with_the_alarm_markers(
    alarming_dashboard: Dashboard, browser: Browser
) -> None:
    page = new_page(browser)
    try:
        sign_in(
            page,
            f"{alarming_dashboard.url}/health?range=15m&refresh=paused",
            "victor",
            "viewer password",
        )
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(4, timeout=20_000)
        expect(page.get_by_text("alarm raised").first).to_be_attached(timeout=20_000)
        assert page.get_by_test_id("stException").count() == 0
    finally:
        page.context.close()
