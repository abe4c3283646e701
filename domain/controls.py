"""Operator controls on one pacing target, and the audit trail's rows (values only).

A control is set by an operator with a reason, may carry an expiry, and shapes the target's
decisions from the next cycle on: `pause` (allowed 0), `cap` (at most N per cycle), `fixed`
(exactly N per cycle), `algorithm` (a forced pacing algorithm), `goal` (a goal override).
A target holds at most one control of each kind; a control past its expiry has lapsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from domain.bounds import INVITATIONS_PER_CYCLE_MAX
from domain.checks import check_goal_pct
from domain.decisions import ALGORITHMS

ControlKind = Literal["pause", "cap", "fixed", "algorithm", "goal"]
CONTROL_KINDS: tuple[ControlKind, ...] = get_args(ControlKind)
ActorRole = Literal["viewer", "operator"]
REASON_MAX_CHARS = 500
SYSTEM_ACTOR = "system"  # who lapses an expired control or reloads on SIGHUP


class ControlError(ValueError):
    """A control request that cannot apply; the message says what to change."""


@dataclass(frozen=True, slots=True)
class TargetControl:
    """One control in force (until `expires_at`, epoch seconds; None: until removed)."""

    target_id: str
    kind: ControlKind
    value: str  # "" for pause; an int for cap/fixed; an algorithm; a goal in percent
    reason: str
    set_by: str
    set_at: float
    expires_at: float | None = None

    def __post_init__(self) -> None:
        where = f"(control {self.kind!r} of target {self.target_id!r})"
        if self.kind not in CONTROL_KINDS:
            raise ControlError(
                f"unknown control {self.kind!r}; choose one of {', '.join(CONTROL_KINDS)}"
            )
        if not self.target_id.strip():
            raise ControlError(f"a control needs a target {where}")
        if not self.reason.strip():
            raise ControlError(f"a control needs a reason (--reason) {where}")
        if len(self.reason) > REASON_MAX_CHARS:
            raise ControlError(f"the reason is longer than {REASON_MAX_CHARS} characters {where}")
        if not self.set_by.strip():
            raise ControlError(f"a control needs the operator's name (--user) {where}")
        if self.expires_at is not None and not (
            math.isfinite(self.expires_at) and self.expires_at > self.set_at
        ):
            raise ControlError(f"the expiry must be after the time the control is set {where}")
        check_control_value(self.kind, self.value, where)

    def active_at(self, now: float) -> bool:
        """Whether the control still holds at `now` (it lapses at its expiry)."""
        return self.expires_at is None or now < self.expires_at

    @property
    def count(self) -> int:
        """The invitations per cycle of a `cap` or `fixed` control."""
        return int(self.value)

    @property
    def goal_pct(self) -> float:
        """The goal of a `goal` control, in percent."""
        return float(self.value)


def check_control_value(kind: str, value: str, where: str) -> None:
    """A control's value is what its kind needs; `ControlError` names the expectation."""
    if kind == "pause":
        if value:
            raise ControlError(f"pause takes no value, got {value!r} {where}")
        return
    if kind in ("cap", "fixed"):
        try:
            count = int(value)
        except ValueError:
            count = -1
        if not 0 <= count <= INVITATIONS_PER_CYCLE_MAX or str(count) != value.strip():
            raise ControlError(
                f"{kind} must be a whole number of invitations per cycle between 0 and "
                f"{INVITATIONS_PER_CYCLE_MAX:,}, got {value!r} {where}"
            )
        return
    if kind == "algorithm":
        if value not in ALGORITHMS:
            raise ControlError(
                f"algorithm must be one of {', '.join(ALGORITHMS)}, got {value!r} {where}"
            )
        return
    try:
        goal = float(value)
    except ValueError:
        goal = math.nan
    if not math.isfinite(goal):
        raise ControlError(f"goal must be a number between 0 and 100, got {value!r} {where}")
    try:
        check_goal_pct(goal, where)
    except ValueError as error:
        raise ControlError(str(error)) from error


def describe_control(control: TargetControl | None) -> str:
    """A control as the audit trail shows it: `cap 5 until 2026-12-07T23:30:00+00:00`."""
    if control is None:
        return ""
    text = control.kind if control.kind == "pause" else f"{control.kind} {control.value}"
    if control.expires_at is not None:
        until = datetime.fromtimestamp(control.expires_at, tz=UTC).isoformat(timespec="seconds")
        text += f" until {until}"
    return text


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit trail: who did what, when, from what to what, and why."""

    at: float
    who: str
    action: str  # e.g. "control.pause", "control.lapse", "config.reload", "alarm.acknowledge"
    subject: str  # a target id, an alarm instance, a user name, a config file
    old_value: str = ""
    new_value: str = ""
    reason: str = ""
    source: str = ""  # "dashboard", "cli", "node"


__all__ = [
    "CONTROL_KINDS",
    "SYSTEM_ACTOR",
    "ActorRole",
    "AuditEntry",
    "ControlError",
    "ControlKind",
    "TargetControl",
    "check_control_value",
    "describe_control",
]
