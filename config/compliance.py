"""The `[compliance]` section: compliance windows, the budget guard and the burn-rate alarms."""

from __future__ import annotations

from dataclasses import dataclass

from config.reader import TableReader
from domain.compliance import DEFAULT_WINDOWS, WINDOW_KINDS, window_length_s

__all__ = ["ComplianceOptions", "read_compliance"]


@dataclass(frozen=True, slots=True)
class ComplianceOptions:
    """Windows shown and guarded; the guard's horizon and floor; burn-rate thresholds."""

    windows: tuple[str, ...] = DEFAULT_WINDOWS
    guard: bool = True
    guard_horizon_s: float = 3600.0
    guard_min_goal_share: float = 0.25
    fast_burn: float = 14.4
    slow_burn: float = 6.0
    burn_min_resolved: int = 20

    @property
    def retention_s(self) -> float:
        """How far back the node's ledger must remember: the longest window or 6 h of burn."""
        return max(6 * 3600.0, self.guard_horizon_s, *map(window_length_s, self.windows))


def read_compliance(table: TableReader | None) -> ComplianceOptions:
    if table is None:
        return ComplianceOptions()
    windows = table.string_list("windows", DEFAULT_WINDOWS)
    if not windows or len(set(windows)) != len(windows) or set(windows) - set(WINDOW_KINDS):
        table.report(
            "windows",
            list(windows),
            f"one or more distinct windows of {', '.join(repr(k) for k in WINDOW_KINDS)}",
        )
        windows = DEFAULT_WINDOWS
    options = ComplianceOptions(
        windows=windows,
        guard=table.boolean("guard", True),
        guard_horizon_s=table.duration_s("guard_horizon", 3600.0),
        guard_min_goal_share=table.number("guard_min_goal_share", 0.25),
        fast_burn=table.number("fast_burn", 14.4),
        slow_burn=table.number("slow_burn", 6.0),
        burn_min_resolved=table.integer("burn_min_resolved", 20),
    )
    table.finish()
    return options
