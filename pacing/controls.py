"""How operator controls shape a cycle's decisions (pure: controls and `now` are parameters).

Order, per target: a goal override replaces the snapshot's goal before the decision; a forced
algorithm has the target decided by a pacer of that algorithm; then the decision is shaped:
`pause` → 0 (`paused`), else `fixed` → N (`fixed`), else `cap` → at most N (`capped` when it
cut the decision). A fixed allowance does not override the safety guards (`closed`,
`no-agents`, `stale`): with no agents or no fresh statistics nothing is sent. The reason names
a forced algorithm and an overridden goal too (`model; goal override 2 %`), so the history and
its CSV show every decision a control shaped. The pacer is told what was finally allowed, so
its estimate of invitations in flight stays true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from domain.controls import TargetControl
from domain.decisions import PacingDecision, TargetSnapshot
from pacing.pacer import Pacer

# Guards a fixed allowance never overrides: sending without agents or on stale figures.
SAFETY_REASONS = frozenset({"closed", "no-agents", "stale"})


@dataclass(frozen=True, slots=True)
class TargetControls:
    """The controls in force on one target at one instant."""

    paused: bool = False
    cap: int | None = None
    fixed: int | None = None
    algorithm: str | None = None
    goal_pct: float | None = None


NO_CONTROLS = TargetControls()


def controls_in_force(controls: Iterable[TargetControl], now: float) -> dict[str, TargetControls]:
    """Per target, the controls that still hold at `now` (lapsed ones are left out)."""
    fields: dict[str, dict[str, object]] = {}
    for control in controls:
        if not control.active_at(now):
            continue
        target = fields.setdefault(control.target_id, {})
        if control.kind == "pause":
            target["paused"] = True
        elif control.kind in ("cap", "fixed"):
            target[control.kind] = control.count
        elif control.kind == "algorithm":
            target["algorithm"] = control.value
        else:
            target["goal_pct"] = control.goal_pct
    return {target_id: TargetControls(**values) for target_id, values in fields.items()}  # type: ignore[arg-type]


def with_goal(snapshot: TargetSnapshot, controls: TargetControls) -> TargetSnapshot:
    """The snapshot with the overridden goal, if there is one."""
    if controls.goal_pct is None:
        return snapshot
    return replace(snapshot, goal_pct=controls.goal_pct)


def shape_decision(decision: PacingDecision, controls: TargetControls) -> PacingDecision:
    """The decision after pause, fixed and cap, its reason naming every control that shaped it."""
    allowed, reason = decision.allowed_invitations, decision.reason
    if controls.paused:
        allowed, reason = 0, "paused"
    elif controls.fixed is not None and decision.reason not in SAFETY_REASONS:
        allowed, reason = controls.fixed, "fixed"
    elif controls.cap is not None and allowed > controls.cap:
        allowed, reason = controls.cap, "capped"
    notes = [reason]
    if controls.algorithm is not None:
        notes.append(f"forced algorithm {controls.algorithm}")
    if controls.goal_pct is not None:
        notes.append(f"goal override {controls.goal_pct:g} %")
    shaped = "; ".join(notes)
    if allowed == decision.allowed_invitations and shaped == decision.reason:
        return decision
    return replace(decision, allowed_invitations=allowed, reason=shaped)


class ControlledPacer:
    """The node's pacer with the operators' controls applied around it.

    Targets with a forced algorithm are decided by a pacer of that algorithm (made on first
    use, keeping its own per-target state; it starts cold, and only the main pacer's state is
    saved for warm restarts). Every other target goes to the main pacer.
    """

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self._forced: dict[str, Pacer] = {}

    def decide(
        self,
        snapshots: Sequence[TargetSnapshot],
        now: float,
        controls: Mapping[str, TargetControls],
    ) -> list[PacingDecision]:
        """One decision per snapshot, in the same order, shaped by `controls`."""
        if not controls:
            return self.pacer.decide(snapshots, now)
        groups: dict[str, list[int]] = {}
        adjusted: list[TargetSnapshot] = []
        for index, snapshot in enumerate(snapshots):
            target_controls = controls.get(snapshot.target_id, NO_CONTROLS)
            adjusted.append(with_goal(snapshot, target_controls))
            algorithm = target_controls.algorithm or self.pacer.algorithm
            groups.setdefault(algorithm, []).append(index)
        decided: list[PacingDecision | None] = [None] * len(snapshots)
        for algorithm, indexes in groups.items():
            pacer = self._pacer_for(algorithm)
            raw = pacer.decide([adjusted[i] for i in indexes], now)
            shaped = [shape_decision(d, controls.get(d.target_id, NO_CONTROLS)) for d in raw]
            changed = [
                (s.target_id, s.allowed_invitations)
                for d, s in zip(raw, shaped, strict=True)
                if s.allowed_invitations != d.allowed_invitations
            ]
            if changed:
                pacer.correct_allowed(dict(changed))
            for index, decision in zip(indexes, shaped, strict=True):
                decided[index] = decision
        return [decision for decision in decided if decision is not None]

    def _pacer_for(self, algorithm: str) -> Pacer:
        if algorithm == self.pacer.algorithm:
            return self.pacer
        pacer = self._forced.get(algorithm)
        if pacer is None:
            pacer = Pacer(
                algorithm=algorithm,
                optimization_target=self.pacer.optimization_target,
                interval_s=self.pacer.interval_s,
                **self.pacer.tuning,
            )
            self._forced[algorithm] = pacer
        return pacer


__all__ = [
    "NO_CONTROLS",
    "SAFETY_REASONS",
    "ControlledPacer",
    "TargetControls",
    "controls_in_force",
    "shape_decision",
    "with_goal",
]
