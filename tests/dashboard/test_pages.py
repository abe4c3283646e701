"""One AppTest smoke test per page, on a database a real headless node wrote."""

from __future__ import annotations

import ast
import json
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.target_charts import PANELS
from dashboard.ui.access import CURRENT_VIEWER_KEY
from tests.dashboard.conftest import page_test
from tests.support import ROOT


def run_page(name: str, **query: str) -> AppTest:
    return page_test(name, **query).run()


def test_the_overview_shows_activity_tiles(config: Path) -> None:
    page = run_page("overview")
    assert not page.exception
    labels = [metric.label for metric in page.metric]
    assert {"Invitations allowed / min", "Accepted (1 h)"} <= set(labels)
    assert any(re.fullmatch(r"Targets paced \(of \d+\)", label) for label in labels), labels
    assert "Abandoned (1 h)" in labels and "Active alarms" in labels


def test_the_targets_page_draws_every_chart_for_the_chosen_range(config: Path) -> None:
    page = run_page("targets", range="15m")
    assert not page.exception
    assert page.selectbox(key="range").value == "15m"
    assert page.multiselect(key="targets").value, "targets are chosen by default"
    [chart] = page.get("plotly_chart")  # six panels in one figure
    titles = [note["text"] for note in json.loads(chart.proto.spec)["layout"]["annotations"]]
    assert titles == [title for title, _ in PANELS]
    assert any("one point per cycle" in caption.value for caption in page.caption)
    assert "Sustainable rate now" in [header.value for header in page.subheader]


@pytest.mark.parametrize(
    ("name", "query", "missing"),
    [
        ("targets", {}, "No cycle of these targets in this range"),
        ("health", {"refresh": "paused"}, "No runtime sample in this range"),
    ],
)
def test_a_page_says_what_is_missing_for_an_empty_range(
    config: Path, name: str, query: dict[str, str], missing: str
) -> None:
    page = page_test(name, range="custom", **query)
    page.session_state["from"] = datetime(2001, 1, 1)
    page.session_state["to"] = datetime(2001, 1, 2)
    page.run()
    assert not page.exception
    assert any(missing in info.value for info in page.info)


def test_the_history_page_counts_rows_and_offers_the_csv(config: Path) -> None:
    page = run_page("history", range="1h")
    assert not page.exception
    assert any(re.search(r"\d+ rows from", caption.value) for caption in page.caption)
    assert page.dataframe, "a preview of the newest rows"
    assert page.get("download_button"), "the CSV download button"


def test_the_users_page_is_closed_to_viewers(config: Path) -> None:
    page = run_page("users")
    assert not page.exception
    assert any("needs the operator role" in info.value for info in page.info)
    assert not page.button


def test_the_users_page_lets_an_operator_add_a_user(config: Path) -> None:
    from dashboard.access import Viewer

    page = AppTest.from_file(str(ROOT / "views" / "users.py"), default_timeout=30)
    page.session_state[CURRENT_VIEWER_KEY] = Viewer("olga", "operator", "local")
    page.run()
    assert not page.exception
    page.text_input[0].input("victor")
    page.text_input[1].input("a long password")
    page.button[0].click().run()
    assert any("User victor saved as viewer" in s.value for s in page.success)


def test_the_server_imports_what_the_pages_import_before_the_first_visit() -> None:
    import app

    app.import_page_modules()  # a renamed or missing module fails here, not at a first visit
    assert set(app.PAGE_MODULES) <= set(sys.modules)
    overview = ast.parse((ROOT / "views" / "overview.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(overview) if isinstance(node, ast.ImportFrom)}
    assert "dashboard.ui.overview" in imported & set(app.PAGE_MODULES)
