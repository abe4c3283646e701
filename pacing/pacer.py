"""`Pacer`: one decision per target per cycle, for every target at once (numpy columns).

Each `decide` call (1) reads the snapshots into arrays, (2) updates the per-target estimates
from what changed since the last call (acceptance, patience, reactive arrivals, abandonment
windows, the feedback threshold), (3) applies the guards, and (4) runs the chosen rule on the
targets that are still open. Pure: `now` is a parameter, nothing is read or written outside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from domain.bounds import INVITATIONS_PER_CYCLE_MAX
from domain.decisions import ALGORITHMS, OPTIMIZATION_TARGETS, PacingDecision, TargetSnapshot
from domain.freshness import stale_after_s
from pacing.baselines import decide_adaptive, decide_progressive
from pacing.estimates import Estimates
from pacing.inputs import Inputs, budget_goals, estimated_waits, read_snapshots
from pacing.model import largest_invitations
from pacing.pools import split_shared_ready
from pacing.state import FloatArray, IntArray

TUNING_DEFAULTS: Mapping[str, float] = {
    "acceptance_prior": 0.35,  # acceptance rate before the platform reports one
    "acceptance_prior_weight": 20.0,  # the prior counts as this many answered invitations
    "acceptance_window": 200.0,  # the platform's rate covers at most this many answers
    "accept_delay_prior_s": 10.0,  # accept delay before the platform reports one
    "handle_time_prior_s": 180.0,  # mean handle time before the statistics report one
    "handle_time_prior_weight": 20.0,  # the prior counts as this many finished handles
    "handle_time_window": 1000.0,  # ... and the statistics' AHT at most this many
    "patience_prior_s": 60.0,  # mean patience before abandonments are seen
    "patience_prior_weight": 3.0,  # the prior counts as this many abandonments, aging like them
    "patience_prior_floor": 3.0,  # ... except this many, which never age
    "patience_window_s": 1800.0,  # time constant of the patience estimate
    "reactive_window_s": 300.0,  # time constant of the reactive arrival rate
    "horizon_interval_share": 0.5,  # horizon = accept delay + this share of the interval
    "feedback_gain": 0.004,  # η in c ← c·exp(η(g − x)/g), per resolved interaction
    "threshold_initial_share": 1.0,  # c starts at this × goal × (1 + min(1, small/slots))
    "threshold_small_group_slots": 2.0,  # small groups waste more per unit of c, so start higher
    "threshold_min_share": 0.05,  # c stays within [this, threshold_max_share] × goal
    "threshold_max_share": 5.0,
    "max_invitations_per_slot": 10.0,  # hard cap per logged-in slot and cycle
    "brake_window_s": 60.0,  # the emergency brake looks at this recent window
    "brake_min_abandons": 3.0,  # ... and needs at least this many abandonments in it
    "brake_goal_multiple": 4.0,  # ... at more than this multiple of the goal
    "compliance_window_s": 7200.0,  # the compliance guard's long window (time constant)
    "compliance_min_resolved": 100.0,  # resolved interactions before the guard may engage
    "compliance_z": 1.96,  # Wilson bound compared (z < 0: lower, > 0: upper) with slack × goal
    "compliance_slack": 1.0,
    "compliance_factor": 0.5,  # c is multiplied by this while engaged
    "stale_after_s": 0.0,  # statistics older than this send nothing (0: 3 × interval)
    "half_life_cycles": 24.0,  # progressive: half-life of its abandonment estimate
    "adaptive_gain": 0.1,  # adaptive: level change per cycle per free-slot share
    "adaptive_max_level": 20.0,  # adaptive: highest dial level
    "occupancy_window_s": 300.0,  # busy_factor: integral time of the occupancy correction
}
ACCEPTANCE_FLOOR = 0.05
# Reasons of a rule that paced (rather than found nothing to do): the budget guard renames them.
_PACED_REASONS = frozenset({"model", "progressive", "adaptive", "compliance-guard", "brake"})


class Pacer:
    """Decides allowed invitations per target; keeps its own per-target state."""

    def __init__(
        self,
        algorithm: str = "predictive",
        optimization_target: str = "abandonment_rate",
        interval_s: float = 5.0,
        **tuning: float,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(
                f"pacing algorithm {algorithm!r} is not available; choose one of "
                f"{', '.join(ALGORITHMS)} (setting pacing.algorithm)"
            )
        if optimization_target not in OPTIMIZATION_TARGETS:
            raise ValueError(
                f"optimization target {optimization_target!r} is not available; choose one of "
                f"{', '.join(OPTIMIZATION_TARGETS)} (setting pacing.optimizationTarget)"
            )
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        unknown = set(tuning) - set(TUNING_DEFAULTS)
        if unknown:
            raise ValueError(
                f"unknown tuning options: {', '.join(sorted(unknown))}; "
                f"known: {', '.join(TUNING_DEFAULTS)}"
            )
        self.algorithm = algorithm
        self.optimization_target = optimization_target
        self.interval_s = interval_s
        self.tuning = {name: float(tuning.get(name, d)) for name, d in TUNING_DEFAULTS.items()}
        if self.tuning["stale_after_s"] <= 0:
            self.tuning["stale_after_s"] = stale_after_s(interval_s)
        self._estimates = Estimates(self.tuning)

    # -- public --------------------------------------------------------------------------

    def decide(self, snapshots: Sequence[TargetSnapshot], now: float) -> list[PacingDecision]:
        """One decision per snapshot, in the same order."""
        if not snapshots:
            return []
        inputs = self._share_pooled_ready(snapshots, read_snapshots(snapshots), now)
        inputs, budgeted = _budget_guarded(snapshots, inputs, self.optimization_target)
        rows = self._estimates.table.rows_for([s.target_id for s in snapshots])
        served, abandoned = self._estimates.observe(rows, inputs, now)
        allowed, reasons = self._rule(rows, inputs, served, abandoned)
        reasons = [
            "budget-guard" if guarded and reason in _PACED_REASONS else reason
            for guarded, reason in zip(budgeted.tolist(), reasons, strict=True)
        ]
        allowed, reasons = self._guard(rows, inputs, allowed, reasons)
        self._estimates.table.column("last_allowed")[rows] = allowed
        in_flight = self._get(rows, "accepts_in_flight")
        accept = self._get(rows, "acceptance")
        in_flight = np.where(np.isnan(in_flight), 0.0, in_flight) + accept * allowed
        self._store(rows, "accepts_in_flight", in_flight)
        total = self._get(rows, "allowed_total")
        self._store(rows, "allowed_total", np.where(np.isnan(total), 0.0, total) + allowed)
        known = ~np.isnan(inputs.pending)
        self._estimates.table.column("last_pending")[rows[known]] = inputs.pending[known]
        waits = estimated_waits(inputs)
        interval_s = self.interval_s
        return [
            PacingDecision(
                snapshot.target_id,
                int(count),
                interval_s,
                None if math.isnan(wait) else float(wait),
                reason,
            )
            for snapshot, count, wait, reason in zip(
                snapshots, allowed.tolist(), waits.tolist(), reasons, strict=True
            )
        ]

    def _share_pooled_ready(
        self, snapshots: Sequence[TargetSnapshot], inputs: Inputs, now: float
    ) -> Inputs:
        """Give every shared ready slot of a capacity pool to at most one of its targets."""
        pools = [snapshot.capacity_pool for snapshot in snapshots]
        if all(pool is None for pool in pools):
            return inputs
        shared = np.array([snapshot.shared_ready_slots for snapshot in snapshots], dtype=np.int64)
        rotation = int(now // self.interval_s)
        usable = split_shared_ready(pools, inputs.ready.astype(np.int64), shared, rotation)
        return replace(inputs, ready=usable.astype(np.float64))

    def correct_allowed(self, allowed: Mapping[str, int]) -> None:
        """Tell the pacer what was finally allowed for targets of its last decision.

        An operator's control (pause, cap, fixed) may change a decision after `decide`; the
        invitations in flight and the totals then follow what was really sent.
        """
        if not allowed:
            return
        rows = self._estimates.table.rows_for(list(allowed))
        new = np.array([float(count) for count in allowed.values()])
        last = self._get(rows, "last_allowed")
        delta = new - np.where(np.isnan(last), 0.0, last)
        accept = np.nan_to_num(self._get(rows, "acceptance"))
        in_flight = self._get(rows, "accepts_in_flight")
        in_flight = np.where(np.isnan(in_flight), 0.0, in_flight) + accept * delta
        self._store(rows, "accepts_in_flight", np.maximum(in_flight, 0.0))
        total = self._get(rows, "allowed_total")
        self._store(rows, "allowed_total", np.where(np.isnan(total), 0.0, total) + delta)
        self._estimates.table.column("last_allowed")[rows] = new

    def state(self) -> dict[str, Any]:
        """A JSON-serialisable copy of the per-target state, for a warm restart."""
        return dict(self._estimates.table.save())

    def restore(self, saved: Mapping[str, Mapping[str, Any]]) -> None:
        """Load state saved by `state`; unknown fields are an error, not silently dropped."""
        self._estimates.table.load(saved)

    # -- estimates -------------------------------------------------------------------------

    def _get(self, rows: IntArray, name: str) -> FloatArray:
        return self._estimates.get(rows, name)

    def _store(self, rows: IntArray, name: str, values: FloatArray) -> None:
        self._estimates.store(rows, name, values)

    # -- rules -----------------------------------------------------------------------------

    def _pending_estimate(self, rows: IntArray, inputs: Inputs, accept: FloatArray) -> FloatArray:
        """The pending count; when unknown, the last known one plus what was allowed since."""
        last_pending = self._get(rows, "last_pending")
        last_allowed = self._get(rows, "last_allowed")
        guess = np.where(np.isnan(last_pending), 0.0, last_pending) + np.where(
            np.isnan(last_allowed), 0.0, last_allowed
        )
        never_known = np.isnan(last_pending) & np.isnan(last_allowed)
        # nothing known at all: assume a full round of invitations is out there
        guess = np.where(never_known, inputs.logged_in / accept, guess)
        # the platform counts pending when it receives an allowance, before sending any of
        # it: what was allowed last cycle is out there too (some may have been answered)
        reported = inputs.pending + np.where(np.isnan(last_allowed), 0.0, last_allowed)
        return np.where(np.isnan(inputs.pending), guess, reported)

    def _rule(
        self, rows: IntArray, inputs: Inputs, served: FloatArray, abandoned: FloatArray
    ) -> tuple[IntArray, list[str]]:
        accept = np.maximum(self._get(rows, "acceptance"), ACCEPTANCE_FLOOR)
        if self.algorithm == "progressive":
            reported = np.where(
                np.isnan(inputs.acceptance), self.tuning["acceptance_prior"], inputs.acceptance
            )
            reported = np.where(reported <= 0, self.tuning["acceptance_prior"], reported)
            served_w, abandoned_w = (
                self._get(rows, "served_weight"),
                self._get(rows, "abandoned_weight"),
            )
            total = served_w + abandoned_w
            ratio = np.divide(abandoned_w, total, out=np.full_like(total, np.nan), where=total > 0)
            return decide_progressive(
                ready=inputs.ready,
                in_queue=inputs.in_queue,
                logged_in=inputs.logged_in,
                pending=inputs.pending,
                accept=np.maximum(reported, ACCEPTANCE_FLOOR),
                abandon_ratio=ratio,
                goal=inputs.goal,
            )
        if self.algorithm == "adaptive":
            pending = np.where(
                np.isnan(inputs.pending),
                self._pending_estimate(rows, inputs, accept),
                inputs.pending,
            )
            long_acc, long_ab = self._get(rows, "long_accepted"), self._get(rows, "long_abandoned")
            total = long_acc + long_ab
            drop = np.divide(long_ab, total, out=np.full_like(total, np.nan), where=total > 0)
            allowed, level, reasons = decide_adaptive(
                ready=inputs.ready,
                in_queue=inputs.in_queue,
                logged_in=inputs.logged_in,
                pending=pending,
                level=self._get(rows, "level"),
                drop_ratio=drop,
                goal=inputs.goal,
                gain=self.tuning["adaptive_gain"],
                max_level=self.tuning["adaptive_max_level"],
            )
            self._store(rows, "level", level)
            return allowed, reasons
        return self._predictive(rows, inputs, self._pending_estimate(rows, inputs, accept), accept)

    def _predictive(
        self, rows: IntArray, inputs: Inputs, pending: FloatArray, accept: FloatArray
    ) -> tuple[IntArray, list[str]]:
        tuning = self.tuning
        slots = np.maximum(inputs.logged_in, 1.0)
        handle_s = self._get(rows, "handle_time")
        service_rate = 1.0 / np.maximum(handle_s, 1e-3)
        delay_s = self._estimates.accept_delay_s(inputs)
        horizon_s = delay_s + tuning["horizon_interval_share"] * self.interval_s
        finishing = inputs.busy * -np.expm1(-service_rate * horizon_s)
        reactive = np.nan_to_num(self._get(rows, "reactive_rate")) * horizon_s
        per_slot = np.floor(tuning["max_invitations_per_slot"] * slots)
        cap = np.minimum(per_slot, INVITATIONS_PER_CYCLE_MAX).astype(np.int64)  # before the cast
        if self.optimization_target == "busy_factor":
            still_busy = inputs.busy - finishing
            wanted = inputs.goal * slots + self._get(rows, "occupancy_bias")
            gap = wanted - still_busy - inputs.in_queue - reactive - accept * pending
            allowed = np.minimum(np.floor(np.maximum(gap, 0.0) / accept), cap).astype(np.int64)
            return allowed, ["busy-factor"] * len(rows)
        free = inputs.ready + finishing - inputs.in_queue - reactive
        theta = self._estimates.theta(rows)
        threshold, guarded = self._compliance(rows, inputs)
        pending = np.round(pending)
        start = self._search_start(rows, pending)
        in_flight = self._get(rows, "accepts_in_flight")
        pending_accepts = np.where(
            np.isnan(in_flight), accept * pending, np.minimum(in_flight, accept * pending)
        )
        allowed = largest_invitations(
            pending=pending,
            pending_accepts=pending_accepts,
            accept=accept,
            free=free,
            ratio_s=slots * service_rate / theta,
            threshold=threshold,
            start=start,
            cap=cap,
        )
        self._store(rows, "last_trials", pending + allowed)
        reasons = np.where(guarded, "compliance-guard", "model").tolist()
        return allowed, reasons

    def _search_start(self, rows: IntArray, pending: FloatArray) -> IntArray:
        """Where the search for the largest fitting count starts (it only changes the cost).

        The answer keeps the invitations in flight (pending + new) about level from one cycle
        to the next, while the new count alone swings: what was allowed last cycle is pending
        now, so a large answer is followed by a small one. Last cycle's pending + answer, less
        this cycle's pending, lands within a few invitations of the answer, where last cycle's
        answer alone was tens to hundreds away (about 19 model evaluations a cycle instead of
        about 5). Without it (first cycle, restored older state), last cycle's answer.
        """
        last_trials = self._get(rows, "last_trials")
        last = self._get(rows, "last_allowed")
        fallback = np.where(np.isnan(last), 0.0, last)
        guess = np.where(np.isnan(last_trials), fallback, np.maximum(last_trials - pending, 0.0))
        start: IntArray = guess.astype(np.int64)
        return start

    def _compliance(self, rows: IntArray, inputs: Inputs) -> tuple[FloatArray, np.ndarray]:
        """The threshold to spend, and where the compliance guard made it conservative."""
        tuning = self.tuning
        guarded = self._estimates.compliance_engaged(rows, inputs.safety_goal)
        threshold = self._get(rows, "threshold")
        return np.where(guarded, threshold * tuning["compliance_factor"], threshold), guarded

    # -- guards ----------------------------------------------------------------------------

    def _guard(
        self, rows: IntArray, inputs: Inputs, allowed: IntArray, reasons: list[str]
    ) -> tuple[IntArray, list[str]]:
        """Zero the targets that must not be paced, naming why (first guard wins)."""
        tuning = self.tuning
        recent_acc, recent_ab = (
            self._get(rows, "recent_accepted"),
            self._get(rows, "recent_abandoned"),
        )
        recent = recent_acc + recent_ab
        braking = (recent_ab >= tuning["brake_min_abandons"]) & (
            recent_ab > tuning["brake_goal_multiple"] * inputs.safety_goal * recent
        )
        if self.algorithm == "progressive":
            braking = np.zeros_like(braking)  # it has its own brake
        checks = (
            (~inputs.open, "closed"),
            ((inputs.logged_in <= 0) | (inputs.ready + inputs.busy <= 0), "no-agents"),
            (inputs.age_s > tuning["stale_after_s"], "stale"),
            (braking, "brake"),
        )
        blocked = np.zeros(len(rows), dtype=bool)
        final = list(reasons)
        for mask, reason in checks:
            new = mask & ~blocked
            for index in np.nonzero(new)[0].tolist():
                final[index] = reason
            blocked |= new
        return np.where(blocked, 0, allowed).astype(np.int64), final


def _budget_guarded(
    snapshots: Sequence[TargetSnapshot], inputs: Inputs, optimization_target: str
) -> tuple[Inputs, np.ndarray]:
    """The goals lowered to each target's budget goal, and where that made a difference.

    A target whose compliance window has spent its abandon budget is paced to the goal that
    brings the window back (`domain.compliance.guarded_goal_pct`): every rule then spends less.
    The emergency brake and the compliance guard keep the operator's goal: lowered, they would
    stop a target whose recent abandonment is merely at its goal.
    """
    budget = budget_goals(snapshots)
    guarded = ~np.isnan(budget) & (budget < inputs.goal)
    if optimization_target != "abandonment_rate" or not guarded.any():  # busy_factor: occupancy
        guarded[:] = False
        return inputs, guarded
    lowered = np.where(guarded, budget, inputs.goal)
    return replace(inputs, goal=lowered, operator_goal=inputs.goal), guarded


def estimate_wait_s(snapshot: TargetSnapshot) -> float | None:
    """Expected wait for a newly accepted interaction (None when no estimate is possible)."""
    wait = float(estimated_waits(read_snapshots([snapshot]))[0])
    return None if math.isnan(wait) else wait
