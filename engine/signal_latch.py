"""Turn per-cycle observations into alarm detect/cancel events, once per change.

A detector tells the latch each cycle whether a condition holds for a scope; the latch emits an
`AlarmSignal` only when that changes (detect when it starts holding, cancel when it stops), so
the alarm subsystem sees events, not a stream of repeated states.
"""

from __future__ import annotations

import threading

from alarms.events import GLOBAL_SCOPE, AlarmSignal, AlarmSink


class SignalLatch:
    """Remembers which (condition, scope) pairs are active and reports changes to a sink."""

    def __init__(self, sink: AlarmSink) -> None:
        self._sink = sink
        self._active: set[tuple[str, str]] = set()
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
        """Report the condition's state now; emits a signal only when it changed."""
        key = (condition, scope)
        with self._lock:
            if active == (key in self._active):
                return
            if active:
                self._active.add(key)
            else:
                self._active.discard(key)
        self._sink.signal(AlarmSignal(condition, active, at, scope, value, reason))

    def active_scopes(self, condition: str) -> set[str]:
        """Scopes for which `condition` is currently active."""
        with self._lock:
            return {scope for name, scope in self._active if name == condition}
