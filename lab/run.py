"""Run one scenario with one algorithm on one seed, and summarise runs across seeds.

The loop is the node's cycle without I/O: every `cycle_s` simulated seconds read the
statistics, decide, publish, carry the platform's answers (pending count, acceptance rate,
accept delay) into the next snapshots, exactly as `engine.cycle.PacingCycle` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from config.compliance import ComplianceOptions
from domain.compliance import CounterLedger, budget_goal_pct, window_since
from domain.decisions import TargetSnapshot
from domain.statistics import PublishResult
from lab.scenario_file import LabScenario
from pacing import Pacer
from pacing.pools import find_capacity_pools, snapshot_from
from simulator import ContactCentreSimulator

GUARD_SUFFIX = "budget-guard"
_UTC = ZoneInfo("UTC")
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


@dataclass(frozen=True, slots=True)
class LabRun:
    """What one seed of one algorithm did over the whole run (every target summed)."""

    algorithm: str
    seed: int
    accepted: int  # proactive interactions served
    abandoned: int  # proactive interactions abandoned while waiting
    invitations: int
    busy_slot_s: float
    logged_in_slot_s: float
    hour_windows: int  # target-hours with resolved interactions
    hour_windows_above_goal: int

    @property
    def abandon_ratio(self) -> float:
        resolved = self.accepted + self.abandoned
        return self.abandoned / resolved if resolved else 0.0

    @property
    def occupancy(self) -> float:
        return self.busy_slot_s / self.logged_in_slot_s if self.logged_in_slot_s else 0.0


@dataclass(frozen=True, slots=True)
class LabSummary:
    """One algorithm over every seed: the row of the lab table."""

    algorithm: str
    seeds: int
    accepted: int
    abandoned: int
    abandon_pct: float
    abandon_pct_low: float
    abandon_pct_high: float
    occupancy_pct: float
    invitations: int
    hours_above_goal_pct: float


def run_lab(
    scenario: LabScenario,
    algorithm: str,
    seed: int,
    hours: float,
    budget_guard: ComplianceOptions | None = None,
) -> LabRun:
    """Simulate `hours` with `algorithm` pacing every target of `scenario` (same seed, same day).

    With `budget_guard`, the snapshots carry the budget guard's goal as the node's
    `ComplianceKeeper` gives it (the run starts at midnight UTC: its day is the run so far).
    """
    targets = scenario.pacing_targets()
    simulator = ContactCentreSimulator(targets, replace(scenario.simulator, seed=seed))
    cycle_s = scenario.cycle_s
    pacer = Pacer(algorithm, scenario.optimization_target, cycle_s, **dict(scenario.tuning))
    goals = {target.target_id: target.goal_pct / 100.0 for target in targets}
    pools = find_capacity_pools(targets)
    answers: dict[str, PublishResult] = {}
    shocks = list(scenario.shocks)
    end_s = hours * 3600.0
    busy_slot_s = logged_in_slot_s = 0.0
    hour_start = {target_id: (0, 0) for target_id in goals}
    windows = above = 0
    t_s, next_hour_s = 0.0, 3600.0
    ledger = CounterLedger(budget_guard.retention_s) if budget_guard else None
    while t_s < end_s - 1e-9:
        t_s += cycle_s
        while shocks and shocks[0].at_s <= t_s:
            shock = shocks.pop(0)
            if shock.log_off_share is not None:
                simulator.log_off_agents(shock.log_off_share, shock.at_s)
            if shock.changes:
                simulator.change_scenario(shock.at_s, **dict(shock.changes))
        statistics = simulator.read_statistics(t_s)
        snapshots = []
        for target in targets:
            stats = statistics[target.target_id]
            answer = answers.get(target.target_id)
            snapshots.append(
                snapshot_from(
                    target,
                    stats,
                    pending_invitations=answer.pending_invitations if answer else 0,
                    answer=answer,
                    pool=pools.get(target.target_id),
                )
            )
            busy_slot_s += stats.busy_slots * cycle_s
            logged_in_slot_s += stats.logged_in_slots * cycle_s
        if ledger is not None and budget_guard is not None:
            snapshots = _guarded(snapshots, ledger, budget_guard, t_s)
        decisions = pacer.decide(snapshots, t_s)
        allowed = {decision.target_id: decision.allowed_invitations for decision in decisions}
        answers = simulator.publish(allowed, cycle_s, t_s)
        if t_s >= next_hour_s - 1e-9:
            next_hour_s += 3600.0
            for target_id, stats in statistics.items():
                served0, abandoned0 = hour_start[target_id]
                served = stats.accepted_total - served0
                abandoned = stats.abandoned_total - abandoned0
                hour_start[target_id] = (stats.accepted_total, stats.abandoned_total)
                if served + abandoned:
                    windows += 1
                    above += abandoned / (served + abandoned) > goals[target_id]
    totals = simulator.totals().values()
    return LabRun(
        algorithm=f"{algorithm}+{GUARD_SUFFIX}" if budget_guard else algorithm,
        seed=seed,
        accepted=sum(total.proactive_served for total in totals),
        abandoned=sum(total.proactive_abandoned for total in totals),
        invitations=sum(total.invitations_sent for total in totals),
        busy_slot_s=busy_slot_s,
        logged_in_slot_s=logged_in_slot_s,
        hour_windows=windows,
        hour_windows_above_goal=int(above),
    )


def _guarded(
    snapshots: list[TargetSnapshot],
    ledger: CounterLedger,
    options: ComplianceOptions,
    now: float,
) -> list[TargetSnapshot]:
    guarded = []
    starts = [window_since(kind, now, _UTC) for kind in options.windows]
    for snapshot in snapshots:
        ledger.observe(snapshot.target_id, now, snapshot.accepted_total, snapshot.abandoned_total)
        goal = budget_goal_pct(
            ledger,
            snapshot.target_id,
            snapshot.goal_pct,
            now,
            starts,
            options.guard_horizon_s,
            options.guard_min_goal_share,
        )
        guarded.append(replace(snapshot, budget_goal_pct=goal))
    return guarded


def summarise(runs: Sequence[LabRun]) -> LabSummary:
    """Pool the seeds: abandonment % of all resolved, its 95 % interval across seeds."""
    accepted = sum(run.accepted for run in runs)
    abandoned = sum(run.abandoned for run in runs)
    resolved = accepted + abandoned
    ratio = abandoned / resolved if resolved else 0.0
    low, high = _interval(runs, abandoned, resolved)
    logged_in = sum(run.logged_in_slot_s for run in runs)
    windows = sum(run.hour_windows for run in runs)
    return LabSummary(
        algorithm=runs[0].algorithm,
        seeds=len(runs),
        accepted=accepted,
        abandoned=abandoned,
        abandon_pct=100.0 * ratio,
        abandon_pct_low=100.0 * low,
        abandon_pct_high=100.0 * high,
        occupancy_pct=100.0 * sum(run.busy_slot_s for run in runs) / logged_in
        if logged_in
        else 0.0,
        invitations=sum(run.invitations for run in runs),
        hours_above_goal_pct=(
            100.0 * sum(run.hour_windows_above_goal for run in runs) / windows if windows else 0.0
        ),
    )


def _interval(runs: Sequence[LabRun], abandoned: int, resolved: int) -> tuple[float, float]:
    """Student t over the seeds' ratios (seeds are the independent replications); Wilson for one."""
    if len(runs) >= 2:
        ratios = [run.abandon_ratio for run in runs]
        mean = sum(ratios) / len(ratios)
        variance = sum((r - mean) ** 2 for r in ratios) / (len(ratios) - 1)
        t = T_975.get(len(ratios) - 1, 1.96)
        half = t * math.sqrt(variance / len(ratios))
        pooled = abandoned / resolved if resolved else 0.0
        return max(0.0, pooled - half), pooled + half
    if not resolved:
        return 0.0, 0.0
    z = 1.96
    share = abandoned / resolved
    centre = (share + z * z / (2 * resolved)) / (1 + z * z / resolved)
    spread = z * math.sqrt(share * (1 - share) / resolved + z * z / (4 * resolved**2))
    spread /= 1 + z * z / resolved
    return max(0.0, centre - spread), min(1.0, centre + spread)
