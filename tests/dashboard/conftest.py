"""Fixtures of the page tests: a config whose database a real headless node wrote."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support import ROOT, ran_headless, write_test_config


def record_cycles(folder: Path, cycles: int = 5) -> Path:
    """A config (node not embedded) whose database holds `cycles` cycles of every target."""
    from config import load_config

    path, _ = write_test_config(folder)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^embedded = true", "embedded = false", text), encoding="utf-8")
    ran_headless(load_config(path), cycles)
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose database holds a few cycles of every target (no node left running)."""
    return record_cycles(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def config(recorded: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PACING_CONFIG", str(recorded))
    st.cache_data.clear()
    yield recorded
    st.cache_data.clear()


def page_test(name: str, **query: str) -> AppTest:
    """An AppTest of `views/<name>.py` with these query parameters (not run yet)."""
    page = AppTest.from_file(str(ROOT / "views" / f"{name}.py"), default_timeout=30)
    for key, value in query.items():
        page.query_params[key] = value
    return page
