"""The one way a background part runs: a named daemon thread taking turns until it is stopped.

A service hands `BackgroundLoop` its `turn`: one round of work that returns how many seconds
to wait before the next round. A turn that raises is logged and followed by a pause, so one
bad round never ends the thread; `stop()` wakes the wait at once and joins the thread. Each
thread may own things only it can close (a SQLite connection, a lock descriptor): `on_exit`
runs on the thread as it ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class BackgroundLoop:
    """One named daemon thread calling `turn()` and waiting what it returns, until stopped."""

    def __init__(
        self,
        name: str,
        turn: Callable[[], float],
        *,
        failure_pause_s: float = 5.0,
        on_exit: Callable[[], None] | None = None,
        logger: logging.Logger = log,
    ) -> None:
        self.name = name
        self._turn = turn
        self._failure_pause_s = failure_pause_s
        self._on_exit = on_exit
        self._log = logger
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (again after a stop); a second start while running does nothing."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        """Wake the thread from its wait, then wait for its turn to end."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout_s)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    wait_s = self._turn()
                except Exception:  # noqa: BLE001 - one bad turn must not end the thread
                    self._log.exception("%s: a turn failed; trying again", self.name)
                    wait_s = self._failure_pause_s
                if wait_s > 0:
                    self._stop.wait(wait_s)
        finally:
            if self._on_exit is not None:
                self._on_exit()
