"""The Targets page's controls, the Audit page and the reload button (AppTest, real database)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from config import load_config
from dashboard.access import Viewer
from dashboard.ui.access import CURRENT_VIEWER_KEY
from dashboard.ui.controls import act_as, goal_value
from dashboard.ui.reload import request_reload_as
from tests.dashboard.conftest import page_test, record_cycles

CHAT = "Proactive Chat - chat"
OPERATOR = Viewer("olga", "operator", "local")
VIEWER = Viewer("victor", "viewer", "local")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = record_cycles(tmp_path, cycles=2)
    monkeypatch.setenv("PACING_CONFIG", str(path))
    st.cache_data.clear()
    yield path
    st.cache_data.clear()


def database(config: Path) -> Path:
    return load_config(config).node.database_path


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def as_viewer(page: AppTest, viewer: Viewer) -> AppTest:
    page.session_state[CURRENT_VIEWER_KEY] = viewer
    return page.run()


def test_a_viewer_sees_the_controls_but_cannot_apply_them(config: Path) -> None:
    page = as_viewer(page_test("targets", range="15m"), VIEWER)
    assert not page.exception
    assert "Controls" in [header.value for header in page.subheader]
    assert any("Changing controls needs the operator role" in i.value for i in page.info)
    assert page.selectbox(key="control-target").disabled
    assert page.text_input(key="control-reason").disabled


def test_the_action_function_refuses_a_viewer(config: Path) -> None:
    outcome = act_as(
        VIEWER,
        str(database(config)),
        [CHAT],
        target=CHAT,
        action_label="Pause",
        value="",
        reason="incident",
        for_text="",
    )
    assert outcome.level == "error"
    assert "only operators may change pacing controls; victor is a viewer" in outcome.text
    assert rows(database(config), "SELECT count(*) FROM target_controls") == [(0,)]


def test_an_operator_pauses_a_target_and_the_audit_page_shows_it(config: Path) -> None:
    page = as_viewer(page_test("targets", range="15m"), OPERATOR)
    page.selectbox(key="control-target").select(CHAT)
    page.selectbox(key="control-action").select("Pause")
    page.text_input(key="control-reason").input("incident 12")
    page.text_input(key="control-for").input("30min")
    page.button[-1].click().run()
    assert not page.exception
    assert any(f"{CHAT}: pause for 30 min, set by olga" in s.value for s in page.success)
    [(kind, who, reason)] = rows(
        database(config), "SELECT kind, set_by, reason FROM target_controls"
    )
    assert (kind, who, reason) == ("pause", "olga", "incident 12")

    audit = as_viewer(page_test("audit", range="1h"), VIEWER)
    assert not audit.exception
    shown = audit.dataframe[0].value
    assert list(shown["action"]) == ["control.pause"]
    assert list(shown["who"]) == ["olga"]
    assert audit.get("download_button")


def test_a_goal_override_is_previewed_in_the_form_before_it_is_applied(config: Path) -> None:
    with sqlite3.connect(database(config)) as db:  # the fake platform reports no handle time
        db.execute(
            "UPDATE target_latest SET logged_in_slots = 10, avg_handle_time_s = 240 "
            "WHERE target_key = (SELECT target_key FROM target_keys WHERE target_id = ?)",
            (CHAT,),
        )
    page = as_viewer(page_test("targets", range="15m"), OPERATOR)
    page.selectbox(key="control-target").select(CHAT)
    page.selectbox(key="control-action").select("Goal override")
    page.text_input(key="control-value").input("1.5")
    [preview] = [b for b in page.button if b.label == "Preview"]
    preview.click().run()
    assert not page.exception
    assert f"What the model predicts for {CHAT} at 3 % and 1.5 %" in [c.value for c in page.caption]
    tables = [
        frame.value.iloc[0].tolist()
        for frame in page.dataframe
        if list(frame.value.columns) == ["", "now", "after the change"]
    ]
    assert ["goal %", "3", "1.5"] in tables  # the configured goal, the new one
    assert rows(database(config), "SELECT count(*) FROM target_controls") == [(0,)]


def test_the_goal_value_of_the_form() -> None:
    assert goal_value(" 2.5 ") == 2.5
    assert [goal_value(text) for text in ("", "two", "0", "101", "nan")] == [None] * 5


def test_a_bad_duration_is_refused_with_the_expected_form(config: Path) -> None:
    outcome = act_as(
        OPERATOR,
        str(database(config)),
        [CHAT],
        target=CHAT,
        action_label="Cap per cycle",
        value="3",
        reason="incident",
        for_text="soon",
    )
    assert outcome.text == 'For: "soon" — expected a duration such as 30min, 90s or 2h.'


def test_the_reload_button_asks_every_node_and_refuses_a_viewer(config: Path) -> None:
    path = str(database(config))
    assert request_reload_as(VIEWER, path) == "Only operators may reload the configuration."
    assert rows(database(config), "SELECT count(*) FROM node_requests") == [(0,)]
    assert request_reload_as(OPERATOR, path).startswith("Reload requested")
    assert rows(database(config), "SELECT kind, requested_by FROM node_requests") == [
        ("reload", "olga")
    ]
    page = as_viewer(page_test("health", refresh="paused"), VIEWER)
    assert not page.exception
    [button] = [b for b in page.button if b.label == "Reload the configuration"]
    assert button.disabled


def test_an_alarm_shows_its_runbook_and_the_history_downloads(config: Path) -> None:
    import pandas as pd

    from dashboard.alarm_view import active_table

    ordered = pd.DataFrame(
        [
            {
                "severity": "Major",
                "condition": "GC Latency",
                "scope": "global",
                "state": "active_unacknowledged",
                "age_s": 5.0,
                "raised_at": 1.0,
                "value": 2.0,
                "occurrences": 1,
                "reason": "",
                "acknowledged_by": None,
                "shelved_until": None,
                "instance_id": "GC Latency/global",
            }
        ]
    )
    table = active_table(ordered, "UTC", {"GC Latency": "https://wiki.example.com/gc"})
    assert table["runbook"].tolist() == ["https://wiki.example.com/gc"]
    assert active_table(ordered, "UTC")["runbook"].tolist() == [""]
    page = as_viewer(page_test("alarms", refresh="paused"), VIEWER)
    assert not page.exception
    labels = [button.label for button in page.get("download_button")]
    assert "Download the alarm history as CSV" in labels
