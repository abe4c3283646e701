"""The alarm vocabulary: categories, states, conditions, instances, transitions and events.

Words follow ISA-18.2 / IEC 62682: an alarm *condition* is the named rule; an alarm *instance*
is that condition in one scope (global, or one pacing target); a *transition* is one change of
an instance's annunciation state, stored append-only with the name of the rule that made it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from domain.signals import GLOBAL_SCOPE

__all__ = [
    "ACTIVE_STATES",
    "AlarmCondition",
    "AlarmInstance",
    "AlarmState",
    "AlarmTransition",
    "Cancel",
    "Category",
    "Detect",
    "LifecycleEvent",
    "OperatorAction",
    "OperatorActionKind",
    "RuntimeSample",
    "ScopeKind",
    "Tick",
    "instance_id_for",
]

ScopeKind = Literal["global", "target"]
OperatorActionKind = Literal[
    "acknowledge",
    "shelve",
    "unshelve",
    "clear",
    "remove_from_service",
    "return_to_service",
]
OPERATOR_ACTIONS: tuple[OperatorActionKind, ...] = get_args(OperatorActionKind)


class Category(StrEnum):
    """How bad it is; the order of declaration is the order of severity."""

    WARNING = "Warning"
    MINOR = "Minor"
    MAJOR = "Major"
    CRITICAL = "Critical"

    @property
    def rank(self) -> int:
        return list(Category).index(self)

    def raised(self) -> Category:
        """The next category up (Critical stays Critical)."""
        members = list(Category)
        return members[min(self.rank + 1, len(members) - 1)]


class AlarmState(StrEnum):
    """ISA-18.2 annunciation states."""

    NORMAL = "normal"
    UNACK = "active_unacknowledged"
    ACKED = "active_acknowledged"
    CLEARED_UNACK = "cleared_unacknowledged"
    SHELVED = "shelved"
    OUT_OF_SERVICE = "out_of_service"


ACTIVE_STATES = frozenset({AlarmState.UNACK, AlarmState.ACKED})


def instance_id_for(condition: str, scope: str) -> str:
    return f"{condition}/{scope}"


@dataclass(frozen=True, slots=True)
class AlarmCondition:
    """A named rule as provisioned in the database (operators may edit it there)."""

    name: str
    description: str
    category: Category
    detect_event_id: int
    cancel_event_id: int
    cancel_timeout_s: float = 86_400.0
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    parameters: tuple[tuple[str, float], ...] = ()
    scope_kind: ScopeKind = "global"
    enabled: bool = True

    def __post_init__(self) -> None:
        where = f"(alarm condition {self.name!r})"
        if not self.name.strip():
            raise ValueError("an alarm condition needs a name")
        for name in ("cancel_timeout_s", "on_delay_s", "off_delay_s"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number ≥ 0, got {value} {where}")
        if self.cancel_timeout_s == 0:
            raise ValueError(f"cancel_timeout_s must be > 0 {where}")
        if self.detect_event_id == self.cancel_event_id:
            raise ValueError(f"detect and cancel event ids must differ {where}")

    def parameter(self, key: str, default: float | None = None) -> float | None:
        for name, value in self.parameters:
            if name == key:
                return value
        return default


@dataclass(frozen=True, slots=True)
class AlarmInstance:
    """One condition in one scope: its annunciation state and the process input behind it.

    `detected` is the latest detect/cancel input; `raised` is that input after the on/off
    delays (an alarm may be raised while shelved or out of service: it is then suppressed).
    """

    condition: str
    scope: str = GLOBAL_SCOPE
    state: AlarmState = AlarmState.NORMAL
    severity: Category = Category.MAJOR
    raised: bool = False
    detected: bool = False
    detect_since: float | None = None
    cancel_since: float | None = None
    requested_severity: Category | None = None
    raised_at: float | None = None
    cleared_at: float | None = None
    occurrences: int = 0
    value: float | None = None
    reason: str = ""
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    shelved_by: str | None = None
    shelved_until: float | None = None
    updated_at: float = 0.0

    @property
    def instance_id(self) -> str:
        return instance_id_for(self.condition, self.scope)


@dataclass(frozen=True, slots=True)
class AlarmTransition:
    """One append-only row of an instance's history."""

    instance_id: str
    condition: str
    scope: str
    from_state: AlarmState
    to_state: AlarmState
    rule: str
    at: float
    severity: Category
    occurrence: int
    reason: str = ""
    value: float | None = None
    who: str | None = None  # the operator; None for the system
    comment: str = ""


# --- events the lifecycle consumes -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detect:
    """The condition's detect event (the process is abnormal)."""

    at: float
    value: float | None = None
    reason: str = ""
    severity: Category | None = None  # None: the condition's category


@dataclass(frozen=True, slots=True)
class Cancel:
    """The condition's cancel event (the process is back to normal)."""

    at: float
    value: float | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passes: delays, the cancel timeout and shelve expiry fall due.

    With `ack_expiry_s` > 0, an acknowledgement older than that of an alarm still active
    expires: the alarm is annunciated again (`[alarms] ack_expiry`).
    """

    at: float
    ack_expiry_s: float = 0.0


@dataclass(frozen=True, slots=True)
class OperatorAction:
    """Acknowledge, shelve (with mandatory expiry), unshelve, clear, out of / back in service."""

    kind: OperatorActionKind
    at: float
    operator: str
    comment: str = ""
    until: float | None = None  # shelve only

    def __post_init__(self) -> None:
        if self.kind not in OPERATOR_ACTIONS:
            raise ValueError(
                f"operator action must be one of {OPERATOR_ACTIONS}, got {self.kind!r}"
            )
        if not self.operator or not self.operator.strip():
            raise ValueError(f"{self.kind} needs the operator's name")
        if self.kind == "shelve" and (self.until is None or not self.until > self.at):
            raise ValueError(
                f"shelve needs an expiry after now (until={self.until}, now={self.at}): "
                "a shelved alarm must come back by itself"
            )


LifecycleEvent = Detect | Cancel | Tick | OperatorAction


@dataclass(frozen=True, slots=True)
class RuntimeSample:
    """The node's runtime figures at one moment (the Python equivalent of JVM metrics)."""

    node_id: str
    at: float
    gc_pause_max_s: float  # longest collection since the previous sample
    gc_pause_total_s: float  # time spent collecting since the previous sample
    gc_collections: int  # collections since the previous sample
    gc_collections_per_min: float  # full (oldest-generation) collections in the last 60 s
    gc_collections_total: int  # since the probe started
    rss_bytes: int | None
    memory_limit_bytes: int | None  # cgroup limit or physical memory
    heap_current_bytes: int | None = None  # tracemalloc, when enabled
    heap_peak_bytes: int | None = None
    cycle_duration_s: float | None = None
    cycle_lateness_s: float | None = None
    # (generation, collections, longest pause s) since the previous sample
    gc_by_generation: tuple[tuple[int, int, float], ...] = ()

    @property
    def sample_id(self) -> str:
        return f"{self.node_id}:{self.at:.6f}"

    @property
    def memory_usage_pct(self) -> float | None:
        """Resident memory as a percentage of the memory available to the process."""
        if self.rss_bytes is None or not self.memory_limit_bytes:
            return None
        return 100.0 * self.rss_bytes / self.memory_limit_bytes
