"""The invariants values check where they are built, each written once.

Messages name the figure, the value and where it belongs, e.g.
`goal_pct must be between 0 and 100, got 140 (target 'Proactive Chat - chat')`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

# Where a failed check happened: a text, or a function making it (built only on failure, so
# a value built 10,000 times a cycle does not format its name 10,000 times for nothing).
Where = str | Callable[[], str]


def _where(where: Where) -> str:
    return where if isinstance(where, str) else where()


GOAL_PCT_MIN = 0.0
GOAL_PCT_MAX = 100.0


def check_goal_pct(goal_pct: float, where: Where) -> None:
    """An optimization goal is a percentage: 0 to 100."""
    if not GOAL_PCT_MIN <= goal_pct <= GOAL_PCT_MAX:
        raise ValueError(
            f"goal_pct must be between {GOAL_PCT_MIN:g} and {GOAL_PCT_MAX:g}, "
            f"got {goal_pct} {_where(where)}"
        )


def check_not_negative(value: object, names: Iterable[str], where: Where) -> None:
    """Each named figure of `value` that is not None is 0 or more."""
    for name in names:
        figure = getattr(value, name)
        if figure is not None and figure < 0:
            raise ValueError(f"{name} must not be negative, got {figure} {_where(where)}")


def check_finite(value: object, names: Iterable[str], where: Where) -> None:
    """Each named figure of `value` is a finite number (no NaN, no infinity)."""
    for name in names:
        figure = getattr(value, name)
        if not math.isfinite(figure):
            raise ValueError(f"{name} must be a finite number, got {figure} {_where(where)}")
