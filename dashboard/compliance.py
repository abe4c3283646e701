"""Compliance windows and abandon budgets as the operators' tables (pure: frames in, frames out)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from domain.compliance import WINDOW_LABELS, WindowFigures, tightest_budget

BUDGET_COLUMN = "abandon budget"

COMPLIANCE_COLUMNS = (
    "target",
    "window",
    "accepted",
    "abandoned",
    "abandoned %",
    "95 % low",
    "95 % high",
    "goal %",
    BUDGET_COLUMN,
)


def build_compliance_table(figures: Sequence[WindowFigures]) -> pd.DataFrame:
    """One row per target and window, with the Wilson interval and the budget."""
    rows = []
    for figure in figures:
        low, high = figure.interval_pct
        rows.append(
            (
                figure.target_id,
                WINDOW_LABELS.get(figure.window, figure.window),
                figure.accepted,
                figure.abandoned,
                figure.abandon_pct,
                low,
                high,
                figure.goal_pct,
                _budget(figure),
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(COMPLIANCE_COLUMNS))


def build_budget_frame(figures: Sequence[WindowFigures]) -> pd.DataFrame:
    """Per target, its smallest budget over the windows and the window that binds it."""
    tightest = tightest_budget(figures)
    return pd.DataFrame(
        {
            "target_id": list(tightest),
            BUDGET_COLUMN: [_budget(f) for f in tightest.values()],
            "budget window": [WINDOW_LABELS.get(f.window, f.window) for f in tightest.values()],
        }
    )


def add_budget_column(table: pd.DataFrame, budgets: pd.DataFrame | None) -> pd.DataFrame:
    """The overview's target table with the binding budget after the goal (NaN: not known)."""
    if table.empty or budgets is None:
        return table
    by_target = dict(zip(budgets["target_id"], budgets[BUDGET_COLUMN], strict=True))
    column = [by_target.get(target, math.nan) for target in table["target"]]
    placed = table.copy()
    placed.insert(int(placed.columns.get_loc("goal %")) + 1, BUDGET_COLUMN, column)
    placed[BUDGET_COLUMN] = placed[BUDGET_COLUMN].astype("float64")
    return placed


def _budget(figure: WindowFigures) -> float:
    """The budget as a float column value: inf for a goal of 100 % (no budget to spend)."""
    budget = figure.budget
    return math.inf if budget is None else float(budget)
