"""Targets, History and sign-in in a real browser against real servers running the node."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from storage.cycles import record_cycle
from storage.db import connect
from tests.browser.conftest import OPERATOR, VIEWER, sign_in
from tests.browser.harness import Dashboard, open_page, refused_start
from tests.builders import make_cycle, make_target
from tests.support import ROOT, write_test_config

pytestmark = pytest.mark.browser
FORMULA_TARGET = '=HYPERLINK("http://evil.example") - chat'


def range_caption(page: Page, text: str) -> Locator:
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=text).first
    expect(caption).to_be_visible(timeout=20_000)
    return caption


def test_targets_page_values_move_while_the_node_runs(dashboard: Dashboard, page: Page) -> None:
    open_page(page, f"{dashboard.url}/targets?range=15m&refresh=2s")
    caption = range_caption(page, "Last 15 minutes")
    first = caption.inner_text()
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_have_count(1, timeout=20_000)  # one figure of six panels
    expect(chart.get_by_text("Waiting in queue")).to_be_visible()
    # The 2 s refresh moves the range's end: the caption changes once a refresh has run.
    expect(caption).not_to_have_text(first, timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0


def minute_after_first_cycle(database: Path) -> datetime:
    """A whole minute (the custom range's resolution) that already holds node cycles.

    The server may have started within the current minute; then wait for the next one, so
    the export holds the node's own rows and not only the row this test adds.
    """
    db = connect(database)
    try:
        first = db.execute("SELECT min(started_at) FROM cycles").fetchone()[0]
    finally:
        db.close()
    assert first is not None, "the node has not recorded a cycle yet"
    while (until := datetime.now(UTC).replace(second=0, microsecond=0)).timestamp() <= first + 5:
        time.sleep(1.0)
    return until


def store_formula_row(database: Path, at: float) -> None:
    """A target row whose text a spreadsheet would run as a formula."""
    db = connect(database)
    try:
        cycle = make_cycle("formula-cycle", started_at=at, node_id="test", targets_count=1)
        target = make_target(
            "formula-cycle", FORMULA_TARGET, at, reason="=1+1", error="@SUM(A1:A2)"
        )
        record_cycle(db, cycle, [target], recorded_at=at)
    finally:
        db.close()


def pacing_export(dashboard: Dashboard, since: datetime, until: datetime) -> bytes:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "export",
            "--since",
            since.isoformat(),
            "--until",
            until.isoformat(),
        ],
        cwd=ROOT,
        env={**os.environ, "PACING_CONFIG": str(dashboard.config_path)},
        capture_output=True,
        check=True,
    )
    return result.stdout


def test_the_downloaded_csv_is_what_pacing_export_writes_and_neutralises_formulas(
    dashboard: Dashboard, page: Page
) -> None:
    until = minute_after_first_cycle(dashboard.database_path)  # a range wholly in the past
    since = until - timedelta(minutes=10)
    store_formula_row(dashboard.database_path, until.timestamp() - 1.0)
    query = f"range=custom&from={since:%Y-%m-%dT%H:%M}&to={until:%Y-%m-%dT%H:%M}"
    open_page(page, f"{dashboard.url}/history?{query}")
    button = page.get_by_test_id("stDownloadButton")
    expect(button).to_be_visible(timeout=20_000)
    with page.expect_download(timeout=30_000) as download:
        button.get_by_role("button").click()
    downloaded = Path(download.value.path()).read_bytes()
    assert downloaded == pacing_export(dashboard, since, until)
    rows = list(csv.reader(io.StringIO(downloaded.decode("utf-8"))))
    cells = {cell for row in rows for cell in row}
    assert {"'" + FORMULA_TARGET, "'=1+1", "'@SUM(A1:A2)"} <= cells
    assert len(rows) > 10, "the node's own rows are in the file too"


def test_a_viewer_sees_no_operator_actions(signed_in_dashboard: Dashboard, page: Page) -> None:
    sign_in(page, signed_in_dashboard.url, *VIEWER)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Targets")).to_be_visible()
    expect(nav.get_by_text("Users")).to_have_count(0)
    open_page(page, f"{signed_in_dashboard.url}/users")
    expect(page.get_by_role("button", name="Save user")).to_have_count(0)


def test_an_operator_sees_the_users_page_and_a_wrong_password_gets_nothing(
    signed_in_dashboard: Dashboard, page: Page
) -> None:
    open_page(page, signed_in_dashboard.url)
    page.get_by_label("User name").fill(OPERATOR[0])
    page.get_by_label("Password", exact=True).fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Unknown user name or wrong password.")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    sign_in(page, signed_in_dashboard.url, *OPERATOR)
    page.get_by_test_id("stSidebarNav").get_by_text("Users").click()
    expect(page.get_by_role("button", name="Save user")).to_be_visible(timeout=20_000)


def test_without_sign_in_the_server_refuses_to_listen_beyond_localhost(tmp_path: Path) -> None:
    config, _ = write_test_config(tmp_path)
    result = refused_start(config, address="0.0.0.0")
    assert result.returncode != 0
    assert "no sign-in configured and would listen on 0.0.0.0" in result.stdout + result.stderr
