"""What one pacing cycle leaves behind: the cycle record and one record per target.

The dataclass `TargetRecord` is the one declaration of the per-target row: the storage
columns, the read models and the CSV columns all derive from its fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from domain.checks import (
    GOAL_PCT_MAX,
    GOAL_PCT_MIN,
    check_finite,
    check_goal_pct,
    check_not_negative,
)
from domain.statistics import COUNT_FIGURES

CycleStatus = Literal["ok", "partial", "failed", "overrun"]
NodeMode = Literal["embedded", "headless"]
SchedulerEventKind = Literal["skipped", "missed", "error"]


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """One pacing cycle as stored (times are epoch seconds, UTC)."""

    cycle_id: str
    node_id: str
    seq: int
    scheduled_at: float
    started_at: float
    duration_s: float
    lateness_s: float
    period_s: float
    status: CycleStatus
    targets_count: int
    errors_count: int
    error: str | None = None
    skipped_before: int = 0  # scheduler fires skipped since the previous cycle (overruns)

    def __post_init__(self) -> None:
        where = f"(cycle {self.cycle_id!r})"
        if not self.cycle_id:
            raise ValueError("cycle_id must not be empty")
        if self.status not in get_args(CycleStatus):
            raise ValueError(
                f"status must be one of {', '.join(get_args(CycleStatus))}, "
                f"got {self.status!r} {where}"
            )
        check_not_negative(
            self, ("seq", "targets_count", "errors_count", "skipped_before", "duration_s"), where
        )
        check_finite(
            self, ("scheduled_at", "started_at", "duration_s", "lateness_s", "period_s"), where
        )
        if self.period_s <= 0:
            raise ValueError(f"period_s must be positive, got {self.period_s} {where}")


_TARGET_COUNTS = (*COUNT_FIGURES, "pending_invitations", "allowed_invitations")
_smallest: Callable[..., Any] = min  # untyped: comparing None raises, as the fast path wants


@dataclass(frozen=True, slots=True)
class TargetRecord:
    """Every input and output of one pacing target in one cycle."""

    cycle_id: str
    target_id: str
    at: float
    media: str
    goal_pct: float
    # None when the stat source gave nothing for this target (then `error` says why)
    logged_in_slots: int | None
    ready_slots: int | None
    busy_slots: int | None
    in_queue: int | None
    accepted_total: int | None
    abandoned_total: int | None
    pending_invitations: int | None = None
    acceptance_rate: float | None = None
    avg_handle_time_s: float | None = None
    allowed_invitations: int | None = None
    interval_s: float | None = None
    estimated_wait_s: float | None = None
    reason: str | None = None
    error: str | None = None

    @property
    def record_id(self) -> str:
        """The idempotency key: one row per target per cycle."""
        return f"{self.cycle_id}/{self.target_id}"

    def __post_init__(self) -> None:
        try:  # the common case without a closure; anything else gets the named checks
            if (
                self.cycle_id
                and self.target_id
                and math.isfinite(self.at)
                and GOAL_PCT_MIN <= self.goal_pct <= GOAL_PCT_MAX
                and _smallest(  # a None figure raises TypeError: the named checks decide
                    self.logged_in_slots,
                    self.ready_slots,
                    self.busy_slots,
                    self.in_queue,
                    self.accepted_total,
                    self.abandoned_total,
                    self.pending_invitations,
                    self.allowed_invitations,
                )
                >= 0
            ):
                return
        except TypeError:  # a None figure (a stale target) or a wrong type
            pass
        self.check_named()

    def check_named(self) -> None:
        """Every check, each failure naming its figure (what `__post_init__` falls back to)."""

        def where() -> str:
            return f"(target {self.target_id!r}, cycle {self.cycle_id!r})"

        if not self.cycle_id or not self.target_id:
            raise ValueError(f"cycle_id and target_id must not be empty {where()}")
        check_finite(self, ("at",), where)
        check_goal_pct(self.goal_pct, where)
        check_not_negative(self, _TARGET_COUNTS, where)


# Every figure of a target row besides its keys (cycle_id, target_id, at), in column order.
TARGET_VALUE_COLUMNS: tuple[str, ...] = tuple(
    field.name
    for field in fields(TargetRecord)
    if field.name not in ("cycle_id", "target_id", "at")
)


def _kind(annotation: str) -> type:
    # Annotations are strings here (postponed evaluation): "int | None" → int.
    return {"int": int, "float": float}.get(annotation.split("|")[0].strip(), str)


# The Python kind of every column of the target row: int, float or str.
TARGET_COLUMN_KINDS: dict[str, type] = {
    field.name: _kind(str(field.type)) for field in fields(TargetRecord)
}


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """One node as the dashboard shows it."""

    node_id: str
    host: str
    pid: int
    mode: str
    period_s: float
    started_at: float
    stopped_at: float | None
    alive: bool  # heartbeat within stale_after_s of now, and not stopped
    last_heartbeat_age_s: float
