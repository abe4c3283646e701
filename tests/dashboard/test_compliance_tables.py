"""The compliance table of the Targets page and the budget column of the Overview."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.compliance import add_budget_column, build_budget_frame, build_compliance_table
from domain.compliance import WindowFigures


def figures() -> list[WindowFigures]:
    return [
        WindowFigures("a", "24h", 0.0, 86_400.0, 1050, 22, 3.0),  # budget 10
        WindowFigures("a", "day", 0.0, 21_600.0, 550, 17, 3.0),  # budget 0
        WindowFigures("b", "24h", 0.0, 86_400.0, 97, 5, 3.0),  # budget -2
        WindowFigures("b", "day", 0.0, 21_600.0, 0, 0, 3.0),  # budget 0
    ]


def test_each_window_shows_its_interval_and_budget() -> None:
    table = build_compliance_table(figures())
    first = table.iloc[0]
    assert (first["target"], first["window"], first["abandon budget"]) == ("a", "trailing 24 h", 10)
    assert round(first["95 % low"], 3) == 1.359
    assert math.isnan(table.iloc[3]["abandoned %"])


def test_the_overview_gets_the_binding_budget_after_the_goal() -> None:
    overview = pd.DataFrame({"target": ["a", "b", "c"], "goal %": [3.0, 3.0, 3.0], "x": [1, 2, 3]})
    table = add_budget_column(overview, build_budget_frame(figures()))
    assert list(table.columns) == ["target", "goal %", "abandon budget", "x"]
    assert table["abandon budget"].tolist()[:2] == [0.0, -2.0]
    assert math.isnan(table["abandon budget"].iloc[2])  # no figures yet: unknown, not 0
    assert add_budget_column(overview, None) is overview
