"""AppTest of the Alarms, Health and Backlog pages on databases a real headless node wrote.

Alarms are raised through the alarm subsystem itself (`evaluate_and_store` with detect
signals, as the node's evaluator does), never by writing rows of the alarm tables by hand.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from config import load_config
from dashboard.access import Viewer
from dashboard.ui.access import CURRENT_VIEWER_KEY
from dashboard.ui.alarm_actions import ACTION_IDS_KEY, ACTION_KIND_KEY, ACTION_SHELVE_KEY
from domain.signals import AlarmSignal
from node.alarm_evaluator import evaluate_and_store
from storage.alarms.store import read_active_alarms, read_alarm_history
from storage.backlog.control import BacklogSample, record_backlog_sample
from storage.db import connect
from tests.dashboard.conftest import page_test, record_cycles

TARGET = "Sales Chat - chat"


def raise_alarms(config_path: Path, signals: list[AlarmSignal]) -> None:
    db = connect(load_config(config_path).node.database_path)
    try:
        evaluate_and_store(db, signals, now=max(s.at for s in signals))
    finally:
        db.close()


def active_by_id(config_path: Path) -> dict[str, dict[str, object]]:
    db = connect(load_config(config_path).node.database_path)
    try:
        frame = read_active_alarms(db)
    finally:
        db.close()
    return {str(row["instance_id"]): row for row in frame.to_dict("records")}


@pytest.fixture
def alarmed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A database with two raised alarms: a Major GC Latency and a Minor CycleOverrun."""
    path = record_cycles(tmp_path, cycles=2)
    now = time.time()
    raise_alarms(
        path,
        [
            AlarmSignal("GC Latency", True, now - 600, value=1500.0, reason="gen 2 paused 1.5 s"),
            AlarmSignal("CycleOverrun", True, now - 60, reason="cycle took 3 s"),
        ],
    )
    monkeypatch.setenv("PACING_CONFIG", str(path))
    st.cache_data.clear()
    yield path
    st.cache_data.clear()


def as_operator(page: AppTest, name: str = "olga") -> AppTest:
    page.session_state[CURRENT_VIEWER_KEY] = Viewer(name, "operator", "local")
    return page


def apply_button(page: AppTest) -> object:
    return next(button for button in page.button if button.label == "Apply")


def test_a_viewer_sees_the_active_alarms_but_no_action(alarmed: Path) -> None:
    page = page_test("alarms", refresh="paused").run()
    assert not page.exception
    assert any("needs the operator role" in info.value for info in page.info)
    assert not [button for button in page.button if button.label == "Apply"]
    active = page.dataframe[0].value
    assert active["condition"].tolist() == ["GC Latency", "CycleOverrun"], "Major before Minor"
    labels = {metric.label: metric.value for metric in page.metric}
    assert labels["Active · Major"] == "1" and labels["Active · Minor"] == "1"


def test_an_operator_acknowledges_the_alarm_picked_by_id_even_after_the_order_changed(
    alarmed: Path,
) -> None:
    page = as_operator(page_test("alarms", refresh="paused")).run()
    assert not page.exception
    # A Critical alarm arrives after the page drew its list: by position it would now come first.
    raise_alarms(alarmed, [AlarmSignal("NoMasterNode", True, time.time(), reason="no heartbeat")])
    page.multiselect(key=ACTION_IDS_KEY).select("CycleOverrun/global")
    apply_button(page).click().run()  # type: ignore[attr-defined]
    assert not page.exception
    assert any("acknowledged by olga" in s.value for s in page.success)
    states = {key: row["state"] for key, row in active_by_id(alarmed).items()}
    assert states == {
        "CycleOverrun/global": "active_acknowledged",
        "GC Latency/global": "active_unacknowledged",
        "NoMasterNode/global": "active_unacknowledged",
    }
    assert active_by_id(alarmed)["CycleOverrun/global"]["acknowledged_by"] == "olga"


def test_an_operator_shelves_several_alarms_at_once_with_an_expiry(alarmed: Path) -> None:
    page = as_operator(page_test("alarms", refresh="paused")).run()
    page.multiselect(key=ACTION_IDS_KEY).select("CycleOverrun/global").select("GC Latency/global")
    page.radio(key=ACTION_KIND_KEY).set_value("Shelve")
    page.selectbox(key=ACTION_SHELVE_KEY).set_value("4 hours")
    page.text_input(key="alarm-action-comment").input("maintenance window")
    before = time.time()
    apply_button(page).click().run()  # type: ignore[attr-defined]
    assert not page.exception
    rows = active_by_id(alarmed)
    for instance_id in ("CycleOverrun/global", "GC Latency/global"):
        assert rows[instance_id]["state"] == "shelved"
        assert rows[instance_id]["shelved_by"] == "olga"
        until = float(rows[instance_id]["shelved_until"])  # type: ignore[arg-type]
        assert before + 4 * 3600 - 1 <= until <= time.time() + 4 * 3600 + 1
    db = connect(load_config(alarmed).node.database_path)
    comments = read_alarm_history(db, states=["shelved"])["comment"].tolist()
    db.close()
    assert comments == ["maintenance window", "maintenance window"]


def test_acknowledging_twice_says_who_was_first(alarmed: Path) -> None:
    first = as_operator(page_test("alarms", refresh="paused"), "olga").run()
    second = as_operator(page_test("alarms", refresh="paused"), "ana").run()
    first.multiselect(key=ACTION_IDS_KEY).select("GC Latency/global")
    apply_button(first).click().run()  # type: ignore[attr-defined]
    second.multiselect(key=ACTION_IDS_KEY).select("GC Latency/global")
    apply_button(second).click().run()  # type: ignore[attr-defined]
    assert any("already acknowledged by olga" in info.value for info in second.info)


def test_the_alarm_history_filters_by_condition(alarmed: Path) -> None:
    page = page_test("alarms", refresh="paused").run()
    page.multiselect(key="history-conditions").select("CycleOverrun").run()
    assert not page.exception
    history = page.dataframe[-1].value  # the history is the last table
    assert set(history["condition"]) == {"CycleOverrun"}
    assert history["rule"].tolist() == ["alarm occurs"]


def test_the_alarms_page_shows_flood_figures(alarmed: Path) -> None:
    page = page_test("alarms", refresh="paused", range="24h").run()
    labels = {metric.label: metric.value for metric in page.metric}
    assert labels["Alarms raised"] == "2"
    assert labels["Flood periods (>10 / 10 min)"] == "0"
    assert page.get("plotly_chart"), "the alarm rate chart"


def test_the_health_page_draws_four_charts_against_the_thresholds(alarmed: Path) -> None:
    page = page_test("health", range="1h", refresh="paused").run()
    assert not page.exception
    assert len(page.get("plotly_chart")) == 4
    captions = " ".join(caption.value for caption in page.caption)
    assert "GC Latency 1000 ms (database)" in captions
    labels = [metric.label for metric in page.metric]
    assert "Longest GC pause (range)" in labels and "Memory used" in labels


def test_the_backlog_page_says_the_database_accepted_every_write(config: Path) -> None:
    page = page_test("backlog", range="1h", refresh="paused").run()
    assert not page.exception
    assert any(
        "No backlog yet: the database has accepted every write" in s.value for s in page.success
    )
    assert any("No hive-off run yet" in info.value for info in page.info)


def test_the_backlog_page_charts_a_backlog_against_its_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = record_cycles(tmp_path, cycles=1)
    db = connect(load_config(path).node.database_path)
    now = time.time()
    for step, (pending, drained) in enumerate([(0, 0), (40, 0), (25, 15), (0, 40)]):
        sample = BacklogSample(
            "n",
            now - 240 + 60 * step,
            pending * 4096,
            pending,
            0,
            0,
            40 if step else 0,
            drained,
            0,
            0,
            "normal",
        )
        record_backlog_sample(db, sample)
    db.close()
    monkeypatch.setenv("PACING_CONFIG", str(path))
    st.cache_data.clear()
    page = page_test("backlog", range="15m", refresh="paused").run()
    assert not page.exception
    assert len(page.get("plotly_chart")) == 3
    labels = {metric.label: metric.value for metric in page.metric}
    assert labels["Waiting"] == "0" and labels["Processor"] == "on"
    st.cache_data.clear()


def test_the_overview_counts_active_alarms_by_category(alarmed: Path) -> None:
    page = page_test("overview").run()
    tile = next(metric for metric in page.metric if metric.label == "Active alarms")
    assert tile.value == "2"
    assert any("1 Major · 1 Minor" in caption.value for caption in page.caption)


def test_the_targets_page_marks_alarm_raises_on_its_charts(alarmed: Path) -> None:
    raise_alarms(
        alarmed,
        [AlarmSignal("StatisticsStale", True, time.time() - 5, scope=TARGET, reason="stale")],
    )
    page = page_test("targets", range="15m", refresh="paused").run()
    assert not page.exception
    import json

    spec = json.loads(page.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name") for trace in spec["data"]]
    assert "alarm raised" in names
    marker = next(trace for trace in spec["data"] if trace.get("name") == "alarm raised")
    assert marker["text"] == [f"StatisticsStale ({TARGET}) raised · Major"]
