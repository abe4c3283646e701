"""A seeded discrete-event contact centre: the statistics server and the engagement platform.

Time is simulated seconds (a float from 0); nothing here reads the wall clock. One
`random.Random(seed)` and a heap of events ordered by (time, insertion order) make every run
with the same scenario, targets and calls identical.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from config.simulator import Scenario
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget
from simulator._state import AgentState, Seat, SimulatorTotals, TargetState

# (time_s, insertion order, handler, argument); the order breaks ties so handlers never compare
_Event = tuple[float, int, Callable[[Any], None], Any]


class ContactCentreSimulator:
    """Agents on shifts, visitors, invitations, queues and handling for a set of pacing targets.

    Slots: an agent has one slot pool per target (its capacity on that media), so blended work on
    one media never takes another media's slots, but log-in is one state per agent name.
    `logged_in_slots = ready_slots + busy_slots`; an agent who logs out finishes the work in hand
    and takes nothing new: those busy slots still count as logged in and busy until each
    interaction ends, the free ones leave at once.

    Queues: a proactive interaction (an accepted invitation) is served at once by the logged-in
    agent with the most free slots, or waits in the VQ (`in_queue`) and abandons after an
    exponential patience. Freed slots serve the VQ first (FIFO), then the reactive queue.
    """

    def __init__(self, targets: Sequence[PacingTarget], scenario: Scenario) -> None:
        self._scenario = scenario
        self._rng = random.Random(scenario.seed)
        self._events: list[_Event] = []
        self._order = 0
        self._now_s = 0.0
        self._next_interaction_id = 0
        self._exponential_handle = scenario.handle_time_distribution == "exponential"
        self._targets: dict[str, TargetState] = {}
        self._agents: dict[str, AgentState] = {}
        for target in targets:
            if target.target_id in self._targets:
                raise ValueError(f"target {target.target_id!r} is listed twice")
            self._targets[target.target_id] = self._build_target(target)
        for agent in self._agents.values():
            self._start_shift_cycle(agent)
        for state in self._targets.values():
            self._start_reactive(state)

    def _build_target(self, target: PacingTarget) -> TargetState:
        scenario = self._scenario
        state = TargetState(
            target,
            handle_time_mean_s=scenario.handle_time_mean_for(target.media),
            handle_time_sigma=scenario.handle_time_sigma,
            reactive_per_min=scenario.reactive_per_min_for(target.media),
            disposition_window=scenario.disposition_window,
        )
        seated: set[str] = set()  # not the agent's seats: an agent may serve 10,000 targets
        for target_agent in target.agents:
            agent = self._agents.setdefault(target_agent.name, AgentState(target_agent.name))
            if target_agent.name in seated:
                raise ValueError(
                    f"agent {target_agent.name!r} is listed twice in target {target.target_id!r}"
                )
            seated.add(target_agent.name)
            seat = Seat(agent, state, target_agent.slots)
            agent.seats.append(seat)
            state.seats.append(seat)
        return state

    # -- public surface -------------------------------------------------------------------

    @property
    def now_s(self) -> float:
        """Simulated seconds since the start."""
        return self._now_s

    def advance_to(self, t_s: float) -> None:
        """Process every event up to and including `t_s`; an earlier `t_s` is a no-op."""
        events = self._events
        heappop = heapq.heappop
        while events and events[0][0] <= t_s:
            time_s, _, handler, argument = heappop(events)
            self._now_s = time_s
            handler(argument)
        if t_s > self._now_s:
            self._now_s = t_s

    def read_statistics(self, t_s: float) -> dict[str, TargetStatistics]:
        """Advance to `t_s`, then report what the statistics server shows for every target."""
        self.advance_to(t_s)
        return {
            target_id: TargetStatistics(
                target_id=target_id,
                logged_in_slots=state.logged_in_slots,
                ready_slots=state.logged_in_slots - state.busy_slots,
                busy_slots=state.busy_slots,
                in_queue=len(state.proactive_waiting),
                accepted_total=state.proactive_served,
                abandoned_total=state.proactive_abandoned,
                reactive_arrivals_total=state.reactive_arrived,
                avg_handle_time_s=(
                    state.handle_time_sum_s / state.handles_completed
                    if state.handles_completed
                    else None
                ),
            )
            for target_id, state in self._targets.items()
        }

    def publish(
        self, allowed: Mapping[str, int], interval_s: float, t_s: float
    ) -> dict[str, PublishResult]:
        """Advance to `t_s`, then allow up to `allowed[target]` invitations in [t, t+interval).

        Each allowance replaces the unsent remainder of that target's previous one; targets not
        in `allowed` keep theirs. Answers, for the published targets only, the pending count
        after the publish and the platform's estimates over its recent dispositions.
        """
        unknown = [target_id for target_id in allowed if target_id not in self._targets]
        if unknown:
            raise KeyError(
                f"unknown pacing target(s) {unknown}; the simulator knows {list(self._targets)}"
            )
        for target_id, count in allowed.items():
            if count < 0:
                raise ValueError(
                    f"allowed invitations must be 0 or more, got {count} ({target_id})"
                )
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        self.advance_to(t_s)
        now_s = self._now_s
        visitor_rate_per_s = self._scenario.visitor_rate_per_min / 60.0
        results: dict[str, PublishResult] = {}
        for target_id, count in allowed.items():
            state = self._targets[target_id]
            state.generation += 1
            state.invitations_left = count
            state.allowance_end_s = now_s + interval_s
            if count > 0 and visitor_rate_per_s > 0:
                self._schedule_next_visitor(state, visitor_rate_per_s)
            window = state.dispositions
            results[target_id] = PublishResult(
                target_id=target_id,
                pending_invitations=state.pending_invitations,
                acceptance_rate=window.acceptance_rate,
                accept_delay_s=window.accept_delay_s,
                decline_delay_s=window.decline_delay_s,
            )
        return results

    def totals(self) -> dict[str, SimulatorTotals]:
        """Ground truth per target at `now_s` (does not advance)."""
        return {target_id: state.totals() for target_id, state in self._targets.items()}

    # -- shocks: sudden changes the pacing lab plays at given times ------------------------

    def log_off_agents(self, share: float, t_s: float) -> int:
        """Advance to `t_s`; a `share` of the logged-in agents log off for good. Returns how many.

        They finish the work in hand, like any log-off, and do not come back this run.
        """
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share of agents to log off must be between 0 and 1, got {share}")
        self.advance_to(t_s)
        logged_in = [agent for agent in self._agents.values() if agent.logged_in]
        chosen = self._rng.sample(logged_in, round(share * len(logged_in)))
        for agent in chosen:
            agent.retired = True
            self._logout(agent)
        return len(chosen)

    def change_scenario(self, t_s: float, **changes: Any) -> None:
        """Advance to `t_s`, then change scenario settings (e.g. `acceptance_probability`).

        Applies to what happens from now on: invitations already sent keep their fate, waiting
        interactions their patience. Reactive rates take effect from the next arrival.
        """
        self.advance_to(t_s)
        self._scenario = replace(self._scenario, **changes)
        for state in self._targets.values():
            state.reactive_rate_per_s = self._scenario.reactive_per_min_for(state.target.media) / 60
            self._start_reactive(state)

    # -- events ---------------------------------------------------------------------------

    def _schedule(self, delay_s: float, handler: Callable[[Any], None], argument: Any) -> None:
        self._order += 1
        heapq.heappush(self._events, (self._now_s + delay_s, self._order, handler, argument))

    def _start_shift_cycle(self, agent: AgentState) -> None:
        """Place the agent in its shift cycle at t=0 (mid-day when `start_staffed`)."""
        scenario = self._scenario
        if not scenario.start_staffed:
            self._schedule(self._rng.uniform(0.0, scenario.login_spread_s), self._login, agent)
            return
        cycle_s = scenario.shift_length_s + scenario.off_shift_s
        phase_s = self._rng.uniform(0.0, cycle_s)
        if phase_s < scenario.shift_length_s:
            self._login(agent, shift_left_s=scenario.shift_length_s - phase_s)
        else:
            self._schedule(cycle_s - phase_s, self._login, agent)

    def _login(self, agent: AgentState, shift_left_s: float | None = None) -> None:
        if agent.retired or agent.logged_in:
            return
        agent.logged_in = True
        for seat in agent.seats:
            seat.target.logged_in_slots += seat.slots - seat.busy
        if shift_left_s is None:
            shift_left_s = self._scenario.shift_length_s
        self._schedule(shift_left_s, self._logout, agent)
        for seat in agent.seats:
            self._serve_waiting(seat.target)

    def _logout(self, agent: AgentState) -> None:
        if not agent.logged_in:
            return  # already logged off by a shock
        agent.logged_in = False
        for seat in agent.seats:
            seat.target.logged_in_slots -= seat.slots - seat.busy
        if not agent.retired:
            self._schedule(self._scenario.off_shift_s, self._login, agent)

    def _schedule_next_visitor(self, state: TargetState, visitor_rate_per_s: float) -> None:
        delay_s = self._rng.expovariate(visitor_rate_per_s)
        if self._now_s + delay_s < state.allowance_end_s:
            self._schedule(delay_s, self._visitor_arrival, (state, state.generation))

    def _visitor_arrival(self, argument: tuple[TargetState, int]) -> None:
        state, generation = argument
        if generation != state.generation or state.invitations_left <= 0:
            return  # a later publish replaced this allowance
        state.invitations_left -= 1
        self._send_invitation(state)
        if state.invitations_left > 0:
            self._schedule_next_visitor(state, self._scenario.visitor_rate_per_min / 60.0)

    def _send_invitation(self, state: TargetState) -> None:
        scenario = self._scenario
        rng = self._rng
        state.invitations_sent += 1
        state.pending_invitations += 1
        accepts = rng.random() < scenario.acceptance_probability
        mean_s = scenario.accept_delay_mean_s if accepts else scenario.decline_delay_mean_s
        delay_s = rng.expovariate(1.0 / mean_s)
        if delay_s > scenario.invitation_timeout_s:
            self._schedule(scenario.invitation_timeout_s, self._invitation_expired, state)
        elif accepts:
            self._schedule(delay_s, self._invitation_accepted, (state, delay_s))
        else:
            self._schedule(delay_s, self._invitation_declined, (state, delay_s))

    def _invitation_accepted(self, argument: tuple[TargetState, float]) -> None:
        state, delay_s = argument
        state.pending_invitations -= 1
        state.accepted_invitations += 1
        state.dispositions.record(True, delay_s)
        if state.logged_in_slots > state.busy_slots:
            state.proactive_served += 1
            self._start_handling(state)
            return
        interaction_id = self._new_interaction_id()
        state.proactive_queue.append(interaction_id)
        state.proactive_waiting.add(interaction_id)
        patience_s = self._rng.expovariate(1.0 / self._scenario.patience_mean_s)
        self._schedule(patience_s, self._proactive_abandoned, (state, interaction_id))

    def _invitation_declined(self, argument: tuple[TargetState, float]) -> None:
        state, delay_s = argument
        state.pending_invitations -= 1
        state.declined_invitations += 1
        state.dispositions.record(False, delay_s)

    def _invitation_expired(self, state: TargetState) -> None:
        state.pending_invitations -= 1
        state.expired_invitations += 1
        state.dispositions.record(False, self._scenario.invitation_timeout_s)

    def _proactive_abandoned(self, argument: tuple[TargetState, int]) -> None:
        state, interaction_id = argument
        if state.abandon(state.proactive_queue, state.proactive_waiting, interaction_id):
            state.proactive_abandoned += 1

    def _start_reactive(self, state: TargetState) -> None:
        if state.reactive_rate_per_s > 0 and not state.reactive_running:
            state.reactive_running = True
            delay_s = self._rng.expovariate(state.reactive_rate_per_s)
            self._schedule(delay_s, self._reactive_arrival, state)

    def _reactive_arrival(self, state: TargetState) -> None:
        if state.reactive_rate_per_s <= 0:
            state.reactive_running = False  # the rate was set to 0 since this was scheduled
            return
        state.reactive_arrived += 1
        if state.logged_in_slots > state.busy_slots:
            state.reactive_served += 1
            self._start_handling(state)
        else:
            interaction_id = self._new_interaction_id()
            state.reactive_queue.append(interaction_id)
            state.reactive_waiting.add(interaction_id)
            patience_s = self._rng.expovariate(1.0 / self._scenario.reactive_patience_mean_s)
            self._schedule(patience_s, self._reactive_abandoned, (state, interaction_id))
        self._schedule(
            self._rng.expovariate(state.reactive_rate_per_s), self._reactive_arrival, state
        )

    def _reactive_abandoned(self, argument: tuple[TargetState, int]) -> None:
        state, interaction_id = argument
        if state.abandon(state.reactive_queue, state.reactive_waiting, interaction_id):
            state.reactive_abandoned += 1

    def _start_handling(self, state: TargetState) -> None:
        """Occupy a free slot (the caller checked there is one) for one handle time."""
        seat = state.free_seat()
        assert seat is not None, "ready slots counted but no logged-in agent has one free"
        seat.busy += 1
        state.busy_slots += 1
        if self._exponential_handle:
            handle_s = self._rng.expovariate(1.0 / state.handle_time_mean_s)
        else:
            handle_s = self._rng.lognormvariate(
                state.handle_time_mu, self._scenario.handle_time_sigma
            )
        self._schedule(handle_s, self._handling_done, (seat, handle_s))

    def _handling_done(self, argument: tuple[Seat, float]) -> None:
        seat, handle_s = argument
        state = seat.target
        seat.busy -= 1
        state.busy_slots -= 1
        state.handles_completed += 1
        state.handle_time_sum_s += handle_s
        if seat.agent.logged_in:
            self._serve_waiting(state)
        else:
            state.logged_in_slots -= 1  # finished the last work of the shift on this slot

    def _serve_waiting(self, state: TargetState) -> None:
        """Give free slots to the VQ first (FIFO), then to waiting reactive interactions."""
        while state.logged_in_slots > state.busy_slots:
            if state.pop_waiting(state.proactive_queue, state.proactive_waiting) is not None:
                state.proactive_served += 1
            elif state.pop_waiting(state.reactive_queue, state.reactive_waiting) is not None:
                state.reactive_served += 1
            else:
                return
            self._start_handling(state)

    def _new_interaction_id(self) -> int:
        self._next_interaction_id += 1
        return self._next_interaction_id
