"""Operator controls: the one code path the Targets page and `pacing control` both call,
and the reader that hands the cycle the controls in force.

`apply_control` checks the role (operators only), the target, the value and the reason, then
stores the control with its audit row. The cycle reads the controls at its start
(`CycleControls`): lapsed ones are deleted (and audited) first, so a pause with an expiry ends
by itself; a read that fails keeps the last controls read, so a busy database never lifts a
pause.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import sqlite_utils

from domain.controls import (
    ActorRole,
    ControlError,
    ControlKind,
    TargetControl,
)
from pacing.controls import TargetControls, controls_in_force
from storage.controls import lapse_controls, load_controls, remove_control, save_control
from storage.db import PerThreadDatabase

log = logging.getLogger(__name__)

ControlAction = Literal["pause", "resume", "cap", "fixed", "algorithm", "goal", "clear"]
CONTROL_ACTIONS: tuple[ControlAction, ...] = get_args(ControlAction)
MAX_DURATION_S = 30 * 86400.0


class ControlRefused(ControlError):
    """The person may not change controls (a viewer)."""


@dataclass(frozen=True, slots=True)
class ControlRequest:
    """What an operator asks: an action on a target, its value, why, and for how long."""

    target_id: str
    action: ControlAction
    reason: str
    value: str = ""  # cap/fixed: a count; algorithm: a name; goal: percent; clear: a kind
    for_s: float | None = None  # the control lapses after this long; None: until removed


def apply_control(
    db: sqlite_utils.Database,
    request: ControlRequest,
    *,
    user: str,
    role: ActorRole,
    now: float,
    source: str,
    known_targets: Sequence[str] | None = None,
) -> str:
    """Apply the request as `user`; a sentence saying what changed. Raises `ControlError`."""
    if role != "operator":
        raise ControlRefused(
            f"only operators may change pacing controls; {user or 'this user'} is a {role}"
        )
    if request.action not in CONTROL_ACTIONS:
        raise ControlError(
            f"unknown control action {request.action!r}; choose one of {', '.join(CONTROL_ACTIONS)}"
        )
    if known_targets is not None and request.target_id not in known_targets:
        raise ControlError(
            f"no pacing target {request.target_id!r}; the targets are: "
            f"{', '.join(known_targets) or '(none)'}"
        )
    if not request.reason.strip():
        raise ControlError("a reason is required (--reason, or the Reason field)")
    if request.action in ("resume", "clear"):
        kind: ControlKind = "pause" if request.action == "resume" else _kind(request.value)
        removed = remove_control(
            db,
            request.target_id,
            kind,
            who=user,
            reason=request.reason.strip(),
            at=now,
            source=source,
        )
        if removed is None:
            return f"{request.target_id}: no {kind} control to remove"
        return f"{request.target_id}: {kind} removed by {user}"
    control = TargetControl(
        target_id=request.target_id,
        kind=_kind(request.action),
        value="" if request.action == "pause" else request.value.strip(),
        reason=request.reason.strip(),
        set_by=user,
        set_at=now,
        expires_at=None if request.for_s is None else now + _duration(request.for_s),
    )
    save_control(db, control, source)
    until = "" if control.expires_at is None else f" for {_minutes(request.for_s or 0)}"
    value = "" if control.kind == "pause" else f" {control.value}"
    return f"{request.target_id}: {control.kind}{value}{until}, set by {user}"


def _kind(value: str) -> ControlKind:
    kinds: tuple[ControlKind, ...] = ("pause", "cap", "fixed", "algorithm", "goal")
    for kind in kinds:
        if value == kind:
            return kind
    raise ControlError(f"clear needs the control's kind: one of {', '.join(kinds)}, got {value!r}")


def _duration(for_s: float) -> float:
    if not (math.isfinite(for_s) and 0 < for_s <= MAX_DURATION_S):
        raise ControlError(
            f"a control's duration must be between 0 and 30 days, got {for_s} s (--for)"
        )
    return for_s


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


class CycleControls:
    """Hands the cycle the controls in force at its start (on the cycle's own thread)."""

    def __init__(self, database: PerThreadDatabase, node_id: str) -> None:
        self._database = database
        self._node_id = node_id
        self._last: list[TargetControl] = []

    def __call__(self, now: float) -> Mapping[str, TargetControls]:
        try:
            db = self._database.get()
            for control in lapse_controls(db, now, source=f"node {self._node_id}"):
                log.info(
                    "control %s of %s lapsed (set by %s: %s)",
                    control.kind,
                    control.target_id,
                    control.set_by,
                    control.reason,
                )
            self._last = load_controls(db)
        except Exception as error:  # noqa: BLE001 - a failed read must not lift a pause
            log.warning("could not read the controls (the last ones read still hold): %s", error)
        return controls_in_force(self._last, now)


__all__ = [
    "CONTROL_ACTIONS",
    "ControlAction",
    "ControlRefused",
    "ControlRequest",
    "CycleControls",
    "apply_control",
]
