"""The overview page run by Streamlit's AppTest: what it says when no node runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support import ROOT, write_test_config


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path, _ = write_test_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^embedded = true", "embedded = false", text), encoding="utf-8")
    monkeypatch.setenv("PACING_CONFIG", str(path))
    st.cache_data.clear()
    return path


def run_overview() -> AppTest:
    page = AppTest.from_file(str(ROOT / "views" / "overview.py"), default_timeout=30)
    return page.run()


def test_without_a_database_the_page_says_no_node_is_running(config: Path) -> None:
    page = run_overview()
    assert not page.exception
    [warning] = page.warning
    assert "No node is running" in warning.value
    assert "start a node" in warning.value


def test_with_a_stopped_node_the_page_says_so_and_still_shows_the_last_state(
    config: Path,
) -> None:
    from config import load_config
    from node.build import build_node

    node = build_node(load_config(config), mode="headless")
    node.run_once()
    node.stop()
    page = run_overview()
    assert not page.exception
    assert any("No node is running (last heartbeat" in error.value for error in page.error)
    assert page.dataframe, "the last recorded state is still shown"
