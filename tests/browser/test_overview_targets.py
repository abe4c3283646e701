"""The Overview's target table in a real browser, on a database of a few hundred targets:
worst first, a search that narrows, a state filter, a second page, totals that add up."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from benchmarks.history_fill import fill_history
from storage.db import connect_readonly
from storage.overview import read_overview_page
from tests.browser.harness import SCRIPT_DONE, Dashboard, open_page, running_dashboard
from tests.support import write_test_config

pytestmark = pytest.mark.browser

TARGETS = 260
PERIOD_S = 60.0  # the config's refresh period: the filled rows stay fresh for 3 periods


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A dashboard that only reads (no embedded node) a database of TARGETS targets."""
    folder = tmp_path_factory.mktemp("many-targets")
    config, database = write_test_config(folder, refresh_period_s=PERIOD_S)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^embedded = true", "embedded = false", text), "utf-8")
    for _ in fill_history(database, TARGETS, hours=0.5, detail_hours=0.5, period_s=PERIOD_S):
        pass
    with running_dashboard(folder, config, database) as board:
        yield board


def expected_ids(board: Dashboard, **query: object) -> list[str]:
    """What storage says the table holds, read now, as the page reads it."""
    db = connect_readonly(board.database_path)
    try:
        page = read_overview_page(
            db,
            now=time.time(),
            stale_after_s=3 * PERIOD_S,
            **query,  # type: ignore[arg-type]
        )
    finally:
        db.close()
    return list(page.rows["target_id"])


def target_table(page: Page) -> Locator:
    header = page.get_by_role("columnheader", name="target", exact=True, include_hidden=True)
    return page.get_by_test_id("stDataFrame").filter(has=header)


def rows_caption(page: Page) -> Locator:
    return page.get_by_text(re.compile(r"Targets [\d,]+–[\d,]+ of [\d,]+ matching"))


def state_counts(page: Page) -> dict[str, int]:
    text = page.get_by_text(re.compile(r"\d+ alarm · \d+ over goal")).inner_text()
    return {state: int(n) for n, state in re.findall(r"(\d+) (alarm|over goal|stale|ok)", text)}


def test_worst_targets_come_first_and_the_totals_add_up(filled: Dashboard, page: Page) -> None:
    open_page(page, filled.url)
    expect(rows_caption(page)).to_contain_text(f"Targets 1–50 of {TARGETS} matching")
    counts = state_counts(page)
    assert sum(counts.values()) == TARGETS
    assert counts["alarm"] > 0 and counts["over goal"] > 0 and counts["stale"] > 0
    worst = expected_ids(filled, limit=3)
    rows = target_table(page).get_by_role("row", include_hidden=True)
    for position, target_id in enumerate(worst, start=1):  # row 0 holds the headers
        expect(rows.nth(position)).to_contain_text(target_id, timeout=20_000)
    expect(rows.nth(1)).to_contain_text("alarm")
    totals = page.get_by_test_id("stDataFrame").filter(
        has=page.get_by_role("columnheader", name="count", exact=True, include_hidden=True)
    )
    for label in ("shown (50)", f"the rest ({TARGETS - 50})", f"all matching ({TARGETS})"):
        expect(totals.get_by_text(label, exact=True)).to_be_attached()
    assert page.get_by_test_id("stException").count() == 0


def test_a_search_narrows_the_table_to_matching_targets(filled: Dashboard, page: Page) -> None:
    open_page(page, filled.url)
    box = page.get_by_label("Search targets")
    box.fill("vq 00012")  # VQ 000120 … VQ 000129, whatever the case
    box.press("Enter")
    expect(rows_caption(page)).to_contain_text("Targets 1–10 of 10 matching", timeout=20_000)
    table = target_table(page)
    expect(table.get_by_text(re.compile(r"^VQ 00012\d - "))).to_have_count(10, timeout=20_000)
    expect(table.get_by_text("VQ 000053 - voice", exact=True)).to_have_count(0)


def test_a_state_filter_keeps_only_that_state(filled: Dashboard, page: Page) -> None:
    open_page(page, filled.url)
    counts = state_counts(page)
    for state in ("alarm", "over goal", "stale"):  # every state is chosen at first
        page.get_by_test_id("stButtonGroup").get_by_role("button", name=state, exact=True).click()
        page.wait_for_selector(SCRIPT_DONE, state="attached")
    expect(rows_caption(page)).to_contain_text(f"of {counts['ok']} matching", timeout=20_000)
    table = target_table(page)
    expect(table.get_by_text("ok", exact=True).first).to_be_attached(timeout=20_000)
    expect(table.get_by_text("alarm", exact=True)).to_have_count(0)
    expect(table.get_by_text("over goal", exact=True)).to_have_count(0)


def test_page_two_shows_the_next_fifty_targets(filled: Dashboard, page: Page) -> None:
    open_page(page, filled.url)
    expect(rows_caption(page)).to_contain_text("Targets 1–50 of")
    pager = page.get_by_label(re.compile(r"^Page \(of \d+\)"))
    pager.fill("2")
    pager.press("Enter")
    expect(rows_caption(page)).to_contain_text(f"Targets 51–100 of {TARGETS}", timeout=20_000)
    second = expected_ids(filled, offset=50, limit=2)
    first_page = expected_ids(filled, limit=50)
    table = target_table(page)
    rows = table.get_by_role("row", include_hidden=True)
    for position, target_id in enumerate(second, start=1):
        expect(rows.nth(position)).to_contain_text(target_id, timeout=20_000)
    expect(table.get_by_text(first_page[0], exact=True)).to_have_count(0)
