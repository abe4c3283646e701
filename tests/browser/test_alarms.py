"""Alarms in a real browser, signed in through the local users file.

Every test raises an alarm instance of its own (a scope no node uses) through the alarm
engine's own `evaluate_and_store`, on the dashboard's database, and acts only on that one:
no test depends on what another acknowledged, on the node's own alarms clearing, or on the
order the tests run in. The tests wait for states (a row in the database, a text on the
page), never for a fixed time; a page whose cached snapshot predates the alarm is opened
again.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from alarms.model import instance_id_for
from domain.signals import AlarmSignal, Condition
from node.alarm_evaluator import evaluate_and_store
from storage.alarms.store import read_active_alarms, read_alarm_history
from storage.db import StorageError, connect, connect_readonly
from tests.browser.conftest import OPERATOR, VIEWER, sign_in
from tests.browser.harness import Dashboard, open_page

pytestmark = pytest.mark.browser
STATE_TIMEOUT_S = 60.0


def wait_for(what: str, done: Callable[[], bool], board: Dashboard) -> None:
    """Poll until `done()`; fail with the server's log if it never happens."""
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {STATE_TIMEOUT_S:g} s:\n{board.log()}")
        time.sleep(0.2)


def alarm_state(board: Dashboard, instance_id: str) -> dict[str, object] | None:
    """The stored row of one alarm instance (None while it is normal or unknown)."""
    db = connect_readonly(board.database_path)
    try:
        active = read_active_alarms(db)
    finally:
        db.close()
    rows = active[active["instance_id"] == instance_id].to_dict("records")
    return rows[0] if rows else None


def raise_alarm(board: Dashboard) -> tuple[str, str]:
    """A GC Latency alarm in a scope of this test's own; returns (instance id, scope)."""
    scope = f"browser-test-{uuid.uuid4().hex[:8]}"
    signal = AlarmSignal(
        Condition.GC_LATENCY, True, time.time(), scope=scope, value=2000.0, reason="a test"
    )

    def raised() -> bool:
        # The node provisions the conditions at start; until then the signal is ignored.
        try:
            db = connect(board.database_path)
        except StorageError:
            return False
        try:
            evaluation, _ = evaluate_and_store(db, [signal], now=time.time())
        finally:
            db.close()
        return not evaluation.ignored

    wait_for("provisioning the alarm conditions", raised, board)
    instance_id = instance_id_for(Condition.GC_LATENCY, scope)
    wait_for(
        f"raising {instance_id}",
        lambda: (alarm_state(board, instance_id) or {}).get("state") == "active_unacknowledged",
        board,
    )
    return instance_id, scope


def open_alarms_and_pick(page: Page, url: str, scope: str) -> None:
    """Sign in as the operator and pick the alarm of `scope` in the action form.

    The form offers a snapshot of a cached query (ttl 2 s) shared by every session, so a page
    opened right after the raise may not offer the alarm yet: then open the page again.
    """
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while True:
        sign_in(page, url, *OPERATOR)
        picker = page.get_by_test_id("stMultiSelect").filter(has_text="Alarms")
        nothing = page.get_by_text("Nothing to act on.")
        expect(picker.or_(nothing).first).to_be_visible(timeout=30_000)
        if picker.count():
            picker.first.click()
            option = page.get_by_role("option").filter(has_text=scope)
            if option.count():
                option.first.click()
                page.keyboard.press("Escape")
                return
            page.keyboard.press("Escape")
        assert time.monotonic() < deadline, f"the action form never offered {scope}"


def test_a_direct_link_on_a_fresh_server_asks_for_sign_in_first(
    fresh_signed_in_dashboard: Dashboard, page: Page
) -> None:
    # The first page any session opens on this server: no page may be reachable around the
    # sign-in gate in app.py (a pages/ folder would be run directly by Streamlit).
    open_page(page, f"{fresh_signed_in_dashboard.url}/alarms?refresh=paused")
    expect(page.get_by_label("User name")).to_be_visible()
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stMetricValue").count() == 0


def test_an_operator_acknowledges_an_alarm_and_the_history_names_her(
    signed_in_dashboard: Dashboard, page: Page
) -> None:
    board = signed_in_dashboard
    instance_id, scope = raise_alarm(board)
    # A new page load is a new Streamlit session: sign in on the page itself.
    open_alarms_and_pick(page, f"{board.url}/alarms?refresh=paused", scope)
    page.get_by_label("Comment").fill("looked at it")
    page.get_by_role("button", name="Apply").click()
    done = re.compile(rf"{re.escape(scope)}.*acknowledged by {OPERATOR[0]}")
    expect(page.get_by_text(done)).to_be_visible(timeout=20_000)
    assert page.get_by_test_id("stException").count() == 0
    row = alarm_state(board, instance_id)
    assert row is not None and row["state"] == "active_acknowledged"
    assert row["acknowledged_by"] == OPERATOR[0]
    db = connect_readonly(board.database_path)
    try:
        history = read_alarm_history(db, conditions=[Condition.GC_LATENCY], who=OPERATOR[0])
    finally:
        db.close()
    [transition] = history[history["scope"] == scope].to_dict("records")
    assert str(transition["rule"]).startswith("operator acknowledges")
    assert transition["to_state"] == "active_acknowledged"
    assert transition["comment"] == "looked at it"


def test_a_viewer_sees_the_alarm_but_cannot_acknowledge_it(
    signed_in_dashboard: Dashboard, page: Page
) -> None:
    board = signed_in_dashboard
    _, scope = raise_alarm(board)
    # Refreshing, so the table catches up with a cached query older than the raise.
    sign_in(page, f"{board.url}/alarms?refresh=2s", *VIEWER)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Alarms")).to_be_visible()
    expect(page.get_by_text("needs the operator role")).to_be_visible(timeout=20_000)
    # The active table (its "state" column tells it from the history's "from" and "to").
    state_column = page.get_by_role("columnheader", name="state", exact=True, include_hidden=True)
    active_table = page.get_by_test_id("stDataFrame").filter(has=state_column)
    expect(active_table.get_by_text(scope)).to_be_attached(timeout=30_000)
    expect(active_table).to_be_visible()
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    expect(page.get_by_label("Comment")).to_have_count(0)
    assert page.get_by_test_id("stException").count() == 0


def test_the_health_page_draws_its_charts_with_the_alarm_markers(
    signed_in_dashboard: Dashboard, page: Page
) -> None:
    board = signed_in_dashboard
    raise_alarm(board)  # a GC Latency raise in the range: a marker on the health charts
    sign_in(page, f"{board.url}/health?range=15m&refresh=2s", *VIEWER)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(4, timeout=30_000)
    expect(page.get_by_text("alarm raised").first).to_be_attached(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
