"""The switchable faults of the fake servers, and the thread-safe switchboard holding them.

A fault is switched on with an optional value and an optional number of times (then it switches
itself off, so "401 then success" is `unauthorized` for 1 time). Names and meanings are listed
in `FAULTS` (and in docs/http.md).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULTS: dict[str, str] = {
    # engagement platform (token and bulk pacing endpoint)
    "token_refuse": "the token endpoint answers 401 invalid_client",
    "slow": "bulk answers wait VALUE seconds (default 2) before answering",
    "timeout": "bulk requests hang VALUE seconds (default 30): the client times out",
    "unauthorized": "bulk answers 401 authentication.required (and forgets issued tokens)",
    "rate_limit": "bulk answers 429 with Retry-After: VALUE seconds (default 1)",
    "status": "bulk answers HTTP VALUE (default 503) with a platform error body",
    "malformed_json": "bulk answers 200 with a body that is not JSON",
    "wrong_count": "bulk answers one result fewer than entities",
    "target_errors": "results for targets in VALUE (comma-separated ids; default all) are errors",
    "negative_counts": "pendingInvitationCount is -1 for every target",
    # statistics endpoint
    "stats_slow": "statistics answers wait VALUE seconds (default 2)",
    "stats_status": "statistics answers HTTP VALUE (default 503)",
    "stats_drop": "statistics requests get the connection closed without an answer",
    "stats_malformed": "statistics answers a body that is not JSON",
    "stats_missing": "the virtual queue numbered VALUE (default: the first) is left out",
    "stats_negative": "every virtual queue's current count is -1",
    "stats_reset": "running totals restart from 0 (a statistics server restart)",
    "stats_stale": "generated_at is VALUE seconds in the past (default 3600)",
}


class UnknownFaultError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ActiveFault:
    name: str
    value: str | None = None
    times: int | None = None  # None: until cleared


class Switchboard:
    """Which faults are on; `take(name)` consumes one use of a counted fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, ActiveFault] = {}

    def set(self, name: str, value: str | None = None, times: int | None = None) -> None:
        if name not in FAULTS:
            raise UnknownFaultError(
                f"unknown fault {name!r} — expected one of {', '.join(sorted(FAULTS))}"
            )
        if times is not None and times < 1:
            raise UnknownFaultError(f"times must be at least 1, got {times}")
        with self._lock:
            self._faults[name] = ActiveFault(name, value, times)

    def clear(self, name: str | None = None) -> None:
        with self._lock:
            if name is None:
                self._faults.clear()
            else:
                self._faults.pop(name, None)

    def take(self, name: str) -> ActiveFault | None:
        """The fault if on (counting one use), else None."""
        with self._lock:
            fault = self._faults.get(name)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 1:
                    del self._faults[name]
                else:
                    self._faults[name] = ActiveFault(name, fault.value, fault.times - 1)
            return fault

    def snapshot(self) -> dict[str, dict[str, object]]:
        with self._lock:
            return {f.name: {"value": f.value, "times": f.times} for f in self._faults.values()}


def parse_fault_flag(text: str) -> tuple[str, str | None]:
    """`NAME` or `NAME=VALUE` from the command line."""
    name, sep, value = text.partition("=")
    if name not in FAULTS:
        raise UnknownFaultError(
            f"--fault {text}: unknown fault — expected one of {', '.join(sorted(FAULTS))}"
        )
    return name, (value if sep else None)
