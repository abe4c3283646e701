"""Warm restart: the node saves `Pacer.state()` every few cycles and restores it at start.

What survives a restart: the feedback threshold c, the acceptance and patience estimates,
the abandonment windows of the brake and the compliance guard, the controller levels. A
restored state forgets when it was taken (`last_now`), so the outage counts as no time: the
first cycle after the restart decays nothing and adds no waiting time for it; the accepts and
abandonments the platform counted meanwhile still reach the feedback. A state older than
`max_age_s` is not restored (cold start), nor one that cannot be read: either is logged,
neither stops the node.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pacing import Pacer
from storage.db import PerThreadDatabase
from storage.pacer_state import load_pacer_state, save_pacer_state

if TYPE_CHECKING:
    from domain.ports import CycleOutcome

log = logging.getLogger(__name__)

SAVE_EVERY_CYCLES = 30  # one minute at the default 2 s cycle
MAX_RESTORE_AGE_S = 6 * 3600.0  # older state is not worth more than the priors


def forget_times(state: dict[str, Any]) -> dict[str, Any]:
    """The state with every target's observation time unknown (the outage counts as no time)."""
    return {target: {**fields, "last_now": None} for target, fields in state.items()}


def restore_pacer_state(
    pacer: Pacer,
    database: PerThreadDatabase,
    node_id: str,
    now: float,
    max_age_s: float = MAX_RESTORE_AGE_S,
) -> bool:
    """Load the node's saved pacer state into `pacer`; True when it warm-started."""
    try:
        saved = load_pacer_state(database.get(), node_id)
        if saved is None:
            return False
        age_s = now - saved.saved_at
        if not 0.0 <= age_s <= max_age_s:
            log.info("pacer state of node %s is %.0f s old: cold start", node_id, age_s)
            return False
        pacer.restore(forget_times(dict(saved.state)))
    except Exception as error:  # noqa: BLE001 - a bad saved state must not stop the node
        log.warning("could not restore the pacer state of node %s (cold start): %s", node_id, error)
        return False
    log.info("pacer state of node %s restored (%d targets)", node_id, len(saved.state))
    return True


class PacerStateKeeper:
    """Restores the pacer's state when the node starts, saves it every few cycles and at stop.

    A node service (start: restore; stop: save, after the scheduler stopped) and a cycle
    observer (every `every_cycles` cycles: save, on the cycle's own thread).
    """

    name = "pacer state"
    phase = "pacer state"  # the node times each cycle's save under this name

    def __init__(
        self,
        pacer: Pacer,
        database: PerThreadDatabase,
        node_id: str,
        clock: Callable[[], float],
        every_cycles: int = SAVE_EVERY_CYCLES,
    ) -> None:
        if every_cycles < 1:
            raise ValueError(f"every_cycles must be 1 or more, got {every_cycles}")
        self._pacer = pacer
        self._database = database
        self._node_id = node_id
        self._clock = clock
        self._every_cycles = every_cycles
        self._cycles = 0

    def start(self) -> None:
        restore_pacer_state(self._pacer, self._database, self._node_id, self._clock())

    def stop(self) -> None:
        self.save()

    def after_cycle(self, outcome: CycleOutcome, recorded: bool) -> None:
        self._cycles += 1
        if self._cycles % self._every_cycles:
            return
        self.save()

    def save(self) -> None:
        """Save now (never during a decision: on the cycle's thread, or after it stopped)."""
        save_pacer_state(
            self._database.get(),
            self._node_id,
            self._pacer.algorithm,
            self._pacer.state(),
            self._clock(),
        )
