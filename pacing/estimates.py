"""The pacer's running estimates per target, updated from what changed since the last cycle.

Acceptance (the platform's rate blended with a prior), patience (abandons over the waiting
time), reactive arrivals, the accepts still to come from invitations sent, the abandonment
windows of the brake and the compliance guard, the feedback threshold c and the busy_factor
correction. Everything lives in a `StateTable`, so save and restore cover it all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from pacing.inputs import Inputs, wilson_bound
from pacing.state import BoolArray, FloatArray, IntArray, StateTable


class Estimates:
    """Per-target estimates in a `StateTable`, updated a whole cycle at a time."""

    def __init__(self, tuning: Mapping[str, float]) -> None:
        self.tuning = tuning
        self.table = StateTable()

    def observe(self, rows: IntArray, inputs: Inputs, now: float) -> tuple[FloatArray, FloatArray]:
        """Update every estimate from the change since the last call; (served, abandoned)."""
        table = self.table
        last_now = table.column("last_now")[rows]
        elapsed_s = np.where(np.isnan(last_now), 0.0, np.maximum(now - last_now, 0.0))
        served = inputs.accepted - table.column("last_accepted")[rows]
        abandoned = inputs.abandoned - table.column("last_abandoned")[rows]
        reactive = inputs.reactive - table.column("last_reactive")[rows]
        # a running total that went down means the source restarted: count from here
        valid = ~np.isnan(served) & (served >= 0) & (abandoned >= 0)
        served = np.where(valid, served, 0.0)
        abandoned = np.where(valid, abandoned, 0.0)
        reactive = np.where(valid & (reactive >= 0), reactive, 0.0)

        self._update_counts(rows, inputs, elapsed_s, served, abandoned)
        self._update_reactive(rows, elapsed_s, reactive)
        delay_s = self.accept_delay_s(inputs)
        self._update_acceptance(rows, inputs, elapsed_s, delay_s)
        self._update_handle_time(rows, inputs, served, reactive)
        # accepts still to come from invitations sent: each cohort's expected accepts decay
        # with the (exponential) accept delay, however many of it declined meanwhile
        self._decay_into(rows, "accepts_in_flight", np.exp(-elapsed_s / np.maximum(delay_s, 0.1)))

        self._update_threshold(rows, inputs, served, abandoned)
        self._update_occupancy(rows, inputs, elapsed_s)
        table.column("last_now")[rows] = now
        table.column("last_accepted")[rows] = inputs.accepted
        table.column("last_abandoned")[rows] = inputs.abandoned
        table.column("last_reactive")[rows] = inputs.reactive
        return served, abandoned

    def accept_delay_s(self, inputs: Inputs) -> FloatArray:
        """The platform's accept delay, or the prior where it reports none."""
        delay_s: FloatArray = np.where(
            np.isnan(inputs.accept_delay_s),
            self.tuning["accept_delay_prior_s"],
            inputs.accept_delay_s,
        )
        return delay_s

    def _decay_into(
        self, rows: IntArray, name: str, factor: FloatArray | float, added: FloatArray | float = 0.0
    ) -> None:
        """column ← column · factor + added (NaN counts as 0)."""
        old = self.get(rows, name)
        self.store(rows, name, np.where(np.isnan(old), 0.0, old) * factor + added)

    def _update_counts(
        self,
        rows: IntArray,
        inputs: Inputs,
        elapsed_s: FloatArray,
        served: FloatArray,
        abandoned: FloatArray,
    ) -> None:
        """Decayed counts: progressive's per-cycle window, the brake, compliance, patience."""
        tuning = self.tuning
        decay = 0.5 ** (1.0 / tuning["half_life_cycles"])
        self._decay_into(rows, "served_weight", decay, served)
        self._decay_into(rows, "abandoned_weight", decay, abandoned)
        for window, prefix in (("brake_window_s", "recent"), ("compliance_window_s", "long")):
            factor = np.exp(-elapsed_s / tuning[window])
            self._decay_into(rows, f"{prefix}_accepted", factor, served)
            self._decay_into(rows, f"{prefix}_abandoned", factor, abandoned)
        self._seed_patience_prior(rows)
        factor = np.exp(-elapsed_s / tuning["patience_window_s"])
        self._decay_into(rows, "patience_abandons", factor, abandoned)
        self._decay_into(rows, "patience_wait_s", factor, inputs.in_queue * elapsed_s)

    def _seed_patience_prior(self, rows: IntArray) -> None:
        """A new target's patience sums start as the prior's pseudo-observations.

        They then age like real abandons and waiting seconds (window `patience_window_s`), so
        however strong the prior, measured patience takes over within a few windows; only
        `patience_prior_floor` abandons' worth of the prior stays for good (see `theta`).
        """
        tuning = self.tuning
        unseen = rows[np.isnan(self.table.column("patience_abandons")[rows])]
        if unseen.size:
            weight = max(tuning["patience_prior_weight"] - tuning["patience_prior_floor"], 0.0)
            self.table.column("patience_abandons")[unseen] = weight
            self.table.column("patience_wait_s")[unseen] = weight * tuning["patience_prior_s"]

    def theta(self, rows: IntArray) -> FloatArray:
        """θ = 1/patience: abandons over accumulated waiting seconds, prior floor included."""
        abandons = np.nan_to_num(self.get(rows, "patience_abandons"))
        wait_s = np.nan_to_num(self.get(rows, "patience_wait_s"))
        result: FloatArray = abandon_rate(abandons, wait_s, self.tuning)
        return result

    def _update_reactive(self, rows: IntArray, elapsed_s: FloatArray, arrived: FloatArray) -> None:
        """Reactive arrivals per second; the first interval with a duration sets it."""
        rate = self.get(rows, "reactive_rate")
        observed = np.divide(arrived, elapsed_s, out=np.zeros_like(arrived), where=elapsed_s > 0)
        share = 1.0 - np.exp(-elapsed_s / self.tuning["reactive_window_s"])
        first = np.where(elapsed_s > 0, observed, np.nan)
        self.store(
            rows, "reactive_rate", np.where(np.isnan(rate), first, rate + share * (observed - rate))
        )

    def _update_acceptance(
        self, rows: IntArray, inputs: Inputs, elapsed_s: FloatArray, delay_s: FloatArray
    ) -> None:
        """Blend the platform's rate with the prior by how many answers the rate rests on.

        The platform does not say how many answers its rate covers. Two bounds, the smaller
        wins (capped at the platform's window): the invitations this pacer allowed minus those
        still pending, and the answers the pending invitations can have given, at one per
        accept delay each (Little's law: pending-seconds / delay). The first alone is far too
        high when visitors are fewer than allowed: at a cold start 95 allowed, 19 sent and 2
        answers read as 76 answers, and a 0 % rate over those 2 took acceptance to 7 %.
        """
        tuning = self.tuning
        allowed = self.get(rows, "allowed_total")
        allowed = np.where(np.isnan(allowed), 0.0, allowed)
        pending = np.where(np.isnan(inputs.pending), 0.0, inputs.pending)
        self._decay_into(rows, "answers_seen", 1.0, pending * elapsed_s / np.maximum(delay_s, 0.1))
        seen = self.get(rows, "answers_seen")
        answers = np.clip(np.minimum(allowed - pending, seen), 0.0, tuning["acceptance_window"])
        prior, weight = tuning["acceptance_prior"], tuning["acceptance_prior_weight"]
        reported = inputs.acceptance
        blended = (weight * prior + answers * reported) / (weight + answers)
        previous = self.get(rows, "acceptance")
        kept = np.where(np.isnan(previous), prior, previous)
        self.store(rows, "acceptance", np.where(np.isnan(reported), kept, blended))

    def _update_handle_time(
        self, rows: IntArray, inputs: Inputs, served: FloatArray, reactive: FloatArray
    ) -> None:
        """Blend the statistics' AHT with the prior by how many handles it can rest on.

        The first handles to finish are the short ones, so an AHT over a few of them is far
        too short (at a cold start of 30 slots it read 0.8 s after 20 s), and a short AHT makes
        every busy slot look about to be free: the pacer sent its cap of 300 invitations. The
        statistics do not say how many handles they average; handles started minus the change
        in busy slots counts those finished (reactive arrivals are taken as started: an upper
        bound), starting from the running totals at first sight and capped at
        `handle_time_window`, so the prior keeps a small weight.
        """
        tuning = self.tuning
        last_busy = self.get(rows, "last_busy")
        finished = (
            served
            + reactive
            - (inputs.busy - np.where(np.isnan(last_busy), inputs.busy, last_busy))
        )
        done = self.get(rows, "handles_done")
        # first sight: the running totals say how much history the statistics already have
        # (a node started mid-day trusts them at once; at the start of a day they are 0)
        history = inputs.accepted + inputs.reactive - inputs.busy
        done = np.where(np.isnan(done), np.maximum(np.nan_to_num(history), 0.0), done)
        done = done + np.maximum(finished, 0.0)
        done = np.minimum(done, tuning["handle_time_window"])
        self.store(rows, "handles_done", done)
        self.store(rows, "last_busy", inputs.busy)
        prior, weight = tuning["handle_time_prior_s"], tuning["handle_time_prior_weight"]
        reported = inputs.handle_time_s
        blended = (weight * prior + done * reported) / (weight + done)
        self.store(rows, "handle_time", np.where(np.isnan(reported), prior, blended))

    def _update_threshold(
        self, rows: IntArray, inputs: Inputs, served: FloatArray, abandoned: FloatArray
    ) -> None:
        """c ← clip(c · exp(η(g − x)/g)) for each resolved interaction; frozen without traffic."""
        goal = inputs.goal
        threshold = self.get(rows, "threshold")
        slots = np.maximum(inputs.logged_in, 1.0)
        small = np.minimum(1.0, self.tuning["threshold_small_group_slots"] / slots)
        initial = goal * self.tuning["threshold_initial_share"] * (1.0 + small)
        threshold = np.where(np.isnan(threshold), initial, threshold)
        resolved = served + abandoned
        safe_goal = np.where(goal > 0, goal, 1.0)
        step = self.tuning["feedback_gain"] * (goal * resolved - abandoned) / safe_goal
        step = np.clip(step, -50.0, 50.0)  # e**50 already saturates the clip below
        threshold = np.where(goal > 0, threshold * np.exp(step), 0.0)
        low = goal * self.tuning["threshold_min_share"]
        high = goal * self.tuning["threshold_max_share"]
        self.store(rows, "threshold", np.clip(threshold, low, high))

    def compliance_engaged(self, rows: IntArray, goal: FloatArray) -> BoolArray:
        """Where the compliance guard is engaged: the Wilson bound over the long window > goal.

        `compliance_z` > 0 compares the upper bound (the default, as issue 6 words it: engaged
        unless the abandonment is below the goal with confidence); < 0 the lower bound (engaged
        only when it is above the goal with confidence: less conservative, see docs/pacing.md).
        """
        tuning = self.tuning
        served, abandoned = self.get(rows, "long_accepted"), self.get(rows, "long_abandoned")
        resolved = np.nan_to_num(served) + np.nan_to_num(abandoned)
        bound = wilson_bound(np.nan_to_num(abandoned), resolved, tuning["compliance_z"])
        engaged: BoolArray = (resolved >= tuning["compliance_min_resolved"]) & (
            bound > tuning["compliance_slack"] * goal
        )
        return engaged

    def _update_occupancy(self, rows: IntArray, inputs: Inputs, elapsed_s: FloatArray) -> None:
        """busy_factor: integrate (goal − measured occupancy) in slots."""
        slots = np.maximum(inputs.logged_in, 1.0)
        occupancy = inputs.busy / slots
        bias = self.get(rows, "occupancy_bias")
        bias = np.where(np.isnan(bias), 0.0, bias)
        error = (inputs.goal - occupancy) * slots
        bias = bias + error * elapsed_s / self.tuning["occupancy_window_s"]
        bias = np.where(inputs.logged_in > 0, np.clip(bias, -slots, slots), bias)
        self.store(rows, "occupancy_bias", bias)

    def get(self, rows: IntArray, name: str) -> FloatArray:
        values: FloatArray = self.table.column(name)[rows]
        return values

    def store(self, rows: IntArray, name: str, values: FloatArray) -> None:
        self.table.column(name)[rows] = values


def abandon_rate(abandons: Any, wait_s: Any, tuning: Mapping[str, float]) -> Any:
    """θ from decayed abandons and waiting seconds (numbers or arrays), with the prior's floor."""
    floor = min(tuning["patience_prior_floor"], tuning["patience_prior_weight"])
    return (floor + abandons) / (floor * tuning["patience_prior_s"] + wait_s)


def saved_abandon_rate(fields: Mapping[str, float | None], tuning: Mapping[str, float]) -> float:
    """θ (1/s) of one target from its saved pacer state (`Pacer.state()[target_id]`)."""
    abandons = fields.get("patience_abandons") or 0.0
    wait_s = fields.get("patience_wait_s") or 0.0
    return float(abandon_rate(abandons, wait_s, tuning))
