"""Choosing targets among hundreds: the picker lists the chosen ones and the first matches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import given
from hypothesis import strategies as sts

from benchmarks.history_fill import fill_history, fill_target_id
from dashboard.target_choice import PICKER_OPTIONS, form_options, picker_options
from tests.dashboard.conftest import page_test
from tests.support import write_test_config

MANY = PICKER_OPTIONS * 3


def test_the_options_are_the_chosen_then_the_first_matches_ignoring_case() -> None:
    known = [f"Queue {i:03d} - chat" for i in range(50)]
    assert picker_options(known, [], "queue 01", limit=5) == [
        f"Queue {i:03d} - chat" for i in range(10, 15)
    ]
    chosen = ["Queue 049 - chat", "gone - chat"]
    assert picker_options(known, chosen, "Queue 00", limit=2) == [
        "Queue 049 - chat",
        "Queue 000 - chat",
        "Queue 001 - chat",
    ]


@given(
    sts.lists(sts.text(min_size=1, max_size=6), max_size=40, unique=True),
    sts.text(max_size=3),
    sts.integers(1, 10),
)
def test_options_never_pass_the_limit_plus_the_chosen_and_keep_every_chosen_target(
    known: list[str], find: str, limit: int
) -> None:
    chosen = known[::3]
    options = picker_options(known, chosen, find, limit=limit)
    assert set(chosen) <= set(options)
    assert len(options) <= limit + len(chosen)
    assert len(options) == len(set(options))
    assert all(o in chosen or find.strip().casefold() in o.casefold() for o in options)


def test_a_form_offers_every_target_of_a_small_centre_and_the_chosen_ones_of_a_large_one() -> None:
    known = [f"Queue {i:03d} - chat" for i in range(50)]
    assert form_options(known, known[:2], [], limit=50) == known
    in_force = ["Queue 040 - chat", "gone - chat", "Queue 001 - chat"]
    assert form_options(known, known[:2], in_force, limit=10) == [
        "Queue 000 - chat",
        "Queue 001 - chat",
        "Queue 040 - chat",
    ]


@pytest.fixture(scope="module")
def many_targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    config, database = write_test_config(folder, refresh_period_s=60)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^embedded = true", "embedded = false", text), "utf-8")
    for _ in fill_history(database, MANY, hours=0.1, detail_hours=0.1, period_s=60):
        pass
    return config


@pytest.fixture
def config_of_many(many_targets: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PACING_CONFIG", str(many_targets))
    st.cache_data.clear()
    yield many_targets
    st.cache_data.clear()


def test_among_many_targets_the_targets_page_lists_a_few_and_finds_the_rest(
    config_of_many: Path,
) -> None:
    page = page_test("targets", range="15m", refresh="paused").run()
    assert not page.exception
    picker = page.multiselect(key="targets")
    assert len(picker.options) == PICKER_OPTIONS
    assert picker.value == [fill_target_id(i) for i in range(10)]
    wanted = fill_target_id(MANY - 1)
    assert wanted not in picker.options
    page.text_input(key="target_find").input(wanted[:9]).run()
    picker = page.multiselect(key="targets")
    assert wanted in picker.options
    assert set(picker.value) <= set(picker.options), "the chosen targets stay listed"
    picker.select(wanted).run()
    assert wanted in page.multiselect(key="targets").value
    assert len(page.get("plotly_chart")) == 1, "one figure of six panels"
    # The controls form offers the chosen targets, not every one of the centre's.
    assert page.selectbox(key="control-target").options == page.multiselect(key="targets").value
