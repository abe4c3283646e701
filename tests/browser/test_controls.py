"""Per-target controls in a real browser on a real `streamlit run app.py` with its node.

An operator pauses a target with a reason and a short expiry on the Targets page; the test
then waits for states in the database the dashboard's embedded node writes: the next
cycle's decision is 0 with reason `paused`, the Audit page shows the row, and the pause lapses
by itself (a later cycle is paced again, the trail has the lapse). A viewer sees the controls
but cannot apply them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import OPERATOR, VIEWER, sign_in
from tests.browser.harness import SCRIPT_DONE, Dashboard

pytestmark = pytest.mark.browser
STATE_TIMEOUT_S = 90.0
CHAT = "Proactive Chat - chat"


def wait_for(what: str, done: Callable[[], bool], board: Dashboard) -> None:
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {STATE_TIMEOUT_S:g} s:\n{board.log()}")
        time.sleep(0.2)


def query(board: Dashboard, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    try:
        with sqlite3.connect(board.database_path) as db:
            return db.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []


def decisions_after(board: Dashboard, since: float) -> list[tuple[Any, ...]]:
    return query(
        board,
        "SELECT allowed_invitations, reason FROM cycle_targets WHERE target_id = ? AND at > ? "
        "ORDER BY at",
        (CHAT, since),
    )


def open_controls(page: Page, board: Dashboard, user: tuple[str, str]) -> None:
    """Sign in on the Targets page once the node has paced a cycle (the form needs targets)."""
    wait_for("the first cycle", lambda: bool(decisions_after(board, 0.0)), board)
    sign_in(page, f"{board.url}/targets?refresh=paused&range=15m", *user)
    expect(page.get_by_role("heading", name="Controls")).to_be_visible(timeout=30_000)
    # The heading shows while the rest of the page (compliance, preview) still runs; a click
    # before the script ends may land on an element the end of the run replaces.
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)


def choose(page: Page, combobox: str, option: str) -> None:
    """Open the select box `combobox` and pick `option`, opening it again if the list closed."""
    box = page.get_by_role("combobox", name=combobox, exact=True)
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while True:
        box.click()
        choice = page.get_by_role("option").filter(has_text=option).first
        try:
            choice.click(timeout=5_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            assert time.monotonic() < deadline, f"{combobox!r} never offered {option!r}"
            continue
        expect(box).to_have_value(option)
        return


def test_an_operator_pauses_a_target_until_it_lapses_and_the_audit_shows_it(
    fresh_signed_in_dashboard: Dashboard, page: Page
) -> None:
    board = fresh_signed_in_dashboard
    open_controls(page, board, OPERATOR)
    choose(page, "Target", CHAT)
    expect(page.get_by_role("combobox", name="Action")).to_have_value("Pause")
    page.get_by_role("textbox", name="Reason (required)").fill("browser incident")
    page.get_by_role("textbox", name="For (empty: until removed)").fill("20s")
    set_at = time.time()
    page.get_by_role("button", name="Apply control").click()
    expect(page.get_by_text(f"{CHAT}: pause for 20 s, set by {OPERATOR[0]}")).to_be_visible(
        timeout=20_000
    )
    assert page.get_by_test_id("stException").count() == 0

    wait_for(
        "a cycle paced at 0 with reason paused",
        lambda: (0, "paused") in decisions_after(board, set_at),
        board,
    )

    sign_in(page, f"{board.url}/audit?range=1h", *VIEWER)  # a new page load: a new session
    audit = page.get_by_test_id("stDataFrame")
    expect(audit.get_by_text("control.pause")).to_be_attached(timeout=30_000)
    expect(audit.get_by_text("browser incident")).to_be_attached()
    expect(page.get_by_test_id("stDownloadButton")).to_be_visible()

    def lapsed() -> bool:
        return bool(
            query(board, "SELECT 1 FROM audit_log WHERE action = 'control.lapse'")
        ) and not query(board, "SELECT 1 FROM target_controls")

    wait_for("the pause lapsing at its expiry", lapsed, board)
    [(lapsed_at,)] = query(board, "SELECT at FROM audit_log WHERE action = 'control.lapse'")
    assert lapsed_at >= set_at + 20.0
    wait_for(
        "a cycle paced again after the lapse",
        lambda: bool(decisions_after(board, lapsed_at)),
        board,
    )
    assert all(reason != "paused" for _, reason in decisions_after(board, lapsed_at))


def test_a_viewer_sees_the_controls_but_cannot_apply_them(
    signed_in_dashboard: Dashboard, page: Page
) -> None:
    board = signed_in_dashboard
    open_controls(page, board, VIEWER)
    expect(page.get_by_text("Changing controls needs the operator role")).to_be_visible()
    expect(page.get_by_role("button", name="Apply control")).to_be_disabled()
    expect(page.get_by_role("textbox", name="Reason (required)")).to_be_disabled()
    assert page.get_by_test_id("stException").count() == 0
