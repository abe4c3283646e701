"""The invariants values check where they are built, each written once.

Messages name the figure, the value and where it belongs, e.g.
`goal_pct must be between 0 and 100, got 140 (target 'Proactive Chat - chat')`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

GOAL_PCT_MIN = 0.0
GOAL_PCT_MAX = 100.0


def check_goal_pct(goal_pct: float, where: str) -> None:
    """An optimization goal is a percentage: 0 to 100."""
    if not GOAL_PCT_MIN <= goal_pct <= GOAL_PCT_MAX:
        raise ValueError(
            f"goal_pct must be between {GOAL_PCT_MIN:g} and {GOAL_PCT_MAX:g}, "
            f"got {goal_pct} {where}"
        )


def check_not_negative(value: object, names: Iterable[str], where: str) -> None:
    """Each named figure of `value` that is not None is 0 or more."""
    for name in names:
        figure = getattr(value, name)
        if figure is not None and figure < 0:
            raise ValueError(f"{name} must not be negative, got {figure} {where}")


def check_finite(value: object, names: Iterable[str], where: str) -> None:
    """Each named figure of `value` is a finite number (no NaN, no infinity)."""
    for name in names:
        figure = getattr(value, name)
        if not math.isfinite(figure):
            raise ValueError(f"{name} must be a finite number, got {figure} {where}")
