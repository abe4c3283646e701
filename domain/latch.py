"""Turn per-cycle observations into alarm detect/cancel events, once per change.

A detector tells the latch each cycle whether a condition holds for a scope; the latch emits an
`AlarmSignal` only when that changes (detect when it starts holding, cancel when it stops), so
the alarm subsystem sees events, not a stream of repeated states.

The first observation of a (condition, scope) after start is always a change: the latch does
not know what a previous run of the node left in the database, so a first success emits the
cancel that clears an alarm still active from before a restart (a cancel for an alarm that was
never raised changes nothing).
"""

from __future__ import annotations

import threading

from domain.signals import GLOBAL_SCOPE, AlarmSignal, AlarmSink


class SignalLatch:
    """Remembers each (condition, scope) pair's last state and reports changes to a sink."""

    def __init__(self, sink: AlarmSink) -> None:
        self._sink = sink
        self._states: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()

    def observe(
        self,
        condition: str,
        active: bool,
        at: float,
        *,
        scope: str = GLOBAL_SCOPE,
        reason: str = "",
        value: float | None = None,
    ) -> None:
        """Report the condition's state now; emits a signal on the first report and on changes."""
        key = (condition, scope)
        with self._lock:
            if self._states.get(key) is active:
                return
            self._states[key] = active
        self._sink.signal(AlarmSignal(condition, active, at, scope, value, reason))

    def active_scopes(self, condition: str) -> set[str]:
        """Scopes for which `condition` is currently active."""
        with self._lock:
            return {scope for (name, scope), on in self._states.items() if name == condition and on}
